"""Rules: the conditions read for buying and selling become spec `Rule`s, and the strategy a name.

This module owns combining conditions into one rule ("and" = all, "or" = any; mixing both makes
nested groups where punctuation says how: "either A or B, and C" is all(any(A, B), C); with no
punctuation "and" binds tighter than "or", "A and B or C" = any(all(A, B), C), and "A or B and
C" is asked about with a clarification, not guessed), the default exit when no sell rule was
given (the opposite crossing, or the negated rule of a "hold while ..." / "..., otherwise
..."), and the name a signal strategy gets from its first entry condition ("Golden cross SPY",
"RSI mean reversion QQQ", ...).
"""

from __future__ import annotations

from typing import Literal

from pydantic import ValidationError

from generator.describe import describe_condition
from generator.providers.offline.errors import validation_errors
from generator.providers.offline.indicators import build_indicator
from generator.providers.offline.state import ParseState
from generator.providers.offline.terms import STATE_OF_CROSS, Cond, Ind
from generator.spec import (
    BOLLINGER_KINDS,
    MACD_KINDS,
    Condition,
    Constant,
    Indicator,
    IndicatorKind,
    Operator,
    Rule,
    Timeframe,
)

_CROSSING = {Operator.crosses_above, Operator.crosses_below}
_BELOW = (Operator.lt, Operator.crosses_below)


GROUP_MARK = "|"  # prefixed to the connector of a condition that starts a group of its own


def _groups(items: list[tuple[str, Cond]]) -> list[list[tuple[str, Cond]]]:
    """The items cut where a condition starts a group of its own."""
    groups: list[list[tuple[str, Cond]]] = []
    for k, (join, cond) in enumerate(items):
        if not groups or (k and join.startswith(GROUP_MARK)):
            groups.append([])
        groups[-1].append((join.removeprefix(GROUP_MARK), cond))
    return groups


def make_rule(state: ParseState, items: list[tuple[str, Cond]], role: str) -> Rule:
    """The rule of (connector, condition) items; `role` is "entry" or "exit". Connectors that
    mix "and" and "or" make nested groups when the punctuation marks the groups (each group
    one connector, and one connector between the groups); otherwise they are refused."""
    joins = {j.removeprefix(GROUP_MARK) for j, _ in items[1:]}
    if len(joins) <= 1:
        return _flat_rule(state, [(j.removeprefix(GROUP_MARK), c) for j, c in items], role)
    if not any(j.startswith(GROUP_MARK) for j, _ in items[1:]):
        groups = _precedence(state, items, role)
    else:
        groups = _groups(items)
    outer = {group[0][0] for group in groups[1:]}
    inner = [{j for j, _ in group[1:]} for group in groups]
    if len(groups) < 2 or len(outer) != 1 or any(len(j) > 1 for j in inner):
        raise state.fail(f"the {role} rule mixes 'and' and 'or'; use one of them, or group "
                         "them with 'either ... or ..., and ...'",
                         [" ".join(c.text for _, c in items)])
    parts: list[Condition | Rule] = []
    for group in groups:
        rule = _flat_rule(state, [("and" if k == 0 else j, c) for k, (j, c) in enumerate(group)],
                          role)
        parts.extend(rule.conditions if len(rule.conditions) == 1 else [rule])
    combine: Literal["all", "any"] = "any" if outer == {"or"} else "all"
    state.understood.append(f"{role}: nested groups combined with "
                            f"{'any' if combine == 'any' else 'all'}")
    try:
        return Rule(combine=combine, conditions=parts)
    except ValidationError as exc:
        raise state.fail(f"the {role} rule is not valid: " + validation_errors(exc)) from exc


