"""The contract between whoever runs a backtest and the worker that runs it: the request
(`BacktestRequest`, written as `request.json` into the run's own folder), the outcome
(`WorkerOutcome`), the bars a request reads (`market_frames`, for both engines), the worker's
sandboxed environment, and reading what a worker left behind.

Every backtest runs on an executor (`runtime.executors`); the worker code itself is
`runtime.backtest_worker`, run one job at a time by the warm `runtime.pool_worker` processes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, Field

from runtime.agents.channel import ChannelAddress
from runtime.processes import sandbox_environment


class BacktestRequest(BaseModel):
    code_path: str
    sha256: str
    class_name: str
    data_symbols: list[str]
    start: date
    end: date
    cash: float = Field(default=100_000.0, gt=0)
    benchmark: str | None = None
    fee_pct: float = Field(default=0.0, ge=0, le=0.05)
    slippage_per_share: float = Field(default=0.0, ge=0, le=10)
    parameters: dict[str, Any] = Field(default_factory=dict)
    warmup_bars: int = Field(default=0, ge=0)
    risk_free_rate: float = 0.0
    tearsheet: bool = False  # the services render it after the run (runtime.tearsheet)
    market_data_dir: str
    lookahead_probe: bool = False  # alter each current-day bar the strategy is shown
    import_only: bool = False
    # agent strategies: where to ask for decisions (a local socket and a run token, never a
    # key); None: the offline baseline stands in (the validation gate's runs)
    decision_channel: ChannelAddress | None = None
    # cash: paid on the ex-date to the shares held the day before; reinvest: and bought back
    # at the next open; off: as-traded prices only. None: cash when the store has dividends.
    dividends: Literal["cash", "reinvest", "off"] | None = None
    # shares held when the backtest starts, beside `cash` (a paper-vs-backtest replay starts
    # from the bot's own book)
    positions: dict[str, float] = Field(default_factory=dict)


@dataclass
class WorkerOutcome:
    ok: bool
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    traceback: str | None = None
    returncode: int | None = None
    duration_s: float = 0.0


def worker_environment(run_dir: Path, cache_dir: Path) -> dict[str, str]:
    """A backtest worker's environment: the shared sandbox (`runtime.processes`) with the run
    folder as HOME and Lumibot told it is backtesting (so it never builds a live broker)."""
    return sandbox_environment(run_dir, cache_dir, extra={"IS_BACKTESTING": "true"})


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def log_tail(path: Path, lines: int = 30) -> str | None:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return "\n".join(text.splitlines()[-lines:]) or None


def market_frames(request: BacktestRequest) -> dict[str, pd.DataFrame]:
    """Each data symbol's stored bars for the request's window and its warm-up: what the
    Lumibot worker runs on and what the fast engine evaluates, read the same way by both."""
    from runtime.market_data import MarketDataStore

    store = MarketDataStore(Path(request.market_data_dir))
    # calendar days that hold `warmup_bars` trading days, with room for holidays
    warmup_days = int(request.warmup_bars * 1.5) + 10
    frames: dict[str, pd.DataFrame] = {}
    for symbol in request.data_symbols:
        have = store.coverage(symbol)
        first = max(have.start, request.start - timedelta(days=warmup_days))
        frames[symbol] = store.bars(symbol, first, request.end)
    return frames
