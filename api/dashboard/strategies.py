"""Dashboard pages for strategies: the list (search, filters, sort, pages, importing a file as a
new strategy), one strategy (summary, validation, parameters, runs, versions and their diffs,
code) with its actions (backtest, restore, clone, export, import, delete), and the bot builder
(what a text is understood as, clarifying questions, templates)."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.dashboard.session import Ui, UiDep, parse, require_confirmation, see_other
from api.errors import http_status
from api.services.code_facts import declared_parameters
from api.services.imports import MAX_FILE_CHARS
from api.services.strategies import StrategySort
from api.services.views import BacktestConfig, DbId
from core.errors import InvalidInput, StratforgeError
from core.models import ValidationStatus, VersionOrigin
from generator.parameters import DERIVED

router = APIRouter()
PAGE_SIZE = 25
SORTS: dict[str, str] = {"id": "oldest first", "-id": "newest first", "name": "name A–Z",
                         "-name": "name Z–A"}


@router.get("/ui/strategies")
def strategy_list(
    ui: UiDep,
    q: Annotated[str, Query(max_length=200)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
    symbol: Annotated[str, Query(max_length=12)] = "",
    origin: Annotated[str, Query(max_length=20)] = "",
    sort: Annotated[str, Query(max_length=8)] = "-id",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    chosen_sort: StrategySort = sort if sort in SORTS else "-id"  # type: ignore[assignment]
    try:
        validation = ValidationStatus(status) if status else None
        made = VersionOrigin(origin) if origin else None
    except ValueError as exc:
        raise InvalidInput(str(exc), code="bad_filter") from exc
    found = ui.app.strategies.strategies_page(
        ui.user, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, query=q.strip() or None,
        validation=validation, symbol=symbol.strip() or None, origin=made, sort=chosen_sort)
    pages = max(1, -(-found.total // PAGE_SIZE))
    filters = {"q": q, "status": status, "symbol": symbol, "origin": origin, "sort": sort}
    return ui.page("strategies.html", nav="strategies", strategies=found.items,
                   total=found.total, page=page, pages=pages, filters=filters, sorts=SORTS,
                   statuses=[s.value for s in ValidationStatus],
                   origins=[o.value for o in VersionOrigin])


@router.post("/ui/strategies")
def create(ui: UiDep, text: Annotated[str, Form()], then: Annotated[str, Form()] = ""
           ) -> Response:
    """Create from text; `then=backtest` also queues a backtest with the default dates."""
    ui.check("POST", "/strategies")
    try:
        view = ui.app.strategies.create_strategy(ui.user, text)
    except StratforgeError as exc:
        return builder_page(ui, text, error={"code": exc.code, "message": exc.message},
                            status=http_status(exc))
    if then == "backtest":
        start, end = default_dates(ui, view.version.spec if view.version else None)
        config = BacktestConfig(strategy_id=view.id, start=start, end=end)
        run = ui.app.backtests.queue_backtest(ui.user, config)
        return see_other(f"/ui/backtests/{run.id}")
    return see_other(f"/ui/strategies/{view.id}")


def default_dates(ui: Ui, spec: dict[str, Any] | None) -> tuple[date, date]:
    """The last ten years the stored data of the spec's symbols covers."""
    symbols = (spec or {}).get("symbols") or []
    ends = []
    for symbol in symbols:
        try:
            ends.append(ui.app.market.coverage_of(symbol).end)
        except StratforgeError:
            continue
    end = min(ends, default=date.today())
    return date(max(end.year - 10, 1990), 1, 2), end


