"""Clarification: when a refused text is vague in a way we recognise, ask instead of refusing.

"sell when it drops", "buy the dip", "buy low, sell high", "when it's oversold" carry a clear
intent but no level: guessing one would be making a rule up, and a plain refusal leaves the user
to guess what we want. This module owns those cases: `clarification_for` looks at a text the
parser refused and, when a vague phrase explains the refusal, returns a `Clarification` with
what was understood, the one or two questions that decide it, and completions the user can
send as they are (each is a sentence the offline parser understands; a test checks that).
A text that reads as a whole strategy once some of its sentences are set apart (remarks the
parser could not place: "He says the market always bounces.") gets a clarification too, asked
after the vague phrases: the strategy the rest reads as, the question whether those sentences
are only remarks, and the rest as the completion (`generator.remarks_apart` finds them).
Anything else stays a refusal: this never turns a text into a spec.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from generator.describe import describe


class _Refusal(Protocol):
    understood: list[str]
    not_understood: list[str]


@dataclass
class Clarification:
    understood: list[str]
    questions: list[str]
    suggestions: list[str] = field(default_factory=list)
    vague: str = ""  # the phrase that needs deciding
    # the sentences without which the text reads as a whole strategy (the suggestion is the
    # text without them): asked whether they are only remarks
    set_apart: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "understood": self.understood,
            "questions": self.questions,
            "suggestions": self.suggestions,
            "vague": self.vague,
            "set_apart": self.set_apart,
        }


_SYMBOL = re.compile(r"\b[A-Z]{2,5}\b")
_NOT_SYMBOLS = {"RSI", "SMA", "EMA", "MACD", "ATR", "ETF", "THE", "AND", "WHEN", "BUY", "SELL"}


def _symbol(text: str) -> str:
    for word in _SYMBOL.findall(text):
        if word not in _NOT_SYMBOLS:
            return word
    return "SPY"


# (pattern, what is vague, questions, suggested completions with {s} for the symbol; a
# completion starting with "~" replaces the vague phrase in the user's own text)
_CASES: list[tuple[re.Pattern[str], str, list[str], list[str]]] = [
    (
        re.compile(r"(?i)\b(?:buy|buying|get in on)(?: the)? dips?\b|\bbuy(?:ing)? on dips\b"),
        "the dip",
        ["What counts as a dip: how far down, measured against what?",
         "When should a dip buy be sold?"],
        ["Buy {s} when the 2-day RSI drops below 10, sell when it rises above 70",
         "Buy {s} after it closes down 3 days in a row and sell after holding for 5 days",
         "Buy {s} when it closes below the lower Bollinger band, sell when it gets back above "
         "the middle band"],
    ),
    (
        re.compile(r"(?i)\bbuy low\b.*\bsell high\b"),
        "buy low, sell high",
        ["Low and high compared with what: an oscillator, a band, a recent range?"],
        ["Buy {s} when the 14-day RSI is below 30, sell when it is above 70",
         "Buy {s} when it closes below the lower Bollinger band, sell at the upper band",
         "Buy {s} on a new 20-day low, sell on a new 20-day high"],
    ),
    (
        re.compile(r"(?i)\b(?:sell|exit|get out|dump)(?: it| everything)? (?:when|if|once|as soon"
                   r" as) (?:it|the price|price|the market|[A-Z]{2,5}) (?:drops|falls|goes down"
                   r"|declines|dips|tanks|crashes|turns down|starts falling)"
                   r"(?! (?:below|under|beneath|by|more|\d))"),
        "when it drops",
        ["Drops below what: a moving average, a recent low, or a loss from your entry price?"],
        ["~sell when it closes below its 50-day SMA",
         "~sell when it falls below the 20-day low",
         "~use a 5% stop loss",
         "~use a 10% trailing stop"],
    ),
    (
        re.compile(r"(?i)\b(?:buy|get in|go long)(?: [A-Z]{2,5})? (?:when|if|once|as soon as)"
                   r" (?:it|the price|price|the market|[A-Z]{2,5}) (?:goes up|rises|rallies"
                   r"|starts rising|turns up|climbs|moves up|is going up)"
                   r"(?! (?:above|over|past|by|more|\d))"),
        "when it goes up",
        ["Up compared with what: a moving average, a recent high, its momentum?"],
        ["Buy {s} when it closes above its 50-day SMA, sell when it closes below it",
         "Buy {s} on a 20-day high breakout, sell at a 10-day low",
         "Buy {s} when its 3-month momentum turns positive, sell when it turns negative"],
    ),
    (
        re.compile(r"(?i)\b(?:is|looks|gets|when|it's|becomes) (?:oversold|overbought|cheap"
                   r"|expensive|undervalued|overvalued|stretched)\b"),
        "oversold / overbought",
        ["Measured how, and at what level (for example the 14-day RSI below 30)?"],
        ["Buy {s} when the 14-day RSI is below 30, sell when it is above 70",
         "Buy {s} when the 2-day RSI drops below 10, sell when it rises above 70"],
    ),
    (
        re.compile(r"(?i)\b(?:market|it|trend|[A-Z]{2,5}) (?:looks|is looking|seems|is)"
                   r" (?:good|bad|strong|weak|bullish|bearish|healthy)\b"),
        "a strong / weak market",
        ["Which trend measure decides it: price above a moving average, or momentum?"],
        ["Hold {s} while it is above its 200-day SMA, otherwise sell",
         "Hold {s} while its 6-month momentum is positive, otherwise hold BIL"],
    ),
]


_BUY = re.compile(r"(?i)\b(?:buy|buys|long|hold|own|enter|invest)\b")


def clarification_for(text: str, refusal: _Refusal, *, known_symbols: set[str] | None = None,
                      allow_short: bool = False) -> Clarification | None:
    """A clarification when a vague phrase we recognise explains the refusal, or when the text
    reads as a whole strategy without some of its sentences (on a store of `known_symbols`, and
    a server that allows shorts when `allow_short`), else None."""
    questions = list(getattr(refusal, "questions", None) or [])
    if questions:  # an ambiguity the parser named itself ("A or B and C")
        return Clarification(understood=list(refusal.understood), questions=questions,
                             vague=str(getattr(refusal, "vague", "")))
    symbol = _symbol(text)
    for pattern, _label, questions, suggestions in _CASES:
        match = pattern.search(text)
        if match is None:
            continue
        completions: list[str] = []
        asks = list(questions)
        no_buy = _BUY.search(text) is None
        for suggestion in suggestions:
            filled = suggestion.format(s=symbol)
            if filled.startswith("~"):
                filled = (text[: match.start()] + filled[1:] + text[match.end():]).strip()
                if no_buy:  # a sell rule alone is no strategy: show one with a buy rule
                    filled = f"Buy {symbol} when it closes above its 200-day SMA and {filled}"
            completions.append(filled)
        if no_buy and any(s.startswith("~") for s in suggestions):
            asks.append("When should it buy, and which symbol?")
        return Clarification(
            understood=list(refusal.understood),
            questions=asks,
            suggestions=completions,
            vague=match.group(0),
        )
    return _remarks_apart(text, refusal, known_symbols, allow_short)


def _remarks_apart(text: str, refusal: _Refusal, known_symbols: set[str] | None,
                   allow_short: bool) -> Clarification | None:
    # (imported here: the reader's patterns cost most of a second to compile)
    from generator.remarks_apart import read_apart

    apart = read_apart(text, list(refusal.not_understood), known_symbols=known_symbols,
                       allow_short=allow_short)
    if apart is None:
        return None
    quoted = " ".join(f"“{s}”" for s in apart.set_apart)
    one = len(apart.set_apart) == 1
    question = (
        f"Without {quoted} your text reads as a whole strategy: {describe(apart.spec)} "
        f"If {'that is only a remark' if one else 'those are only remarks'}, send the "
        f"suggestion as it is; if {'it changes' if one else 'one of them changes'} the rules, "
        "say the change as a rule of its own.")
    return Clarification(understood=apart.understood, questions=[question],
                         suggestions=[apart.text], set_apart=apart.set_apart)
