"""The small helper module that generated strategies import (and the only stratforge import
they are allowed). It is deliberately plain pandas so that a developer can read it in one go and
`stratforge export` can inline it into a standalone file.

What it owns:

* **completed bars** — `completed_bars` returns a symbol's daily bars dated strictly before the
  strategy's current day. Lumibot's daily data also hands a strategy the current day's bar (close
  included) while a market order submitted now fills at the day's open; deciding on that bar
  would look ahead. Every decision in generated code goes through this function.
* **indicators** — each takes the bars DataFrame (columns open/high/low/close/volume) and returns
  a Series aligned with it: `price`, `sma`, `ema`, `rsi`, `macd_line`, `macd_signal`,
  `macd_hist`, `bollinger_upper/middle/lower`, `rate_of_change`, `highest_high`, `lowest_low`.
  Spec v2 adds `atr`, `stoch_k`, `stoch_d`, `volatility`, `drawdown`, `volume`, `volume_sma`,
  `up_streak`, `down_streak`, and `resample` (weekly/monthly bars built from completed daily
  bars, for indicators on longer timeframes).
* **comparisons** — `latest`, `crossed_above`, `crossed_below`: NaN (not enough history) is
  never a signal; `scaled` puts an offset on a side ("2% above the SMA").
* **calendar** — `period_key` names the daily/weekly/monthly/quarterly/yearly period of a date,
  so a strategy can act once per period.
* **orders** — `trade_to_weights` turns target weights into market orders, sells first.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

__all__ = [
    "atr",
    "bollinger_lower",
    "bollinger_middle",
    "bollinger_upper",
    "completed_bars",
    "crossed_above",
    "crossed_below",
    "down_streak",
    "drawdown",
    "ema",
    "highest_high",
    "latest",
    "lowest_low",
    "macd_hist",
    "macd_line",
    "macd_signal",
    "period_key",
    "plan_orders",
    "price",
    "rate_of_change",
    "resample",
    "rsi",
    "scaled",
    "sma",
    "stoch_d",
    "stoch_k",
    "trade_to_signed_weights",
    "trade_to_weights",
    "up_streak",
    "volatility",
    "volume",
    "volume_sma",
    "weights_drifted",
]

SeriesOrNumber: TypeAlias = pd.Series | float | int


# -- data ----------------------------------------------------------------------------------------
def completed_bars(strategy: Any, symbol: str, length: int) -> pd.DataFrame | None:
    """The last `length` daily bars of `symbol` that closed before the current trading day.

    Returns None while fewer than `length` such bars exist (the strategy is warming up)."""
    bars = strategy.get_historical_prices(symbol, length + 1, "day")
    if bars is None or bars.df is None or bars.df.empty:
        return None
    frame = bars.df
    today = strategy.get_datetime().date()
    # rows dated before today: everything before today's midnight in the bars' own time zone
    # (a slice of the sorted index, not a row-by-row date comparison: this runs every bar)
    cutoff = pd.Timestamp(today)
    if frame.index.tz is not None:
        cutoff = cutoff.tz_localize(frame.index.tz)
    if frame.index.is_monotonic_increasing:
        frame = frame.iloc[: frame.index.searchsorted(cutoff, side="left")]
    else:
        frame = frame[frame.index < cutoff]
    if len(frame) < length:
        return None
    return frame.tail(length)


# -- indicators ----------------------------------------------------------------------------------
def _window(values: pd.Series, period: int, reduce: str, ddof: int = 0) -> pd.Series:
    """A rolling mean/std over `period` values, each window reduced on its own (numpy's pairwise
    sum). pandas' rolling sums are running totals whose rounding depends on where the series
    starts, so the same bar could get a different SMA from a longer history; this value
    depends on the window's values only (the fast engine relies on it for exact parity)."""
    data = values.to_numpy(dtype="float64")
    out = np.full(len(data), np.nan)
    if len(data) >= period:
        windows = np.lib.stride_tricks.sliding_window_view(data, period)
        if reduce == "mean":
            out[period - 1:] = windows.mean(axis=1)
        else:
            out[period - 1:] = windows.std(axis=1, ddof=ddof)
    return pd.Series(out, index=values.index)

