"""Generation routes: the ledger of model requests (with totals and today's budget use) and
accepting one candidate of a comparison as a strategy."""

from __future__ import annotations

from fastapi import APIRouter, Query

from api.deps import AppDep, UserDep
from api.services.views import CreatedStrategy, DbId, GenerationsReport

router = APIRouter(prefix="/generations", tags=["generations"])


@router.get("", response_model=GenerationsReport)
def list_generations(
    app: AppDep,
    user: UserDep,
    limit: int = Query(default=100, ge=1, le=1000),
    strategy_id: DbId | None = None,
) -> GenerationsReport:
    """Newest first: provider, model, prompt version, tokens, latency, cost, outcome, attempts;
    totals over all of the user's generations and per model; today's use against the budget."""
    return app.generations.report(user, limit=limit, strategy_id=strategy_id)


@router.post("/{generation_id}/accept", status_code=201, response_model=CreatedStrategy)
def accept_generation(generation_id: DbId, app: AppDep, user: UserDep) -> CreatedStrategy:
    view = app.models.accept_candidate(user, generation_id)
    code = app.strategies.version_code(user, view.id, view.latest_version)
    return CreatedStrategy(**view.model_dump(), code=code)