def _precedence(state: ParseState, items: list[tuple[str, Cond]],
                role: str) -> list[list[tuple[str, Cond]]]:
    """ "A and B or C" with no punctuation: 'and' binds tighter than 'or', so any(all(A, B), C),
    the groups cut at each 'or'. When an 'and' follows the last 'or' ("A or B and C") the
    trailing condition may be meant for both sides (all(any(A, B), C)) or for the last one
    only: that is asked, not guessed."""
    groups: list[list[tuple[str, Cond]]] = [[]]
    for k, (join, cond) in enumerate(items):
        if k and join == "or":
            groups.append([])
        groups[-1].append(("or" if k and not groups[-1] else join, cond))
    if len(groups[-1]) > 1:
        said = " ".join(c.text if k == 0 else f"{j} {c.text}"
                        for k, (j, c) in enumerate(items))
        tail = " and ".join(c.text for _, c in groups[-1][1:])
        first = " or ".join(" and ".join(c.text for _, c in g) for g in groups[:-1])
        last = groups[-1][0][1].text
        error = state.fail(
            f"the {role} rule says 'A or B and C' without saying how it groups: does "
            f"'{tail}' apply to both sides of the 'or', or only to '{last}'?", [said])
        error.questions = [
            f"Should '{tail}' hold in every case (either {first} or {last}, and {tail}), or "
            f"only together with '{last}' ({first}; or {last} and {tail})?"]
        error.vague = f"{first} or {last} and {tail}"
        raise error
    state.understood.append(f"{role}: 'and' binds tighter than 'or'")
    return groups


def _flat_rule(state: ParseState, items: list[tuple[str, Cond]], role: str) -> Rule:
    """The rule of conditions joined by one connector."""
    joins = {j for j, _ in items[1:]}
    conditions: list[Condition | Rule] = []
    for _, c in items:
        left = build_indicator(state, c.left, c.text)
        right: Indicator | Constant
        if isinstance(c.right, Ind):
            right = build_indicator(state, c.right, c.text)
        else:
            right = Constant(value=c.right)
        cond = Condition(left=left, op=c.op, right=right, offset_pct=c.offset_pct)
        if cond in conditions:  # said twice ("Strategy: Golden Cross | Entry: 50 crosses ...")
            continue
        conditions.append(cond)
        state.understood.append(f"{role}: {describe_condition(cond)}")
    combine: Literal["all", "any"] = "any" if joins == {"or"} else "all"
    if combine == "all":
        # ("sma20 over sma100 on EWJ, buy the cross": the state a crossing of the same lines leads
        # to says nothing more beside it)
        led_to = {(c.left, STATE_OF_CROSS[c.op], c.right, c.offset_pct) for c in conditions
                  if isinstance(c, Condition) and c.op in STATE_OF_CROSS}
        conditions = [c for c in conditions if not isinstance(c, Condition)
                      or (c.left, c.op, c.right, c.offset_pct) not in led_to]
    try:
        return Rule(combine=combine, conditions=conditions)
    except ValidationError as exc:
        raise state.fail(f"the {role} rule is not valid: " + validation_errors(exc)) from exc


def negated_rule(rule: Rule) -> Rule:
    """Not `rule`: for a flat rule each condition negated, all <-> any (De Morgan); a rule with
    nested groups is wrapped in "none"."""
    if any(isinstance(c, Rule) for c in rule.conditions):
        return Rule(combine="none", conditions=[rule])
    conds = rule.flat()
    flipped: Literal["all", "any"] = "any" if rule.combine == "all" else "all"
    return Rule(combine=flipped if len(conds) > 1 else "all",
                conditions=[c.negated() for c in conds])


# risk controls that close a position on their own (a minimum hold only delays the sell rule)
CLOSING_CONTROLS = ("stop_loss_pct", "take_profit_pct", "trailing_stop_pct", "max_hold_bars")


def risk_closes(state: ParseState) -> bool:
    """Whether a risk control said closes positions (a stop, a target, a time exit)."""
    return any(key in state.risk for key in CLOSING_CONTROLS)


