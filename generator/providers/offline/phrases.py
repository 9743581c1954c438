"""The phrase toolkit: how patterns are written against the normalised text and taken out of it.

This module owns the building blocks every phase shares: `rx` (a pattern over whole tokens),
the symbol, symbol-list, percentage and period fragments, reading a period in trading days, and
`take`, which replaces each match of a pattern with what a handler returns (a placeholder, or
the consumed marker). Phases differ only in their patterns and handlers, never in how matching
works.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable

from generator.providers.offline.vocabulary import CONSUMED, UNIT_DAYS, UNIT_WORDS

SYM = r"[A-Z][A-Z0-9.\-]{0,9}"
SYMLIST = rf"{SYM}(?:(?: ,| /| &| \+)?(?: and| or| &| plus)? {SYM})*"
NUMP = r"(?P<n>\d+(?:\.\d+)?) (?:%|percent|pct)"
# "golden cross", "death cross": the two crossings of the 50- and 200-day averages, by name
GOLDEN = re.compile(r"(?<!\S)(?P<w>golden|death) cross(?!\S)")
# words that say a rule of their own: a strategy named in a few words ("QQQ 20/100 EMA
# crossover", "200 SMA trend filter on QQQ") is the whole strategy only when none is beside it
RULE_SAID = re.compile(r"(?<!\S)(?:buy|buys|sell|sells|long|short|enter|exit|hold|own|flat|when"
                       r"|whenever|if|once|while|cross|crosses|crossing|above|below|over|under"
                       r"|out|death)(?!\S)")


def _no_rule_said(rest: str, at: int) -> bool:
    return not RULE_SAID.search(rest)


def named_alone(patterns: list[re.Pattern[str]], text: str,
                alone: Callable[[str, int], bool] = _no_rule_said) -> re.Match[str] | None:
    """The one match of the first of `patterns` found once in `text`, when `alone` says the rest
    of the text (and where the match stood in it) holds no rule of its own (by default: no word
    of `RULE_SAID`): a strategy named in a few words as the whole one."""
    for pattern in patterns:
        found = list(pattern.finditer(text))
        if len(found) != 1:
            continue
        m = found[0]
        return m if alone(f"{text[:m.start()]} {text[m.end():]}", m.start()) else None
    return None


# "using weekly bars", "TimeFrameSet(inWeekly)" -> "on weekly bars", "the weekly timeframe": every
# family is computed on those bars (an N-week average already is; a daily one stays daily; the
# price stays the daily price unless a close is said: "closes above" on that chart is the
# weekly close, `wordings`)
BARS_TIMEFRAME = re.compile(
    r"(?<!\S)(?:(?:using|on|with|use|in|off|from) )?(?:the )?(?P<tf>weekly|monthly) (?:bars"
    r"|timeframe|candles|chart|charts)(?: only)?(?: (?:for|on) (?=[A-Z]))?(?!\S)")


def rx(body: str) -> re.Pattern[str]:
    """A pattern matching whole space-separated tokens of the normalised text."""
    return re.compile(r"(?<!\S)(?:" + body + r")(?!\S)")


def squash(text: str) -> str:
    """Single spaces between tokens, one space at both ends."""
    return " " + " ".join(text.split()) + " "


def period(name: str) -> str:
    """A period such as "50 day" or "6 trading months", in groups `name` and `name`u."""
    return rf"(?P<{name}>\d+) (?:trading )?(?P<{name}u>{UNIT_WORDS})"


def days(m: re.Match[str], name: str) -> int:
    """The period of group `name` (see `period`) in trading days; 52 weeks are a year (252
    days: "the 52-week high" is the year's high), not 260."""
    count, unit = int(m.group(name)), m.group(name + "u")
    if count == 52 and UNIT_DAYS[unit] == 5:
        return 252
    return count * UNIT_DAYS[unit]


def period_of(m: re.Match[str]) -> int | None:
    """The period of an indicator match: group `p` with its unit, else a bare number `pn`."""
    g = m.groupdict()
    if g.get("p"):
        return days(m, "p")
    if g.get("pn"):
        return int(g["pn"])
    return None


WEEK_UNITS = frozenset({"week", "weeks", "wk", "wks", "w"})


MONTH_UNITS = frozenset({"month", "months", "mo", "mos", "m"})


def period_on_bars(m: re.Match[str], monthly_bars: bool = False) -> tuple[int | None, str | None]:
    """`period_of`, except that a period in weeks ("the 10-week EMA") is that many weekly bars:
    (period, "weekly"). Months stay daily bars (21 a month), as "the 10-month SMA" is usually
    read, unless `monthly_bars` (the text compares a monthly close: "the monthly close above the
    10-month SMA" is ten monthly bars)."""
    g = m.groupdict()
    if g.get("p") and g.get("pu") in WEEK_UNITS:
        return int(g["p"]), "weekly"
    if monthly_bars and g.get("p") and g.get("pu") in MONTH_UNITS:
        return int(g["p"]), "monthly"
    return period_of(m), None


def symbols_in(text: str) -> list[str]:
    return re.findall(rf"(?<!\S){SYM}(?!\S)", text)


def take(pattern: re.Pattern[str], text: str, on_match: Callable[[re.Match[str]], str]) -> str:
    """Replace every match of `pattern` with what `on_match` returns (a placeholder)."""
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(text):
        out.append(text[pos : m.start()])
        out.append(f" {on_match(m)} ")
        pos = m.end()
    out.append(text[pos:])
    return squash("".join(out))


def consume(
    patterns: Iterable[re.Pattern[str]],
    text: str,
    on_match: Callable[[re.Match[str]], object],
) -> str:
    """Take every match of each pattern, in order, out of `text`, calling `on_match` on each;
    what is taken is left as the consumed marker."""

    def handler(m: re.Match[str]) -> str:
        on_match(m)
        return CONSUMED

    for pattern in patterns:
        text = take(pattern, text, handler)
    return text


def split_at_marks(text: str, marks: str) -> list[str]:
    """`text` split at each punctuation mark of `marks` that stands as a word of its own, the
    marks kept between the pieces (piece, mark, piece, ...), so that joining the list gives the
    text back. Two marks in a row ("⋄ ,") are two separators."""
    return re.split(rf"(?<!\S)([{re.escape(marks)}])(?!\S)", text)


def lone_quantity(clause: str, quantity: re.Pattern[str], lexicon: Collection[str],
                  ) -> tuple[re.Match[str], list[str]] | None:
    """The one match of `quantity` in `clause` (a period, a percentage) and the clause's other
    words, when it holds exactly one and every other word is in `lexicon`; else None. The test
    of the clause readers that take a clause as a bag of words around one number."""
    found = list(quantity.finditer(clause))
    if len(found) != 1:
        return None
    rest = quantity.sub(" ", clause).split()
    if not rest or any(w not in lexicon for w in rest):
        return None
    return found[0], rest


def consume_clauses(text: str, marks: str, read: Callable[[str], bool]) -> str:
    """`text` with each clause between `marks` (see `split_at_marks`) that `read` takes (returns
    True for) replaced by the consumed marker; `read` records what the clause said."""
    pieces = split_at_marks(f" {text.strip()} ", marks)
    return "".join(f" {CONSUMED} " if k % 2 == 0 and read(piece) else piece
                   for k, piece in enumerate(pieces))


def counted_marks(text: str, marks: Iterable[tuple[re.Match[str], int]]) -> str:
    """Markers of a numbered list ("1)", "(2)", "b."), each with its number: the ones counting up
    from 1, when there are at least two, end sentences (" . " in their place); otherwise the text
    is left as it is, so a lone "2)" or "SMA (2)" stays what it is."""
    kept: list[re.Match[str]] = []
    for m, k in marks:
        if k == len(kept) + 1:
            kept.append(m)
    if len(kept) < 2:
        return text
    for m in reversed(kept):
        text = text[: m.start()] + " . " + text[m.end():]
    return text