@router.get("/ui/strategies/{strategy_id}")
def strategy_page(
    strategy_id: DbId, ui: UiDep,
    a: Annotated[int | None, Query(ge=1)] = None, b: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    app = ui.app
    view = app.strategies.get_strategy(ui.user, strategy_id)
    assert view.version is not None
    versions = app.versions.list_versions(ui.user, strategy_id)
    diff = None
    if a is not None and b is not None:
        diff = app.versions.diff_versions(ui.user, strategy_id, a, b)
    code = app.strategies.version_code(ui.user, strategy_id, view.version.number)
    try:
        parameters = declared_parameters(code)
    except (SyntaxError, ValueError):
        parameters = {}
    start, end = default_dates(ui, view.version.spec)
    runs = app.backtests.backtests_page(ui.user, strategy_id=strategy_id, limit=50,
                                        newest_first=True)
    return ui.page(
        "strategy.html", nav="strategies", strategy=view, version=view.version,
        versions=list(reversed(versions)), runs=runs.items, run_total=runs.total, code=code,
        parameters={k: v for k, v in parameters.items()
                    if isinstance(v, (int, float)) and k not in DERIVED},
        default_start=start.isoformat(), default_end=end.isoformat(), diff=diff, a=a, b=b,
        deployable=view.version.validation_status == "passed",
    )


@router.post("/ui/strategies/{strategy_id}/backtests")
async def start_backtest(strategy_id: DbId, ui: UiDep, request: Request) -> Response:
    """A backtest of the latest version; `param.<name>` fields override its parameters."""
    ui.check("POST", "/backtests")
    form = await request.form()
    overrides: dict[str, Any] = {}
    for name, value in form.items():
        if name.startswith("param.") and str(value).strip():
            try:
                overrides[name[6:]] = json.loads(str(value))
            except json.JSONDecodeError:
                overrides[name[6:]] = str(value)
    config = parse(BacktestConfig, strategy_id=strategy_id, start=form.get("start"),
                   end=form.get("end"), cash=form.get("cash") or 100_000.0,
                   benchmark=str(form.get("benchmark") or "").strip().upper() or None,
                   parameters=overrides)
    run = await run_in_threadpool(ui.app.backtests.queue_backtest, ui.user, config)
    return see_other(f"/ui/backtests/{run.id}")


@router.post("/ui/strategies/{strategy_id}/restore")
def restore(strategy_id: DbId, ui: UiDep, version: Annotated[int, Form(ge=1)]) -> Response:
    ui.check("POST", "/strategies")
    ui.app.versions.restore_version(ui.user, strategy_id, version)
    return see_other(f"/ui/strategies/{strategy_id}")


@router.post("/ui/strategies/{strategy_id}/clone")
def clone(strategy_id: DbId, ui: UiDep, name: Annotated[str, Form()]) -> Response:
    ui.check("POST", "/strategies")
    view = ui.app.versions.clone_strategy(ui.user, strategy_id, name)
    return see_other(f"/ui/strategies/{view.id}")


@router.post("/ui/strategies/{strategy_id}/delete")
def delete(strategy_id: DbId, ui: UiDep, confirmed: Annotated[str, Form()] = "") -> Response:
    ui.check("DELETE", "/strategies")
    require_confirmation(confirmed)
    ui.app.versions.delete_strategy(ui.user, strategy_id)
    return see_other("/ui/strategies")


@router.post("/ui/strategies/{strategy_id}/import")
def import_code(strategy_id: DbId, ui: UiDep, code: Annotated[str, Form(max_length=200_000)]
                ) -> Response:
    """A new version from pasted (exported, edited) code; it is validated like any edit."""
    ui.check("POST", "/strategies")
    ui.app.strategies.add_code_version(ui.user, strategy_id, code)
    return see_other(f"/ui/strategies/{strategy_id}")


@router.get("/ui/strategies/{strategy_id}/export")
def export(strategy_id: DbId, ui: UiDep, version: Annotated[int | None, Query(ge=1)] = None,
           fmt: Annotated[Literal["py", "json"], Query(alias="format")] = "py") -> Response:
    """The version as one standalone Python file, or (`format=json`) its name, text and spec:
    either imports back as a new strategy (`/ui/strategies/import`)."""
    view = ui.app.strategies.get_strategy(ui.user, strategy_id)
    number = version or view.latest_version
    if fmt == "json":
        chosen = ui.app.strategies.get_version(ui.user, strategy_id, number)
        if chosen.spec is None:
            raise InvalidInput("this version has no spec (its code was written or imported by "
                               "hand); export its code instead", code="no_spec")
        document = {"name": view.name, "text": view.text, "spec": chosen.spec}
        return Response(json.dumps(document, indent=2), media_type="application/json",
                        headers={"Content-Disposition":
                                 f'attachment; filename="{view.slug}_v{number}.json"'})
    source = ui.app.versions.export_version(ui.user, strategy_id, version)
    return Response(source, media_type="text/x-python", headers={
        "Content-Disposition": f'attachment; filename="{view.slug}_v{number}.py"'})


@router.post("/ui/strategies/import")
async def import_file(
    ui: UiDep, file: Annotated[UploadFile, File()], name: Annotated[str, Form()] = ""
) -> Response:
    """A NEW strategy from an uploaded file (an exported .py, a version's code, or JSON with a
    spec), through the same service as `POST /strategies/import`."""
    ui.check("POST", "/strategies/import")
    raw = await file.read(MAX_FILE_CHARS * 4 + 1)  # UTF-8: at most 4 bytes a character
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the file is not UTF-8 text", code="bad_file") from exc
    view = await run_in_threadpool(ui.app.imports.import_file, ui.user, content,
                                   filename=file.filename, name=name)
    return see_other(f"/ui/strategies/{view.id}")


def builder_page(ui: Ui, text: str, *, error: dict[str, str] | None = None,
                 status: int = 200) -> Response:
    clarification = ui.app.builder.clarify(text) if text.strip() else None
    spec = clarification.spec if clarification else None
    fields = flatten(spec) if spec else []
    return ui.page("builder.html", status=status, nav="builder", text=text,
                   clarification=clarification, fields=fields, error=error,
                   templates=ui.app.builder.templates())


@router.get("/ui/builder")
def builder(ui: UiDep, text: Annotated[str, Query(max_length=4000)] = "") -> Response:
    """Type a strategy: what it is understood as, its questions when it is vague, the spec's
    fields; then create it (and see its code and validation) or create and backtest it."""
    return builder_page(ui, text)


def flatten(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """A spec as (dotted path, scalar value) rows, for a parameter table."""
    out: list[tuple[str, Any]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            out.extend(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, list) and data and all(isinstance(v, (dict, list)) for v in data):
        for i, value in enumerate(data):
            out.extend(flatten(value, f"{prefix}[{i}]"))
    elif data is not None:
        out.append((prefix, ", ".join(map(str, data)) if isinstance(data, list) else data))
    return out
