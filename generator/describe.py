"""Plain-English rendering of a StrategySpec, so a user can check what was understood.

This module owns the wording shown back to the user after parsing (by the offline parser or an
LLM provider). It reads a validated `StrategySpec` and never changes it. The output is
deterministic: the same spec always gives the same text, and it mentions every rule, the
allocation, the alternative asset, the risk controls and the schedule, in at most four sentences:

1. what is traded (or rotated / held at fixed weights);
2. the entry and exit rules (or the rotation's ranking);
3. how much is invested, where idle money goes and the risk controls;
4. when rules are checked or the portfolio is rebalanced.
"""

from __future__ import annotations

from generator.spec import (
    MACD_KINDS,
    V2_KINDS,
    AllocationKind,
    Condition,
    Constant,
    Frequency,
    Indicator,
    IndicatorKind,
    Operator,
    Risk,
    Rule,
    StrategySpec,
)

_OP_TEXT: dict[Operator, str] = {
    Operator.crosses_above: "crosses above",
    Operator.crosses_below: "crosses below",
    Operator.gt: "is above",
    Operator.lt: "is below",
    Operator.ge: "is at least",
    Operator.le: "is at most",
}
_TIMEFRAME_UNIT = {None: "day", "weekly": "week", "monthly": "month"}

_SIGNAL_SCHEDULE: dict[Frequency, str] = {
    Frequency.daily: "every trading day",
    Frequency.weekly: "once a week",
    Frequency.monthly: "once a month",
    Frequency.quarterly: "once a quarter",
    Frequency.yearly: "once a year",
    Frequency.semiannual: "twice a year (January and July)",
}


def format_number(value: float) -> str:
    """`30.0` -> "30", `2.5` -> "2.5", `0.3333333` -> "33.33" style trimming without noise."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def format_percent(fraction: float) -> str:
    """A fraction of the portfolio as a percentage: 0.25 -> "25%", 1/3 -> "33.33%"."""
    pct = round(fraction * 100, 2)
    return f"{format_number(pct)}%"


def join_words(items: list[str], conj: str = "and") -> str:
    """["a"] -> "a"; ["a", "b"] -> "a and b"; ["a", "b", "c"] -> "a, b and c"."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conj} {items[-1]}"


def _macd_params(ind: Indicator) -> str:
    return f"{ind.fast}/{ind.slow}/{ind.signal}"


def describe_indicator(ind: Indicator) -> str:
    """A noun phrase for one indicator, e.g. "the 50-day SMA" or "the 14-day RSI of SPY"."""
    kind = ind.kind
    period = ind.period
    unit = _TIMEFRAME_UNIT[ind.timeframe.value if ind.timeframe else None]
    if ind.timeframe is not None or kind in V2_KINDS:
        text = _describe_v2_indicator(ind, unit)
    elif kind == IndicatorKind.price:
        text = "the price"
    elif kind == IndicatorKind.sma:
        text = f"the {period}-day SMA"
    elif kind == IndicatorKind.ema:
        text = f"the {period}-day EMA"
    elif kind == IndicatorKind.rsi:
        text = f"the {period}-day RSI"
    elif kind == IndicatorKind.macd:
        text = f"the MACD line ({_macd_params(ind)})"
    elif kind == IndicatorKind.macd_signal:
        text = f"the MACD signal line ({_macd_params(ind)})"
    elif kind == IndicatorKind.macd_hist:
        text = f"the MACD histogram ({_macd_params(ind)})"
    elif kind in (IndicatorKind.bb_upper, IndicatorKind.bb_middle, IndicatorKind.bb_lower):
        band = kind.value.removeprefix("bb_")
        width = format_number(ind.num_std if ind.num_std is not None else 2.0)
        text = f"the {band} Bollinger band ({period}-day, {width} std)"
    elif kind == IndicatorKind.roc:
        text = f"the {period}-day momentum (rate of change)"
    elif kind == IndicatorKind.highest_high:
        text = f"the highest high of the previous {period} days"
    elif kind == IndicatorKind.lowest_low:
        text = f"the lowest low of the previous {period} days"
    else:  # pragma: no cover - every IndicatorKind is handled above
        text = kind.value
    if ind.symbol:
        # "the price of SPY" reads better than "SPY's the price"
        text = f"{text} of {ind.symbol}"
    return text


