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
from generator.spec import Allocation, Frequency, Leg, Risk, Rule, StrategySpec


def clean_name(name: str) -> str:
    """A name the spec accepts: its characters only, one space between words, at most 80."""
    name = re.sub(r"[^A-Za-z0-9 _.,&%/()+\-]", " ", name)
    name = " ".join(name.split())
    if len(name) > 80:
        name = name[:80].rsplit(" ", 1)[0]
    return name or "Strategy"


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
