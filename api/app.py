"""The FastAPI application: routes, error mapping and start-up.

Errors always come back as JSON `{"code": ..., "message": ..., "details": {...}}` with a stable
`code`; the status comes from the one table in `api/errors.py`. The lifespan builds the
`Services` once (`app.state.services`) and closes them at shutdown.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api import dashboard
from api.errors import error_body, http_status
from api.routes import auth as auth_routes
from api.routes import backtests, generations, market_data, strategies, versions
from api.routes import batches as batch_routes
from api.routes import deployments as deployment_routes
from api.routes import integrations as integration_routes
from api.services.container import Services
from core.config import Settings, get_settings
from core.errors import PayloadTooLarge, StratforgeError
from core.logging import configure_logging, get_logger

log = get_logger(__name__)


def _error(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> JSONResponse:
    return JSONResponse(
        status_code=status, content={"code": code, "message": message, "details": details or {}}
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = Services.open(settings)
        # interrupted runs end as failed; unfinished batches go on; the scheduler starts
        services.start_background()
        app.state.services = services
        yield
        services.close()

    app = FastAPI(
        title="stratforge",
        version="0.1.0",
        lifespan=lifespan,
        description="Plain-English strategies → Lumibot code → backtests.",
    )

    @app.exception_handler(StratforgeError)
    async def _stratforge_error(_: Request, exc: StratforgeError) -> JSONResponse:
        return JSONResponse(status_code=http_status(exc), content=error_body(exc))

    @app.exception_handler(RequestValidationError)
    async def _bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg")}
            for e in exc.errors()
        ]
        message = "; ".join(f"{p['where']}: {p['message']}" for p in problems)
        return _error(422, "invalid_request", message, {"problems": problems})

    @app.middleware("http")
    async def _request_id(request: Request, call_next: Any) -> Any:
        """Every response names its request (`X-Request-ID`); an unexpected exception becomes a
        JSON 500 carrying that id, logged with its traceback, and never reaches the server
        (which would close the connection and drop the requests queued behind it)."""
        request_id = uuid.uuid4().hex[:16]
        try:
            response = await call_next(request)
        except Exception:
            log.exception("unhandled error",
                          extra={"request": request_id, "path": request.url.path})
            response = _error(500, "internal_error",
                              f"internal error; see the server log for request {request_id}",
                              {"request_id": request_id})
        response.headers["X-Request-ID"] = request_id
        if request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400:
            await _audit(request, response.status_code, request_id)
        return response

    async def _audit(request: Request, status: int, request_id: str) -> None:
        """Every state change that succeeded: who, which route, which object, from where."""
        route = request.scope.get("route")
        path = getattr(route, "path", request.url.path)
        if path in ("/auth/login", "/auth/register", "/auth/refresh"):
            return  # the session service records these itself, with what they did
        principal = getattr(request.state, "principal", None)
        params = dict(request.scope.get("path_params") or {})
        object_id = next(iter(params.values()), None)
        parts = [p for p in path.split("/") if p and not p.startswith("{")]
        await run_in_threadpool(
            app.state.services.audit.record,
            f"{request.method} {path}",
            actor_id=getattr(principal, "user_id", None),
            object_type=parts[0] if parts else None, object_id=object_id,
            summary={"status": status, "params": params} if params else {"status": status},
            address=request.client.host if request.client else None,
            request_id=request_id,
        )

    limit_body(app, settings.max_body_bytes)

    @app.get("/health", tags=["meta"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(dashboard.router)
    app.include_router(strategies.router)
    app.include_router(batch_routes.router)  # before backtests: /backtests/compare
    app.include_router(backtests.router)
    app.include_router(market_data.router)
    app.include_router(versions.router)
    app.include_router(generations.router)
    app.include_router(deployment_routes.router)
    app.include_router(auth_routes.router)
    app.include_router(integration_routes.router)
    return app


def limit_body(app: FastAPI, max_bytes: int) -> None:
    """Refuse a request body over `max_bytes` (413): by its Content-Length at once, and by
    counting when it streams without one (then it is read here, at most `max_bytes`)."""
    app.add_middleware(BodyLimit, max_bytes=max_bytes)


class BodyLimit:
    """Plain ASGI (nothing to do for a GET), so it costs nothing on the read path."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.isdigit() or int(declared) > self.max_bytes:
                await _too_large(self.max_bytes)(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                await _too_large(self.max_bytes)(scope, receive, send)
                return
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _too_large(max_bytes: int) -> JSONResponse:
    return _error(413, PayloadTooLarge.code, f"request body over {max_bytes} bytes",
                  {"limit": max_bytes})
