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

from api import dashboard, docs
from api.errors import error_body, http_status
from api.routes import backtests, generations, market_data, strategies, versions
from api.routes import batches as batch_routes
from api.routes import deployments as deployment_routes
from api.services.container import Services
from api.web_guard import WebGuard
from core.config import Settings, get_settings
from core.errors import ServerBusy, StratforgeError
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
        docs_url=None,  # api.docs serves them from installed files
        redoc_url=None,
    )

    @app.exception_handler(StratforgeError)
    async def _stratforge_error(_: Request, exc: StratforgeError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, ServerBusy) else None
        return JSONResponse(status_code=http_status(exc), content=error_body(exc), headers=headers)

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
        return response

    # outermost: the host and origin checks before anything, security headers on everything
    app.add_middleware(WebGuard, allowed_hosts=settings.allowed_host_names)

    @app.get("/health", tags=["meta"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(docs.router)
    app.mount(docs.STATIC_URL, docs.static_files(), name="docs-static")
    app.include_router(dashboard.router)
    app.include_router(strategies.router)
    app.include_router(batch_routes.router)  # before backtests: /backtests/compare
    app.include_router(backtests.router)
    app.include_router(market_data.router)
    app.include_router(versions.router)
    app.include_router(generations.router)
    app.include_router(deployment_routes.router)
    return app
