"""The FastAPI application: routes, error mapping and start-up.

Errors always come back as JSON `{"code": ..., "message": ..., "details": {...}}` with a stable
`code`; the status comes from the exception class (core.errors) or the market-data error.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api import dashboard
from api.routes import backtests, generations, market_data, strategies, versions
from api.routes import batches as batch_routes
from api.routes import deployments as deployment_routes
from api.services import Stratforge
from core.config import Settings, get_settings
from core.errors import StratforgeError
from runtime.market_data import MarketDataError

log = logging.getLogger("stratforge.api")

_MARKET_STATUS = {"unknown_symbol": 404, "out_of_range": 422, "bad_csv": 422}


def _error(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> JSONResponse:
    return JSONResponse(
        status_code=status, content={"code": code, "message": message, "details": details or {}}
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = Stratforge(settings)
        service.stop_stale_batch_workers()
        recovered = service.recover_interrupted_runs()
        if recovered:
            log.warning("marked %d interrupted backtest run(s) as failed", recovered)
        service.resume_batches()  # unfinished batches go on; their interrupted runs rerun
        service.start_scheduler()
        app.state.stratforge = service
        yield
        service.close_batches()
        service.close()

    app = FastAPI(
        title="stratforge",
        version="0.1.0",
        lifespan=lifespan,
        description="Plain-English strategies → Lumibot code → backtests.",
    )

    @app.exception_handler(StratforgeError)
    async def _stratforge_error(_: Request, exc: StratforgeError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message, exc.details)

    @app.exception_handler(MarketDataError)
    async def _market_error(_: Request, exc: MarketDataError) -> JSONResponse:
        details = {
            k: v for k, v in {"available": getattr(exc, "available", None)}.items() if v is not None
        }
        return _error(_MARKET_STATUS.get(exc.code, 422), exc.code, exc.message, details)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg")}
            for e in exc.errors()
        ]
        message = "; ".join(f"{p['where']}: {p['message']}" for p in problems)
        return _error(422, "invalid_request", message, {"problems": problems})

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return _error(500, "internal_error", "internal error; see the server log")

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
    return app
