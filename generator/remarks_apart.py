"""A refused text that reads as a whole strategy once some of its sentences are set apart.

People who retell a strategy say more than the rule: what the source claims ("He says the market
always bounces."), how they feel about it ("Sounds almost too simple."), who they are ("Busy mom
of three here!"). The offline parser sets aside the remarks it can prove carry no rule
(`providers.offline.asides`); every other word of trading meaning must reach the spec, so a
remark it cannot place ("MACD lags way too much", "Fast in, fast out.") sinks the whole text.
Guessing that such a sentence is only a remark would be the silent drop the parser never makes;
refusing leaves the user to find which sentence was in the way. This module owns the middle: it
finds the sentences without which the rest of the text reads as a whole strategy, and returns
them with that strategy so that `generator.clarify` can ask the user whether they are remarks,
offering the text without them as the completion to send. Nothing here turns a text into a spec:
the user decides, and the suggestion is read again like any text.

A sentence (split at ". ", "! ", "? ", "; " and line breaks) may be set apart only when it holds
none of what makes a rule the rest would then lack (`may_set_apart`): no number but a year or the
writer's age, no time of the trading day, no word of a control, size, weight, schedule, period,
change ("instead", "also", "add"), part of a rule ("entry", "exit") or comparison ("above",
"crosses"), no act beside a condition ("buy when everyone else is scared"), and no fund or
indicator the rest does not say. Only pieces holding the words the parser reported as not
understood are tried: those sentences together, then each on its own, then a comma clause of a
sentence (which may hold no act, move or degree at all: "buy on it", "but shift more toward the
bonds"); the rest must read as a whole strategy that trades only known symbols. At most
`MAX_TRIES` readings are tried, and a text of more than `MAX_PIECES` sentences is not searched:
each try reads the rest again, and a refusal must stay as quick as an answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from generator.providers.offline import ParseError
from generator.providers.offline.asides import says_a_time_of_day
from generator.providers.offline.framing import CONNECTIVES, without_personal_numbers
from generator.providers.offline.normalise import normalise
from generator.providers.offline.parser import Parsed, parse_text
from generator.providers.offline.phrases import SYM
from generator.providers.offline.vocabulary import (
    CALENDAR_WORDS,
    INDICATOR_WORDS,
    SIZE_OR_HANDLING,
    words,
)
from generator.spec import StrategySpec

# where a text splits into the pieces that may be set apart
_PIECES = re.compile(r"(?<=[.!?;])\s+(?=\S)|\s*\n+\s*")
# a text of more sentences is not searched, nor more readings tried (each reads the rest again)
MAX_PIECES = 12
MAX_TRIES = 3

# words a piece set apart may not hold: they make a rule, or change one
_RULE_WORDS = frozenset(words(
    """stop stops loss losses target targets trailing profit profits take size sized sizing
    position positions account percent % dollar dollars half halves third thirds quarter
    quarters fifth fifths tenth only unless except instead rather otherwise once until till
    later sooner day days week weeks month months add adds adding also plus daily weekly
    monthly quarterly yearly annually every each twice thrice weight weights weighted rebalance
    rebalanced rebalancing rebalances drift drifts drifted entry entries exit exits enter above
    below beneath cross crosses crossed crossing crossover correction actually make change
    changed use using apply swap replace leverage margin short shorts""")) | (
    CALENDAR_WORDS | SIZE_OR_HANDLING)
# a rule's shape: an act and a condition ("buy when everyone else is scared")
_ACTS = frozenset(words(
    """buy buys buying bought sell sells selling sold hold holds holding held own owns get gets
    go goes dump dumps"""))
# what a clause set apart from the rest of its sentence may not hold either: any act ("buy on
# it"), a move between funds, a degree ("more toward the bonds")
_CLAUSE_WORDS = _ACTS | frozenset(words(
    """shift shifts move moves switch switches rotate rotates trim trims put puts keep keeps
    more less longer shorter"""))
# a clause of the rest may not open with the word that joined it to the clause set apart
_JOINED = re.compile(r"^(?:but|and|so|though|although|then)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class SetApart:
    """The text without some of its sentences, what it reads as, and the sentences left out."""

    text: str
    spec: StrategySpec
    set_apart: list[str]
    understood: list[str] = field(default_factory=list)


def _sentences(text: str) -> list[tuple[int, int]]:
    """The spans of `text`'s sentences."""
    spans: list[tuple[int, int]] = []
    begin = 0
    for cut in [*_PIECES.finditer(text), None]:
        stop = cut.start() if cut is not None else len(text)
        if text[begin:stop].strip():
            spans.append((begin, stop))
        if cut is not None:
            begin = cut.end()
    return spans


