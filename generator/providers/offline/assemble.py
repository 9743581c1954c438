"""The last step of every family: what was read becomes one validated `StrategySpec`.

This module owns putting the pieces together: the family's symbols, allocation and rules, plus
what the global phrases found (schedule, risk controls, the alternative asset), and the spec's
name made safe for its pattern. A spec that pydantic refuses becomes a `ParseError`.
"""

from __future__ import annotations

import re

from pydantic import ValidationError

from generator.providers.offline.errors import validation_errors
from generator.providers.offline.state import ParseState
from generator.providers.offline.terms import Ind
from generator.spec import (
    Allocation,
    Condition,
    Constant,
    Frequency,
    IndicatorKind,
    Leg,
    Operator,
    Risk,
    Rule,
    StrategySpec,
)


def clean_name(name: str) -> str:
    """A name the spec accepts: its characters only, one space between words, at most 80."""
    name = re.sub(r"[^A-Za-z0-9 _.,&%/()+\-]", " ", name)
    name = " ".join(name.split())
    if len(name) > 80:
        name = name[:80].rsplit(" ", 1)[0]
    return name or "Strategy"


def _price_against_zero(rule: Rule | None) -> Condition | None:
    """A condition comparing the price with zero or less ("when it goes from negative to
    positive" with the price as "it"): a price is never negative, so a pronoun went to the wrong
    noun, and the text is refused rather than read so."""
    for item in rule.conditions if rule is not None else []:
        if isinstance(item, Rule):
            found = _price_against_zero(item)
            if found is not None:
                return found
        elif (item.left.kind == IndicatorKind.price and isinstance(item.right, Constant)
              and item.right.value <= 0):
            return item
    return None


def _crossing_both_ways(rule: Rule | None) -> Condition | None:
    """A rule that holds a crossing of two lines and the crossing of the same two the other way
    ("buy on a cross above the 50 day ... or on the cross back below it"): no buy or sell rule
    means that; words of another rule were joined to this one, and the text is refused."""
    seen: dict[tuple[str, str, str], Operator] = {}
    crossings = (Operator.crosses_above, Operator.crosses_below)
    for item in rule.conditions if rule is not None else []:
        if isinstance(item, Rule):
            found = _crossing_both_ways(item)
            if found is not None:
                return found
            continue
        if item.op not in crossings:
            continue
        pair = (item.left.model_dump_json(), item.right.model_dump_json(), str(item.offset_pct))
        if seen.get(pair, item.op) != item.op:
            return item
        seen[pair] = item.op
    return None


def _said_alike(bare: Ind, other: Ind) -> bool:
    """`bare` (a sell rule's indicator) names `other`: the same kind and bars, each setting
    either left unsaid ("the RSI") or the same."""
    return bare.kind == other.kind and bare.timeframe == other.timeframe and all(
        getattr(bare, f) is None or getattr(bare, f) == getattr(other, f)
        for f in ("period", "fast", "slow", "signal", "num_std"))


def _another_funds_line(state: ParseState, traded: list[str]) -> tuple[str, str] | None:
    """An indicator the sell rule reads bare (no fund, no "its") that the buy rule read only on
    another fund ("buy QQQ when SPY's RSI(2) < 10, sell when RSI(2) > 70"): whose is meant is not
    guessed. (The price, every fund's own, is not asked about.)"""
    for sold in state.read_on:
        if (sold.role != "exit" or sold.symbol is not None or sold.possessive
                or sold.ind.kind in (None, IndicatorKind.price)):
            continue
        on = {b.symbol for b in state.read_on
              if b.role in ("entry", "hold") and _said_alike(sold.ind, b.ind)}
        # (each read on another fund, named: never on the traded one, bare or said "its")
        if on and all(symbol is not None and symbol not in traded for symbol in on):
            return sold.ind.kind.value.upper(), sorted(str(symbol) for symbol in on)[0]
    return None


