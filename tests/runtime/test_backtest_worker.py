"""The backtest worker on real bars: generated code vs a hand-written Lumibot strategy,
look-ahead, and the failure paths (a strategy that raises, a killed worker, a changed file,
secrets in the parent's environment)."""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from backtest_support import run_on_pool

from core.code_store import sha256_file
from generator.render import render_strategy
from generator.spec import Condition, Indicator, Rule, StrategySpec
from runtime.backtest import BacktestRequest, worker_environment

GOLDEN_CROSS = StrategySpec(
    name="Golden cross SPY",
    symbols=["SPY"],
    entry=Rule(
        conditions=[
            Condition(
                left=Indicator(kind="sma", period=50),
                op="crosses_above",
                right=Indicator(kind="sma", period=200),
            )
        ]
    ),
    exit=Rule(
        conditions=[
            Condition(
                left=Indicator(kind="sma", period=50),
                op="crosses_below",
                right=Indicator(kind="sma", period=200),
            )
        ]
    ),
)

# Written by hand against Lumibot's API only (no stratforge helpers): the rule as a person
# would code it, deciding on bars dated before today.
REFERENCE = """
from lumibot.strategies import Strategy


class ReferenceGoldenCross(Strategy):
    def initialize(self):
        self.sleeptime = "1D"

    def on_trading_iteration(self):
        history = self.get_historical_prices("SPY", 203, "day").df
        today = self.get_datetime().date()
        closes = history[history.index.date < today]["close"]
        if len(closes) < 202:
            return
        fast = closes.rolling(50).mean()
        slow = closes.rolling(200).mean()
        crossed_up = fast.iloc[-2] <= slow.iloc[-2] and fast.iloc[-1] > slow.iloc[-1]
        crossed_down = fast.iloc[-2] >= slow.iloc[-2] and fast.iloc[-1] < slow.iloc[-1]
        position = self.get_position("SPY")
        if crossed_up and position is None:
            shares = int(self.portfolio_value // closes.iloc[-1])
            self.submit_order(self.create_order("SPY", shares, "buy"))
        elif crossed_down and position is not None:
            self.submit_order(self.create_order("SPY", position.quantity, "sell"))
"""

# The same rule written the naive way: it decides on today's bar, which it could not know yet.
NAIVE = REFERENCE.replace("history[history.index.date < today]", "history").replace(
    "ReferenceGoldenCross", "NaiveGoldenCross"
)

RAISES = """
from lumibot.strategies import Strategy


class RaisesMidway(Strategy):
    def initialize(self):
        self.sleeptime = "1D"

    def on_trading_iteration(self):
        if self.get_datetime().year >= 2012:
            raise RuntimeError("strategy bug on purpose")
"""

SLEEPS = """
import time
from lumibot.strategies import Strategy


class Sleeps(Strategy):
    def initialize(self):
        self.sleeptime = "1D"

    def on_trading_iteration(self):
        time.sleep(0.05)
"""

LEAKS_ENV = """
import os
from lumibot.strategies import Strategy


class LeaksEnv(Strategy):
    def initialize(self):
        self.sleeptime = "1D"

    def on_trading_iteration(self):
        raise RuntimeError("ENV:" + ",".join(sorted(os.environ)))
"""


def _write(tmp_path: Path, name: str, source: str) -> Path:
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    return path


def _request(
    path: Path, class_name: str, market: Path, start: date, end: date, **extra: object
) -> BacktestRequest:
    return BacktestRequest(
        code_path=str(path),
        sha256=sha256_file(path),
        class_name=class_name,
        data_symbols=["SPY"],
        start=start,
        end=end,
        cash=100_000,
        warmup_bars=202,
        market_data_dir=str(market),
        tearsheet=False,
        **extra,
    )  # type: ignore[arg-type]


def _run(request: BacktestRequest, tmp_path: Path, name: str, **kwargs: object):  # type: ignore[no-untyped-def]
    return run_on_pool(
        request, tmp_path / "runs" / name, tmp_path / "cache", timeout_s=300, **kwargs
    )  # type: ignore[arg-type]


