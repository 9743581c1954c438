"""StrategySpec (v1 and the additive v2): the one contract between "what the user said" and
the generated code.

A provider (the offline parser or an LLM) produces a `StrategySpec`; nothing else reaches the
templates. Every field is an enum or a bounded value and unknown fields are refused
(`extra="forbid"`), so a spec that validates can always be rendered into code we trust.

Two families of strategy share the one model:

* **signal** strategies have `entry` (and usually `exit`) rules evaluated per symbol: a symbol is
  bought when its entry rule fires while flat and sold when its exit rule (or a risk control)
  fires while held. `allocation` says how much each symbol gets; `alternative` is held with the
  money of every symbol that is out of the market.
* **weights** strategies (`allocation.kind` is `target_weights` or `momentum_rotation`) have no
  entry/exit rules: on each scheduled date they compute target weights and rebalance to them.

Semantics shared by both (and by the generated code): rules see only bars that closed before the
current trading day, market orders fill at the day's open; risk controls are checked on the last
completed close.

Server-side limits (`SpecLimits`) are separate from the static bounds of the model: they come
from settings and are applied by `check_limits`.

Version 2 is additive: every v1 spec loads, dumps and renders exactly as before. A spec that
uses any v2 construct is stamped `spec_version: 2` by the model itself (`v2_features` lists
them). The v2 constructs:

* conditions: nested groups (a `Rule` inside a rule's conditions) and `combine: "none"` (none of
  the conditions holds, i.e. "not"/"unless"); operators `ge`/`le` ("3 days in a row" is a streak
  `ge` 3); an offset on the right side (`offset_pct`: "2% above its 50-day SMA");
* indicators: `timeframe` weekly/monthly (bars resampled from the completed daily bars), and ATR,
  stochastic %K/%D, volatility, drawdown from the high, volume and its average, up/down streaks;
* risk: `max_hold_bars`, a time exit ("sell after holding for 5 days");
* schedule: `semiannual`; allocation: `drift_band_pct`, a weights strategy rebalancing only when
  a weight drifts that many points from its target (checked every day), or, with
  `drift_or_schedule`, on its schedule too, whichever comes first.

The v2 fields are left out of a dump while unset, so a v1 spec's JSON (and the sha256 of it in
the rendered file) does not change.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

SPEC_VERSION: Literal[1] = 1  # the version of a spec that uses no v2 construct
LATEST_SPEC_VERSION: Literal[2] = 2

SYMBOL_RE = re.compile(r"^[A-Z][A-Z0-9.\-]{0,9}$")

Symbol = Annotated[str, Field(min_length=1, max_length=10, description="Ticker, upper case")]


def _normalise_symbol(value: str) -> str:
    value = value.strip().upper()
    if not SYMBOL_RE.match(value):
        raise ValueError(f"{value!r} is not a ticker symbol (letters, digits, '.', '-')")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # v2 fields, left out of a dump while unset so that a v1 spec dumps exactly as before
    _V2_FIELDS: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _drop_unset_v2(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            for key in self._V2_FIELDS:
                if data.get(key) is None:
                    data.pop(key, None)
        return data


class IndicatorKind(StrEnum):
    price = "price"  # the close of the last completed bar
    sma = "sma"
    ema = "ema"
    rsi = "rsi"
    macd = "macd"  # MACD line (fast EMA - slow EMA)
    macd_signal = "macd_signal"  # EMA of the MACD line
    macd_hist = "macd_hist"  # MACD line - signal line
    bb_upper = "bb_upper"
    bb_middle = "bb_middle"
    bb_lower = "bb_lower"
    roc = "roc"  # rate of change / momentum over `period` bars, in percent
    highest_high = "highest_high"  # highest high of the `period` bars before the last one
    lowest_low = "lowest_low"  # lowest low of the `period` bars before the last one
    # v2
    atr = "atr"  # average true range over `period` bars (Wilder), in price units
    stoch_k = "stoch_k"  # stochastic %K over `period` bars, 0..100
    stoch_d = "stoch_d"  # 3-bar SMA of %K
    volatility = "volatility"  # annualised stdev of daily returns over `period` bars, percent
    drawdown = "drawdown"  # percent below the highest close of the last `period` bars (>= 0)
    volume = "volume"  # the last bar's volume
    volume_sma = "volume_sma"  # average volume over `period` bars
    up_streak = "up_streak"  # consecutive closes above the close before, ending at the last bar
    down_streak = "down_streak"  # consecutive closes below the close before


class Timeframe(StrEnum):
    daily = "daily"
    weekly = "weekly"  # weeks ending Friday, from completed daily bars (the last may be partial)
    monthly = "monthly"


PERIOD_KINDS = {
    IndicatorKind.sma,
    IndicatorKind.ema,
    IndicatorKind.rsi,
    IndicatorKind.bb_upper,
    IndicatorKind.bb_middle,
    IndicatorKind.bb_lower,
    IndicatorKind.roc,
    IndicatorKind.highest_high,
    IndicatorKind.lowest_low,
    IndicatorKind.atr,
    IndicatorKind.stoch_k,
    IndicatorKind.stoch_d,
    IndicatorKind.volatility,
    IndicatorKind.drawdown,
    IndicatorKind.volume_sma,
}
V2_KINDS = {
    IndicatorKind.atr,
    IndicatorKind.stoch_k,
    IndicatorKind.stoch_d,
    IndicatorKind.volatility,
    IndicatorKind.drawdown,
    IndicatorKind.volume,
    IndicatorKind.volume_sma,
    IndicatorKind.up_streak,
    IndicatorKind.down_streak,
}
MACD_KINDS = {IndicatorKind.macd, IndicatorKind.macd_signal, IndicatorKind.macd_hist}
BOLLINGER_KINDS = {IndicatorKind.bb_upper, IndicatorKind.bb_middle, IndicatorKind.bb_lower}

# Only indicators with a convention everybody means get a default period; a moving average,
# momentum or breakout window must be stated (a provider that leaves it out is refused, not
# given a made-up number).
DEFAULT_PERIODS: dict[IndicatorKind, int] = {
    IndicatorKind.rsi: 14,
    IndicatorKind.bb_upper: 20,
    IndicatorKind.bb_middle: 20,
    IndicatorKind.bb_lower: 20,
    IndicatorKind.atr: 14,
    IndicatorKind.stoch_k: 14,
    IndicatorKind.stoch_d: 14,
}
# bars per period of each timeframe, in daily bars (for lookbacks)
TIMEFRAME_DAYS = {"daily": 1, "weekly": 5, "monthly": 21}


class Indicator(_Model):
    """A number series computed from one symbol's completed daily bars."""

    kind: IndicatorKind
    period: int | None = Field(default=None, ge=1, le=400)
    fast: int | None = Field(default=None, ge=1, le=200, description="MACD fast EMA")
    slow: int | None = Field(default=None, ge=2, le=400, description="MACD slow EMA")
    signal: int | None = Field(default=None, ge=1, le=100, description="MACD signal EMA")
    num_std: float | None = Field(default=None, gt=0, le=5, description="Bollinger width")
    symbol: Symbol | None = Field(
        default=None, description="Symbol to compute on; None means the symbol being traded"
    )
    timeframe: Timeframe | None = Field(
        default=None,
        description="v2: bars the indicator is computed on (weekly/monthly are resampled from "
        "completed daily bars); None means daily",
    )
    _V2_FIELDS: ClassVar[frozenset[str]] = frozenset({"timeframe"})

    @field_validator("symbol")
    @classmethod
    def _symbol(cls, value: str | None) -> str | None:
        return None if value is None else _normalise_symbol(value)

    @field_validator("timeframe")
    @classmethod
    def _timeframe(cls, value: Timeframe | None) -> Timeframe | None:
        return None if value == Timeframe.daily else value

    @property
    def is_v2(self) -> bool:
        return self.kind in V2_KINDS or self.timeframe is not None

    @model_validator(mode="after")
    def _check_timeframe(self) -> Indicator:
        if self.timeframe is not None and self.kind == IndicatorKind.volatility:
            raise ValueError("volatility is annualised from daily returns: give its period in "
                             "days on daily bars")
        return self

    @model_validator(mode="after")
    def _fill_and_check(self) -> Indicator:
        kind = self.kind
        updates: dict[str, object] = {}
        if kind in PERIOD_KINDS:
            if self.period is None:
                if kind not in DEFAULT_PERIODS:
                    raise ValueError(f"{kind.value} needs a period")
                updates["period"] = DEFAULT_PERIODS[kind]
        elif self.period is not None:
            raise ValueError(f"{kind.value} takes no period")
        if kind in MACD_KINDS:
            fast = self.fast if self.fast is not None else 12
            slow = self.slow if self.slow is not None else 26
            if fast >= slow:
                raise ValueError("MACD fast period must be shorter than the slow period")
            updates.update(fast=fast, slow=slow, signal=self.signal or 9)
        elif any(v is not None for v in (self.fast, self.slow, self.signal)):
            raise ValueError(f"{kind.value} takes no fast/slow/signal periods")
        if kind in BOLLINGER_KINDS:
            updates["num_std"] = self.num_std if self.num_std is not None else 2.0
        elif self.num_std is not None:
            raise ValueError(f"{kind.value} takes no num_std")
        for key, value in updates.items():
            object.__setattr__(self, key, value)
        return self

    @property
    def lookback(self) -> int:
        """Completed daily bars needed before the indicator has a value for the last bar."""
        scale = TIMEFRAME_DAYS[self.timeframe.value if self.timeframe else "daily"]
        bars = self._bars_needed()
        # a resampled bar is built from `scale` daily bars, plus one partial period
        return bars if scale == 1 else (bars + 1) * scale

    @property
    def window(self) -> int:
        """The window the indicator is stated over, in daily bars (a 10-week EMA: 50); what a
        server's `max_lookback` limits. Its warm-up (`lookback`) may need more bars."""
        scale = TIMEFRAME_DAYS[self.timeframe.value if self.timeframe else "daily"]
        if self.kind in MACD_KINDS:
            bars = (self.slow or 26) + (self.signal or 9)
        else:
            bars = self.period or 1
        return bars * scale

    def _bars_needed(self) -> int:
        if self.kind in (IndicatorKind.atr, IndicatorKind.volatility):
            return (self.period or 14) * 3 + 1
        if self.kind == IndicatorKind.stoch_d:
            return (self.period or 14) + 3
        if self.kind in (IndicatorKind.up_streak, IndicatorKind.down_streak):
            return 30
        if self.kind == IndicatorKind.volume:
            return 1
        if self.kind in MACD_KINDS:
            return (self.slow or 26) * 3 + (self.signal or 9)
        if self.kind == IndicatorKind.rsi:
            return (self.period or 14) * 5
        if self.kind == IndicatorKind.ema:
            return (self.period or 20) * 3
        if self.kind in (IndicatorKind.highest_high, IndicatorKind.lowest_low, IndicatorKind.roc):
            return (self.period or 1) + 1
        if self.kind == IndicatorKind.price:
            return 1
        return self.period or 1


