"""A rotation's momentum filter, and where a failed pick's money goes, said in the writer's words.

This module owns `read_filter_sentences`: once a rotation's own patterns have been read, each
sentence left that speaks only of the picks' returns being negative ("If even the stronger one
is down over those 3 months", "Anything negative gets skipped"), of holding only the ones that
went up ("only the ones that actually went up"), or of a pick that fails the filter already read
("If it isn't, park everything in BIL"), and of where that money waits ("... goes into SHY",
"keep that part in cash"), is read as what it says: the positive-momentum filter, and the
alternative fund (cash is the default: no fund).

It reads a sentence as a bag of words over a closed lexicon rather than as one more pattern: a
sentence is read only when every word in it is a return word, a word of where money goes, a
pointer to the picks ("the stronger one", "one of those two", "whatever isn't invested"), a
period or a count, or filler ("sell" too: "if none went up, switch to BIL" reaches here as
"if none went up, sell", the fund taken as the alternative). A count must be the rotation's
own ("if fewer than 3 went up" of a top 3) and a period its lookback ("over those 3 months" of
a 63-day one), or the text is refused naming the conflict. Any other word (a symbol's moving
average, a percentage) leaves the sentence to the usual check, which refuses what it cannot map.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from generator.providers.offline.phrases import SYM, split_at_marks
from generator.providers.offline.state import ParseState
from generator.providers.offline.vocabulary import CONSUMED, UNIT_DAYS, words

# a return below zero: the filter's failing side
_NEGATIVE = re.compile(
    r"(?<!\S)(?:negative|down|lost|losing|fell|red|in the red|lost money"
    r"|(?:is|are|was|were|has|have|had|did|does|do)(?:n't| not) (?:positive|up|gone up|go up"
    r"|gained|gain|rise|risen)|not (?:positive|up)|belowzero)(?!\S)")
# a return above zero, said with a restriction ("only the ones that went up")
_POSITIVE = re.compile(r"(?<!\S)(?:positive|went up|gone up|go up|up|gained|rose|risen"
                       r"|abovezero|made money)(?!\S)")
_RESTRICTS = re.compile(r"(?<!\S)(?:only|if|whose|provided|as long as|unless|must|needs to"
                        r"|need to|has to|have to)(?!\S)")
# money no pick holds: "whatever isn't invested", "the rest"; where it waits, once a filter is read
_IDLE = re.compile(r"(?<!\S)(?:(?:isn't|is not|aren't|are not|not) (?:invested|used|needed"
                   r"|picked|chosen|allocated|held)|uninvested|idle|left over|leftover|the rest"
                   r"|remainder|unused|(?:doesn't|does not|don't|do not|didn't|did not)"
                   r" (?:qualify|pass|make it|make the cut)"
                   # ("any slot without one goes to SHY": a slot no pick fills)
                   r"|without (?:1|one|a pick|a fund|a qualifier|a winner|a holding))(?!\S)")
# the filter already read, failed: "If it isn't, ...", "otherwise ..."
# ("If fewer than 2 qualify, the rest sits in cash.": fewer picks pass than the rotation holds)
_FAILED = re.compile(r"(?<!\S)(?:if (?:it|they|that|those|not) (?:isn't|aren't|is not|are not"
                     r"|doesn't|don't|fails?)|if not|otherwise|else|if (?:fewer|less) than \d+"
                     r" (?:qualify|pass|make it|make the cut))(?!\S)")

_LEXICON = frozenset(words(
    """if even only when whenever and but then so just instead otherwise else not isn't aren't
    doesn't don't didn't hasn't haven't wasn't weren't is are was were has have had did does do
    be been being gets get got fails fail the a an any anything anyone whatever whichever
    everything rest remainder that those these this it its it's they them their one ones of
    over across during for in into to from pick picks picked slot slots share shares part
    portion money cash winner winners stronger strongest better best leader leaders
    top fund funds etf etfs position positions return returns momentum performance change
    gain period stretch same time window with fewer less than either both neither none nothing
    all of actually really still i i'd i'll we we'd my our instead invested skip skipped
    skipping goes go going went sits sit sitting stays stay staying waits wait park parked parks
    use uses using
    put puts keep kept keeps hold held holds move moved moves switch switched rotate rotated
    swap swapped swaps getting left leave should would will can buy buys bought uninvested idle
    leftover unused used needed picked chosen allocated qualify pass make cut at until till
    next please ⋄ whose slice slices want wants must need needs sell sells sold zero or rather
    qualifies counting leaving out excluding remaining replaced replace replaces by without"""
)) | {"negative", "down", "lost", "losing", "fell", "red", "positive", "up", "gained", "rose",
      "risen", "gone", "gain", "rise", "made", "belowzero", "abovezero"}
# "below zero" and the like, the only way a comparison word may stand in such a sentence
_BELOW_ZERO = re.compile(r"(?<!\S)(?:below|under|<|less than) (?:zero|0)(?: %| percent)?(?!\S)")
_ABOVE_ZERO = re.compile(r"(?<!\S)(?:above|over|>|more than|greater than) (?:zero|0)"
                         r"(?: %| percent)?(?!\S)")

_PERIOD = re.compile(r"(?<!\S)(?P<n>\d+) (?P<u>" + "|".join(
    sorted((re.escape(u) for u in UNIT_DAYS), key=len, reverse=True)) + r")(?!\S)")
_ONE_UNIT = re.compile(r"(?<!\S)(?:the|that|this|a) (?P<u>month|quarter|year|week)(?!\S)")
_EVERY = re.compile(r"(?<!\S)(?:none|all|every|neither|both|each)(?!\S)")
_ONE_UNIT_DAYS = {"month": 21, "quarter": 63, "year": 252, "week": 5}


@dataclass
class FilterReading:
    """What the sentences said: the positive filter, and a fund for a failed pick's money."""

    positive: bool = False
    alternative: str | None = None


