"""The offline parser's entry point: `parse` runs the phases over one text, in order.

This module owns the composition and nothing else: normalise the text, read a source's rule
the writer adopts whole when the text says one (`adoption`), else take out the global
phrases (`GLOBAL_PHRASES`: schedule, risk controls, the alternative asset, position size), try
the portfolio families (`FAMILIES`: fixed weights, rotation, buy-and-hold / equal weight) and
fall back to buy/sell rules (`parse_signal`). A new global phrase or family is one more entry
in these tuples. When the text was refused for a generic reason, the reasons recorded on the
way (an unsupported indicator, a negation, ...) replace it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from generator.providers.offline.adoption import read_adoption
from generator.providers.offline.allocation import (
    extract_alternative,
    extract_sizing,
    extract_volatility_target,
)
from generator.providers.offline.asides import drop_asides
from generator.providers.offline.class_funds import map_class_funds
from generator.providers.offline.corrections import apply_corrections, set_aside_old_plans
from generator.providers.offline.errors import GENERIC, NOTHING, ParseError
from generator.providers.offline.exits import extract_exit_phrases
from generator.providers.offline.explanations import drop_explanations
from generator.providers.offline.filter_notes import check_entry_only, extract_filter_notes
from generator.providers.offline.framing import strip_small_talk, take_lone_symbol
from generator.providers.offline.ideas import drop_loose_ideas
from generator.providers.offline.indicators import extract_family_timeframes, extract_named_lines
from generator.providers.offline.narration import retell_in_present
from generator.providers.offline.normalise import normalise
from generator.providers.offline.portfolios import (
    try_hold_all,
    try_legs,
    try_rotation,
    try_weights,
)
from generator.providers.offline.pullbacks import extract_pullbacks
from generator.providers.offline.restatements import drop_restatements
from generator.providers.offline.risk import extract_risk
from generator.providers.offline.schedule import extract_schedule, extract_weekly_day
from generator.providers.offline.shorts import apply_side, extract_short
from generator.providers.offline.signals import parse_signal
from generator.providers.offline.state import ParseState
from generator.providers.offline.titles import check_title, extract_standard_macd, extract_title
from generator.providers.offline.wordings import expand_shorthands
from generator.spec import StrategySpec

# phrases that may stand anywhere in the text, taken out before the families are tried
GLOBAL_PHRASES: tuple[Callable[[ParseState], None], ...] = (
    map_class_funds,
    strip_small_talk,
    drop_explanations,
    drop_loose_ideas,
    drop_asides,
    drop_restatements,
    set_aside_old_plans,
    retell_in_present,
    apply_corrections,
    extract_filter_notes,
    expand_shorthands,
    extract_pullbacks,
    extract_standard_macd,
    extract_family_timeframes,
    extract_weekly_day,
    extract_title,
    extract_short,
    extract_named_lines,
    extract_exit_phrases,
    # before the schedule and risk controls: "target 10% annual volatility" holds neither
    extract_volatility_target,
    extract_schedule,
    extract_risk,
    extract_alternative,
    extract_sizing,
    take_lone_symbol,
)
# the families that describe a portfolio, tried in order; None means "not this family"
FAMILIES: tuple[Callable[[ParseState], StrategySpec | None], ...] = (
    try_legs,
    try_weights,
    try_rotation,
    try_hold_all,
)


def _read(state: ParseState) -> StrategySpec:
    # a source's rule the writer adopts is read whole, with the writer's change (`adoption`)
    adopted = read_adoption(state)
    if adopted is not None:
        return adopted
    for extract in GLOBAL_PHRASES:
        extract(state)
    spec: StrategySpec | None = None
    for attempt in FAMILIES:
        spec = attempt(state)
        if spec is not None:
            break
    if spec is None:
        spec = parse_signal(state)
    check_entry_only(state, spec)
    check_title(state, spec)
    return apply_side(state, spec)


@dataclass
class Parsed:
    """A spec and what the parser did with the words: understood, and ignored (no meaning)."""

    spec: StrategySpec
    understood: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def parse(text: str, *, known_symbols: set[str] | None = None,
          allow_short: bool = False) -> StrategySpec:
    """Turn plain English into a validated StrategySpec, or raise ParseError saying why not.
    `allow_short` is the server's STRATFORGE_ALLOW_SHORT: without it a short is refused."""
    return parse_text(text, known_symbols=known_symbols, allow_short=allow_short).spec


def parse_text(text: str, *, known_symbols: set[str] | None = None,
               allow_short: bool = False) -> Parsed:
    """`parse`, with the words that were understood and those ignored as carrying no meaning."""
    state = ParseState(raw=text, t=normalise(text, known_symbols), allow_short=allow_short)
    state.subparse = lambda sentence: parse(sentence, known_symbols=known_symbols,
                                            allow_short=allow_short)

    def subparse_words(sentence: str) -> tuple[StrategySpec, list[str], list[str]]:
        read = parse_text(sentence, known_symbols=known_symbols, allow_short=allow_short)
        return read.spec, read.understood, read.ignored

    state.subparse_words = subparse_words
    if not state.t.strip():
        raise ParseError("the text is empty", [], [])
    try:
        spec = _read(state)
        return Parsed(spec, list(state.understood), list(dict.fromkeys(state.ignored)))
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
