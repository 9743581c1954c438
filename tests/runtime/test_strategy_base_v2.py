"""The spec v2 indicators of `runtime.strategy_base`, each checked against an independent
longhand computation (plain Python over lists, no pandas rolling/ewm), plus resampling and the
calendar and drift helpers."""

from __future__ import annotations

import math
import statistics
from datetime import date
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from runtime import strategy_base as sb


@pytest.fixture
def bars() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.012, 260)))
    high = close * (1 + rng.uniform(0, 0.02, 260))
    low = close * (1 - rng.uniform(0, 0.02, 260))
    volume = rng.integers(1_000, 9_000, 260).astype(float)
    index = pd.bdate_range("2021-01-04", periods=260)
    return pd.DataFrame({"open": close, "high": high, "low": low, "close": close,
                         "volume": volume}, index=index)


def _lists(bars: pd.DataFrame) -> tuple[list[float], list[float], list[float], list[float]]:
    return (list(bars["high"]), list(bars["low"]), list(bars["close"]), list(bars["volume"]))


def test_atr_is_wilders_average_of_true_range(bars: pd.DataFrame) -> None:
    high, low, close, _ = _lists(bars)
    n = 14
    ranges = [high[0] - low[0]] + [
        max(high[i] - low[i], abs(high[i] - close[i - 1]), abs(low[i] - close[i - 1]))
        for i in range(1, len(close))
    ]
    value = ranges[0]
    for i, tr in enumerate(ranges[1:], start=1):  # Wilder smoothing from the first bar
        value = value + (tr - value) / n
        if i == len(ranges) - 1:
            break
    out = sb.atr(bars, n)
    assert math.isnan(out.iloc[n - 2])
    assert out.iloc[-1] == pytest.approx(value, rel=1e-9)


def test_stochastic_k_and_d(bars: pd.DataFrame) -> None:
    high, low, close, _ = _lists(bars)
    n = 14

    def k_at(i: int) -> float:
        hh, ll = max(high[i - n + 1: i + 1]), min(low[i - n + 1: i + 1])
        return (close[i] - ll) / (hh - ll) * 100

    k = sb.stoch_k(bars, n)
    d = sb.stoch_d(bars, n)
    assert math.isnan(k.iloc[n - 2]) and not math.isnan(k.iloc[n - 1])
    last = len(close) - 1
    assert k.iloc[-1] == pytest.approx(k_at(last))
    assert d.iloc[-1] == pytest.approx((k_at(last) + k_at(last - 1) + k_at(last - 2)) / 3)
    assert k.dropna().min() >= 0 and k.dropna().max() <= 100


def test_volatility_is_annualised_sample_stdev_of_returns(bars: pd.DataFrame) -> None:
    close = list(bars["close"])
    n = 20
    returns = [close[i] / close[i - 1] - 1 for i in range(len(close) - n, len(close))]
    expected = statistics.stdev(returns) * math.sqrt(252) * 100
    assert sb.volatility(bars, n).iloc[-1] == pytest.approx(expected, rel=1e-9)


def test_drawdown_from_the_highest_close(bars: pd.DataFrame) -> None:
    close = list(bars["close"])
    n = 60
    peak = max(close[-n:])
    assert sb.drawdown(bars, n).iloc[-1] == pytest.approx((1 - close[-1] / peak) * 100)
    assert sb.drawdown(bars, n).dropna().min() >= 0


def test_volume_and_its_average(bars: pd.DataFrame) -> None:
    volume = list(bars["volume"])
    assert sb.volume(bars).iloc[-1] == volume[-1]
    assert sb.volume_sma(bars, 20).iloc[-1] == pytest.approx(sum(volume[-20:]) / 20)


def test_streaks_count_consecutive_closes() -> None:
    closes = [10, 11, 12, 11, 10, 9, 9, 10]
    frame = pd.DataFrame({"close": closes}, index=pd.bdate_range("2022-01-03", periods=8))
    assert list(sb.up_streak(frame)) == [0, 1, 2, 0, 0, 0, 0, 1]
    assert list(sb.down_streak(frame)) == [0, 0, 0, 1, 2, 3, 0, 0]


def test_weekly_bars_are_built_from_the_daily_bars_given(bars: pd.DataFrame) -> None:
    weekly = sb.resample(bars, "weekly")
    first_week = bars.loc[: weekly.index[0]]
    assert weekly["close"].iloc[0] == first_week["close"].iloc[-1]
    assert weekly["high"].iloc[0] == first_week["high"].max()
    assert weekly["volume"].iloc[0] == first_week["volume"].sum()
    # the last weekly bar holds only days that are in the input: nothing after it is invented
    assert weekly["close"].iloc[-1] == bars["close"].iloc[-1]
    monthly = sb.resample(bars, "monthly")
    assert len(monthly) == len({(d.year, d.month) for d in bars.index})
    assert sb.resample(bars, "daily") is bars


def test_scaled_and_semiannual_periods() -> None:
    assert sb.scaled(100.0, 2) == pytest.approx(102.0)
    assert sb.scaled(100.0, -3) == pytest.approx(97.0)
    assert sb.period_key(date(2024, 6, 28), "semiannual") == "2024-H1"
    assert sb.period_key(date(2024, 7, 1), "semiannual") == "2024-H2"


def test_weights_drifted() -> None:
    class Position:
        def __init__(self, quantity: float) -> None:
            self.quantity = quantity

    held = {"SPY": 60.0, "TLT": 40.0}
    strategy = SimpleNamespace(portfolio_value=10_000.0,
                               get_position=lambda s: Position(held[s]) if s in held else None)
    targets = {"SPY": 0.5, "TLT": 0.5}
    # 60 x 100 = 6000 (60 %) and 40 x 100 = 4000 (40 %): 10 points off
    assert sb.weights_drifted(strategy, targets, {"SPY": 100.0, "TLT": 100.0}, 5)
    assert not sb.weights_drifted(strategy, targets, {"SPY": 100.0, "TLT": 100.0}, 12)
    empty = SimpleNamespace(portfolio_value=10_000.0, get_position=lambda s: None)
    assert sb.weights_drifted(empty, targets, {"SPY": 100.0, "TLT": 100.0}, 5)