class Constant(_Model):
    value: float = Field(ge=-1e7, le=1e7)


class Operator(StrEnum):
    crosses_above = "crosses_above"
    crosses_below = "crosses_below"
    gt = "gt"
    lt = "lt"
    ge = "ge"  # v2
    le = "le"  # v2


NEGATED_OPS = {
    Operator.gt: Operator.le,
    Operator.lt: Operator.ge,
    Operator.ge: Operator.lt,
    Operator.le: Operator.gt,
    Operator.crosses_above: Operator.crosses_below,
    Operator.crosses_below: Operator.crosses_above,
}


class Condition(_Model):
    left: Indicator
    op: Operator
    right: Indicator | Constant
    offset_pct: float | None = Field(
        default=None,
        ge=-90,
        le=500,
        description="v2: the right side scaled by (1 + offset_pct/100): 'price 2% above its "
        "50-day SMA' is price gt sma50 with offset_pct 2",
    )
    _V2_FIELDS: ClassVar[frozenset[str]] = frozenset({"offset_pct"})

    @model_validator(mode="after")
    def _check_offset(self) -> Condition:
        if self.offset_pct is not None and not isinstance(self.right, Indicator):
            raise ValueError("an offset applies to an indicator on the right side, not a number")
        if self.offset_pct == 0:
            object.__setattr__(self, "offset_pct", None)
        return self

    @property
    def is_v2(self) -> bool:
        right_v2 = isinstance(self.right, Indicator) and self.right.is_v2
        return (self.op in (Operator.ge, Operator.le) or self.offset_pct is not None
                or self.left.is_v2 or right_v2)

    def negated(self) -> Condition:
        flipped = {
            Operator.gt: Operator.lt,
            Operator.lt: Operator.gt,
            Operator.crosses_above: Operator.crosses_below,
            Operator.crosses_below: Operator.crosses_above,
            Operator.ge: Operator.lt,
            Operator.le: Operator.gt,
        }[self.op]
        return Condition(left=self.left, op=flipped, right=self.right, offset_pct=self.offset_pct)


