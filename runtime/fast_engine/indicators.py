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
from typing import Any

import numpy as np
import pandas as pd

from runtime import strategy_base as sb

# A spec reaches the runtime as its JSON (the generator's models stay in the generator layer):
# an indicator is {"kind", "period", "num_std", "symbol", "timeframe", ...}.
Indicator = dict[str, Any]

# kinds whose value on the last bar of a window does not depend on where the window starts
WINDOW_FREE: dict[str, str] = {
    "price": "price",
    "sma": "sma",
    "bb_upper": "bollinger_upper",
    "bb_middle": "bollinger_middle",
    "bb_lower": "bollinger_lower",
    "roc": "rate_of_change",
    "highest_high": "highest_high",
    "lowest_low": "lowest_low",
    "stoch_k": "stoch_k",
    "stoch_d": "stoch_d",
    "volatility": "volatility",
    "drawdown": "drawdown",
    "volume": "volume",
    "volume_sma": "volume_sma",
}
STREAKS = {"up_streak": "up_streak", "down_streak": "down_streak"}


@dataclass(frozen=True)
class Unsupported:
    """A spec construct the fast engine does not implement (it refuses the spec)."""

    construct: str


def spec_indicators(spec: dict[str, Any]) -> list[Indicator]:
    """Every indicator a spec's rules read (nested groups included)."""
    out: list[Indicator] = []

    def walk(rule: dict[str, Any]) -> None:
        for item in rule["conditions"]:
            if "conditions" in item:
                walk(item)
            else:
                out.append(item["left"])
                if "kind" in item["right"]:
                    out.append(item["right"])

    for role in ("entry", "exit"):
        if spec.get(role):
            walk(spec[role])
    return out


def unsupported_features(spec: dict[str, Any]) -> list[str]:
    """The constructs of `spec` (its JSON) the fast engine refuses, named as a user reads them."""
    out: list[str] = []
    for ind in spec_indicators(spec):
        if ind.get("timeframe") not in (None, "daily"):
            out.append(f"{ind['timeframe']} {ind['kind']} (resampled bars)")
        elif ind["kind"] not in WINDOW_FREE and ind["kind"] not in STREAKS:
            out.append(f"{ind['kind']} (a recursive indicator seeded on the window)")
    return sorted(set(out))


# the fields each window-free helper of `strategy_base` takes after the bars, in order
_FIELDS = {"bb_upper": ("period", "num_std"), "bb_middle": ("period", "num_std"),
           "bb_lower": ("period", "num_std"), "price": (), "volume": ()}


def _args(ind: Indicator) -> list[object]:
    return [ind.get(name) for name in _FIELDS.get(ind["kind"], ("period",))]


def indicator_pair(
    ind: Indicator, bars: pd.DataFrame, window: int
) -> tuple[np.ndarray, np.ndarray]:
    """(now, before) per row i of `bars`: the indicator on the last bar and on the bar before
    it, as seen from the window of `window` completed bars ending at row i."""
    if ind["kind"] in STREAKS:
        full = getattr(sb, STREAKS[ind["kind"]])(bars).to_numpy(dtype="float64")
        now = np.minimum(full, window - 1)  # the window's first bar has no close before it
        before = np.full_like(full, np.nan)
        before[1:] = np.minimum(full[:-1], window - 2)
        return now, before
    func = getattr(sb, WINDOW_FREE[ind["kind"]])
    full = func(bars, *_args(ind)).to_numpy(dtype="float64")
    before = np.full_like(full, np.nan)
    before[1:] = full[:-1]
    need = bars_needed(ind)
    if window < need:  # the generated code's window is too short to have a value at all
        full = np.full_like(full, np.nan)
    if window < need + 1:
        before = np.full_like(full, np.nan)
    return full, before


def bars_needed(ind: Indicator) -> int:
    """Completed bars a window-free indicator needs for a value on its last bar."""
    period = ind.get("period") or 1
    if ind["kind"] in ("price", "volume"):
        return 1
    if ind["kind"] in ("roc", "highest_high", "lowest_low",
                    "volatility"):
        return period + 1
    if ind["kind"] == "stoch_d":
        return period + 2
    return period