def _describe_v2_indicator(ind: Indicator, unit: str) -> str:
    kind, period = ind.kind, ind.period
    names = {
        IndicatorKind.sma: "SMA", IndicatorKind.ema: "EMA", IndicatorKind.rsi: "RSI",
        IndicatorKind.atr: "average true range", IndicatorKind.stoch_k: "stochastic %K",
        IndicatorKind.stoch_d: "stochastic %D",
        IndicatorKind.volatility: "volatility (annualised, %)",
        IndicatorKind.drawdown: "drawdown from the high (%)",
        IndicatorKind.volume_sma: "average volume",
        IndicatorKind.roc: "momentum (rate of change)",
    }
    if kind in names and period is not None:
        text = f"the {period}-{unit} {names[kind]}"
    elif kind == IndicatorKind.price:
        text = "the price" if unit == "day" else f"the {unit}ly close"
    elif kind == IndicatorKind.volume:
        text = "the volume"
    elif kind == IndicatorKind.up_streak:
        text = f"the number of {unit}s in a row it closed up"
    elif kind == IndicatorKind.down_streak:
        text = f"the number of {unit}s in a row it closed down"
    elif kind == IndicatorKind.highest_high:
        text = f"the highest high of the previous {period} {unit}s"
    elif kind == IndicatorKind.lowest_low:
        text = f"the lowest low of the previous {period} {unit}s"
    else:
        base = Indicator(kind=kind, period=period, fast=ind.fast, slow=ind.slow,
                         signal=ind.signal, num_std=ind.num_std)
        text = f"{describe_indicator(base)} on {unit}ly bars"
    return text


def _describe_constant(value: Constant, left: Indicator) -> str:
    number = format_number(value.value)
    # momentum is a percentage; the others are plain levels
    return f"{number}%" if left.kind == IndicatorKind.roc else number


def describe_condition(cond: Condition) -> str:
    """One condition as a clause, e.g. "the 50-day SMA crosses above the 200-day SMA"."""
    left = describe_indicator(cond.left)
    if isinstance(cond.right, Constant):
        right = _describe_constant(cond.right, cond.left)
        if cond.right.value == 0 and cond.left.kind in MACD_KINDS | {IndicatorKind.roc}:
            # "turns positive" is how people say it for oscillators around zero
            words = {
                Operator.crosses_above: "turns positive",
                Operator.crosses_below: "turns negative",
                Operator.gt: "is positive",
                Operator.lt: "is negative",
            }.get(cond.op)  # "is at least 0" / "is at most 0" read fine as they are
            if words is not None:
                return f"{left} {words}"
    else:
        right = describe_indicator(cond.right)
        if cond.offset_pct is not None:
            side = "above" if cond.offset_pct > 0 else "below"
            offset = format_number(abs(cond.offset_pct))
            return f"{left} {_OP_TEXT[cond.op]} the level {offset}% {side} {right}"
    return f"{left} {_OP_TEXT[cond.op]} {right}"


def describe_rule(rule: Rule) -> str:
    parts = [
        f"({describe_rule(c)})" if isinstance(c, Rule) else describe_condition(c)
        for c in rule.conditions
    ]
    if rule.combine == "none":
        return "not " + (parts[0] if len(parts) == 1 else "any of: " + join_words(parts, "or"))
    if len(parts) == 1:
        return parts[0]
    if rule.combine == "all":
        return join_words(parts, "and")
    return "any of: " + join_words(parts, "or")


def _describe_risk(risk: Risk) -> list[str]:
    parts: list[str] = []
    if risk.stop_loss_pct is not None:
        parts.append(f"a {format_number(risk.stop_loss_pct)}% stop loss")
    if risk.trailing_stop_pct is not None:
        parts.append(f"a {format_number(risk.trailing_stop_pct)}% trailing stop")
    if risk.take_profit_pct is not None:
        parts.append(f"a {format_number(risk.take_profit_pct)}% take profit")
    if risk.max_hold_bars is not None:
        parts.append(f"a time exit after {risk.max_hold_bars} trading days held")
    if risk.min_hold_bars is not None:
        parts.append(f"a minimum holding period of {risk.min_hold_bars} trading days before "
                     "the sell rule applies")
    return parts


def _risk_clause(spec: StrategySpec) -> str:
    parts = _describe_risk(spec.risk)
    if not parts:
        return ""
    return f"; each position has {join_words(parts)} (checked on the last close)"


def _sentence(text: str) -> str:
    text = text.strip()
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _legs_sentences(spec: StrategySpec) -> list[str]:
    short = spec.side == "short"
    out = [f"Trades {join_words(list(spec.symbols))}, each with its own rule"]
    for leg in spec.legs or []:
        text = (f"{leg.symbol} gets {format_percent(leg.fraction)} of the portfolio: "
                f"{'sold short' if short else 'bought'} when {describe_rule(leg.entry)}")
        if leg.exit is not None:
            text += f", {'covered' if short else 'sold'} when {describe_rule(leg.exit)}"
        if leg.risk is not None and leg.risk.any:
            text += f", with {join_words(_describe_risk(leg.risk))} of its own"
        out.append(text)
    out.append("Money that is out of the market stays in cash" + _risk_clause(spec))
    schedule = spec.schedule or Frequency.daily
    out.append(f"Rules are checked {_SIGNAL_SCHEDULE[schedule]} on completed daily bars")
    return out