_ABOVE = (Operator.gt, Operator.ge)
_BELOW = (Operator.lt, Operator.le)


def _never_both(a: Condition, b: Condition) -> bool:
    """Whether two conditions joined by `all` can never be true on the same bar: one value
    above and below the same line ("above its 200-day SMA and also below it"), above a level
    and below a lower one, or crossing the same line both ways."""
    if a.left != b.left:
        return False
    if {a.op, b.op} == {Operator.crosses_above, Operator.crosses_below}:
        return a.right == b.right and a.offset_pct == b.offset_pct
    if a.op in _BELOW and b.op in _ABOVE:
        a, b = b, a
    if not (a.op in _ABOVE and b.op in _BELOW):
        return False
    if isinstance(a.right, Constant) and isinstance(b.right, Constant):
        low, high = a.right.value, b.right.value  # above `low` and below `high`
        return low > high or (low == high and not (a.op == Operator.ge and b.op == Operator.le))
    return (a.right == b.right and a.offset_pct == b.offset_pct
            and not (a.op == Operator.ge and b.op == Operator.le))


class Rule(_Model):
    """Conditions combined with all (and), any (or) or, in v2, none (not any); a condition may
    itself be a rule (a nested group, v2)."""

    combine: Literal["all", "any", "none"] = "all"
    conditions: list[Condition | Rule] = Field(min_length=1, max_length=8)

    def never_true(self) -> list[str]:
        """Why this rule (or a group in it) can never hold: two conditions joined by `all` that
        exclude each other (see `_never_both`); empty when it can."""
        problems: list[str] = []
        conditions = [c for c in self.conditions if isinstance(c, Condition)]
        if self.combine == "all":
            for k, a in enumerate(conditions):
                for b in conditions[k + 1:]:
                    if _never_both(a, b):
                        problems.append(
                            f"the conditions '{a.left.kind} {a.op} ...' and '{b.left.kind} "
                            f"{b.op} ...' on the same values can never hold together")
        for item in self.conditions:
            if isinstance(item, Rule):
                problems.extend(item.never_true())
        return problems

    def flat(self) -> list[Condition]:
        """Every condition of the rule and its nested groups."""
        out: list[Condition] = []
        for item in self.conditions:
            out.extend(item.flat() if isinstance(item, Rule) else [item])
        return out

    @property
    def is_v2(self) -> bool:
        return self.combine == "none" or any(
            isinstance(item, Rule) or item.is_v2 for item in self.conditions
        )


