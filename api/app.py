"""The FastAPI application: routes, error mapping and start-up.

Errors always come back as JSON `{"code": ..., "message": ..., "details": {...}}` with a stable
`code`; the status comes from the one table in `api/errors.py`. The lifespan builds the
`Services` once (`app.state.services`) and closes them at shutdown.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api import dashboard
from api.body_limit import BodySizeLimit
from api.errors import error_body, http_status
from api.routes import agents as agent_routes
from api.routes import backtests, bot_builder, generations, market_data, strategies, versions
from api.routes import batches as batch_routes
from api.routes import deployments as deployment_routes
from api.routes import monitoring as monitoring_routes
from api.routes import notifications as notification_routes
from api.services.container import Services
from core.config import Settings, get_settings
from core.errors import StratforgeError
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
        started = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception:
            log.exception("unhandled error",
                          extra={"request": request_id, "path": request.url.path})
            response = _error(500, "internal_error",
                              f"internal error; see the server log for request {request_id}",
                              {"request_id": request_id})
        response.headers["X-Request-ID"] = request_id
        services = getattr(request.app.state, "services", None)
        if services is not None:
            route = request.scope.get("route")  # the template, never the raw path
            services.monitoring.http.observe(request.method, getattr(route, "path", "other"),
                                             response.status_code, time.perf_counter() - started)
        return response

    app.include_router(dashboard.router)
    app.include_router(strategies.router)
    app.include_router(batch_routes.router)  # before backtests: /backtests/compare
    app.include_router(backtests.router)
    app.include_router(market_data.router)
    app.include_router(versions.router)
    app.include_router(generations.router)
    app.include_router(deployment_routes.router)
    app.include_router(agent_routes.router)
    app.include_router(monitoring_routes.router)
    app.include_router(notification_routes.router)
    app.include_router(bot_builder.router)
    # outermost: an oversized body is refused before any other layer reads it
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    return app
