"""`stratforge new` and `stratforge strategies …`: text → a validated strategy; list, show;
`stratforge import`: an exported file → a new strategy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli.console import JsonFlag, emit_json, fail, out, print_strategy, services, spinner
from api.cli.generations import run_compare
from core.errors import InvalidInput, StratforgeError

strategies_app = typer.Typer(help="Strategies you have created.", no_args_is_help=True)


def new(
    text: str,
    provider: Annotated[
        str | None, typer.Option(help="provider[:model], e.g. anthropic:claude-sonnet-4-5")
    ] = None,
    compare: Annotated[
        str | None,
        typer.Option(help="Comma-separated provider:model list; shows candidates side by side"),
    ] = None,
    pick: Annotated[
        str | None, typer.Option(help="With --compare: the candidate to save (number or label)")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Turn a plain-English strategy into validated Lumibot code."""
    service = services()
    if compare:
        run_compare(service, text, compare, pick, as_json)
        return
    try:
        with spinner("understanding, rendering and validating"):
            view = service.strategies.create_strategy(service.user_id, text, provider)
    except StratforgeError as exc:
        fail(exc, as_json)
        return
    print_strategy(service, view, as_json)

@strategies_app.command("list")
def strategies_list(as_json: JsonFlag = False) -> None:
    """Every strategy with its latest version."""
    service = services()
    views = service.strategies.list_strategies(service.user_id)
    if as_json:
        emit_json([v.model_dump(mode="json") for v in views])
        return
    table = Table(title="Strategies")
    for column in ("id", "name", "version", "validation", "summary"):
        table.add_column(column)
    for v in views:
        table.add_row(
            str(v.id),
            v.name,
            str(v.latest_version),
            v.version.validation_status if v.version else "",
            v.summary,
        )
    out.print(table)

@strategies_app.command("show")
def strategies_show(strategy_id: int, code: bool = False, as_json: JsonFlag = False) -> None:
    """One strategy: summary, spec, validation, optionally the code."""
    service = services()
    try:
        view = service.strategies.get_strategy(service.user_id, strategy_id)
    except StratforgeError as exc:
        fail(exc, as_json)
        return
    print_strategy(service, view, as_json, show_code=code)

def import_file(
    path: Annotated[Path, typer.Argument(help="a `stratforge export` file, a version's code, "
                                              "or JSON holding a spec (spec.json)")],
    name: Annotated[str | None, typer.Option(help="the new strategy's name")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Import a strategy file as a NEW strategy (validated like a created one)."""
    service = services()
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(InvalidInput(f"cannot read {path}: {exc}", code="bad_file"), as_json)
        return
    try:
        with spinner("validating the imported strategy"):
            view = service.imports.import_file(service.user_id, content, filename=path.name,
                                               name=name)
    except StratforgeError as exc:
        fail(exc, as_json)
        return
    print_strategy(service, view, as_json)


def register(app: typer.Typer) -> None:
    app.add_typer(strategies_app, name="strategies")
    app.command()(new)
    app.command("import")(import_file)