class AllocationKind(StrEnum):
    all_in = "all_in"  # the whole portfolio, split equally if several symbols
    fixed_fraction = "fixed_fraction"  # each symbol gets `fraction` of the portfolio
    equal_weight = "equal_weight"  # each symbol gets 1/N
    target_weights = "target_weights"  # fixed weights, rebalanced on the schedule
    momentum_rotation = "momentum_rotation"  # top N by momentum, rebalanced on the schedule
    # v2: each position gets `amount` dollars, never more than an equal 1/N share
    fixed_amount = "fixed_amount"


WEIGHTS_KINDS = {AllocationKind.target_weights, AllocationKind.momentum_rotation}


class Allocation(_Model):
    kind: AllocationKind = AllocationKind.all_in
    fraction: float | None = Field(default=None, gt=0, le=10)
    weights: dict[str, float] | None = Field(default=None, max_length=50)
    top_n: int | None = Field(default=None, ge=1, le=20)
    lookback_days: int | None = Field(default=None, ge=5, le=400)
    require_positive_momentum: bool = False
    alternative: Symbol | None = Field(
        default=None, description="Held with the money not allocated by the rules (beside "
        "target weights: given the rest of the portfolio as a weight of its own)"
    )
    drift_band_pct: float | None = Field(
        default=None,
        ge=0.5,
        le=50,
        description="v2, target_weights only: rebalance when a weight is more than this many "
        "percentage points from its target (checked every day) instead of on the schedule "
        "(or as well as, with drift_or_schedule)",
    )
    drift_or_schedule: bool | None = Field(
        default=None,
        description="v2, with drift_band_pct: rebalance on the schedule too, whichever comes "
        "first ('quarterly, or sooner if a weight drifts 5 points'); the schedule must be weekly "
        "or longer",
    )
    target_volatility_pct: float | None = Field(
        default=None,
        ge=1,
        le=100,
        description="v2: volatility targeting: each position's weight is scaled down by "
        "target / its realised annualised volatility (never up), measured over volatility_days",
    )
    volatility_days: int | None = Field(default=None, ge=5, le=252)
    amount: float | None = Field(
        default=None, ge=100, le=1e9, description="v2, fixed_amount: dollars per position"
    )
    buy_once: bool | None = Field(
        default=None,
        description="v2, target_weights only: bought at the weights once and then held, never "
        "rebalanced ('buy and hold, never rebalance'); the weights drift with the prices",
    )
    _V2_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"drift_band_pct", "drift_or_schedule", "target_volatility_pct", "volatility_days",
         "amount", "buy_once"}
    )

    @field_validator("alternative")
    @classmethod
    def _alternative(cls, value: str | None) -> str | None:
        return None if value is None else _normalise_symbol(value)

    @field_validator("weights")
    @classmethod
    def _weights(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is None:
            return None
        out: dict[str, float] = {}
        for symbol, weight in value.items():
            if not 0 < weight <= 10:
                raise ValueError(f"weight of {symbol} must be above 0 and at most 10")
            out[_normalise_symbol(symbol)] = float(weight)
        return out

    @model_validator(mode="after")
    def _check(self) -> Allocation:
        kind = self.kind
        if kind == AllocationKind.fixed_fraction and self.fraction is None:
            raise ValueError("fixed_fraction needs a fraction")
        if kind != AllocationKind.fixed_fraction and self.fraction is not None:
            raise ValueError(f"{kind.value} takes no fraction")
        if kind == AllocationKind.target_weights and not self.weights:
            raise ValueError("target_weights needs weights")
        if kind != AllocationKind.target_weights and self.weights:
            raise ValueError(f"{kind.value} takes no weights")
        if kind == AllocationKind.momentum_rotation:
            if self.top_n is None:
                object.__setattr__(self, "top_n", 1)
            if self.lookback_days is None:
                raise ValueError("momentum_rotation needs lookback_days")
        elif self.top_n is not None or self.lookback_days is not None:
            raise ValueError(f"{kind.value} takes no top_n/lookback_days")
        elif self.require_positive_momentum:
            raise ValueError("require_positive_momentum applies to momentum_rotation only")
        if (kind == AllocationKind.fixed_amount) != (self.amount is not None):
            raise ValueError("fixed_amount takes an amount, and only fixed_amount does")
        if kind == AllocationKind.fixed_amount and self.target_volatility_pct is not None:
            raise ValueError("a fixed amount and volatility targeting cannot be combined")
        if self.drift_band_pct is not None and kind != AllocationKind.target_weights:
            raise ValueError("a drift band applies to target_weights only")
        if self.drift_or_schedule and self.drift_band_pct is None:
            raise ValueError("drift_or_schedule applies with drift_band_pct only")
        if self.drift_or_schedule is False:
            object.__setattr__(self, "drift_or_schedule", None)  # False is the default, unset
        if self.buy_once is False:
            object.__setattr__(self, "buy_once", None)  # False is the default, unset
        if self.buy_once:
            if kind != AllocationKind.target_weights:
                raise ValueError("buy_once applies to target_weights only")
            if self.drift_band_pct is not None or self.target_volatility_pct is not None:
                raise ValueError("a portfolio bought once is never rebalanced: it takes no drift "
                                 "band and no volatility targeting")
        if self.target_volatility_pct is None:
            if self.volatility_days is not None:
                raise ValueError("volatility_days applies with target_volatility_pct only")
        else:
            if self.drift_band_pct is not None:
                raise ValueError("a drift band and volatility targeting cannot be combined")
            if self.volatility_days is None:
                object.__setattr__(self, "volatility_days", 20)
        return self


class Frequency(StrEnum):
    daily = "daily"
    weekly = "weekly"
    monthly = "monthly"
    quarterly = "quarterly"
    yearly = "yearly"
    semiannual = "semiannual"  # v2: January and July


class Risk(_Model):
    stop_loss_pct: float | None = Field(default=None, gt=0, lt=100)
    take_profit_pct: float | None = Field(default=None, gt=0, le=1000)
    trailing_stop_pct: float | None = Field(default=None, gt=0, lt=100)
    max_hold_bars: int | None = Field(
        default=None, ge=1, le=400, description="v2: sell after holding this many trading days"
    )
    min_hold_bars: int | None = Field(
        default=None, ge=1, le=400,
        description="v2: the sell rule waits until a position has been held this many trading "
        "days (the stops, targets and time exit do not)",
    )
    _V2_FIELDS: ClassVar[frozenset[str]] = frozenset({"max_hold_bars", "min_hold_bars"})

    @model_validator(mode="after")
    def _check_holds(self) -> Risk:
        low, high = self.min_hold_bars, self.max_hold_bars
        if low is not None and high is not None and low > high:
            raise ValueError("the minimum holding period is longer than the time exit")
        return self

    @property
    def any(self) -> bool:
        return any(
            v is not None
            for v in (self.stop_loss_pct, self.take_profit_pct, self.trailing_stop_pct,
                      self.max_hold_bars)
        )


class Leg(_Model):
    """v2: one symbol with its own share and its own buy/sell rules ("50% on SPY when its 50-day
    SMA is above its 200-day, and 50% on TLT when its RSI is below 30")."""

    symbol: Symbol
    fraction: float = Field(gt=0, le=10, description="Share of the portfolio while in the market")
    entry: Rule
    exit: Rule | None = None
    risk: Risk | None = Field(
        default=None,
        description="v2: this leg's own stop loss, take profit and trailing stop; each one given "
        "replaces the strategy's for this symbol (holding periods stay the strategy's)",
    )

    @field_validator("symbol")
    @classmethod
    def _symbol(cls, value: str) -> str:
        return _normalise_symbol(value)

    @model_validator(mode="after")
    def _check_risk(self) -> Leg:
        risk = self.risk
        if risk is not None and (risk.max_hold_bars is not None or risk.min_hold_bars is not None):
            raise ValueError("a leg's own risk controls are a stop loss, a take profit and a "
                             "trailing stop; holding periods are the strategy's")
        return self


class StrategySpec(_Model):
    spec_version: Literal[1, 2] = SPEC_VERSION
    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9 _.,&%/()+\-]+$")
    symbols: list[Symbol] = Field(min_length=1, max_length=50)
    entry: Rule | None = None
    exit: Rule | None = None
    allocation: Allocation = Allocation()
    schedule: Frequency | None = Field(
        default=None,
        description="When rules/rebalancing are evaluated; default daily for "
        "signal strategies, monthly for weights strategies",
    )
    risk: Risk = Risk()
    side: Literal["long", "short"] | None = Field(
        default=None,
        description="v2: 'short' sells each symbol short when the entry rule fires and buys it "
        "back (covers) when the exit rule fires; only on a server that allows shorts "
        "(STRATFORGE_ALLOW_SHORT). None or 'long' is the usual long-only strategy",
    )
    legs: list[Leg] | None = Field(
        default=None,
        min_length=2,
        max_length=20,
        description="v2: per-symbol legs, each with its own share and rules; `symbols` lists the "
        "legs' symbols in order, and the spec has no top-level entry/exit rule",
    )
    _V2_FIELDS: ClassVar[frozenset[str]] = frozenset({"side", "legs"})

    @field_validator("side")
    @classmethod
    def _side(cls, value: str | None) -> str | None:
        return None if value == "long" else value

    @field_validator("symbols")
    @classmethod
    def _symbols(cls, value: list[str]) -> list[str]:
        out: list[str] = []
        for symbol in value:
            symbol = _normalise_symbol(symbol)
            if symbol in out:
                raise ValueError(f"{symbol} is listed twice")
            out.append(symbol)
        return out

    @model_validator(mode="after")
    def _check(self) -> StrategySpec:
        if (self.allocation.kind == AllocationKind.target_weights
                and self.allocation.alternative is not None):
            self._rest_of_fixed_weights(self.allocation.alternative)
        alloc = self.allocation
        if self.legs is not None:
            self._check_legs()
        elif alloc.kind in WEIGHTS_KINDS:
            if self.entry is not None or self.exit is not None:
                raise ValueError(f"{alloc.kind.value} strategies take no entry/exit rules")
        elif self.entry is None:
            raise ValueError("a signal strategy needs an entry rule")
        if (
            alloc.kind == AllocationKind.target_weights
            and alloc.weights is not None
            and set(alloc.weights) != set(self.symbols)
        ):
            raise ValueError("target weights must name exactly the strategy's symbols")
        if alloc.kind == AllocationKind.momentum_rotation and (alloc.top_n or 1) > len(
            self.symbols
        ):
            raise ValueError("top_n is larger than the number of symbols")
        if alloc.alternative is not None and alloc.alternative in self.symbols:
            raise ValueError("the alternative asset must not be one of the traded symbols")
        close = self._period_close()
        if self.schedule is None:
            default = Frequency.monthly if alloc.kind in WEIGHTS_KINDS else Frequency.daily
            object.__setattr__(self, "schedule", close or default)
        if close is not None:
            self._check_period_close(close)
        if alloc.drift_band_pct is not None and self.risk.any:
            raise ValueError("a drift band takes no risk controls (a stop would be bought back)")
        if alloc.buy_once and self.risk.any:
            raise ValueError("a portfolio bought once takes no risk controls")
        if alloc.drift_or_schedule and self.schedule == Frequency.daily:
            raise ValueError("a drift band with a schedule needs a weekly or longer schedule (a "
                             "drift band is already checked every day)")
        if self.risk.max_hold_bars is not None and alloc.kind in WEIGHTS_KINDS:
            raise ValueError("a time exit (max_hold_bars) applies to signal strategies only")
        if self.risk.min_hold_bars is not None and alloc.kind in WEIGHTS_KINDS:
            raise ValueError("a minimum holding period applies to signal strategies only")
        if self.side == "short":
            self._check_short()
        if self.v2_features():
            object.__setattr__(self, "spec_version", LATEST_SPEC_VERSION)
        return self

    def _rest_of_fixed_weights(self, alternative: str) -> None:
        """Fixed weights with an alternative asset ("40% SPY, 40% TLT, the rest goes to GLD")
        give the alternative the rest as a weight of its own: a fixed-weight portfolio has no
        rules whose idle money the alternative could hold, and its code buys only the weights
        (an alternative left beside them was described and never bought)."""
        alloc = self.allocation
        weights = dict(alloc.weights or {})
        total = sum(weights.values())
        rest = round(1.0 - total, 6)
        if rest <= 0:
            raise ValueError(f"the weights add up to {round(total * 100, 4):g}%: nothing is left "
                             f"for the alternative asset {alternative}")
        if alternative in weights:
            raise ValueError(f"{alternative} has a weight and is the alternative asset: give it "
                             f"one weight")
        weights[alternative] = rest
        object.__setattr__(self, "symbols", [*self.symbols, alternative])
        object.__setattr__(self, "allocation",
                           alloc.model_copy(update={"weights": weights, "alternative": None}))

    def _check_legs(self) -> None:
        legs = self.legs or []
        if self.entry is not None or self.exit is not None:
            raise ValueError("a strategy with per-symbol legs has its rules in the legs, not in "
                             "entry/exit")
        if [leg.symbol for leg in legs] != list(self.symbols):
            raise ValueError("symbols must list the legs' symbols, in order")
        if self.allocation != Allocation():
            raise ValueError("per-symbol legs carry their own shares: leave allocation out")

    def _period_close(self) -> Frequency | None:
        """The period whose close a rule reads ("sell on a weekly close below the 10-week SMA":
        `price` on weekly bars), if any."""
        closes = {ind.timeframe.value for ind in self.indicators()
                  if ind.kind == IndicatorKind.price and ind.timeframe is not None}
        if len(closes) > 1:
            raise ValueError("the rules read both a weekly and a monthly close: use one")
        return Frequency(closes.pop()) if closes else None

    def _check_period_close(self, close: Frequency) -> None:
        """A weekly (monthly) close is known only when the week (month) has ended, so rules
        reading one are checked on that schedule: at the start of each period, on the closes
        of the period before (without it the last bar of the week so far would stand in for
        the week's close: the daily close, every day). Every rule of the strategy is then
        checked once a period, daily series included (sampled on the period's last close, as
        "on a monthly close above the 10-month SMA" means); the summary says so."""
        unit = "week" if close == Frequency.weekly else "month"
        if self.schedule != close:
            raise ValueError(f"a {close.value} close is known only when the {unit} ends: the "
                             f"rules reading it are checked {close.value} (schedule "
                             f"'{close.value}'), not {self.schedule}")

    def _check_short(self) -> None:
        alloc = self.allocation
        if alloc.kind not in (AllocationKind.all_in, AllocationKind.equal_weight,
                              AllocationKind.fixed_fraction):
            raise ValueError(f"a short strategy is sized all_in, equal_weight or fixed_fraction, "
                             f"not {alloc.kind.value}")
        if alloc.alternative is not None or alloc.target_volatility_pct is not None:
            raise ValueError("a short strategy takes no alternative asset or volatility target")
        risks = [self.risk] + [leg.risk for leg in self.legs or [] if leg.risk is not None]
        if any(v is not None for risk in risks for v in (
                risk.stop_loss_pct, risk.take_profit_pct, risk.trailing_stop_pct)):
            raise ValueError("stops and profit targets are not supported on short positions yet "
                             "(a time exit is)")

    def v2_features(self) -> list[str]:
        """The v2 constructs the spec uses (empty for a v1 spec)."""
        out: list[str] = []
        for role, rule in (("entry", self.entry), ("exit", self.exit)):
            if rule is not None and rule.is_v2:
                out.append(f"{role} rule")
        if self.schedule == Frequency.semiannual:
            out.append("semiannual schedule")
        if self.allocation.drift_band_pct is not None:
            out.append("drift band")
        if self.allocation.target_volatility_pct is not None:
            out.append("volatility target")
        if self.allocation.buy_once:
            out.append("bought once, never rebalanced")
        if self.allocation.kind == AllocationKind.fixed_amount:
            out.append("fixed amount")
        if self.risk.max_hold_bars is not None:
            out.append("time exit")
        if self.risk.min_hold_bars is not None:
            out.append("minimum holding period")
        if self.side == "short":
            out.append("short positions")
        if self.legs is not None:
            out.append("per-symbol legs")
        return out

    def rules(self) -> list[tuple[str, Rule]]:
        """Every rule with its role ("entry"/"exit"), the legs' included."""
        out: list[tuple[str, Rule]] = []
        pairs = [(self.entry, self.exit)] + [(leg.entry, leg.exit) for leg in self.legs or []]
        for entry, exit_ in pairs:
            if entry is not None:
                out.append(("entry", entry))
            if exit_ is not None:
                out.append(("exit", exit_))
        return out

    # -- derived facts used by limits, rendering and the market-data checks -------------------
    @property
    def is_weights(self) -> bool:
        return self.allocation.kind in WEIGHTS_KINDS

    def conditions(self) -> list[Condition]:
        out: list[Condition] = []
        for _, rule in self.rules():
            out.extend(rule.flat())
        return out

    def indicators(self) -> list[Indicator]:
        out: list[Indicator] = []
        for cond in self.conditions():
            out.append(cond.left)
            if isinstance(cond.right, Indicator):
                out.append(cond.right)
        return out

    def all_symbols(self) -> list[str]:
        """Every symbol whose bars the strategy reads or trades, in a stable order."""
        out = list(self.symbols)
        extra = [ind.symbol for ind in self.indicators() if ind.symbol]
        if self.allocation.alternative:
            extra.append(self.allocation.alternative)
        for symbol in extra:
            if symbol and symbol not in out:
                out.append(symbol)
        return out

    def lookback(self) -> int:
        """Completed bars the strategy needs before its first decision."""
        needs = [ind.lookback for ind in self.indicators()]
        if self.allocation.kind == AllocationKind.momentum_rotation:
            needs.append((self.allocation.lookback_days or 126) + 1)
        if self.allocation.volatility_days is not None:
            needs.append(self.allocation.volatility_days + 1)
        # one extra bar so that "crosses" can compare yesterday with the day before
        return max(needs, default=1) + 2

    def window(self) -> int:
        """The longest window any indicator, momentum or volatility measure is stated over, in
        daily bars (see `Indicator.window`)."""
        alloc = self.allocation
        needs = [ind.window for ind in self.indicators()]
        needs.append(alloc.lookback_days or 0)
        needs.append(alloc.volatility_days or 0)
        return max(needs, default=1)

    def leverage(self) -> float:
        alloc = self.allocation
        if self.legs is not None:
            return sum(leg.fraction for leg in self.legs)
        if alloc.kind == AllocationKind.fixed_fraction:
            return (alloc.fraction or 0.0) * len(self.symbols)
        if alloc.kind == AllocationKind.target_weights:
            return sum((alloc.weights or {}).values())
        return 1.0


