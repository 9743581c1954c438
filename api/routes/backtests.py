"""Backtest routes: queue a run, follow it, read its results."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse

from api.deps import AppDep, UserDep
from api.routes.paging import PAGED, paged
from api.services.views import DEFAULT_PAGE, BacktestConfig, DbId, PageLimit, PageOffset, RunView
from core.models import RunStatus

router = APIRouter(prefix="/backtests", tags=["backtests"])


@router.post("", status_code=202, response_model=RunView)
def create_backtest(body: BacktestConfig, app: AppDep, user: UserDep) -> RunView:
    return app.backtests.queue_backtest(user, body)


@router.get("", response_model=list[RunView], responses=PAGED)
def list_backtests(
    app: AppDep,
    user: UserDep,
    request: Request,
    response: Response,
    strategy_id: DbId | None = None,
    status: RunStatus | None = None,
    limit: Annotated[PageLimit, Query()] = DEFAULT_PAGE,
    offset: Annotated[PageOffset, Query()] = 0,
) -> list[RunView]:
    """The user's runs, oldest first, a page at a time (total in `X-Total-Count`)."""
    page = app.backtests.backtests_page(user, strategy_id=strategy_id, status=status,
                                        limit=limit, offset=offset)
    return paged(request, response, page)


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
