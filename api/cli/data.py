"""`stratforge data …`: import CSVs, load the sample market, list what is stored."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from api.cli.console import JsonFlag, emit_json, err, fail, out, progress_bar, services
from core.errors import StratforgeError

data_app = typer.Typer(help="Market data: import CSVs, list what is stored.", no_args_is_help=True)


@data_app.command("import")
def data_import(path: Path, as_json: JsonFlag = False) -> None:
    """Import a CSV file or a folder of CSVs (date,open,high,low,close[,adj_close],volume)."""
    service = services()
    try:
        with progress_bar() as progress:
            task = progress.add_task("importing", total=None)

            def tick(name: str, done: int, total: int) -> None:
                progress.update(task, completed=done, total=total, description=f"importing {name}")

            report = service.market.import_path(path, progress=tick)
    except StratforgeError as exc:
        fail(exc, as_json)
        return
    rows = [_coverage(c) for c in report.imported]
    if as_json:
        emit_json({"imported": rows, "warnings": report.warnings})
        return
    _coverage_table(rows, f"Imported {len(rows)} symbol(s)")
    for warning in report.warnings:
        err.print(f"[yellow]warning[/]: {warning}")

@data_app.command("sample")
def data_sample(seed: int = 7, as_json: JsonFlag = False) -> None:
    """Load the seeded synthetic sample market (does not replace imported symbols)."""
    report = services().market.load_sample(seed=seed)
    rows = [_coverage(c) for c in report.imported]
    if as_json:
        emit_json({"imported": rows, "warnings": report.warnings})
    else:
        _coverage_table(rows, "Sample market (synthetic prices)")

@data_app.command("list")
def data_list(
    query: Annotated[str | None, typer.Argument()] = None, as_json: JsonFlag = False
) -> None:
    """Which symbols and date ranges the store holds."""
    rows = [_coverage(c) for c in services().market.coverage(query)]
    if as_json:
        emit_json(rows)
    elif not rows:
        err.print("The store is empty: `stratforge data import DIR` or `stratforge data sample`.")
    else:
        _coverage_table(rows, "Market data")

def _coverage(c: Any) -> dict[str, Any]:
    return {
        "symbol": c.symbol,
        "start": c.start.isoformat(),
        "end": c.end.isoformat(),
        "bars": c.bars,
        "source": c.source,
    }

def _coverage_table(rows: list[dict[str, Any]], title: str) -> None:
    table = Table(title=title)
    for column in ("symbol", "start", "end", "bars", "source"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[c]) for c in ("symbol", "start", "end", "bars", "source")))
    out.print(table)