def _trades(outcome) -> list[tuple[str, str, float, float]]:  # type: ignore[no-untyped-def]
    assert outcome.ok, f"{outcome.error}\n{outcome.traceback}"
    return [(f["time"], f["side"], f["price"], f["quantity"]) for f in outcome.result["fills"]]


@pytest.mark.slow
def test_generated_golden_cross_trades_like_hand_written_lumibot(
    tmp_path: Path, real_market_dir: Path
) -> None:
    generated = _write(tmp_path, "generated", render_strategy(GOLDEN_CROSS))
    reference = _write(tmp_path, "reference", REFERENCE)
    start, end = date(2006, 1, 3), date(2024, 12, 31)
    with ThreadPoolExecutor(max_workers=2) as pool:
        ours = pool.submit(
            _run,
            _request(
                generated, "GoldenCrossSPYStrategy", real_market_dir, start, end, benchmark="SPY"
            ),
            tmp_path,
            "generated",
        )
        theirs = pool.submit(
            _run,
            _request(reference, "ReferenceGoldenCross", real_market_dir, start, end),
            tmp_path,
            "reference",
        )
        ours_trades, their_trades = _trades(ours.result()), _trades(theirs.result())
    assert len(ours_trades) >= 8  # SPY had several golden/death crosses 2006-2024
    assert ours_trades == their_trades
    # first golden cross after the 2006 start: fills at the next day's open
    assert ours_trades[0][:2] == ("2006-09-12", "buy")
    metrics = ours.result().result["metrics"]
    assert metrics["total_return"] == pytest.approx(
        theirs.result().result["metrics"]["total_return"]
    )
    assert ours.result().result["benchmark"]["symbol"] == "SPY"