def price(bars: pd.DataFrame) -> pd.Series:
    """Closing prices."""
    return bars["close"]


def sma(bars: pd.DataFrame, period: int) -> pd.Series:
    """Simple moving average of the close."""
    return _window(bars["close"], period, "mean")


def ema(bars: pd.DataFrame, period: int) -> pd.Series:
    """Exponential moving average of the close (span = period, seeded on the first bar)."""
    return bars["close"].ewm(span=period, adjust=False, min_periods=period).mean()


def rsi(bars: pd.DataFrame, period: int) -> pd.Series:
    """Wilder's relative strength index, 0..100."""
    change = bars["close"].diff()
    gain = change.clip(lower=0).ewm(alpha=1 / period, adjust=False, min_periods=period).mean()
    loss = (-change.clip(upper=0)).ewm(alpha=1 / period, adjust=False, min_periods=period).mean()
    strength = gain / loss
    out = 100 - 100 / (1 + strength)
    # no losses at all in the window means RSI 100, not NaN
    return out.where(loss != 0, 100.0).where(gain.notna())


def _ewm(series: pd.Series, span: int) -> pd.Series:
    return series.ewm(span=span, adjust=False, min_periods=span).mean()


def macd_line(bars: pd.DataFrame, fast: int, slow: int, signal: int) -> pd.Series:
    """MACD line: fast EMA minus slow EMA of the close."""
    close = bars["close"]
    return _ewm(close, fast) - _ewm(close, slow)


def macd_signal(bars: pd.DataFrame, fast: int, slow: int, signal: int) -> pd.Series:
    """Signal line: EMA of the MACD line."""
    return _ewm(macd_line(bars, fast, slow, signal), signal)


def macd_hist(bars: pd.DataFrame, fast: int, slow: int, signal: int) -> pd.Series:
    """MACD histogram: MACD line minus its signal line."""
    line = macd_line(bars, fast, slow, signal)
    return line - _ewm(line, signal)


def bollinger_middle(bars: pd.DataFrame, period: int, num_std: float) -> pd.Series:
    """Middle Bollinger band: the SMA of the close."""
    return sma(bars, period)


def bollinger_upper(bars: pd.DataFrame, period: int, num_std: float) -> pd.Series:
    """Upper Bollinger band: SMA + num_std population standard deviations."""
    close = bars["close"]
    return sma(bars, period) + num_std * _window(close, period, "std")


def bollinger_lower(bars: pd.DataFrame, period: int, num_std: float) -> pd.Series:
    """Lower Bollinger band: SMA - num_std population standard deviations."""
    close = bars["close"]
    return sma(bars, period) - num_std * _window(close, period, "std")


def rate_of_change(bars: pd.DataFrame, period: int) -> pd.Series:
    """Percent change of the close over `period` bars (momentum)."""
    close = bars["close"]
    return (close / close.shift(period) - 1.0) * 100.0


def highest_high(bars: pd.DataFrame, period: int) -> pd.Series:
    """Highest high of the `period` bars before each bar (so a close above it is a breakout)."""
    return bars["high"].rolling(period, min_periods=period).max().shift(1)


def lowest_low(bars: pd.DataFrame, period: int) -> pd.Series:
    """Lowest low of the `period` bars before each bar."""
    return bars["low"].rolling(period, min_periods=period).min().shift(1)


# -- spec v2 indicators ----------------------------------------------------------------------------
_RESAMPLE_RULES = {"weekly": "W-FRI", "monthly": "ME"}


