"""Agent routes: create an agent strategy, compare models, read its decisions."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from api.deps import AppDep, UserDep
from api.services.agents import comparison_csv, comparison_html
from api.services.views import (
    AgentComparisonView,
    AgentDecisionView,
    CompareAgent,
    CreateAgent,
    DbId,
    StrategyView,
)

router = APIRouter(prefix="/agents", tags=["agents"])


@router.post("", status_code=201, response_model=StrategyView)
def create_agent(body: CreateAgent, app: AppDep, user: UserDep) -> StrategyView:
    return app.agents.create_agent(user, body.text, body.model, body.anonymize, body.provider)


@router.post("/{strategy_id}/compare", response_model=None)
def compare_agent(
    strategy_id: DbId, body: CompareAgent, app: AppDep, user: UserDep,
    format: Literal["json", "csv", "html"] = "json",
) -> AgentComparisonView | Response:
    view = app.agents.compare(user, strategy_id, body)
    if format == "csv":
        return PlainTextResponse(comparison_csv(view), media_type="text/csv")
    if format == "html":
        return HTMLResponse(comparison_html(view))
    return view


@router.get("/{strategy_id}/decisions", response_model=list[AgentDecisionView])
def agent_decisions(
    strategy_id: DbId, app: AppDep, user: UserDep, model: str | None = None,
    run_id: DbId | None = None, deployment_id: DbId | None = None, live: bool | None = None,
) -> list[AgentDecisionView]:
    """`live=true`: only the decisions of deployed bots; `live=false`: only backtests'."""
    return app.agents.decisions_of(user, strategy_id, model=model, run_id=run_id,
                                   deployment_id=deployment_id, live=live)
