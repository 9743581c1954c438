"""What a portfolio text says of its rebalancing in the writer's own words, once the schedule or
the drift band has been read: "reset it every month", "we'd like it rebalanced back to those
numbers once a year", "don't rebalance on a calendar" (beside a drift band).

This module owns `read_rebalance_words`. It reads a clause (the words between punctuation) as a
bag of words over a closed lexicon rather than as one more pattern:

- a clause of a rebalancing verb ("rebalance", "reset", "put back", "restore", ...), words that
  point at the weights ("it", "back to those numbers", "the original split") and filler says
  what the schedule or drift band already says, and is taken out only when one was read;
- a clause that says when a weight has drifted ("only rebalance when something ends up more
  than 10 points away from where it should be"): one number with its unit, a word of drifting
  ("away", "off", "drifts") and words of which weight and its target, is the drift band, when
  none was read before;
- a clause that says not to rebalance on a calendar ("don't rebalance on a calendar", "no
  calendar rebalancing") is taken out only beside a drift band and with no schedule: it is what a
  drift band alone is. Beside a schedule it contradicts it and is refused.

Any other word (a number, a symbol, a condition) leaves the clause to the usual check.
"""

from __future__ import annotations

import re

from generator.providers.offline.phrases import consume_clauses
from generator.providers.offline.state import ParseState
from generator.providers.offline.vocabulary import CONSUMED, words

_VERBS = frozenset(words(
    """rebalance rebalanced rebalancing rebalances reset resets resetting restore restored
    restoring reweight reweighted reweighting rebal"""))
# verbs that say "rebalance" only with "back" ("put it back", "bring them back")
_BACK_VERBS = frozenset(words("put bring set move get brought moved fix fixes fixed"))
_POINTERS = frozenset(words(
    """it them everything back to those these the original starting initial target targets
    weights weight numbers percentages percentage proportions split mix allocation allocations
    levels amounts where they we started were was plan ratio ratios each one of account
    portfolio money holdings"""))
_FILLER = frozenset(words(
    """and then so please i i'd we we'd you you'd like want would should can could have has get
    gets got be is are will just my our also keep kept i'll we'll ⋄ but before right away
    immediately in into checked check checks"""))
_NEGATIONS = frozenset(words("don't dont do not never no without"))
# "I don't want to rebalance at all, ever": only beside a negation
_NEVER_WORDS = frozenset(words("at all ever want to with or anything whatever stuff like that"))
_CALENDAR = frozenset(words(
    """calendar calendars schedule scheduled fixed dates date calendar-based timetable regular
    on a by any basis"""))
# the nouns of a calendar a "don't rebalance on ..." clause must name
_CALENDAR_NOUNS = frozenset(words(
    "calendar calendars schedule scheduled dates date calendar-based timetable"))
_LEXICON = _VERBS | _BACK_VERBS | _POINTERS | _FILLER
_NO_CALENDAR_LEXICON = _LEXICON | _NEGATIONS | _CALENDAR


_DRIFT_WORDS = frozenset(words(
    """drift drifts drifted drifting away off deviates deviated strays strayed wanders wandered
    out line"""))
_DRIFT_LEXICON = _LEXICON | _DRIFT_WORDS | frozenset(words(
    """only when if whenever once as soon something anything any a one 1 its their his her either
    side
    holding holdings position positions fund funds asset assets sleeve sleeves leg legs ends
    end up goes gone went moves moved slips slipped is are has have been more than over at
    least by beyond or from with should"""))
_DRIFT_UNITS = frozenset({"points", "point", "pts", "pt", "%", "percent"})

# words that point at equal weights ("back to equal", "equal thirds", "its third"): pointers
# only when the weights are equal, and a share word only when it is the weights' share
_EQUAL_WORDS = frozenset(words("equal equally even evenly same"))
_SHARES = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4,
           "fourth": 4, "fourths": 4, "fifth": 5, "fifths": 5}


def equal_pointers(weights: dict[str, float] | None) -> frozenset[str]:
    """The words that point at these weights besides `_POINTERS`: the equal words and the
    share of each when the weights are equal, else none."""
    if not weights or max(weights.values()) - min(weights.values()) > 1e-6:
        return frozenset()
    # ("bring it back to 25% each": the share of each, said in percent)
    share = 100 / len(weights)
    said = {f"{share:g}", f"{round(share)}", f"{round(share, 1):g}", "%", "percent"}
    return _EQUAL_WORDS | frozenset(said) | frozenset(
        w for w, n in _SHARES.items() if n == len(weights))


def _drift_band(tokens: list[str], extra: frozenset[str]) -> float | None:
    """The band of a clause that says only when a weight has drifted, else None."""
    numbers = [k for k, t in enumerate(tokens) if re.fullmatch(r"\d+(?:\.\d+)?", t)]
    if len(numbers) != 1 or numbers[0] + 1 >= len(tokens) or tokens[numbers[0] + 1] not in (
            _DRIFT_UNITS):
        return None
    rest = tokens[: numbers[0]] + tokens[numbers[0] + 2 :]
    if not rest or any(t not in _DRIFT_LEXICON and t not in extra for t in rest):
        return None
    if not any(t in _DRIFT_WORDS for t in rest) or not any(
            t in {"when", "if", "whenever", "once"} for t in rest):
        return None
    return float(tokens[numbers[0]])


