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
on the window's partial first period too: `timeframe_pair` builds every day's resampled window
at once and runs the same arithmetic over all of them; `reference_pair` computes them per day
with the very `strategy_base` functions on the very window the generated code builds (the
reference the tests hold both fast paths to).
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


def _recurse(ind: Indicator, column: Any, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """A recursive indicator (`RECURSIVE`) run over many windows at once: `column(k)` gives
    step k's (close, high, low, close before) of every window (NaN where a window has no bar
    yet, or none before it); returns the outputs after the last step and the one before it."""
    kind = ind["kind"]
    at: list[np.ndarray | None] = [None, None]  # outputs after the last two steps

    def keep(k: int, value: np.ndarray) -> None:
        if k == steps - 2:
            at[0] = value
        elif k == steps - 1:
            at[1] = value

    if kind == "ema":
        period = int(ind["period"])
        ewm = _EwmWindows(_span(period), period)
        for k in range(steps):
            keep(k, ewm.step(column(k)[0]))
    elif kind in ("rsi", "atr"):
        period = int(ind["period"])
        gain = _EwmWindows(_alpha(1 / period), period)
        loss = _EwmWindows(_alpha(1 / period), period)
        for k in range(steps):
            close, high, low, previous = column(k)
            if kind == "atr":  # a window's first bar has no close before it: its high - low
                with np.errstate(invalid="ignore"):
                    true_range = np.fmax(np.fmax(high - low, np.abs(high - previous)),
                                         np.abs(low - previous))
                keep(k, gain.step(true_range))
                continue
            diff = close - previous
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
        for k in range(steps):
            values = column(k)[0]
            line = fast.step(values) - slow.step(values)
            if kind == "macd":
                keep(k, line)
                continue
            smooth = signal.step(line)
            keep(k, smooth if kind == "macd_signal" else line - smooth)
    last = at[1]
    assert last is not None
    return last, at[0] if at[0] is not None else np.full_like(last, np.nan)


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
    high = bars["high"].to_numpy(dtype="float64")
    low = bars["low"].to_numpy(dtype="float64")
    none = np.full(m, np.nan)

    def column(k: int) -> tuple[np.ndarray, ...]:
        previous = none if k == 0 else close[k - 1:k - 1 + m]
        return close[k:k + m], high[k:k + m], low[k:k + m], previous

    now[window - 1:], before[window - 1:] = _recurse(ind, column, window)
    return now, before


# -- weekly and monthly bars, every day's window at once ----------------------------------------
_FIELDS_OHLCV = ("open", "high", "low", "close", "volume")


def _resampled_windows(bars: pd.DataFrame, timeframe: str, window: int, rows: np.ndarray
                       ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """`strategy_base.resample` of the window of `window` daily bars ending at each of `rows`,
    all at once: per field a matrix, one row per window, its resampled bars right-aligned
    (NaN before a window's first one), and each window's number of resampled bars.

    A window's resampled bars are its first period from the window's first bar on, the
    complete periods after it (those of the whole history), and its last period up to the
    window's last bar. Highs, lows and volumes of the partial periods are running max/min/
    sums within the period, from its start or to its end (volumes are whole shares, so a sum
    in any order is exact)."""
    index = pd.DatetimeIndex(bars.index)
    n = len(bars)
    # each bar's bin, numbered in order: the bins `strategy_base.resample` makes
    firsts = pd.Series(np.arange(n), index=index).resample(sb._RESAMPLE_RULES[timeframe]).first()
    starts = firsts.dropna().to_numpy(dtype=np.int64)
    group = np.searchsorted(starts, np.arange(n), side="right") - 1
    ends = np.append(starts[1:], n) - 1
    full = sb.resample(bars, timeframe)
    values = {f: bars[f].to_numpy(dtype="float64") for f in _FIELDS_OHLCV}
    whole = {f: full[f].to_numpy(dtype="float64") for f in _FIELDS_OHLCV}
    by = pd.Series(group)
    prefix = {"high": pd.Series(values["high"]).groupby(by).cummax().to_numpy(),
              "low": pd.Series(values["low"]).groupby(by).cummin().to_numpy(),
              "volume": pd.Series(values["volume"]).groupby(by).cumsum().to_numpy()}
    backwards = pd.Series(group[::-1])
    suffix = {"high": pd.Series(values["high"][::-1]).groupby(backwards).cummax().to_numpy()[::-1],
              "low": pd.Series(values["low"][::-1]).groupby(backwards).cummin().to_numpy()[::-1],
              "volume": pd.Series(values["volume"][::-1]).groupby(backwards).cumsum()
              .to_numpy()[::-1]}
    last_row = rows
    first_row = rows + 1 - window
    a, b = group[first_row], group[last_row]
    count = b - a + 1
    width = int(count.max())
    m = len(rows)
    offset = np.arange(width)[None, :] - (width - count)[:, None]  # bar k of each window
    valid = offset >= 0
    take = np.clip(a[:, None] + offset, 0, len(starts) - 1)
    out = {f: np.where(valid, whole[f][take], np.nan) for f in _FIELDS_OHLCV}
    head = width - count  # the column of each window's first resampled bar
    lines = np.arange(m)
    # the first period, from the window's first bar to the period's end
    out["open"][lines, head] = values["open"][first_row]
    out["close"][lines, head] = values["close"][ends[a]]
    for f in ("high", "low", "volume"):
        out[f][lines, head] = suffix[f][first_row]
    # the last period, from its start to the window's last bar
    out["open"][:, -1] = np.where(count > 1, values["open"][starts[b]], out["open"][:, -1])
    out["close"][:, -1] = values["close"][last_row]
    for f in ("high", "low", "volume"):
        out[f][:, -1] = np.where(count > 1, prefix[f][last_row], out[f][:, -1])
    for j in np.flatnonzero(count == 1):  # the whole window inside one period
        lo, hi = first_row[j], last_row[j] + 1
        out["high"][j, -1] = values["high"][lo:hi].max()
        out["low"][j, -1] = values["low"][lo:hi].min()
        out["volume"][j, -1] = values["volume"][lo:hi].sum()
    return out, count


def timeframe_pair(ind: Indicator, bars: pd.DataFrame, window: int, rows: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """`reference_pair` for weekly/monthly indicators, every day at once: each day's window is
    resampled (`_resampled_windows`); a recursive indicator steps over the resampled bars of
    all windows together (`_recurse`); any other runs its `strategy_base` function once over
    all windows laid end to end, each after enough NaN bars that no value reaches into the
    window before it (those functions reduce each rolling window on its own)."""
    n = len(bars)
    now = np.full(n, np.nan)
    before = np.full(n, np.nan)
    wanted = np.unique(rows)
    wanted = wanted[(wanted >= 0) & (wanted + 1 >= window)]
    if ind["kind"] == "volatility" or len(wanted) == 0 or window < 1:
        return reference_pair(ind, bars, window, rows)
    cols, count = _resampled_windows(bars, ind["timeframe"], window, wanted)
    width = cols["close"].shape[1]
    if ind["kind"] in RECURSIVE:
        none = np.full(len(wanted), np.nan)

        def column(k: int) -> tuple[np.ndarray, ...]:
            previous = none if k == 0 else cols["close"][:, k - 1]
            return cols["close"][:, k], cols["high"][:, k], cols["low"][:, k], previous

        last, second = _recurse(ind, column, width)
    else:
        gap = bars_needed(ind) + 2
        pad = np.full((len(wanted), gap), np.nan)
        laid = pd.DataFrame({f: np.concatenate([pad, cols[f]], axis=1).ravel()
                             for f in _FIELDS_OHLCV})
        func = getattr(sb, FUNCTIONS[ind["kind"]])
        values = func(laid, *_args(ind)).to_numpy(dtype="float64").reshape(len(wanted), -1)
        last, second = values[:, -1], values[:, -2]
    now[wanted] = last
    before[wanted] = np.where(count >= 2, second, np.nan)
    return now, before
