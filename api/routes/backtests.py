"""Backtest routes: queue a run, follow it, read its results."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse

from api.deps import AppDep, UserDep
from api.services.views import BacktestConfig, DbId, RunView

router = APIRouter(prefix="/backtests", tags=["backtests"])


@router.post("", status_code=202, response_model=RunView)
def create_backtest(body: BacktestConfig, app: AppDep, user: UserDep) -> RunView:
    return app.backtests.queue_backtest(user, body)


@router.get("", response_model=list[RunView])
def list_backtests(app: AppDep, user: UserDep, strategy_id: DbId | None = None) -> list[RunView]:
    return app.backtests.list_backtests(user, strategy_id)


@router.get("/{run_id}", response_model=RunView)
def get_backtest(run_id: DbId, app: AppDep, user: UserDep) -> RunView:
    return app.backtests.get_backtest(user, run_id)


@router.get("/{run_id}/trades")
def get_trades(run_id: DbId, app: AppDep, user: UserDep) -> dict[str, Any]:
    return app.backtests.backtest_trades(user, run_id)


@router.get("/{run_id}/equity")
def get_equity(run_id: DbId, app: AppDep, user: UserDep) -> list[dict[str, Any]]:
    return app.backtests.backtest_equity(user, run_id)


@router.get("/{run_id}/tearsheet", response_class=FileResponse)
def get_tearsheet(run_id: DbId, app: AppDep, user: UserDep) -> FileResponse:
    return FileResponse(app.backtests.backtest_tearsheet(user, run_id), media_type="text/html")