def _whose_it(state: ParseState, traded: list[str]) -> str | None:
    """A sell rule whose subject is "it" after a buy rule read on another fund only, comparing a
    line the buy rule never read ("buy QQQ when SPY is above its 200 day and sell when it's below
    its 50 day"): "it" may be that fund or the one traded, and is not guessed. (The same line
    said again, "sell when it gets back above it", is that fund's.)"""
    for sold in state.read_on:
        if (sold.role != "exit" or not sold.pronoun or sold.symbol is None
                or sold.symbol in traded):
            continue
        entry_lines = [b.ind for b in state.read_on
                       if b.role in ("entry", "hold") and b.symbol == sold.symbol]
        if not entry_lines:
            continue
        new_lines = [s.ind for s in state.read_on
                     if s.role == "exit" and s.pronoun and s.symbol == sold.symbol
                     and s.ind.kind != IndicatorKind.price and s.ind not in entry_lines]
        if new_lines:
            return sold.symbol
    return None


def build_spec(
    state: ParseState,
    *,
    name: str,
    symbols: list[str],
    allocation: dict[str, object],
    entry: Rule | None = None,
    exit: Rule | None = None,
    legs: list[Leg] | None = None,
) -> StrategySpec:
    for rule in [entry, exit, *(x for leg in legs or [] for x in (leg.entry, leg.exit))]:
        if _price_against_zero(rule) is not None:
            raise state.fail("a price is compared with zero, which it never crosses: say which "
                             "indicator turns positive or negative (e.g. 'the MACD histogram "
                             "turns positive')")
    for rule in [entry, *(leg.entry for leg in legs or [])]:
        if _crossing_both_ways(rule) is not None:
            raise state.fail("the buy rule holds a crossing and the same crossing back: say "
                             "the sell on the crossing back as its own rule (e.g. 'sell on the "
                             "cross back below the 50 day')")
    whose = _whose_it(state, symbols)
    if whose is not None:
        raise state.fail(f"the sell rule says 'it' after a buy rule read on {whose}: say whose "
                         f"line it is (e.g. 'sell when {whose} is below ...' or 'sell when "
                         f"{symbols[0]} is below ...')")
    other = _another_funds_line(state, symbols)
    if other is not None:
        raise state.fail(f"the sell rule reads {other[0]} with no fund named, and the buy rule "
                         f"reads it on {other[1]} only: say whose it is (e.g. 'sell when "
                         f"{other[1]}'s ...')")
    if state.alternative is not None:
        allocation = {**allocation, "alternative": state.alternative}
    if state.amount is not None and allocation.get("kind") != "fixed_amount":
        raise state.fail("a dollar amount per position applies to buy/sell rules only, not to "
                         "this portfolio")
    if state.target_vol is not None:
        allocation = {**allocation, "target_volatility_pct": state.target_vol}
    if state.buy_once:
        if allocation.get("kind") != "target_weights":
            raise state.fail("'never rebalance' applies to a fixed-weight portfolio only")
        allocation = {**allocation, "buy_once": True}
    if state.drift_levels is not None:
        from generator.providers.offline.schedule import drift_band_from_levels

        band = drift_band_from_levels(state, dict(allocation.get("weights") or {}))  # type: ignore[call-overload]
        state.drift_band = state.settle(state.drift_band, band, "drift bands", "")
    if state.drift_band is not None:
        allocation = {**allocation, "drift_band_pct": state.drift_band}
        if state.schedule is not None and state.schedule != Frequency.daily:
            # "rebalance quarterly, or sooner if a weight drifts 5 points": both, whichever first
            allocation["drift_or_schedule"] = True
    try:
        return StrategySpec(
            name=clean_name(name),
            symbols=symbols,
            entry=entry,
            exit=exit,
            legs=legs,
            allocation=Allocation.model_validate(allocation),
            schedule=state.schedule,
            risk=Risk.model_validate(state.risk),
        )
    except ValidationError as exc:
        raise state.fail("the strategy is not consistent: " + validation_errors(exc)) from exc