def _signal_sentences(spec: StrategySpec) -> list[str]:
    if spec.legs is not None:
        return _legs_sentences(spec)
    symbols = join_words(list(spec.symbols))
    out = [f"Trades {symbols}"]
    assert spec.entry is not None  # a validated signal spec always has an entry rule
    short = spec.side == "short"
    rules = f"{'sells short' if short else 'buys'} when {describe_rule(spec.entry)}"
    if spec.exit is not None:
        rules += f"; {'covers (buys back)' if short else 'sells'} when {describe_rule(spec.exit)}"
    elif spec.risk.any:
        rules += "; there is no sell rule, so positions are closed only by the risk controls"
    else:
        rules += "; there is no sell rule and no risk control, so a position is never sold"
    out.append(rules)

    alloc = spec.allocation
    many = len(spec.symbols) > 1
    if alloc.kind == AllocationKind.fixed_fraction:
        size = format_percent(alloc.fraction or 0.0)
        money = f"invests {size} of the portfolio in each position"
    elif alloc.kind == AllocationKind.fixed_amount:
        money = (f"invests ${format_number(alloc.amount or 0)} in each position (at most an "
                 f"equal 1/{len(spec.symbols)} share of the portfolio)")
    elif alloc.kind == AllocationKind.equal_weight:
        money = f"gives each symbol an equal 1/{len(spec.symbols)} share of the portfolio"
    else:
        money = "invests the whole portfolio" + (", split equally among the symbols" if many
                                                 else "")
    if short:
        money = money.replace("invests", "sells short", 1).replace("gives", "shorts", 1)
    if alloc.target_volatility_pct is not None:
        money += (f", scaled down so each position's volatility is at most "
                  f"{format_number(alloc.target_volatility_pct)}% a year ({alloc.volatility_days}-"
                  "day realised)")
    if alloc.alternative:
        money += f", and holds {alloc.alternative} with the money that is out of the market"
    else:
        money += ", and keeps money that is out of the market in cash"
    out.append(money + _risk_clause(spec))
    schedule = spec.schedule or Frequency.daily
    out.append(f"Rules are checked {_SIGNAL_SCHEDULE[schedule]} on completed daily bars")
    return out


def _weights_sentences(spec: StrategySpec) -> list[str]:
    alloc = spec.allocation
    weights = alloc.weights or {}
    parts = [f"{format_percent(weights[s])} {s}" for s in spec.symbols if s in weights]
    out = [f"Holds a fixed-weight portfolio of {join_words(parts)}"]
    total = sum(weights.values())
    # (an alternative asset beside fixed weights is a weight of its own: `StrategySpec`)
    if total < 1 - 1e-6:
        rest = f"the remaining {format_percent(1 - total)} stays in cash"
    elif total > 1 + 1e-6:
        rest = f"this uses {format_number(round(total, 4))}x the portfolio (leverage)"
    else:
        rest = "the portfolio is fully invested"
    if alloc.target_volatility_pct is not None:
        rest += (f"; each weight is scaled down so its volatility is at most "
                 f"{format_number(alloc.target_volatility_pct)}% a year ({alloc.volatility_days}-"
                 "day realised), the rest stays in cash")
    out.append(rest[0].upper() + rest[1:] + _risk_clause(spec))
    if alloc.buy_once:
        out.append("Bought once at these weights and then held: never rebalanced, so the weights "
                   "drift with the prices")
    elif alloc.drift_band_pct is not None:
        first = (f"{_SIGNAL_SCHEDULE[spec.schedule or Frequency.monthly]}, or sooner when"
                 if alloc.drift_or_schedule else "when")
        out.append(f"Rebalances {first} a weight drifts more than "
                   f"{format_number(alloc.drift_band_pct)} points from its target (checked "
                   "every trading day)")
    else:
        out.append(f"Rebalances {_SIGNAL_SCHEDULE[spec.schedule or Frequency.monthly]}")
    return out


def _rotation_sentences(spec: StrategySpec) -> list[str]:
    alloc = spec.allocation
    top_n = alloc.top_n or 1
    universe = join_words(list(spec.symbols))
    out = [f"Rotates among {universe}"]
    which = "the single best" if top_n == 1 else f"the top {top_n}, equally weighted,"
    rank = f"holds {which} by {alloc.lookback_days}-day momentum (rate of change)"
    if alloc.require_positive_momentum:
        rank += ", but only while that momentum is positive"
    out.append(rank)
    if alloc.alternative:
        idle = f"money not placed in the winners is held in {alloc.alternative}"
    else:
        idle = "money not placed in the winners stays in cash"
    if alloc.target_volatility_pct is not None:
        idle += (f"; each holding is scaled down so its volatility is at most "
                 f"{format_number(alloc.target_volatility_pct)}% a year")
    out.append(idle[0].upper() + idle[1:] + _risk_clause(spec))
    out.append(f"Rebalances {_SIGNAL_SCHEDULE[spec.schedule or Frequency.monthly]}")
    return out


def describe(spec: StrategySpec) -> str:
    """A one-to-four sentence summary of `spec` that mentions every part of it."""
    if spec.allocation.kind == AllocationKind.target_weights:
        sentences = _weights_sentences(spec)
    elif spec.allocation.kind == AllocationKind.momentum_rotation:
        sentences = _rotation_sentences(spec)
    else:
        sentences = _signal_sentences(spec)
        # "Trades SPY." and the rules read as two sentences, matching the other kinds
    return " ".join(_sentence(s) for s in sentences)
