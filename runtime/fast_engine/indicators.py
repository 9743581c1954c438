"""Indicator arrays for the fast engine, each equal to what `runtime.strategy_base` computes on
the window of completed bars the generated code loads, and the list of spec constructs the
engine refuses.

Generated code computes an indicator on the last `history_bars` completed bars each day. For an
indicator that only looks back a fixed number of bars (SMA, Bollinger, rate of change,
breakouts, stochastic, volatility, drawdown, volume) that equals the indicator of the whole
history, so it is computed once with the very same `strategy_base` function. An up/down streak
is cut by the window's first bar.

Recursive indicators (EMA, RSI, MACD, ATR) depend on where the window starts: each day's value
is the recursion run over that day's window, seeded on its first bar. `_EwmWindows` runs pandas'
`ewm(adjust=False).mean()` recursion (the same float operations in the same order as its cython
kernel) for every window at once, one step per bar of the window. Weekly and monthly bars depend
on the window's partial first period too: those are computed per day with the very
`strategy_base` functions on the very window the generated code builds (`reference_pair`, also
the reference the tests hold the fast recursion to).
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
# kinds whose value depends on the first bar of the window (run over each day's window)
RECURSIVE: dict[str, str] = {
    "ema": "ema",
    "rsi": "rsi",
    "macd": "macd_line",
    "macd_signal": "macd_signal",
    "macd_hist": "macd_hist",
    "atr": "atr",
}
FUNCTIONS = {**WINDOW_FREE, **STREAKS, **RECURSIVE}


@dataclass(frozen=True)
class Unsupported:
    """A spec construct the fast engine does not implement (it refuses the spec)."""

    construct: str


def spec_indicators(spec: dict[str, Any]) -> list[Indicator]:
    """Every indicator a spec's rules read (nested groups and per-symbol legs included)."""
    out: list[Indicator] = []

    def walk(rule: dict[str, Any]) -> None:
        for item in rule["conditions"]:
            if "conditions" in item:
                walk(item)
            else:
                out.append(item["left"])
                if "kind" in item["right"]:
                    out.append(item["right"])

    rules = [spec.get("entry"), spec.get("exit")]
    for leg in spec.get("legs") or []:
        rules += [leg.get("entry"), leg.get("exit")]
    for rule in rules:
        if rule:
            walk(rule)
    return out


def unsupported_features(spec: dict[str, Any]) -> list[str]:
    """The constructs of `spec` (its JSON) the fast engine refuses, named as a user reads them."""
    out: list[str] = []
    for ind in spec_indicators(spec):
        if ind["kind"] not in FUNCTIONS:
            out.append(f"the indicator {ind['kind']}")
        elif ind.get("timeframe") not in (None, "daily", "weekly", "monthly"):
            out.append(f"{ind['timeframe']} bars")
    return sorted(set(out))


def is_windowed(ind: Indicator) -> bool:
    """True when the indicator's value depends on where the day's window starts."""
    return (ind["kind"] in RECURSIVE or ind["kind"] in STREAKS
            or ind.get("timeframe") not in (None, "daily"))


# the fields each window-free helper of `strategy_base` takes after the bars, in order
_MACD = ("fast", "slow", "signal")
_FIELDS = {"bb_upper": ("period", "num_std"), "bb_middle": ("period", "num_std"),
           "bb_lower": ("period", "num_std"), "price": (), "volume": (), "up_streak": (),
           "down_streak": (), "macd": _MACD, "macd_signal": _MACD, "macd_hist": _MACD}


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