def _says_rebalance(tokens: list[str], extra: frozenset[str]) -> bool:
    if not tokens or any(t not in _LEXICON and t not in extra for t in tokens):
        return False
    return any(t in _VERBS for t in tokens) or (
        any(t in _BACK_VERBS for t in tokens) and "back" in tokens)


def _says_where_from(tokens: list[str], extra: frozenset[str]) -> bool:
    """"away from its third", "off its target": where a drift band's drift is measured from,
    said after the band (no number, a word of drifting, a pointer at the weights)."""
    if not tokens or any(t not in _DRIFT_LEXICON and t not in extra for t in tokens):
        return False
    return (any(t in {"away", "off"} for t in tokens)
            and any(t in _POINTERS - _FILLER or t in extra for t in tokens))


def _says_no_calendar(tokens: list[str]) -> bool:
    if not tokens or any(t not in _NO_CALENDAR_LEXICON for t in tokens):
        return False
    # ("we don't want a calendar", "not on any fixed date": the verb left to the clause before)
    return (any(t in _NEGATIONS for t in tokens)
            and (any(t in _VERBS for t in tokens) or bool({"want", "need", "on"} & set(tokens)))
            and any(t in _CALENDAR_NOUNS for t in tokens))


def _says_never(tokens: list[str]) -> bool:
    """"never rebalance", "don't rebalance it": no rebalancing at all (no calendar named)."""
    if not tokens or any(t not in _NO_CALENDAR_LEXICON | _NEVER_WORDS for t in tokens):
        return False
    return (any(t in _NEGATIONS for t in tokens) and any(t in _VERBS for t in tokens)
            and not any(t in _CALENDAR_NOUNS for t in tokens))


def _without_the_ratio(tokens: list[str], weights: dict[str, float] | None) -> list[str]:
    """"drifts 10 points off 50 / 50": the weights said as a ratio in their order ("60 / 40")
    point at the weights (the word "ratio" in their place); the clause's other numbers stay."""
    if not weights:
        return tokens
    said = " / ".join(f"{w * 100:g}" for w in weights.values())
    count = 2 * len(weights) - 1
    for k in range(len(tokens) - count + 1):
        window = tokens[k:k + count]
        if all(t == "/" for t in window[1::2]) and all(
                re.fullmatch(r"\d+(?:\.\d+)?", t) for t in window[::2]) and " / ".join(
                f"{float(t):g}" for t in window[::2]) == said:
            return [*tokens[:k], "ratio", *tokens[k + count:]]
    return tokens


def _without_the_weights(tokens: list[str], weights: dict[str, float] | None) -> list[str]:
    """"put it back to 60 / 40", "back to sixty-forty": a clause's numbers, when they are the
    weights in percent in their order, point at the weights (taken out, with "/" or "-" between
    them); any other number stays and leaves the clause to the usual check."""
    numbers = [t for t in tokens if re.fullmatch(r"\d+(?:\.\d+)?", t)]
    if not weights or not numbers:
        return tokens
    percents = [w * 100 for w in weights.values()]
    if len(numbers) != len(percents) or any(abs(float(n) - p) > 0.5 for n, p in zip(
            numbers, percents, strict=True)):
        return tokens
    return [t for t in tokens if t not in numbers and t not in {"/", "-"}]


def read_rebalance_words(state: ParseState, text: str,
                         weights: dict[str, float] | None = None) -> str:
    """`text` with each clause that only restates the rebalancing taken out. With `weights`,
    words of equal weights ("back to equal", "equal thirds") restate them when they are equal."""
    extra = equal_pointers(weights)

    def drift_band(piece: str) -> bool:
        band = _drift_band(_without_the_ratio(piece.split(), weights), extra)
        if band is None:
            return False
        state.drift_band = state.settle(state.drift_band, band, "drift bands", piece)
        state.understood.append(f"rebalance when a weight drifts more than {band:g} points")
        return True

    def restated(piece: str) -> bool:
        tokens = _without_the_weights(_without_the_ratio(piece.split(), weights), weights)
        said = " ".join(t for t in piece.split() if t != CONSUMED)
        if _says_rebalance(tokens, extra) or (drift and _says_where_from(tokens, extra)):
            state.understood.append("rebalancing in the writer's words: " + said)
            return True
        if not _says_no_calendar(tokens):
            return False
        if state.schedule is not None or not drift:
            raise state.fail("a schedule was given and rebalancing on a calendar was refused",
                             [said])
        state.understood.append("no calendar rebalance")
        return True

    def never(piece: str) -> bool:
        # "never rebalance", "no rebalancing": bought once at the weights, then held
        if not _says_never(piece.split()):
            return False
        if state.schedule is not None or state.drift_band is not None:
            raise state.fail("the text says both to rebalance and never to rebalance",
                             [piece.strip()])
        state.buy_once = True
        state.understood.append("bought once, never rebalanced")
        return True

    text = consume_clauses(text, ",;.!?:⋄", never)
    if state.drift_band is None and state.drift_levels is None:
        text = consume_clauses(text, ",;.!?:⋄", drift_band)
    drift = state.drift_band is not None or state.drift_levels is not None
    if state.schedule is None and not drift:
        return text
    return consume_clauses(text, ",;.!?:⋄", restated)
