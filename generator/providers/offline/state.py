"""The parse in progress: what has been read so far, and how a fragment is accepted or refused.

This module owns `ParseState`, the one object every phase reads and writes: the remaining text,
the facts found by the global phrases (schedule, risk, alternative, sizing), the placeholders
the signal path puts in the text (indicators, operators, numbers, symbols, verbs), and the
running lists of what was understood and what was not. Its methods are the shared mechanics:
placeholders, refusals with their reasons, leftovers, and the "two different ... were given"
check. `says_nothing` decides which leftover clause may be ignored (listed, never used) rather
than refused: one with no placeholder, number or word that may say how or when to trade.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar

from generator.providers.offline.errors import GENERIC, ParseError
from generator.providers.offline.phrases import SYM, consume, take
from generator.providers.offline.terms import Ind, Op, Title
from generator.providers.offline.vocabulary import (
    CONSUMED,
    FILLER,
    INDICATOR_WORDS,
    MEANING_WORDS,
    NEGATIONS,
    PERSONAL_NOUNS,
    UNSUPPORTED,
)
from generator.spec import Frequency, IndicatorKind, StrategySpec

T = TypeVar("T")


class ReadSide(NamedTuple):
    """An indicator a condition read: its settings (the symbol cleared), the role of its rule
    ("entry", "hold", "exit"), the symbol it was said on (None: the traded one), whether the
    condition said whose it is with a possessive ("its", "own", "their"), and whether its subject
    was "it" (the fund then taken from the condition before)."""

    ind: Ind
    role: str | None
    symbol: str | None
    possessive: bool
    pronoun: bool = False


@dataclass
class ParseState:
    """One parse: the text left to read, what was found in it, and what was refused."""

    raw: str  # the text as given
    t: str  # the normalised text, with what has been recognised taken out
    understood: list[str] = field(default_factory=list)
    not_understood: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    # global phrases
    schedule: Frequency | None = None
    risk: dict[str, float] = field(default_factory=dict)
    alternative: str | None = None
    otherwise: bool = False  # "..., otherwise Y/sell": the exit is the negated entry
    fraction: float | None = None
    all_in: bool = False
    equal: bool = False
    # placeholders of the signal path: token -> source text, and token -> what it stands for
    src: dict[str, str] = field(default_factory=dict)
    inds: dict[str, Ind] = field(default_factory=dict)
    ops: dict[str, Op] = field(default_factory=dict)
    consts: dict[str, float] = field(default_factory=dict)
    vague_numbers: set[str] = field(default_factory=set)
    syms: dict[str, list[str]] = field(default_factory=dict)
    unsupported: dict[str, str] = field(default_factory=dict)
    verbs: dict[str, str] = field(default_factory=dict)
    # indicator settings that apply to every indicator of their family
    macd_params: tuple[int, int, int] | None = None
    bb_period: int | None = None
    bb_std: float | None = None
    stoch_period: int | None = None
    target_vol: float | None = None  # "target 10% volatility"
    amount: float | None = None  # dollars per position
    entry_from_exit: bool = False  # "hold SPY, switch to IEF when ...": entry = not the exit
    drift_band: float | None = None  # "rebalance when a weight drifts more than 5 points"
    buy_once: bool = False  # "buy and hold, never rebalance": bought once, then held
    # "back to 50/50 whenever one side goes above 60% or below 40%": (above, below, ratio said)
    drift_levels: tuple[float, float, list[float]] | None = None
    # framing and exits (framing.py, exits.py)
    ignored: list[str] = field(default_factory=list)  # words with no trading meaning
    title: Title | None = None
    each: bool = False  # "buy each one when ...": one rule of every symbol named
    framed_symbols: list[str] = field(default_factory=list)  # "a bot for HYG that ..."
    named_lines: dict[str, Ind] = field(default_factory=dict)  # "fast 8, slow 21"
    # how the exit follows from the entry when no sell rule is written: "opposite" (the
    # opposite crossing), "negate" (the entry no longer holds), "negate_any" (any entry
    # condition fails), "negate_all" (every entry condition fails)
    exit_mode: str | None = None
    # "the SPY filter is only for buying": funds (or "" for "the filter") a note says only the
    # buy rule reads, checked against the spec (filter_notes.py)
    entry_only: list[str] = field(default_factory=list)
    # "the weekly MACD": indicator kinds computed on resampled bars (indicators.py)
    family_timeframes: dict[IndicatorKind, str] = field(default_factory=dict)
    # "the monthly close is above the 10-month SMA", "monthly bars": N-month averages are on
    # monthly bars
    monthly_close: bool = False
    # "on the weekly chart", "using weekly bars": a close is the weekly close, an N-week high
    # is N weekly bars (wordings.py, indicators.py)
    weekly_bars: bool = False
    # each indicator read in a condition so far, and whose it was said to be: "the 20" said
    # later is the line of that period on the fund it was compared on (conditions.py); a bare
    # indicator in the sell read on another fund in the buy is asked about (assemble.py)
    read_on: list[ReadSide] = field(default_factory=list)
    # short selling (shorts.py): allowed by the server, and found in the text
    allow_short: bool = False
    short: bool = False
    # reads a sentence of its own (a per-symbol leg), set by the parser
    subparse: Callable[[str], StrategySpec] | None = None
    # the same, with the words it understood and those it ignored (adoption.py lists them)
    subparse_words: Callable[[str], tuple[StrategySpec, list[str], list[str]]] | None = None

    # -- refusing ----------------------------------------------------------------------------
    def fail(self, reason: str, not_understood: list[str] | None = None) -> ParseError:
        return ParseError(reason, self.understood, (not_understood or []) + self.not_understood)

    def settle(self, current: T | None, value: T, what: str, source: str) -> T:
        """`value`, unless a different one was given before: "two different `what` were given"."""
        if current is not None and current != value:
            raise self.fail(f"two different {what} were given", [source])
        return value

    def read_alone(self, rest: str, funds: list[str]) -> tuple[str, StrategySpec] | None:
        """The rest of the text, with a piece naming `funds` set aside, read as a whole strategy
        on its own (by `subparse`), and that strategy: None when it does not read, or trades not
        every fund the piece named. When the rest names no fund, the piece's are put before it
        ("I like buying QQQ when it's stretched. Buy when it closes ...": the fund the rules
        trade, named only in the piece, in the piece's order). Used by `ideas` and `asides`."""
        if self.subparse is None:
            return None
        if funds and not re.search(SYM, rest):
            rest = f"{' '.join(funds)} : {rest}"
        read = rest
        if self.framed_symbols and not re.search(SYM, rest):
            # ("Equal weight across SPY, EFA and EEM; buy each one when ...": the funds the
            # framing took out are said again for the reading, and stay taken out of the text)
            read = f"for {' , '.join(dict.fromkeys(self.framed_symbols))} : {rest}"
        try:
            spec = self.subparse(read)
        except ParseError:
            return None
        if not set(funds) <= set(spec.all_symbols()):
            return None
        return rest, spec

    def render(self, tokens: list[str]) -> str:
        """Tokens as the user wrote them (placeholders back to their source text)."""
        said = (self.src.get(t, t) for t in tokens if t != CONSUMED)
        return " ".join(s for s in said if s).strip()

    def reject(self, tokens: list[str], reason: str | None = None) -> None:
        """Record a fragment that could not be mapped, with why when we know it."""
        self.not_understood.append(self.render(tokens))
        for tok in tokens:
            if tok in self.unsupported:
                self.reasons.append(f"{self.unsupported[tok]!r} is not supported by this spec")
        if any(t in NEGATIONS for t in tokens):
            self.reasons.append(
                "a negation ('not', 'unless', ...) is read only of a side ('not above 70' is at "
                "or below 70); say the condition as it holds (e.g. 'falling' for 'not rising')"
            )
        if reason:
            self.reasons.append(reason)

    @staticmethod
    def leftovers(text: str, filler: frozenset[str]) -> list[str]:
        """Fragments between consumed phrases and punctuation that hold a non-filler word."""
        out: list[str] = []
        for segment in re.split(r"[⋄,;.:!?]", text):
            words = segment.split()
            if any(w not in filler for w in words):
                # trim filler at both ends so the fragment is what the user needs to rephrase
                while words and words[0] in filler:
                    words.pop(0)
                while words and words[-1] in filler:
                    words.pop()
                out.append(" ".join(words))
        return out

    def check_leftovers(self, extra_filler: frozenset[str] = frozenset()) -> None:
        """Refuse the text when anything but filler is left of it; a fragment that says
        nothing a spec could hold (`says_nothing`) is ignored and listed instead."""
        left = []
        for fragment in self.leftovers(self.t, FILLER | extra_filler):
            if says_nothing(fragment.split()):
                self.ignored.append(fragment)
            else:
                left.append(fragment)
        if left:
            raise self.fail(GENERIC, left)

    def note(self, pattern: re.Pattern[str], understood: str) -> bool:
        """Take `pattern` out of the text, noting `understood` for each match; whether it
        matched at all."""
        found = False

        def on_match(m: re.Match[str]) -> None:
            nonlocal found
            found = True
            self.understood.append(understood)

        self.t = consume([pattern], self.t, on_match)
        return found

    # -- placeholders ------------------------------------------------------------------------
    def placeholder(self, kind: str, source: str) -> str:
        """A new token standing for `source`; `kind` is its first letters (i, o, k, s, v, w...)."""
        token = f"⟦{kind}{len(self.src)}⟧"
        self.src[token] = source.strip()
        return token

    def add_indicator(self, m: re.Match[str], ind: Ind) -> str:
        token = self.placeholder("i", m.group(0))
        self.inds[token] = ind
        return token

    def tag(self, text: str, rules: Iterable[tuple[re.Pattern[str], Tagger]]) -> str:
        """Apply each (pattern, handler) in order; a handler returns the match's placeholder."""
        for pattern, handler in rules:
            text = take(pattern, text, functools.partial(handler, self))
        return text


_REFUSED_WORDS = frozenset(w for w in re.findall(r"[a-z]+", UNSUPPORTED))
# the words of how often, which a misspelling the speller leaves ("rebalance dayli", "quarterley")
# must never turn into filler: a near miss of one carries its meaning, unknown, so is refused
_SCHEDULE_SPELLINGS = ("daily", "weekly", "monthly", "quarterly", "yearly", "annually",
                       "semiannually", "biannually", "biennially", "biweekly", "bimonthly",
                       "fortnightly")
# (English words as near them that say nothing: "early", "dally")
_NOT_A_MISSPELLING = frozenset({"early", "dally", "dearly", "nearly", "yearly", "weekly",
                                "monthly", "daily", "quarterly", "annually"})


def _near_a_schedule(word: str) -> bool:
    if word in _NOT_A_MISSPELLING:
        return False
    # (letters swapped: "dayli", "wekely")
    # (a writer gets the first letter right: "manually" is not "annually")
    return any(word[0] == s[0] and (sorted(word) == sorted(s) or difflib.SequenceMatcher(
        None, word, s).ratio() >= 0.8) for s in _SCHEDULE_SPELLINGS)


def says_nothing(tokens: list[str]) -> bool:
    """Whether a leftover clause carries no trading meaning: no placeholder, symbol, number or
    sign, and no word that may say how or when to trade (`MEANING_WORDS`, indicator names,
    negations, the indicators refused by name). "as a backstop", "is it possible to", "mind"
    say nothing; "in case it keeps sliding" does ("sliding")."""
    said = [t for t in tokens if t not in FILLER]
    # "I coached for 20 years": a number counting a noun of the writer's life says nothing
    counted = {k for k, t in enumerate(said)
               if t.isdigit() and k + 1 < len(said) and said[k + 1] in PERSONAL_NOUNS}
    said = [t for k, t in enumerate(said) if k not in counted and k - 1 not in counted]
    return bool(said) and all(
        re.fullmatch(r"[a-z]+(?:'[a-z]+)?", t) is not None
        and t not in MEANING_WORDS and t not in INDICATOR_WORDS and t not in NEGATIONS
        and t not in _REFUSED_WORDS and not _near_a_schedule(t)
        for t in said
    )


# turns one match into its placeholder (or into replacement text)
Tagger = Callable[[ParseState, re.Match[str]], str]
# tags a whole text: one step of the signal path's tagging
TextTagger = Callable[[ParseState, str], str]


def tagger(rules: Iterable[tuple[re.Pattern[str], Tagger]]) -> TextTagger:
    """The step that applies `rules` in order (see `ParseState.tag`)."""
    fixed = tuple(rules)
    return lambda state, text: state.tag(text, fixed)


def chain(steps: Iterable[TextTagger]) -> TextTagger:
    """The step that runs `steps` in order, each on the text the previous one returned."""
    fixed = tuple(steps)

    def run(state: ParseState, text: str) -> str:
        for step in fixed:
            text = step(state, text)
        return text

    return run
