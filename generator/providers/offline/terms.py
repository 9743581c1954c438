"""What a trading rule is read into before it becomes spec objects.

This module owns the intermediate terms of the signal path: `Ind` (an indicator as written,
before defaults and symbols are settled), `Op` (an operator word, before it is resolved against
its two sides), `Cond` (one comparison), the scales that say which indicators can be compared,
and `Title` (what a title said that the spec must agree with; read by `framing`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.spec import MACD_KINDS, IndicatorKind, Operator

# lines that can cross each other: a motion verb between two of them is a crossing
LINE_KINDS = {IndicatorKind.sma, IndicatorKind.ema, IndicatorKind.macd, IndicatorKind.macd_signal,
              IndicatorKind.stoch_k, IndicatorKind.stoch_d}
# families compared with each other although their kinds differ
_SCALE_FAMILIES = {
    IndicatorKind.stoch_k: "stochastic", IndicatorKind.stoch_d: "stochastic",
    IndicatorKind.volume: "volume", IndicatorKind.volume_sma: "volume",
}
# indicators measured in price units, comparable with the price and with each other
PRICE_SCALE = {
    IndicatorKind.price, IndicatorKind.sma, IndicatorKind.ema, IndicatorKind.bb_upper,
    IndicatorKind.bb_middle, IndicatorKind.bb_lower, IndicatorKind.highest_high,
    IndicatorKind.lowest_low,
}


@dataclass
class Ind:
    """An indicator as read from the text, before defaults and symbols are resolved."""

    kind: IndicatorKind | None  # None: a bare "the 200-day", a moving average by convention
    period: int | None = None
    symbol: str | None = None
    fast: int | None = None
    slow: int | None = None
    signal: int | None = None
    num_std: float | None = None
    timeframe: str | None = None  # "weekly" / "monthly" bars (spec v2); None is daily


@dataclass
class Op:
    code: str  # ca/cb crosses, mu/md motion, gt/lt level, bu/bd/b? breakout, new, c? unknown
    constant: float | None = None  # "turns positive" carries its own zero


@dataclass
class Cond:
    left: Ind
    op: Operator
    right: Ind | float
    text: str
    offset_pct: float | None = None  # "2% above its 50-day SMA" (spec v2)
    # a crossing read from a motion word ("drops below"), not from "crosses"
    motion: bool = False


def scale(kind: IndicatorKind | None) -> str:
    """Which values an indicator can be compared with: prices, or its own oscillator family."""
    if kind is None or kind in PRICE_SCALE:
        return "price"
    if kind in MACD_KINDS:
        return "macd"
    return _SCALE_FAMILIES.get(kind, kind.value)


# the state a crossing leads to: above the line once it has crossed above it
STATE_OF_CROSS = {Operator.crosses_above: Operator.gt, Operator.crosses_below: Operator.lt}


def negated_op(op: Operator) -> Operator:
    """The operator of the negated comparison (as `Condition.negated`)."""
    return {
        Operator.gt: Operator.lt,
        Operator.lt: Operator.gt,
        Operator.crosses_above: Operator.crosses_below,
        Operator.crosses_below: Operator.crosses_above,
        Operator.ge: Operator.lt,
        Operator.le: Operator.gt,
    }[op]


@dataclass
class Title:
    """What a title said that the spec must agree with."""

    text: str
    symbols: list[str] = field(default_factory=list)
    families: list[str] = field(default_factory=list)
    rsi_periods: list[int] = field(default_factory=list)
    ratio: list[float] | None = None
    count: int | None = None
    crosses: list[str] = field(default_factory=list)  # "golden" / "death"
    # settings the title gives: ("bollinger", period, width), ("stochastic", period, 3),
    # ("donchian", entry period, exit period), ("lines", kind, fast, slow)
    settings: list[tuple[object, ...]] = field(default_factory=list)
    # bare numbers the title says ("EMA crossover on MDY, 20 over 50"): each must be a setting,
    # a level, a control or a count the rules use
    numbers: list[float] = field(default_factory=list)
    # those of `numbers` said with a unit of time ("a 10 week trend"): one may be a period said
    # in weeks, months or years; a bare number ("10 grand a trade") is a length in days or bars
    numbers_with_unit: list[float] = field(default_factory=list)
    # the risk controls the title names ("He uses a trailing stop too."): the spec must have each
    # (a field of `Risk`)
    controls: list[str] = field(default_factory=list)