@pytest.mark.slow
def test_decisions_ignore_the_current_days_bar(tmp_path: Path, real_market_dir: Path) -> None:
    """Altering each day's own bar (what the strategy is shown of 'today') changes nothing
    for generated code, and does change the naive version: the probe can tell them apart."""
    generated = _write(tmp_path, "generated", render_strategy(GOLDEN_CROSS))
    naive = _write(tmp_path, "naive", NAIVE)
    start, end = date(2006, 1, 3), date(2012, 12, 31)
    jobs = {
        "gen": _request(generated, "GoldenCrossSPYStrategy", real_market_dir, start, end),
        "gen_probe": _request(
            generated, "GoldenCrossSPYStrategy", real_market_dir, start, end, lookahead_probe=True
        ),
        "naive": _request(naive, "NaiveGoldenCross", real_market_dir, start, end),
        "naive_probe": _request(
            naive, "NaiveGoldenCross", real_market_dir, start, end, lookahead_probe=True
        ),
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {k: pool.submit(_run, r, tmp_path, k) for k, r in jobs.items()}
        trades = {k: _trades(f.result()) for k, f in futures.items()}
    assert trades["gen"] and trades["gen"] == trades["gen_probe"]
    assert trades["naive"] != trades["naive_probe"]
    # the naive version trades a day earlier than it could have known
    assert trades["naive"][0][0] < trades["gen"][0][0]


def test_strategy_that_raises_fails_with_its_traceback(
    tmp_path: Path, real_market_dir: Path
) -> None:
    path = _write(tmp_path, "raises", RAISES)
    outcome = _run(
        _request(path, "RaisesMidway", real_market_dir, date(2011, 6, 1), date(2012, 6, 1)),
        tmp_path,
        "raises",
    )
    assert not outcome.ok
    assert "strategy bug on purpose" in (outcome.error or "")
    assert "raises.py" in (outcome.traceback or "")
    assert "on_trading_iteration" in (outcome.traceback or "")


def test_worker_killed_mid_run_ends_failed(tmp_path: Path, real_market_dir: Path) -> None:
    path = _write(tmp_path, "sleeps", SLEEPS)
    request = _request(path, "Sleeps", real_market_dir, date(2010, 1, 4), date(2014, 12, 31))
    pids: list[int] = []
    progressed = threading.Event()

    def on_progress(fraction: float, day: str | None) -> None:
        progressed.set()

    def killer() -> None:
        progressed.wait(120)
        os.kill(pids[0], signal.SIGKILL)

    thread = threading.Thread(target=killer)
    thread.start()
    outcome = _run(request, tmp_path, "killed", on_start=pids.append, on_progress=on_progress)
    thread.join()
    assert not outcome.ok
    assert "SIGKILL" in (outcome.error or "")


def test_timeout_kills_the_worker(tmp_path: Path, real_market_dir: Path) -> None:
    path = _write(tmp_path, "sleeps", SLEEPS)
    request = _request(path, "Sleeps", real_market_dir, date(2010, 1, 4), date(2014, 12, 31))
    started = time.monotonic()
    outcome = run_on_pool(request, tmp_path / "runs" / "t", tmp_path / "cache", timeout_s=3)
    assert not outcome.ok and "timed out" in (outcome.error or "")
    assert time.monotonic() - started < 60


def test_changed_file_is_refused(tmp_path: Path, real_market_dir: Path) -> None:
    path = _write(tmp_path, "reference", REFERENCE)
    request = _request(
        path, "ReferenceGoldenCross", real_market_dir, date(2010, 1, 4), date(2010, 3, 1)
    )
    path.write_text(REFERENCE + "\n# edited\n")
    outcome = _run(request, tmp_path, "changed")
    assert not outcome.ok
    assert "changed since this version was recorded" in (outcome.error or "")


def test_worker_environment_carries_no_secrets(
    tmp_path: Path, real_market_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in (
        "ALPACA_API_KEY",
        "ALPACA_API_SECRET",
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "DATABASE_URL",
        "STRATFORGE_API_KEY",
        "AWS_SECRET_ACCESS_KEY",
    ):
        monkeypatch.setenv(key, "secret-value")
    env = worker_environment(tmp_path, tmp_path / "cache")
    assert not any(v == "secret-value" for v in env.values())
    path = _write(tmp_path, "leaks", LEAKS_ENV)
    outcome = _run(
        _request(path, "LeaksEnv", real_market_dir, date(2010, 1, 4), date(2010, 2, 1)),
        tmp_path,
        "leaks",
    )
    assert not outcome.ok and "ENV:" in (outcome.error or "")
    seen = (outcome.error or "").split("ENV:")[1].split(",")
    assert "IS_BACKTESTING" in seen
    for key in (
        "ALPACA_API_KEY",
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "DATABASE_URL",
        "STRATFORGE_API_KEY",
        "AWS_SECRET_ACCESS_KEY",
    ):
        assert key not in seen


SELLS_WHAT_IT_HOLDS = """
from lumibot.strategies import Strategy


class SellsWhatItHolds(Strategy):
    def initialize(self):
        self.sleeptime = "1D"

    def on_trading_iteration(self):
        position = self.get_position("SPY")
        if position is not None and position.quantity > 0:
            self.submit_order(self.create_order("SPY", position.quantity, "sell"))
"""


@pytest.mark.slow
def test_a_backtest_may_start_holding_shares_beside_its_cash(
        tmp_path: Path, real_market_dir: Path) -> None:
    """`positions` are held from the start (no order, no cash spent): a strategy that sells
    what it holds sells exactly them on its first day, and the cash grows by the sale."""
    path = _write(tmp_path, "sells", SELLS_WHAT_IT_HOLDS)
    request = _request(path, "SellsWhatItHolds", real_market_dir, date(2023, 3, 1),
                       date(2023, 3, 10), positions={"SPY": 7.0})
    request = request.model_copy(update={"warmup_bars": 0, "cash": 1_000.0})
    outcome = _run(request, tmp_path, "seeded")
    trades = _trades(outcome)
    assert [(side, qty) for _, side, _, qty in trades] == [("sell", 7.0)]
    equity = (tmp_path / "runs" / "seeded" / "equity.csv").read_text().splitlines()
    first_value = float(equity[1].split(",")[1])
    assert first_value > 1_000.0 + 7 * 300  # the shares count in the portfolio (SPY > 300)
    without = _run(request.model_copy(update={"positions": {}}), tmp_path, "plain")
    assert _trades(without) == []
