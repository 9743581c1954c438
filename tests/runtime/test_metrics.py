"""Metrics of an equity curve agree with quantstats; round trips match FIFO."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import quantstats_lumi.stats as qs

from runtime.metrics import Fill, equity_metrics, round_trips, trade_metrics


@pytest.fixture
def equity() -> pd.Series:
    rng = np.random.default_rng(11)
    returns = rng.normal(0.0004, 0.011, 1500)
    index = pd.bdate_range("2015-01-02", periods=1500)
    return pd.Series(100_000 * np.cumprod(1 + returns), index=index)


def test_metrics_agree_with_quantstats(equity: pd.Series) -> None:
    ours = equity_metrics(equity)
    returns = equity.pct_change().dropna()
    assert ours["sharpe"] == pytest.approx(qs.sharpe(returns, periods=252), rel=1e-6)
    assert ours["max_drawdown"] == pytest.approx(-qs.max_drawdown(returns), rel=1e-6)
    assert ours["volatility"] == pytest.approx(qs.volatility(returns, periods=252), rel=1e-6)
    assert ours["total_return"] == pytest.approx(equity.iloc[-1] / equity.iloc[0] - 1)


def test_flat_or_short_curves_do_not_crash() -> None:
    assert (
        equity_metrics(pd.Series([1.0], index=pd.bdate_range("2020-01-01", periods=1)))["sharpe"]
        is None
    )
    flat = equity_metrics(pd.Series(1.0, index=pd.bdate_range("2020-01-01", periods=10)))
    assert flat["total_return"] == 0.0 and flat["sharpe"] is None


def test_round_trips_fifo_and_win_rate() -> None:
    fills = [
        Fill("2020-01-02", "SPY", "buy", 10, 100.0),
        Fill("2020-01-03", "SPY", "buy", 10, 110.0),
        Fill("2020-02-03", "SPY", "sell", 15, 105.0),
        Fill("2020-03-02", "SPY", "sell", 5, 90.0),
    ]
    trips = round_trips(fills)
    assert [(t["entry_price"], t["quantity"]) for t in trips] == [
        (100.0, 10),
        (110.0, 5),
        (110.0, 5),
    ]
    assert [round(t["pnl"], 2) for t in trips] == [50.0, -25.0, -100.0]
    stats = trade_metrics(fills)
    assert stats["trades"] == 3 and stats["win_rate"] == pytest.approx(1 / 3)
