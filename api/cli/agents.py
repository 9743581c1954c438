"""`stratforge agents …`: create an agent strategy from text, compare models on one window,
list an agent's decisions. Thin: parse, call `services().agents`, print."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from api.cli.console import JsonFlag, emit_json, guard, num, out, pct, services
from core.errors import InvalidInput

if TYPE_CHECKING:  # (imported where used: `--help` loads no service)
    from api.services.views import AgentComparisonView

agents_app = typer.Typer(help="LLM trading agents: a model decides the trades.",
                         no_args_is_help=True)


@agents_app.command("new")
def new(
    text: str,
    model: Annotated[str, typer.Option(help="Who decides: offline, openai[:model], …")]
    = "offline",
    anonymize: Annotated[bool | None, typer.Option("--anonymize/--no-anonymize")] = None,
    provider: Annotated[
        str | None, typer.Option(help="Who reads the text: offline (default) or an LLM")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """An agent strategy from plain English (symbols, cadence, what the model sees)."""
    service = services()
    with guard(as_json):
        view = service.agents.create_agent(service.user_id, text, model, anonymize, provider)
    if as_json:
        emit_json(view.model_dump(mode="json"))
        return
    out.print(f"agent strategy [bold]{view.id}[/] {view.name}: {view.summary}")
    if view.version is not None:
        out.print(f"validation: {view.version.validation_status}")


@agents_app.command("compare")
def compare(
    strategy_id: int,
    models: Annotated[str, typer.Option(help="Comma-separated provider[:model]s")],
    start: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    end: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    cash: float = 100_000.0,
    refresh: Annotated[bool, typer.Option("--refresh")] = False,
    max_cost: Annotated[float | None, typer.Option(help="Per-run cap in USD")] = None,
    anonymize: Annotated[bool | None, typer.Option("--anonymize/--no-anonymize")] = None,
    output: Annotated[Path | None, typer.Option("-o", help="Export: .csv, .json or .html")]
    = None,
    as_json: JsonFlag = False,
) -> None:
    """The same agent, window and data for each model (and the offline baseline): a
    leaderboard against buy-and-hold."""
    from api.services.agents import comparison_csv, comparison_html, comparison_json
    from api.services.views import CompareAgent

    service = services()
    with guard(as_json):
        body = CompareAgent(
            models=[m for m in models.split(",") if m.strip()],
            start=date.fromisoformat(start), end=date.fromisoformat(end), cash=cash,
            refresh=refresh, max_cost_usd=max_cost, anonymize=anonymize,
        )
        view = service.agents.compare(service.user_id, strategy_id, body)
    if output is not None:
        export = {".csv": comparison_csv, ".html": comparison_html}.get(
            output.suffix.lower(), comparison_json)
        output.write_text(export(view), encoding="utf-8")
    if as_json:
        emit_json(view.model_dump(mode="json"))
        return
    _print_board(view)


def _print_board(view: AgentComparisonView) -> None:
    table = Table(title=f"Agent {view.strategy_id} v{view.version} · {view.start} → {view.end}")
    for column in ("model", "return", "CAGR", "Sharpe", "max DD", "turnover", "changed",
                   "calls", "cost $", "latency ms", "contaminated"):
        table.add_column(column)
    for row in view.rows:
        table.add_row(
            row.label, pct(row.total_return), pct(row.cagr), num(row.sharpe),
            pct(row.max_drawdown), num(row.turnover), str(row.decisions_changed or ""),
            str(row.llm_calls if row.llm_calls is not None else ""),
            f"{row.cost_usd:.4f}" if row.cost_usd is not None else "",
            num(row.mean_latency_ms), "yes" if row.contaminated else "no",
        )
    out.print(table)
    for row in view.rows:
        if row.contaminated or row.error or row.stopped:
            out.print(f"[yellow]{row.label}[/]: {row.error or row.stopped or row.contamination}")


@agents_app.command("decisions")
def decisions(
    strategy_id: int,
    model: Annotated[str | None, typer.Option()] = None,
    run: Annotated[int | None, typer.Option(help="Only those first asked by this run")] = None,
    deployment: Annotated[int | None, typer.Option(
        help="Only those of this deployment's bot (live)")] = None,
    live: Annotated[bool | None, typer.Option(
        "--live/--backtests", help="Only deployed bots' decisions, or only backtests'")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The decisions an agent made (the decision cache), oldest first; live ones say so."""
    service = services()
    with guard(as_json):
        rows = service.agents.decisions_of(service.user_id, strategy_id, model=model, run_id=run,
                                           deployment_id=deployment, live=live)
    if as_json:
        emit_json([r.model_dump(mode="json") for r in rows])
        return
    for r in rows:
        weights = ", ".join(f"{k} {v:.0%}" for k, v in (r.target_weights or {}).items())
        where = f" live d{r.deployment_id}" if r.live else ""
        out.print(f"{r.day}{where} {r.model} {r.outcome}: {weights or r.reason} — "
                  f"{r.rationale or ''}")


@agents_app.command("export-decisions")
def export_decisions(
    strategy_id: int,
    output: Annotated[Path, typer.Option("-o", help="JSON file to write")],
    as_json: JsonFlag = False,
) -> None:
    """Write the agent's decision cache to a file (a recording a backtest replays offline)."""
    service = services()
    with guard(as_json):
        rows = service.agents.export_decisions(service.user_id, strategy_id)
    output.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    if as_json:
        emit_json({"strategy_id": strategy_id, "decisions": len(rows), "path": str(output)})
    else:
        out.print(f"{len(rows)} decisions → {output}")


@agents_app.command("import-decisions")
def import_decisions(strategy_id: int, path: Path, as_json: JsonFlag = False) -> None:
    """Load a recording into the agent's decision cache (same code, model and data replay it)."""
    service = services()
    with guard(as_json):
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidInput(f"cannot read {path}: {exc}", code="bad_recording") from None
        if not isinstance(rows, list):
            raise InvalidInput(f"{path} holds no list of decisions", code="bad_recording")
        added = service.agents.import_decisions(service.user_id, strategy_id, rows)
    if as_json:
        emit_json({"strategy_id": strategy_id, "imported": added})
    else:
        out.print(f"{added} decisions imported")


def register(app: typer.Typer) -> None:
    app.add_typer(agents_app, name="agents")
