"""The FastAPI application: routes, error mapping and start-up.

Errors always come back as JSON `{"code": ..., "message": ..., "details": {...}}` with a stable
`code`; the status comes from the one table in `api/errors.py`. The lifespan builds the
`Services` once (`app.state.services`) and closes them at shutdown.
"""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Scope

from api import dashboard, docs
from api.body_limit import BodySizeLimit
from api.errors import error_body, http_status
from api.request_record import RequestRecord
from api.routes import agents as agent_routes
from api.routes import auth as auth_routes
from api.routes import backtests, bot_builder, generations, market_data, strategies, versions
from api.routes import batches as batch_routes
from api.routes import deployments as deployment_routes
from api.routes import integrations as integration_routes
from api.routes import monitoring as monitoring_routes
from api.routes import notifications as notification_routes
from api.routes import teams as team_routes
from api.services.container import Services
from api.services.views import ErrorBody
from api.web_guard import WebGuard
from core.config import Settings, get_settings
from core.errors import Conflict, InvalidInput, ServerBusy, StratforgeError
from core.logging import configure_logging, get_logger

log = get_logger(__name__)


def _error(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> JSONResponse:
    return JSONResponse(
        status_code=status, content={"code": code, "message": message, "details": details or {}}
    )


def _documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries of error statuses, all with the one error model."""
    return {status: {"model": ErrorBody, "description": ERROR_MEANINGS[status]}
            for status in statuses}


ERROR_MEANINGS = {
    400: "Not answered: unknown host name (bad_host) or an unreadable body",
    401: "Missing or wrong API key",
    403: "A request from another site (cross_site), or one the caller's role may not make",
    404: "Not found",
    405: "Method not allowed on this path",
    409: "Conflict with the current state",
    413: "The request body is larger than the server accepts",
    422: "Invalid input or failed validation",
    429: "Busy (Retry-After) or a budget is used up",
    500: "Internal error (the request id names it in the server log)",
    502: "The language model failed",
    503: "The broker or a data source could not be reached",
}
# what any route may answer, then what each group of routes adds
EVERY_ROUTE = _documented(400, 401, 403, 413, 422, 500)
ROUTER_ERRORS: dict[str, tuple[int, ...]] = {
    "strategies": (404, 409, 429, 502),
    "batches": (404, 409, 429),
    "backtests": (404, 409, 429),
    "market_data": (404, 429, 502),
    "versions": (404, 409, 429, 502),
    "generations": (404, 409, 429, 502),
    "deployments": (404, 409, 429, 502, 503),  # 429: a reconcile's replay over the quota
    "agents": (404, 409, 429, 502),
    "monitoring": (503,),  # /health when the database does not answer
    "notifications": (404, 409, 502),
    "bot_builder": (404,),
    "auth": (404, 409, 429),
    "integrations": (404, 409, 502, 503),
    "teams": (404, 409),
}


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(app: FastAPI, scope: Scope) -> list[str]:
    """Every method some route answers on this request's path (a 405's Allow header): the
    request's scope tried again under each method, with the routes' own matching. (Reading
    `APIRoute`s off `app.routes` found none once FastAPI 0.165 wrapped included routers.)"""
    return [method for method in _METHODS
            if any(route.matches({**scope, "method": method})[0] == Match.FULL
                   for route in app.router.routes)]


def _settle_heap() -> None:
    """Move everything alive after start-up (the imported libraries: Lumibot, pandas, plotly,
    SQLAlchemy… about a million objects) out of the garbage collector's sight. Python's full
    collection otherwise walks all of them every few hundred requests: a 100–900 ms pause that
    landed on whichever page was being served (`bench/dashboard.py`'s p95). What is frozen
    lives as long as the process anyway; objects made later are still collected."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None, *, warm_workers: bool = False,
               settle_heap: bool = False, background: bool = True,
               start_supervisor: bool = False) -> FastAPI:
    """`warm_workers`: start the executor's workers at start-up, in the background (the
    `serve` command does), instead of on the first request that needs one. `settle_heap`:
    freeze what start-up made out of the garbage collector's sight (`_settle_heap`; the
    `serve` command does; a test process making many apps does not). `background`: this
    process owns the server's background work (`Services.start_background`); False in the
    HTTP workers of `serve --workers N`, whose parent process owns it (`api.cli.server`).
    `start_supervisor`: start the bot supervisor with the background work (`serve` does,
    unless `STRATFORGE_SUPERVISOR_AT_START=false`)."""
    settings = settings or get_settings()
    configure_logging()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = Services.open(settings)
        if background:
            # interrupted runs end as failed; unfinished batches go on; the scheduler starts
            services.start_background(start_supervisor=start_supervisor)
        else:
            log.info("HTTP worker started; the background work runs in the serve process",
                     extra={"pid": os.getpid()})
        if warm_workers:
            services.runner.warm_in_background()
        app.state.services = services
        if settle_heap:
            _settle_heap()
        yield
        services.close()

    app = FastAPI(
        title="stratforge",
        version="0.1.0",
        lifespan=lifespan,
        description="Plain-English strategies → Lumibot code → backtests.",
        docs_url=None,  # api.docs serves them from installed files
        redoc_url=None,
        responses=EVERY_ROUTE,
    )

    @app.exception_handler(dashboard.SignInRequired)
    async def _sign_in(request: Request, _: Exception) -> Response:
        return dashboard.sign_in_page(request)

    @app.exception_handler(StratforgeError)
    async def _stratforge_error(request: Request, exc: StratforgeError) -> Response:
        if dashboard.is_dashboard(request):  # a page shows its refusal as a page
            return dashboard.error_page(request, exc)
        headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, ServerBusy) else None
        return JSONResponse(status_code=http_status(exc), content=error_body(exc), headers=headers)

    @app.exception_handler(StaleDataError)
    @app.exception_handler(ObjectDeletedError)
    async def _changed_meanwhile(request: Request, _: Exception) -> Response:
        """Another request removed or changed the row this one was writing (a delete racing
        an update): a 409 the client can retry after a reload, not a 500."""
        return await _stratforge_error(request, Conflict(
            "another request changed or removed this object meanwhile; reload and try again",
            code="changed_meanwhile"))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        """Starlette's own refusals (unknown path, wrong method, unreadable body) in our
        error format; a 405 names every method of the path."""
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(app, request.scope))
        code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.status_code, f"http_{exc.status_code}")
        response = _error(exc.status_code, code, str(exc.detail))
        response.headers.update(headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg")}
            for e in exc.errors()
        ]
        message = "; ".join(f"{p['where']}: {p['message']}" for p in problems)
        if dashboard.is_dashboard(request):
            return dashboard.error_page(request, InvalidInput(message, code="invalid_request"))
        return _error(422, "invalid_request", message, {"problems": problems})

    # request id, a JSON 500 for an unhandled exception, metrics, audit (`api.request_record`)
    app.add_middleware(RequestRecord)
    # outermost: the host and origin checks before anything, security headers on everything
    app.add_middleware(WebGuard, allowed_hosts=settings.allowed_host_names)

    def openapi() -> dict[str, Any]:
        """FastAPI's document, with every error response as JSON (a route answering plain
        text on success still answers errors as the one error model)."""
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version,
                                   description=app.description, routes=app.routes)
            for path in document.get("paths", {}).values():
                for operation in path.values():
                    for status, answer in operation.get("responses", {}).items():
                        content = answer.get("content", {})
                        if status[0] in "45" and "application/json" not in content and content:
                            answer["content"] = {"application/json": next(iter(content.values()))}
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    def include(router: APIRouter, group: str) -> None:
        app.include_router(router, responses=_documented(*ROUTER_ERRORS[group]))

    app.include_router(docs.router)
    app.mount(docs.STATIC_URL, docs.static_files(), name="docs-static")
    include(strategies.router, "strategies")
    include(batch_routes.router, "batches")  # before backtests: /backtests/compare
    include(backtests.router, "backtests")
    include(market_data.router, "market_data")
    include(versions.router, "versions")
    include(generations.router, "generations")
    include(deployment_routes.router, "deployments")
    include(agent_routes.router, "agents")
    include(monitoring_routes.router, "monitoring")
    include(notification_routes.router, "notifications")
    include(bot_builder.router, "bot_builder")
    include(auth_routes.router, "auth")
    include(integration_routes.router, "integrations")
    include(team_routes.router, "teams")
    # last: a request is matched against the routes in order, and the dashboard's (`/`, `/ui…`,
    # no path shared with the API) are many; an API request no longer tries them all first
    app.include_router(dashboard.router)
    # outermost: an oversized body is refused before any other layer reads it
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    return app


def create_http_worker_app() -> FastAPI:
    """The application of one HTTP worker of `stratforge serve --workers N` (uvicorn's
    factory, called in each worker process): settings from the environment the `serve`
    process passed on, no background work (that process owns it), its backtest workers
    started on its first backtest."""
    application = create_app(get_settings(), settle_heap=True, background=False)
    configure_logging(also=("uvicorn",))
    return application
