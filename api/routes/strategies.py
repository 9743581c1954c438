"""Strategy routes: create from text, import a file, list, show, and a version's code."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import PlainTextResponse

from api.deps import AppDep, UserDep
from api.routes import segments  # noqa: F401  (registers the `strategy_id` segment)
from api.routes.paging import PAGED, json_page
from api.services.views import (
    DEFAULT_PAGE,
    Comparison,
    CreatedStrategy,
    CreateStrategy,
    DbId,
    ExplanationView,
    ImportStrategy,
    PageLimit,
    PageOffset,
    SearchText,
    StrategyView,
    UploadCode,
    VersionNumber,
    VersionView,
)
from core.models import ValidationStatus

router = APIRouter(prefix="/strategies", tags=["strategies"])


@router.post(
    "",
    status_code=201,
    response_model=CreatedStrategy | Comparison,
    responses={200: {"model": Comparison, "description": "Candidates of a comparison"}},
)
def create_strategy(
    body: CreateStrategy, app: AppDep, user: UserDep, response: Response
) -> CreatedStrategy | Comparison:
    if body.compare:
        response.status_code = 200
        return app.models.compare_strategies(user, body.text, body.compare)
    view = app.strategies.create_strategy(user, body.text, body.provider)
    code = app.strategies.version_code(user, view.id, view.latest_version)
    return CreatedStrategy(**view.model_dump(), code=code)


@router.post("/import", status_code=201, response_model=CreatedStrategy)
def import_strategy(body: ImportStrategy, app: AppDep, user: UserDep) -> CreatedStrategy:
    """A NEW strategy from a file: what `stratforge export` wrote or a version's code (it must
    list its `data_symbols`), or JSON holding a spec; validated like a created one."""
    view = app.imports.import_file(user, body.content, filename=body.filename, name=body.name)
    code = app.strategies.version_code(user, view.id, view.latest_version)
    return CreatedStrategy(**view.model_dump(), code=code)


@router.get("", response_model=list[StrategyView], responses=PAGED)
def list_strategies(
    app: AppDep,
    user: UserDep,
    request: Request,
    limit: Annotated[PageLimit, Query()] = DEFAULT_PAGE,
    offset: Annotated[PageOffset, Query()] = 0,
    q: Annotated[SearchText | None, Query(description="in the name, slug or text")] = None,
    validation: ValidationStatus | None = None,
) -> Response:
    """The user's strategies (and their team-mates'), oldest first, a page at a time (total in
    `X-Total-Count`)."""
    page = app.strategies.strategies_page_json(user, limit=limit, offset=offset, query=q,
                                               validation=validation)
    return json_page(request, page)


# (`:strategy_id`: never the literal `/strategies/import`, see `api.routes.segments`)
@router.get("/{strategy_id:strategy_id}", response_model=StrategyView)
def get_strategy(strategy_id: DbId, app: AppDep, user: UserDep) -> StrategyView:
    return app.strategies.get_strategy(user, strategy_id)


@router.get("/{strategy_id}/explanation", response_model=ExplanationView)
def get_explanation(
    strategy_id: DbId, app: AppDep, user: UserDep, provider: str | None = None
) -> ExplanationView:
    """The spec's plain-English summary, plus the model's explanation of risks and assumptions
    when a language model is configured (or named with `provider`)."""
    return app.models.explain_strategy(user, strategy_id, provider)


@router.get("/{strategy_id}/versions/{number}", response_model=VersionView)
def get_version(
    strategy_id: DbId, number: VersionNumber, app: AppDep, user: UserDep
) -> VersionView:
    return app.strategies.get_version(user, strategy_id, number)


@router.put("/{strategy_id}/code", response_model=StrategyView)
def put_code(strategy_id: DbId, body: UploadCode, app: AppDep, user: UserDep) -> StrategyView:
    """Record edited code as a new version (validated like generated code)."""
    return app.strategies.add_code_version(user, strategy_id, body.code)


@router.get("/{strategy_id}/versions/{number}/code", response_class=PlainTextResponse)
def get_code(strategy_id: DbId, number: VersionNumber, app: AppDep, user: UserDep) -> str:
    return app.strategies.version_code(user, strategy_id, number)
