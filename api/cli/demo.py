"""`stratforge demo`: the whole flow on the embedded defaults (sample market, offline parser,
one backtest), with no keys, no network and no files of your own."""

from __future__ import annotations

from datetime import date

import typer

from api.cli.backtests import execute_with_progress, run_and_report
from api.cli.console import (
    JsonFlag,
    emit_json,
    err,
    fail,
    out,
    print_strategy,
    services,
    spinner,
)
from core.errors import StratforgeError

DEMO_TEXT = (
    "Buy SPY when the 50-day SMA crosses above the 200-day SMA and sell when it crosses back below"
)

def demo(as_json: JsonFlag = False) -> None:
    """The whole flow on embedded defaults: sample market, offline parser, one backtest."""
    from api.services.views import BacktestConfig

    service = services()
    report = service.market.load_sample()
    if report.imported:
        err.print(f"loaded the synthetic sample market ({len(report.imported)} symbols)")
    try:
        with spinner(f"new: {DEMO_TEXT!r}"):
            view = service.strategies.create_strategy(service.user_id, DEMO_TEXT, "offline")
    except StratforgeError as exc:
        fail(exc, as_json)
        return
    if not as_json:
        print_strategy(service, view, False)
    version = view.version
    assert version is not None
    spy = service.market.coverage_of("SPY")
    start = date(spy.start.year + 1, 1, 2)
    config = BacktestConfig(
        strategy_id=view.id, start=max(start, spy.start), end=spy.end, cash=100_000.0
    )
    run = service.backtests.create_backtest(service.user_id, config)
    if as_json:
        result = execute_with_progress(service, run.id)
        emit_json(
            {
                "strategy_id": view.id,
                "summary": view.summary,
                "code_path": str(service.strategies.code_file(version)),
                "backtest": result,
            }
        )
        if result["status"] != "succeeded":
            raise typer.Exit(1)
        return
    run_and_report(service, run.id, as_json=False, tearsheet=True)
    out.print(
        f"next: `stratforge strategies show {view.id} --code`, "
        "`stratforge serve` and open http://127.0.0.1:8000/docs"
    )
