"""Dividends in backtests on the real TLT bars of ../shared/data: buy and hold 2005–2024 with
``reinvest`` matches the total return of the adj_close series within 0.5 %, ``cash`` lies
between the price return and that, ``off`` is the price return to the cent (as before
dividends were stored), and the benchmark is valued under the same mode."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from backtest_support import run_fresh

from core.code_store import sha256_file
from runtime.backtest import BacktestRequest
from runtime.dividend_policy import benchmark_equity
from runtime.market_data import MarketDataStore

BUY_AND_HOLD = """
from lumibot.strategies import Strategy


class HoldTLT(Strategy):
    def initialize(self):
        self.sleeptime = "1D"

    def on_trading_iteration(self):
        if self.get_position("TLT") is not None:
            return
        history = self.get_historical_prices("TLT", 5, "day").df
        closes = history[history.index.date < self.get_datetime().date()]["close"]
        shares = int(self.get_cash() // closes.iloc[-1])
        self.submit_order(self.create_order("TLT", shares, "buy"))
"""

START, END, CASH = date(2005, 1, 3), date(2024, 12, 31), 100_000.0


def _run(tmp_path: Path, market: Path, mode: str | None) -> dict:  # type: ignore[type-arg]
    code = tmp_path / "hold_tlt.py"
    code.write_text(BUY_AND_HOLD)
    request = BacktestRequest(
        code_path=str(code),
        sha256=sha256_file(code),
        class_name="HoldTLT",
        data_symbols=["TLT"],
        start=START,
        end=END,
        cash=CASH,
        benchmark="TLT",
        warmup_bars=5,
        market_data_dir=str(market),
        dividends=mode,  # type: ignore[arg-type]
    )
    outcome = run_fresh(request, tmp_path / f"run_{mode}", tmp_path / "cache")
    assert outcome.ok, f"{outcome.error}\n{outcome.traceback}"
    return outcome.result


@pytest.fixture(scope="module")
def results(real_market_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    root = tmp_path_factory.mktemp("dividends")
    return {mode: _run(root, real_market_dir, mode) for mode in ("reinvest", "cash", "off", None)}


@pytest.fixture(scope="module")
def tlt(real_market_dir: Path) -> pd.DataFrame:
    return MarketDataStore(real_market_dir).bars("TLT", START, END)


@pytest.mark.slow
def test_reinvested_dividends_match_the_adj_close_total_return(
    results: dict,
    tlt: pd.DataFrame,  # type: ignore[type-arg]
) -> None:
    bought = results["reinvest"]["fills"][0]
    day = tlt.loc[bought["time"]]
    # What the shares bought would be worth with every dividend reinvested, as adj_close says,
    # plus the cash the whole-share purchase left over.
    adj_growth = tlt["adj_close"].iloc[-1] / (bought["price"] * day["adj_close"] / day["close"])
    spare = CASH - bought["quantity"] * bought["price"]
    expected = bought["quantity"] * bought["price"] * adj_growth + spare
    final = CASH * (1 + results["reinvest"]["metrics"]["total_return"])
    assert final / expected == pytest.approx(1.0, abs=0.005)
    price_only = bought["quantity"] * tlt["close"].iloc[-1] + spare
    assert expected > price_only * 1.5  # twenty years of coupons are no rounding error
    assert results["reinvest"]["dividends"] == "reinvest"
    # the dividends were bought back: one buy per ex-date after the strategy's own
    buys = [f for f in results["reinvest"]["fills"] if f["side"] == "buy"]
    assert len(buys) > 200


@pytest.mark.slow
def test_off_is_the_price_return_to_the_cent(results: dict, tlt: pd.DataFrame) -> None:  # type: ignore[type-arg]
    off = results["off"]
    assert off["dividends"] == "off"
    (fill,) = off["fills"]
    spare = CASH - fill["quantity"] * fill["price"]
    expected = fill["quantity"] * tlt["close"].iloc[-1] + spare
    assert CASH * (1 + off["metrics"]["total_return"]) == pytest.approx(expected, abs=0.01)
    run = tlt.loc[off["first_day"] :]  # the benchmark is valued from the run's first close
    assert off["benchmark"]["metrics"]["total_return"] == pytest.approx(
        run["close"].iloc[-1] / run["close"].iloc[0] - 1, abs=1e-9
    )


@pytest.mark.slow
def test_cash_is_the_default_and_pays_on_the_ex_date_to_the_shares_held(
    results: dict,
    tlt: pd.DataFrame,
    real_market_dir: Path,  # type: ignore[type-arg]
) -> None:
    default, cash = results[None], results["cash"]
    assert default["dividends"] == "cash"  # the store has TLT's dividends
    assert default["metrics"]["total_return"] == cash["metrics"]["total_return"]
    (fill,) = cash["fills"]
    paid = MarketDataStore(real_market_dir).dividends("TLT", tlt)
    entitled = paid[paid.index > pd.Timestamp(fill["time"])]  # held from the day after the buy
    spare = CASH - fill["quantity"] * fill["price"]
    expected = fill["quantity"] * (tlt["close"].iloc[-1] + entitled.sum()) + spare
    assert CASH * (1 + cash["metrics"]["total_return"]) == pytest.approx(expected, rel=1e-6)
    off = results["off"]["metrics"]["total_return"]
    reinvest = results["reinvest"]["metrics"]["total_return"]
    assert off < cash["metrics"]["total_return"] < reinvest


@pytest.mark.slow
def test_the_benchmark_uses_the_runs_mode(
    results: dict,  # type: ignore[type-arg]
    tlt: pd.DataFrame,
    real_market_dir: Path,
) -> None:
    run = tlt.loc[results["cash"]["first_day"] :]
    paid = MarketDataStore(real_market_dir).dividends("TLT", run)
    for mode in ("cash", "reinvest"):
        series = benchmark_equity(run, paid, CASH, mode)  # type: ignore[arg-type]
        expected = series.iloc[-1] / series.iloc[0] - 1
        assert results[mode]["benchmark"]["metrics"]["total_return"] == pytest.approx(expected)
    assert (
        results["off"]["benchmark"]["metrics"]["total_return"]
        < results["cash"]["benchmark"]["metrics"]["total_return"]
        < results["reinvest"]["benchmark"]["metrics"]["total_return"]
    )
