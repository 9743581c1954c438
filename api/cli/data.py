"""`stratforge data …`: import CSVs, load the sample market, fetch from providers and keep
the store up to date, list what is stored and show one symbol."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from api.cli.console import JsonFlag, emit_json, err, fail, out, progress_bar, services
from core.errors import StratforgeError

if TYPE_CHECKING:  # (imported where used: `--help` loads no service)
    from api.services.views import FetchReport

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
        "updated_at": c.updated_at,
        "dividends": c.dividends,
        "splits": c.splits,
        "versions": c.versions,
    }

def _coverage_table(rows: list[dict[str, Any]], title: str) -> None:
    table = Table(title=title)
    for column in ("symbol", "start", "end", "bars", "source"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[c]) for c in ("symbol", "start", "end", "bars", "source")))
    out.print(table)


SourceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        help="alpaca, yahoo or csv:DIR; repeat or comma-separate for a fallback order "
        "(default STRATFORGE_DATA_SOURCES, alpaca,yahoo).",
    ),
]


def _run_with_progress(as_json: bool, verb: str, work: Callable[..., FetchReport]) -> FetchReport:
    try:
        with progress_bar() as progress:
            task = progress.add_task(verb, total=None)

            def tick(symbol: str, done: int, total: int) -> None:
                progress.update(task, completed=done, total=total, description=f"{verb} {symbol}")

            return work(progress=tick)
    except StratforgeError as exc:
        fail(exc, as_json)


def _print_report(report: FetchReport, as_json: bool) -> None:
    if as_json:
        emit_json(report.model_dump(mode="json"))
    else:
        table = Table(title=f"Market data (last close {report.last_close})")
        for column in ("symbol", "source", "added", "bars", "range", "dividends", "note"):
            table.add_column(column)
        for row in report.symbols:
            if row.error:
                note = f"[red]{row.error}[/]"
            elif row.restated:
                note = f"[yellow]restated {len(row.restated)} day(s); kept {row.version}[/]"
            elif row.up_to_date:
                note = "up to date"
            else:
                note = ""
            span = f"{row.start}..{row.end}" if row.start else ""
            table.add_row(
                row.symbol,
                row.source or "",
                str(row.added),
                str(row.bars),
                span,
                f"+{row.new_dividends}" if row.new_dividends else "",
                note,
            )
        out.print(table)
        for row in report.symbols:
            for attempt in row.passed_over:
                err.print(
                    f"[yellow]{row.symbol}[/]: {attempt['source']} passed over: {attempt['reason']}"
                )
            if row.restated:
                err.print(f"[yellow]{row.symbol}[/]: restated days: {', '.join(row.restated[:10])}")
            for warning in row.warnings:
                err.print(f"[yellow]warning[/]: {warning}")
    if report.failed:
        raise typer.Exit(1)


@data_app.command("fetch")
def data_fetch(
    symbols: Annotated[list[str], typer.Argument(help="Symbols to fetch, e.g. SPY QQQ TLT.")],
    source: SourceOption = None,
    start: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD; default: all the source has.")
    ] = None,
    end: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default: the last close.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Fetch daily bars and dividends from Alpaca or Yahoo into the store (merged; a source
    that disagrees with stored days is reported and the old history kept as a version)."""
    service = services()
    try:
        first = date.fromisoformat(start) if start else None
        last = date.fromisoformat(end) if end else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    report = _run_with_progress(
        as_json,
        "fetching",
        lambda progress: service.market.fetch(
            service.user_id, symbols, sources=source, start=first, end=last, progress=progress
        ),
    )
    _print_report(report, as_json)


@data_app.command("update")
def data_update(
    symbols: Annotated[
        list[str] | None, typer.Argument(help="Default: every stored symbol.")
    ] = None,
    source: SourceOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Fetch only the missing days of stored symbols, up to the last NYSE close."""
    service = services()
    report = _run_with_progress(
        as_json,
        "updating",
        lambda progress: service.market.update(
            service.user_id, symbols, sources=source, progress=progress
        ),
    )
    _print_report(report, as_json)


@data_app.command("show")
def data_show(symbol: str, as_json: JsonFlag = False) -> None:
    """Range, source, last update, gaps, corporate actions and kept versions of a symbol."""
    try:
        detail = services().market.show(symbol)
    except StratforgeError as exc:
        fail(exc, as_json)
    if as_json:
        emit_json(detail.model_dump(mode="json"))
        return
    out.print(
        f"[bold]{detail.symbol}[/] {detail.start}..{detail.end} · {detail.bars} bars · "
        f"source {detail.source} · updated {detail.updated_at or 'unknown'}"
    )
    out.print(
        f"dividends {detail.dividends} · splits {detail.splits} · "
        f"restated versions kept {len(detail.versions)}"
    )
    out.print(f"gaps over a week: {', '.join(detail.gaps) or 'none'}")
    missing = detail.missing_sessions
    shown = ", ".join(missing[:10]) + (
        f" and {len(missing) - 10} more" if len(missing) > 10 else ""
    )
    out.print(f"NYSE sessions missing: {shown or 'none'}")
    if detail.actions:
        table = Table(title="Corporate actions (latest 12)")
        for column in ("ex-date", "kind", "value", "source"):
            table.add_column(column)
        for action in detail.actions[-12:]:
            table.add_row(action["date"], action["kind"], f"{action['value']:g}", action["source"])
        out.print(table)
