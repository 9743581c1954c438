"""`stratforge backtest` and `stratforge tearsheet`: run one backtest with a progress bar and
print its numbers against the benchmark; render a finished run's tearsheet."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from api.cli.console import (
    JsonFlag,
    emit_json,
    err,
    fail,
    guard,
    num,
    out,
    pct,
    progress_bar,
    services,
    spinner,
)
from core.errors import StratforgeError

if TYPE_CHECKING:  # (imported where used: `--help` loads no service)
    from api.services.container import Services


def backtest(
    strategy_id: int,
    start: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    end: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    cash: float = 100_000.0,
    version: Annotated[int | None, typer.Option(help="Default: the latest")] = None,
    benchmark: Annotated[str | None, typer.Option(help="Default: SPY if stored")] = None,
    fee_pct: float = 0.0,
    slippage: Annotated[float, typer.Option(help="$ per share")] = 0.0,
    tearsheet: Annotated[bool, typer.Option("--tearsheet/--no-tearsheet")] = True,
    as_json: JsonFlag = False,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Agents: ask the model again, not the cache")
    ] = False,
    max_cost: Annotated[
        float | None, typer.Option(help="Agents: stop asking once the run's cost reaches $")
    ] = None,
    model: Annotated[str | None, typer.Option(help="Agents: who decides (provider[:model])")]
    = None,
    dividends: Annotated[
        str | None,
        typer.Option(help="cash, reinvest or off; default cash when the store has dividends"),
    ] = None,
    engine: Annotated[
        str, typer.Option(help="lumibot (the run that counts) or fast (plain specs only)")
    ] = "lumibot",
) -> None:
    """Backtest a strategy version on stored daily bars (runs in a worker process)."""
    from api.services.views import AgentRunOptions, BacktestConfig

    service = services()
    user = service.user_id
    try:
        config = BacktestConfig(
            strategy_id=strategy_id,
            version=version,
            start=date.fromisoformat(start),
            end=date.fromisoformat(end),
            cash=cash,
            benchmark=benchmark,
            fee_pct=fee_pct,
            slippage_per_share=slippage,
            tearsheet=tearsheet,
            parameters={"model": model} if model else {},
            agent=(
                AgentRunOptions(refresh=refresh, max_cost_usd=max_cost)
                if refresh or max_cost is not None
                else None
            ),
            dividends=dividends,  # type: ignore[arg-type]  # pydantic checks the value
            engine=engine,  # type: ignore[arg-type]  # pydantic checks the value
        )
        run = service.backtests.create_backtest(user, config)
    except ValueError as exc:
        fail(exc, as_json)
        return
    except StratforgeError as exc:
        fail(exc, as_json)
        return
    run_and_report(service, run.id, as_json=as_json, tearsheet=tearsheet)


def execute_with_progress(service: Services, run_id: int) -> dict[str, Any]:
    """Execute a queued run behind a progress bar (on stderr); returns what `--json` prints."""
    with progress_bar() as progress:
        task = progress.add_task(f"backtest run {run_id}", total=1.0)
        service.backtests.execute_backtest(
            run_id, on_progress=lambda fraction, _day: progress.update(task, completed=fraction)
        )
    return service.backtests.backtest_result(service.user_id, run_id)


def run_and_report(service: Services, run_id: int, *, as_json: bool, tearsheet: bool) -> None:
    """Execute a queued run with a progress bar, print its numbers, then its tearsheet.

    The numbers come first: the tearsheet is rendered after them (before the JSON document
    with `--json`, which then names it), and exit code 1 says the run failed."""
    result = execute_with_progress(service, run_id)
    succeeded = result["status"] == "succeeded"
    if as_json:
        if succeeded and tearsheet:
            result["tearsheet"] = _tearsheet_path(service, run_id)
        emit_json(result)
    else:
        _print_run(result)
        if succeeded and tearsheet:
            with spinner("writing the tearsheet"):
                path = _tearsheet_path(service, run_id)
            out.print(f"tearsheet: {path}" if path else "tearsheet: could not be made")
    if not succeeded:
        raise typer.Exit(1)


def _tearsheet_path(service: Services, run_id: int) -> str | None:
    try:
        return str(service.backtests.backtest_tearsheet(service.user_id, run_id))
    except StratforgeError as exc:
        err.print(f"[yellow]tearsheet[/]: {exc.message}")
        return None


def tearsheet_command(run_id: int, as_json: JsonFlag = False) -> None:
    """Render (once) and show the path of a finished run's quantstats tearsheet."""
    service = services()
    with guard(as_json):
        path = service.backtests.backtest_tearsheet(service.user_id, run_id)
    if as_json:
        emit_json({"run_id": run_id, "tearsheet": str(path)})
    else:
        out.print(str(path))


def _print_run(result: dict[str, Any]) -> None:
    if result["status"] != "succeeded":
        err.print(f"[bold red]run {result['id']} failed[/]: {result['error']}")
        if result.get("traceback"):
            err.print(result["traceback"])
        return
    metrics = result["metrics"]
    bench = (result.get("benchmark") or {}).get("metrics") or {}
    name = (result.get("benchmark") or {}).get("symbol", "benchmark")
    table = Table(
        title=f"Backtest run {result['id']} · {result['config']['start']} → "
        f"{result['config']['end']}"
    )
    table.add_column("metric")
    table.add_column("strategy", justify="right")
    table.add_column(f"buy & hold {name}", justify="right")
    for key, fmt in (
        ("total_return", pct),
        ("cagr", pct),
        ("volatility", pct),
        ("sharpe", num),
        ("sortino", num),
        ("max_drawdown", pct),
    ):
        table.add_row(key, fmt(metrics.get(key)), fmt(bench.get(key)))
    table.add_row("trades", str(metrics.get("trades")), "1")
    table.add_row("win rate", pct(metrics.get("win_rate")), "")
    if "llm_calls" in metrics:  # an agent's run (issue 12)
        for key in ("decisions", "decisions_changed", "llm_calls", "cache_hits", "tokens",
                    "cost_usd", "contaminated", "stopped_max_cost"):
            table.add_row(key, str(metrics.get(key)), "")
    out.print(table)
    if result["config"].get("dividends"):
        out.print(f"dividends: {result['config']['dividends']} (strategy and benchmark)")


def register(app: typer.Typer) -> None:
    app.command()(backtest)
    app.command("tearsheet")(tearsheet_command)