def _clauses(text: str, sentence: tuple[int, int]) -> list[tuple[int, int, int, int]]:
    """The clauses of a sentence split at its commas: each as the span it says (without the
    comma and the sentence's closing mark) and the span taken out with it (with the comma
    before it, or after it for the first)."""
    begin, stop = sentence
    body = text[begin:stop].rstrip(" .!?;")
    cuts = list(re.finditer(r"\s*,\s+", body))
    if not cuts:
        return []
    bounds = [0, *[c.start() for c in cuts], len(body)]
    found = []
    for k in range(len(bounds) - 1):
        said_start = bounds[k] if k == 0 else cuts[k - 1].end()
        said_end = bounds[k + 1]
        out_start, out_end = (said_start, cuts[0].end()) if k == 0 else (bounds[k], said_end)
        found.append((begin + said_start, begin + said_end, begin + out_start, begin + out_end))
    return found


def may_set_apart(piece: str, rest: str, known_symbols: set[str] | None) -> bool:
    """Whether `piece`, by its words, may be a remark beside the rule `rest` says: it holds no
    number, time of day or word that makes or changes a rule, and every fund and indicator it
    names is one `rest` names too."""
    return _may_set_apart(normalise(piece, known_symbols),
                          lambda: normalise(rest, known_symbols))


def _may_set_apart(said: str, rest: Callable[[], str]) -> bool:
    """`may_set_apart` of a piece already normalised (`said`); the rest is normalised only when
    the piece names a fund or an indicator."""
    if says_a_time_of_day(said):
        return False
    said = without_personal_numbers(f" {said} ")
    said = re.sub(r"(?<!\S)(?:19|20)\d\d(?!\S)", " ", said)  # a year of the writer's story
    tokens = said.split()
    if any(re.search(r"\d", w) or w.startswith("$") or w in _RULE_WORDS for w in tokens):
        return False
    if any(w in _ACTS for w in tokens) and any(w in CONNECTIVES for w in tokens):
        return False
    named = [w for w in tokens if re.fullmatch(SYM, w) or w in INDICATOR_WORDS]
    return not named or set(named) <= set(rest().split())


def _named_in(said: str, not_understood: list[str]) -> bool:
    """Whether the parser's not-understood words came from a piece (`said`, normalised): two of
    them in a row (or a lone one) appear in it."""
    said = f" {said} "
    for words_ in (n.split() for n in not_understood):
        pairs = [words_] if len(words_) == 1 else [words_[k:k + 2] for k in range(len(words_) - 1)]
        if any(f" {' '.join(pair)} " in said for pair in pairs):
            return True
    return False


def _without(text: str, spans: list[tuple[int, int]]) -> str:
    for begin, stop in sorted(spans, reverse=True):
        text = text[:begin] + " " + text[stop:]
    return re.sub(r"\s+([,.!?;])", r"\1", re.sub(r"\s+", " ", text)).strip()


def _read(text: str, known_symbols: set[str] | None, allow_short: bool) -> Parsed | None:
    try:
        return parse_text(text, known_symbols=known_symbols, allow_short=allow_short)
    except ParseError:
        return None


def read_apart(text: str, not_understood: list[str], *, known_symbols: set[str] | None = None,
               allow_short: bool = False) -> SetApart | None:
    """The reading of `text`, which the parser refused naming `not_understood`, without the
    fewest of its sentences (or, failing that, one clause of a sentence) that may be set apart,
    or None when no such reading exists."""
    text = text.strip()
    sentences = _sentences(text)
    if len(sentences) > MAX_PIECES:
        return None
    said_as: dict[str, str] = {}  # each piece as normalised, once

    def normalised(said: str) -> str:
        if said not in said_as:
            said_as[said] = normalise(said, known_symbols)
        return said_as[said]

    def movable(said: str, out: list[tuple[int, int]]) -> bool:
        return _may_set_apart(normalised(said),
                              lambda: normalise(_without(text, out), known_symbols))

    def candidates() -> Iterator[list[tuple[str, tuple[int, int]]]]:
        """What may be set apart, in the order tried: the sentences holding the words the
        parser could not place, together then each alone, then a comma clause holding them."""
        pieces = [(text[b:e].strip(), (b, e)) for b, e in sentences] if len(sentences) > 1 else []
        named = [(said, span) for said, span in pieces
                 if _named_in(normalised(said), not_understood) and movable(said, [span])]
        if 1 < len(named) < len(pieces) and all(
                movable(said, [span for _, span in named]) for said, _ in named):
            yield named
        yield from ([piece] for piece in named)
        for sentence in sentences:
            for said_start, said_end, out_start, out_end in _clauses(text, sentence):
                said = text[said_start:said_end].strip()
                if (said.count("(") == said.count(")")
                        and _named_in(normalised(said), not_understood) and not any(
                        w in _CLAUSE_WORDS for w in normalised(said).split())
                        and movable(said, [(out_start, out_end)])):
                    yield [(said, (out_start, out_end))]

    for drop in islice(candidates(), MAX_TRIES):
        rest = _JOINED.sub("", _without(text, [span for _, span in drop]))
        parsed = _read(rest, known_symbols, allow_short)
        if parsed is None:
            continue
        if known_symbols is not None and not set(parsed.spec.all_symbols()) <= known_symbols:
            continue  # (the rest names a fund the store lacks: its refusal says so)
        return SetApart(rest, parsed.spec, [said for said, _ in drop], list(parsed.understood))
    return None