# -- indicators that depend on the window's first bar ---------------------------------------------
def reference_pair(ind: Indicator, bars: pd.DataFrame, window: int, rows: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(now, before) at each of `rows` (NaN elsewhere): the `strategy_base` function run on the
    window of `window` bars ending at that row, resampled first when the indicator's timeframe
    says so, exactly as the generated code does it each day."""
    func = getattr(sb, FUNCTIONS[ind["kind"]])
    args = _args(ind)
    timeframe = ind.get("timeframe") or "daily"
    now = np.full(len(bars), np.nan)
    before = np.full(len(bars), np.nan)
    for i in np.unique(rows):
        if i + 1 < window or i < 0:
            continue
        frame = bars.iloc[i + 1 - window:i + 1]
        if timeframe != "daily":
            frame = sb.resample(frame, timeframe)
        values = func(frame, *args)
        now[i] = sb.latest(values)
        before[i] = sb._at(values, 2)
    return now, before


class _EwmWindows:
    """pandas' `Series.ewm(com=..., adjust=False, min_periods=...).mean()` over many windows at
    once: `step` takes the next value of every window and returns each window's output.

    The arithmetic is pandas 2.x's cython kernel (`window/aggregations.pyx`, `ewm`) for
    adjust=False, ignore_na=False: alpha = 1 / (1 + com); a window's first observation seeds
    it; each later observation that differs from the running value makes it
    `((1 - alpha) * value + alpha * x) / ((1 - alpha) + alpha)`; NaN inputs leave it; outputs are
    NaN until `min_periods` observations were seen."""

    def __init__(self, com: float, min_periods: int) -> None:
        self.alpha = 1.0 / (1.0 + com)
        self.old = 1.0 - self.alpha
        self.min_periods = min_periods
        self.weighted: np.ndarray | None = None
        self.nobs: np.ndarray | None = None

    def step(self, cur: np.ndarray) -> np.ndarray:
        seen = ~np.isnan(cur)
        if self.weighted is None or self.nobs is None:
            self.weighted = cur.astype("float64", copy=True)
            self.nobs = seen.astype(np.int64)
        else:
            self.nobs = self.nobs + seen
            w = self.weighted
            with np.errstate(invalid="ignore"):
                moved = (self.old * w + self.alpha * cur) / (self.old + self.alpha)
                change = seen & (w == w) & (w != cur)
            w = np.where(change, moved, w)
            self.weighted = np.where(seen & np.isnan(w), cur, w)
        return np.where(self.nobs >= self.min_periods, self.weighted, np.nan)


def _span(span: int) -> float:  # pandas' get_center_of_mass
    return (span - 1) / 2.0


def _alpha(alpha: float) -> float:  # pandas' get_center_of_mass
    return (1 - alpha) / alpha


def recursive_pair(ind: Indicator, bars: pd.DataFrame, window: int
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(now, before) per row i of daily `bars` for a recursive indicator (`RECURSIVE`), each
    the value the `strategy_base` function gives on the window of `window` bars ending at i
    (NaN where the window does not fit)."""
    n = len(bars)
    now = np.full(n, np.nan)
    before = np.full(n, np.nan)
    m = n - window + 1  # windows that fit: ending at rows window-1 .. n-1
    if m <= 0 or window < 1:
        return now, before
    close = bars["close"].to_numpy(dtype="float64")
    kind = ind["kind"]
    at = [np.full(m, np.nan), np.full(m, np.nan)]  # outputs after the last two steps

    def keep(k: int, value: np.ndarray) -> None:
        if k == window - 2:
            at[0] = value
        elif k == window - 1:
            at[1] = value

    if kind == "ema":
        period = int(ind["period"])
        ewm = _EwmWindows(_span(period), period)
        for k in range(window):
            keep(k, ewm.step(close[k:k + m]))
    elif kind in ("rsi", "atr"):
        period = int(ind["period"])
        gain = _EwmWindows(_alpha(1 / period), period)
        loss = _EwmWindows(_alpha(1 / period), period)
        previous = np.concatenate([[np.nan], close[:-1]])
        if kind == "atr":
            high = bars["high"].to_numpy(dtype="float64")
            low = bars["low"].to_numpy(dtype="float64")
            spread = high - low
            with np.errstate(invalid="ignore"):
                true_range = np.fmax(np.fmax(spread, np.abs(high - previous)),
                                     np.abs(low - previous))
        change = close - previous
        for k in range(window):
            if kind == "atr":  # the window's first bar has no close before it: high - low
                keep(k, gain.step(spread[:m] if k == 0 else true_range[k:k + m]))
                continue
            diff = np.full(m, np.nan) if k == 0 else change[k:k + m]
            with np.errstate(invalid="ignore", divide="ignore"):
                g = gain.step(np.where(np.isnan(diff), np.nan, np.maximum(diff, 0.0)))
                lo = loss.step(-np.minimum(diff, 0.0))
                strength = g / lo
                out = 100 - 100 / (1 + strength)
            out = np.where(lo != 0, out, 100.0)
            keep(k, np.where(np.isnan(g), np.nan, out))
    else:  # the MACD family
        fast = _EwmWindows(_span(int(ind["fast"])), int(ind["fast"]))
        slow = _EwmWindows(_span(int(ind["slow"])), int(ind["slow"]))
        signal = _EwmWindows(_span(int(ind["signal"])), int(ind["signal"]))
        for k in range(window):
            values = close[k:k + m]
            line = fast.step(values) - slow.step(values)
            if kind == "macd":
                keep(k, line)
                continue
            smooth = signal.step(line)
            keep(k, smooth if kind == "macd_signal" else line - smooth)
    now[window - 1:] = at[1]
    before[window - 1:] = at[0]
    return now, before