def default_exit(state: ParseState, entry: Rule, negate_all: bool) -> Rule | None:
    """The exit when no sell rule was given; None when only the risk controls close positions."""
    conds = entry.flat()
    mode = state.exit_mode
    if mode == "none":  # "... and then never sell": held until a risk control, if any
        return None
    if mode == "controls":  # "no other sell rule": the stop, target or time exit is the exit
        if risk_closes(state):
            return None
        raise state.fail("the text says there is no other exit, but no stop, target or time "
                         "exit was given (e.g. 'with a 10% trailing stop')")
    if any(isinstance(c, Rule) for c in entry.conditions):  # nested groups
        if mode == "opposite":
            raise state.fail("'the cross back' needs exactly one crossing in the buy rule")
        if mode == "negate_all":  # every one of the buy rule's parts is false
            return Rule(combine="none", conditions=list(entry.conditions))
        if mode is not None or negate_all:
            state.understood.append("exit (default): when the buy rule no longer holds")
            return Rule(combine="none", conditions=[entry])
        if risk_closes(state):
            return None
        raise state.fail(
            "no exit rule was given (say when to sell, e.g. 'sell when RSI rises above 70')")
    if mode == "opposite" and len(conds) == 1 and conds[0].op not in _CROSSING:
        # "buy when the 20-day is over the 100-day, and the reverse to sell": the reverse of
        # one state is its negation (of several it is not sure: all of them reversed, or any?)
        mode = "negate"
    if mode == "opposite":
        crossings = [c for c in conds if c.op in _CROSSING]
        if len(crossings) != 1:
            raise state.fail("'the cross back' or 'the reverse' needs exactly one crossing or "
                             "one condition in the buy rule; say the sell rule")
        return Rule(conditions=[crossings[0].negated()])
    if mode in ("negate_any", "negate_all") and len(conds) > 1:
        combine: Literal["all", "any"] = "any" if mode == "negate_any" else "all"
        return Rule(combine=combine, conditions=[c.negated() for c in conds])
    if mode is not None or negate_all:
        if len(conds) > 1 and any(c.op in _CROSSING for c in conds):
            raise state.fail("give a sell rule: the negation of several crossings is unclear")
        # De Morgan: not (a and b) == (not a) or (not b)
        flipped: Literal["all", "any"] = "any" if entry.combine == "all" else "all"
        rule = Rule(combine=flipped if len(conds) > 1 else "all",
                    conditions=[c.negated() for c in conds])
        state.understood.append("exit (default): when the buy condition no longer holds")
        return rule
    if len(conds) == 1 and conds[0].op in _CROSSING and not risk_closes(state):
        # a stop, target or time exit is something said about selling: it is the exit then
        state.understood.append("exit (default): the opposite crossing")
        return Rule(conditions=[conds[0].negated()])
    if risk_closes(state):
        return None  # positions are closed by the risk controls
    raise state.fail(
        "no exit rule was given (say when to sell, e.g. 'sell when RSI rises above 70')"
    )


def _signal_base(first: Condition) -> str:
    left, right = first.left, first.right
    kind = left.kind
    right_kind = right.kind if isinstance(right, Indicator) else None
    if kind in (IndicatorKind.sma, IndicatorKind.ema) and right_kind == kind:
        assert isinstance(right, Indicator)
        crossing = first.op in _CROSSING
        if crossing and kind == IndicatorKind.sma and (left.period, right.period) == (50, 200):
            return "Golden cross" if first.op == Operator.crosses_above else "Death cross"
        if crossing:
            return f"{kind.value.upper()} crossover {left.period}/{right.period}"
        return f"{kind.value.upper()} {left.period}/{right.period} trend"
    if kind == IndicatorKind.price and right_kind in (IndicatorKind.sma, IndicatorKind.ema):
        assert isinstance(right, Indicator)
        units: dict[Timeframe | None, str] = {Timeframe.weekly: "week", Timeframe.monthly: "month"}
        unit = units.get(right.timeframe, "day")
        return f"{right.period}-{unit} {right_kind.value.upper()} trend"
    if kind == IndicatorKind.rsi:
        return "RSI mean reversion" if first.op in _BELOW else "RSI momentum"
    if kind in MACD_KINDS:
        return "MACD"
    if kind == IndicatorKind.price and right_kind in BOLLINGER_KINDS:
        return "Bollinger reversion" if first.op in _BELOW else "Bollinger breakout"
    if right_kind in (IndicatorKind.highest_high, IndicatorKind.lowest_low):
        return "Breakout"
    if kind == IndicatorKind.roc:
        return "Momentum"
    return "Rules"


def signal_name(entry: Rule, symbols: list[str]) -> str:
    """The name of a signal strategy: what its first entry condition is, and what it trades."""
    return f"{_signal_base(entry.flat()[0])} {' '.join(symbols)}"