class SpecLimits(BaseModel):
    """Server-side limits, set in `Settings`; a spec past them is refused, never clamped quietly."""

    max_symbols: int = 20
    max_leverage: float = 1.0
    max_lookback: int = 400
    max_conditions: int = 8
    allow_short: bool = False  # STRATFORGE_ALLOW_SHORT


SHORT_NOT_ALLOWED = (
    "short positions are not allowed on this server (STRATFORGE_ALLOW_SHORT is off); a short "
    "is never turned into a long"
)


class LimitError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def never_true(spec: StrategySpec) -> list[str]:
    """The rules of a spec that can never hold ("above its 200-day SMA and also below it"), each
    named. Checked when a spec is made (`generator.pipeline`), for every provider; deliberately
    not a model validator, so that a spec stored before this check still loads."""
    rules: list[tuple[str, Rule | None]] = [("entry", spec.entry), ("exit", spec.exit)]
    for leg in spec.legs or []:
        rules += [(f"{leg.symbol}'s entry", leg.entry), (f"{leg.symbol}'s exit", leg.exit)]
    return [f"the {role} rule: {problem}" for role, rule in rules if rule is not None
            for problem in rule.never_true()]


def check_limits(spec: StrategySpec, limits: SpecLimits) -> None:
    problems: list[str] = []
    if len(spec.all_symbols()) > limits.max_symbols:
        problems.append(
            f"uses {len(spec.all_symbols())} symbols; this server allows {limits.max_symbols}"
        )
    if spec.leverage() > limits.max_leverage + 1e-9:
        problems.append(
            f"allocates {spec.leverage():.2f}x the portfolio; this server allows at most "
            f"{limits.max_leverage:.2f}x"
        )
    if spec.window() > limits.max_lookback:
        problems.append(
            f"uses a {spec.window()}-bar window; this server allows windows of at most "
            f"{limits.max_lookback} bars"
        )
    if len(spec.conditions()) > limits.max_conditions:
        problems.append(f"has {len(spec.conditions())} conditions; limit {limits.max_conditions}")
    if spec.side == "short" and not limits.allow_short:
        problems.append(SHORT_NOT_ALLOWED)
    if problems:
        raise LimitError(problems)


def spec_json_schema() -> dict[str, object]:
    return StrategySpec.model_json_schema()