def resample(bars: pd.DataFrame, timeframe: str) -> pd.DataFrame:
    """Weekly (weeks ending Friday) or monthly bars built from completed daily bars. The last
    bar holds the days of its period completed so far: it never contains today's bar."""
    if timeframe == "daily":
        return bars
    frame = bars.resample(_RESAMPLE_RULES[timeframe]).agg(
        {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"}
    )
    return frame.dropna(subset=["close"])


def atr(bars: pd.DataFrame, period: int) -> pd.Series:
    """Average true range (Wilder's smoothing) in price units."""
    high, low, previous = bars["high"], bars["low"], bars["close"].shift(1)
    ranges = [high - low, (high - previous).abs(), (low - previous).abs()]
    true_range = pd.concat(ranges, axis=1).max(axis=1)  # the first bar: its high - low
    return true_range.ewm(alpha=1 / period, adjust=False, min_periods=period).mean()


def stoch_k(bars: pd.DataFrame, period: int) -> pd.Series:
    """Stochastic %K: where the close sits in the `period`-bar high-low range, 0..100."""
    high = bars["high"].rolling(period, min_periods=period).max()
    low = bars["low"].rolling(period, min_periods=period).min()
    span = high - low
    return ((bars["close"] - low) / span * 100.0).where(span > 0, 50.0).where(span.notna())


def stoch_d(bars: pd.DataFrame, period: int) -> pd.Series:
    """Stochastic %D: the 3-bar simple average of %K."""
    return _window(stoch_k(bars, period), 3, "mean")


def volatility(bars: pd.DataFrame, period: int) -> pd.Series:
    """Annualised standard deviation of daily close-to-close returns over `period` bars, in
    percent (252 bars a year)."""
    returns = bars["close"].pct_change()
    return _window(returns, period, "std", ddof=1) * math.sqrt(252) * 100.0


def drawdown(bars: pd.DataFrame, period: int) -> pd.Series:
    """How far the close is below the highest close of the last `period` bars, in percent
    (0 at a new high, 10 when 10 % below it)."""
    close = bars["close"]
    peak = close.rolling(period, min_periods=period).max()
    return (1.0 - close / peak) * 100.0


def volume(bars: pd.DataFrame) -> pd.Series:
    """Traded volume."""
    return bars["volume"]


def volume_sma(bars: pd.DataFrame, period: int) -> pd.Series:
    """Simple average of the volume over `period` bars."""
    return _window(bars["volume"], period, "mean")


def _streak(moves: pd.Series) -> pd.Series:
    groups = (~moves).cumsum()
    return moves.astype(int).groupby(groups).cumsum().astype(float)


def up_streak(bars: pd.DataFrame) -> pd.Series:
    """Consecutive closes above the close before, ending at each bar (0 when it closed down)."""
    return _streak(bars["close"].diff() > 0)


def down_streak(bars: pd.DataFrame) -> pd.Series:
    """Consecutive closes below the close before, ending at each bar."""
    return _streak(bars["close"].diff() < 0)


def scaled(value: SeriesOrNumber, offset_pct: float) -> SeriesOrNumber:
    """`value` moved by `offset_pct` percent: scaled(sma, 2) is 2 % above the SMA."""
    return value * (1.0 + offset_pct / 100.0)


# -- comparisons ---------------------------------------------------------------------------------
def _at(value: SeriesOrNumber, back: int) -> float:
    if isinstance(value, pd.Series):
        if len(value) < back:
            return math.nan
        return float(value.iloc[-back])
    return float(value)


def latest(value: SeriesOrNumber) -> float:
    """The value on the last completed bar (NaN while warming up)."""
    return _at(value, 1)


def crossed_above(left: SeriesOrNumber, right: SeriesOrNumber) -> bool:
    """True when `left` was at or below `right` on the bar before and is above it on the last."""
    before_l, before_r = _at(left, 2), _at(right, 2)
    now_l, now_r = _at(left, 1), _at(right, 1)
    return before_l <= before_r and now_l > now_r  # NaN compares False


def crossed_below(left: SeriesOrNumber, right: SeriesOrNumber) -> bool:
    """True when `left` was at or above `right` on the bar before and is below it on the last."""
    before_l, before_r = _at(left, 2), _at(right, 2)
    now_l, now_r = _at(left, 1), _at(right, 1)
    return before_l >= before_r and now_l < now_r


# -- calendar ------------------------------------------------------------------------------------
def period_key(moment: datetime | date, frequency: str) -> str:
    """A name for the period that contains `moment`; it changes when a new period starts."""
    day = moment.date() if isinstance(moment, datetime) else moment
    if frequency == "daily":
        return day.isoformat()
    if frequency == "weekly":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if frequency == "monthly":
        return f"{day.year}-{day.month:02d}"
    if frequency == "quarterly":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if frequency == "yearly":
        return str(day.year)
    if frequency == "semiannual":
        return f"{day.year}-H{1 if day.month <= 6 else 2}"
    raise ValueError(f"unknown frequency {frequency!r}")


# -- orders --------------------------------------------------------------------------------------
def weights_drifted(
    strategy: Any, targets: dict[str, float], prices: dict[str, float], band_pct: float
) -> bool:
    """True when nothing is held yet or some symbol's weight is more than `band_pct` percentage
    points from its target (weights valued at the last completed closes)."""
    values = {s: held_quantity(strategy, s) * prices.get(s, 0.0) for s in targets}
    equity = float(strategy.portfolio_value)
    if equity <= 0 or not any(values.values()):
        return True
    return any(abs(values[s] / equity - w) * 100.0 > band_pct for s, w in targets.items())

def held_quantity(strategy: Any, symbol: str) -> float:
    position = strategy.get_position(symbol)
    return float(position.quantity) if position is not None else 0.0


def plan_orders(
    weights: dict[str, float],
    prices: dict[str, float],
    held: Callable[[str], float],
    equity: float,
    *,
    signed: bool = False,
) -> list[tuple[str, float, str]]:
    """The market orders `(symbol, quantity, side)` that bring each symbol of `weights` to
    `weight` x `equity`, in whole shares sized on `prices`, given the quantity `held` of each.

    Long-only (`signed=False`): a weight of zero or less means flat. `signed=True`: a negative
    weight is a short of that share. A symbol without a positive price is left as it is rather
    than guessed. The orders go sells first (closing longs, opening shorts), then covers, then
    buys, so that the cash of a sale or a cover is there before any new long is bought. The
    one sizing rule of both engines: the generated strategies (through `trade_to_weights` and
    `trade_to_signed_weights` below) and `runtime.fast_engine`, which fills these orders itself.
    """
    sells: list[tuple[str, float, str]] = []
    covers: list[tuple[str, float, str]] = []
    buys: list[tuple[str, float, str]] = []
    for symbol, weight in weights.items():
        last = prices.get(symbol)
        quantity = held(symbol)
        if weight == 0 or (weight < 0 and not signed):
            wanted = 0.0
        elif last is None or not last > 0:
            continue  # no price: leave the position as it is rather than guess
        else:
            wanted = math.copysign(math.floor(equity * abs(weight) / last), weight)
        change = wanted - quantity
        if change < 0:
            sells.append((symbol, -change, "sell"))
        elif change > 0:
            (covers if quantity < 0 else buys).append((symbol, change, "buy"))
    return sells + covers + buys


def trade_to_weights(
    strategy: Any,
    weights: dict[str, float],
    prices: dict[str, float],
    symbols: list[str] | None = None,
) -> None:
    """Submit market orders that bring each symbol to `weight` x portfolio value.

    Only the symbols in `symbols` (default: every symbol in `weights`) are touched, so a signal
    strategy can move one position without rebalancing the others. Quantities are whole shares
    sized on `prices` (the last completed close); sells go first so their proceeds pay the buys
    (`plan_orders`).
    """
    targets = symbols if symbols is not None else list(weights)
    wanted = {symbol: weights.get(symbol, 0.0) for symbol in targets}
    _submit(strategy, plan_orders(wanted, prices, lambda symbol: held_quantity(strategy, symbol),
                                  float(strategy.portfolio_value)))


def trade_to_signed_weights(
    strategy: Any, weights: dict[str, float], prices: dict[str, float]
) -> None:
    """`trade_to_weights` for a strategy that may be short: a negative weight is a short
    position of that share of the portfolio (Lumibot sells to open it and buys to cover it).

    Quantities are whole shares sized on `prices` (the last completed close). Orders go sells
    first (closing longs and opening shorts), then covers, then new buys, so that the cash of a
    cover is spent before any new long is bought.
    """
    _submit(strategy, plan_orders(weights, prices, lambda symbol: held_quantity(strategy, symbol),
                                  float(strategy.portfolio_value), signed=True))


def _submit(strategy: Any, orders: list[tuple[str, float, str]]) -> None:
    for symbol, quantity, side in orders:
        strategy.submit_order(strategy.create_order(symbol, quantity, side))