def _read_sentence(sentence: str, *, positive_before: bool, top_n: int, universe: int,
                   lookback: int | None, state: ParseState) -> FilterReading | None:
    """One sentence's filter and alternative, or None when it is not such a sentence."""
    syms = re.findall(SYM, sentence)
    body = re.sub(SYM, " ", sentence)
    tokens = _ABOVE_ZERO.sub("abovezero", _BELOW_ZERO.sub("belowzero", body)).split()
    if not tokens or not all(t in _LEXICON or t.isdigit() or t in UNIT_DAYS for t in tokens):
        return None
    text = " ".join(tokens)
    negative = bool(_NEGATIVE.search(text))
    positive = bool(_POSITIVE.search(_NEGATIVE.sub(" ", text))) and bool(_RESTRICTS.search(text))
    failed = positive_before and bool(_FAILED.search(text))
    idle = positive_before and bool(syms) and bool(_IDLE.search(text))
    if not (negative or positive or failed or idle):
        return None
    if len(set(syms)) > 1:
        return None
    for m in _PERIOD.finditer(text):
        said = int(m.group("n")) * UNIT_DAYS[m.group("u")]
        if lookback is not None and said != lookback:
            raise state.fail("two different momentum lookbacks were given", [sentence.strip()])
    for m in _ONE_UNIT.finditer(text):
        if lookback is not None and _ONE_UNIT_DAYS[m.group("u")] != lookback:
            raise state.fail("two different momentum lookbacks were given", [sentence.strip()])
    counts = [int(n) for n in re.findall(r"(?<!\S)\d+(?!\S)", _PERIOD.sub(" ", text))]
    # "if none of the 4 is positive": the whole universe, said of every pick
    whole = universe if _EVERY.search(text) else top_n
    for n in counts:
        if n not in (1, top_n, whole):
            raise state.fail(f"'{sentence.strip()}' names {n} picks but the rotation holds "
                             f"{top_n}", [sentence.strip()])
    return FilterReading(positive=True, alternative=syms[0] if syms else None)


def read_filter_sentences(state: ParseState, text: str, *, positive: bool, top_n: int,
                          universe: int, lookback: int | None) -> tuple[str, FilterReading]:
    """`text` with each filter sentence taken out, and what they said together. A sentence
    that is not one may end with one: "... and I take the best two, but if one of them has
    negative performance I put that part in SHY" (its last clause, after a comma, a dash or
    "but")."""
    reading = FilterReading(positive=positive)

    def read(said: str) -> FilterReading | None:
        return _read_sentence(said, positive_before=reading.positive, top_n=top_n,
                              universe=universe, lookback=lookback, state=state)

    out: list[str] = []
    for piece in split_at_marks(text, ".;!?"):
        said = " ".join(w for w in piece.replace(" , ", " ").split() if w != CONSUMED)
        found = read(said) if said and said not in ".;!?" else None
        kept = ""
        if found is None:
            kept, last = _last_clause(piece, read)
            if last is None:
                out.append(piece)
                continue
            found, said = last
        reading.positive = True
        if found.alternative is not None:
            reading.alternative = state.settle(reading.alternative, found.alternative,
                                               "alternative assets", said)
        state.understood.append(f"momentum filter in the writer's words: {said}")
        out.append(f"{kept} {CONSUMED} ")
    return "".join(out), reading


_CLAUSE_START = re.compile(r"(?<!\S)(?:,|-|but)(?!\S)")


def _last_clause(piece: str, read: Callable[[str], FilterReading | None],
                 ) -> tuple[str, tuple[FilterReading, str] | None]:
    """The longest last clause of `piece` that `read` takes, with the rest before it."""
    for m in _CLAUSE_START.finditer(piece):
        said = " ".join(w for w in piece[m.end():].replace(" , ", " ").split()
                        if w != CONSUMED and w not in ".;!?")
        found = read(said) if said else None
        if found is not None:
            end = re.search(r" [.;!?] ?$", piece)
            return piece[: m.start()] + (end.group(0) if end else " "), (found, said)
    return piece, None
