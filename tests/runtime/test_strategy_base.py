"""Indicator and comparison helpers that generated strategies call, checked against
straightforward re-computations written out longhand here."""

from __future__ import annotations

import itertools
import math
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from runtime import strategy_base as sb


@pytest.fixture
def bars() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 300)))
    index = pd.bdate_range("2020-01-01", periods=300)
    return pd.DataFrame(
        {
            "open": close * 0.999,
            "high": close * 1.01,
            "low": close * 0.99,
            "close": close,
            "volume": 1e6,
        },
        index=index,
    )


def test_sma_matches_mean_of_window(bars: pd.DataFrame) -> None:
    out = sb.sma(bars, 20)
    assert math.isnan(out.iloc[18])
    assert out.iloc[-1] == pytest.approx(bars["close"].iloc[-20:].mean())


def test_rsi_matches_wilder_longhand(bars: pd.DataFrame) -> None:
    period = 14
    closes = bars["close"].to_list()
    changes = [b - a for a, b in itertools.pairwise(closes)]
    avg_gain = avg_loss = 0.0
    for i, change in enumerate(changes):
        gain, loss = max(change, 0.0), max(-change, 0.0)
        if i == 0:
            avg_gain, avg_loss = gain, loss
        else:
            avg_gain = avg_gain + (gain - avg_gain) / period
            avg_loss = avg_loss + (loss - avg_loss) / period
    expected = 100 - 100 / (1 + avg_gain / avg_loss)
    assert sb.rsi(bars, period).iloc[-1] == pytest.approx(expected)
    assert 0 <= sb.rsi(bars, period).dropna().min() <= sb.rsi(bars, period).dropna().max() <= 100


def test_rsi_is_100_without_losses() -> None:
    up = pd.DataFrame({"close": np.arange(1.0, 40.0)})
    assert sb.rsi(up, 14).iloc[-1] == 100.0


def test_macd_family_is_consistent(bars: pd.DataFrame) -> None:
    line = sb.macd_line(bars, 12, 26, 9)
    signal = sb.macd_signal(bars, 12, 26, 9)
    hist = sb.macd_hist(bars, 12, 26, 9)
    fast = bars["close"].ewm(span=12, adjust=False).mean()
    slow = bars["close"].ewm(span=26, adjust=False).mean()
    assert line.iloc[-1] == pytest.approx(fast.iloc[-1] - slow.iloc[-1])
    assert hist.iloc[-1] == pytest.approx(line.iloc[-1] - signal.iloc[-1])


def test_bollinger_bands_bracket_the_mean(bars: pd.DataFrame) -> None:
    upper = sb.bollinger_upper(bars, 20, 2.0).iloc[-1]
    lower = sb.bollinger_lower(bars, 20, 2.0).iloc[-1]
    window = bars["close"].iloc[-20:]
    assert upper == pytest.approx(window.mean() + 2 * window.std(ddof=0))
    assert lower == pytest.approx(window.mean() - 2 * window.std(ddof=0))


def test_breakout_levels_exclude_the_last_bar(bars: pd.DataFrame) -> None:
    assert sb.highest_high(bars, 20).iloc[-1] == pytest.approx(bars["high"].iloc[-21:-1].max())
    assert sb.lowest_low(bars, 10).iloc[-1] == pytest.approx(bars["low"].iloc[-11:-1].min())


def test_rate_of_change_in_percent(bars: pd.DataFrame) -> None:
    expected = (bars["close"].iloc[-1] / bars["close"].iloc[-64] - 1) * 100
    assert sb.rate_of_change(bars, 63).iloc[-1] == pytest.approx(expected)


def test_crosses() -> None:
    a = pd.Series([1.0, 2.0, 3.0])
    b = pd.Series([2.0, 2.0, 2.0])
    assert sb.crossed_above(a, b)
    assert not sb.crossed_below(a, b)
    assert sb.crossed_below(pd.Series([3.0, 1.0]), 2.0)
    assert not sb.crossed_above(pd.Series([float("nan"), 3.0]), 2.0)
    assert not sb.crossed_above(pd.Series([3.0]), 2.0)  # one bar is not a cross


def test_period_key() -> None:
    assert sb.period_key(date(2024, 1, 31), "monthly") != sb.period_key(date(2024, 2, 1), "monthly")
    assert sb.period_key(datetime(2024, 3, 29, 9), "quarterly") == "2024-Q1"
    assert sb.period_key(date(2024, 4, 1), "quarterly") == "2024-Q2"
    assert sb.period_key(date(2024, 1, 1), "weekly") == sb.period_key(date(2024, 1, 5), "weekly")
    assert sb.period_key(date(2024, 6, 1), "yearly") == "2024"
    with pytest.raises(ValueError):
        sb.period_key(date(2024, 1, 1), "hourly")


# -- plan_orders: the one sizing rule of the generated strategies and the fast engine -----------
def test_plan_orders_sizes_whole_shares_and_sells_before_buys() -> None:
    held = {"SPY": 10.0, "TLT": 0.0}
    orders = sb.plan_orders({"TLT": 0.5, "SPY": 0.0}, {"SPY": 400.0, "TLT": 99.0},
                            lambda s: held.get(s, 0.0), 10_000.0)
    # 10 000 x 0.5 / 99 = 50.5 -> 50 shares; the SPY sale comes first although listed second
    assert orders == [("SPY", 10.0, "sell"), ("TLT", 50.0, "buy")]


def test_plan_orders_long_only_treats_a_negative_weight_as_flat() -> None:
    orders = sb.plan_orders({"SPY": -0.5}, {"SPY": 100.0}, lambda s: 3.0, 1_000.0)
    assert orders == [("SPY", 3.0, "sell")]


def test_plan_orders_signed_goes_short_and_covers_before_buying() -> None:
    held = {"SPY": -4.0, "QQQ": 2.0, "TLT": 0.0}
    orders = sb.plan_orders({"TLT": 0.3, "SPY": 0.0, "QQQ": -0.2},
                            {"SPY": 100.0, "QQQ": 50.0, "TLT": 10.0},
                            lambda s: held[s], 1_000.0, signed=True)
    # QQQ: from +2 to -(1000 x 0.2 / 50) = -4 (a sale of 6); SPY covered (a buy of 4) before
    # the TLT buy of 30
    assert orders == [("QQQ", 6.0, "sell"), ("SPY", 4.0, "buy"), ("TLT", 30.0, "buy")]


def test_plan_orders_leaves_a_symbol_without_a_price_alone() -> None:
    assert sb.plan_orders({"SPY": 0.5}, {}, lambda s: 7.0, 1_000.0) == []
    assert sb.plan_orders({"SPY": 0.5}, {"SPY": float("nan")}, lambda s: 7.0, 1_000.0) == []
    # flat is flat even without a price
    assert sb.plan_orders({"SPY": 0.0}, {}, lambda s: 7.0, 1_000.0) == [("SPY", 7.0, "sell")]
