"""Indicator arrays for the fast engine, each equal to what `runtime.strategy_base` computes on
the window of completed bars the generated code loads, and the list of spec constructs the
engine refuses.

Generated code computes an indicator on the last `history_bars` completed bars each day. For an
indicator that only looks back a fixed number of bars (SMA, Bollinger, rate of change,
breakouts, stochastic, volatility, drawdown, volume) that equals the indicator of the whole
history, so it is computed once with the very same `strategy_base` function. An up/down streak
is cut by the window's first bar; recursive indicators (EMA, RSI, MACD, ATR) depend on where the
window starts and weekly/monthly bars on the window's partial first period: those are refused
until the engine computes them per window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.spec import Indicator, IndicatorKind, StrategySpec
from runtime import strategy_base as sb

# kinds whose value on the last bar of a window does not depend on where the window starts
WINDOW_FREE: dict[IndicatorKind, str] = {
    IndicatorKind.price: "price",
    IndicatorKind.sma: "sma",
    IndicatorKind.bb_upper: "bollinger_upper",
    IndicatorKind.bb_middle: "bollinger_middle",
    IndicatorKind.bb_lower: "bollinger_lower",
    IndicatorKind.roc: "rate_of_change",
    IndicatorKind.highest_high: "highest_high",
    IndicatorKind.lowest_low: "lowest_low",
    IndicatorKind.stoch_k: "stoch_k",
    IndicatorKind.stoch_d: "stoch_d",
    IndicatorKind.volatility: "volatility",
    IndicatorKind.drawdown: "drawdown",
    IndicatorKind.volume: "volume",
    IndicatorKind.volume_sma: "volume_sma",
}
STREAKS = {IndicatorKind.up_streak: "up_streak", IndicatorKind.down_streak: "down_streak"}


@dataclass(frozen=True)
class Unsupported:
    """A spec construct the fast engine does not implement (it refuses the spec)."""

    construct: str


def unsupported_features(spec: StrategySpec) -> list[str]:
    """The constructs of `spec` the fast engine refuses, named as a user reads them."""
    out: list[str] = []
    for ind in spec.indicators():
        if ind.timeframe is not None:
            out.append(f"{ind.timeframe.value} {ind.kind.value} (resampled bars)")
        elif ind.kind not in WINDOW_FREE and ind.kind not in STREAKS:
            out.append(f"{ind.kind.value} (a recursive indicator seeded on the window)")
    return sorted(set(out))


def _args(ind: Indicator) -> list[object]:
    from generator.render import INDICATOR_FUNCTIONS

    _, fields = INDICATOR_FUNCTIONS[ind.kind]
    return [getattr(ind, name) for name in fields]


def indicator_pair(
    ind: Indicator, bars: pd.DataFrame, window: int
) -> tuple[np.ndarray, np.ndarray]:
    """(now, before) per row i of `bars`: the indicator on the last bar and on the bar before
    it, as seen from the window of `window` completed bars ending at row i."""
    if ind.kind in STREAKS:
        full = getattr(sb, STREAKS[ind.kind])(bars).to_numpy(dtype="float64")
        now = np.minimum(full, window - 1)  # the window's first bar has no close before it
        before = np.full_like(full, np.nan)
        before[1:] = np.minimum(full[:-1], window - 2)
        return now, before
    func = getattr(sb, WINDOW_FREE[ind.kind])
    full = func(bars, *_args(ind)).to_numpy(dtype="float64")
    before = np.full_like(full, np.nan)
    before[1:] = full[:-1]
    return full, before
