"""The offline parser's entry point: `parse` runs the phases over one text, in order.

This module owns the composition and nothing else: normalise the text, take out the global
phrases (`GLOBAL_PHRASES`: schedule, risk controls, the alternative asset, position size), try
the portfolio families (`FAMILIES`: fixed weights, rotation, buy-and-hold / equal weight) and
fall back to buy/sell rules (`parse_signal`). A new global phrase or family is one more entry
in these tuples. When the text was refused for a generic reason, the reasons recorded on the
way (an unsupported indicator, a negation, ...) replace it.
"""

from __future__ import annotations

from collections.abc import Callable

from generator.providers.offline.allocation import extract_alternative, extract_sizing
from generator.providers.offline.errors import GENERIC, NOTHING, ParseError
from generator.providers.offline.normalise import normalise
from generator.providers.offline.portfolios import try_hold_all, try_rotation, try_weights
from generator.providers.offline.risk import extract_risk
from generator.providers.offline.schedule import extract_schedule
from generator.providers.offline.signals import parse_signal
from generator.providers.offline.state import ParseState
from generator.spec import StrategySpec

# phrases that may stand anywhere in the text, taken out before the families are tried
GLOBAL_PHRASES: tuple[Callable[[ParseState], None], ...] = (
    extract_schedule,
    extract_risk,
    extract_alternative,
    extract_sizing,
)
# the families that describe a portfolio, tried in order; None means "not this family"
FAMILIES: tuple[Callable[[ParseState], StrategySpec | None], ...] = (
    try_weights,
    try_rotation,
    try_hold_all,
)


def _read(state: ParseState) -> StrategySpec:
    for extract in GLOBAL_PHRASES:
        extract(state)
    for attempt in FAMILIES:
        spec = attempt(state)
        if spec is not None:
            return spec
    return parse_signal(state)


def parse(text: str, *, known_symbols: set[str] | None = None) -> StrategySpec:
    """Turn plain English into a validated StrategySpec, or raise ParseError saying why not."""
    state = ParseState(raw=text, t=normalise(text, known_symbols))
    if not state.t.strip():
        raise ParseError("the text is empty", [], [])
    try:
        return _read(state)
    except ParseError as exc:
        if exc.reason != GENERIC:
            raise
        # say why when we know it, and say plainly when nothing at all made sense
        if state.reasons:
            reason = "; ".join(dict.fromkeys(state.reasons))
        elif not exc.understood and not state.src:
            reason = NOTHING
        else:
            raise
        raise ParseError(reason, exc.understood, exc.not_understood) from None
