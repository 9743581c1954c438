"""The golden and death cross said in words, and the averages a text says they are made of.

This module owns the rewrites of "golden cross / death cross on IWM" (the whole strategy in two
words), "... using the 50dma and 200dma" (the pair on the lines named), and the check of the
averages a golden cross is glossed with ("the golden cross (50 day SMA crossing above the 200
day)", "... using the 50 and 200 day averages"): a golden cross is the 50-day SMA crossing the
200-day, and any other pair is refused, to be said as which line crosses which.
"""

from __future__ import annotations

import re

from generator.providers.offline.phrases import GOLDEN, SYM, rx
from generator.providers.offline.state import ParseState
from generator.providers.offline.vocabulary import CONSUMED, words

# "golden cross / death cross on IWM": the whole strategy in two words
_CROSS_PAIR = re.compile(
    r"(?<!\S)(?:trade |use |a |the )?golden cross(?: ,| /| and| &| then)?(?: a| the)? death cross"
    rf"(?: (?:on|for|with|in) (?P<sym>{SYM}))?(?!\S)"
)


# "golden cross / death cross on VTI using the 50dma and 200dma": the pair, on the lines named
MA_TEXT = (r"(?:the )?\d+ (?:day |week )?(?:simple |exponential )?(?:sma|ema|ma|dma|moving average"
            r"|exponential moving average|simple moving average)")
_CROSS_PAIR_LINES = rx(
    r"(?:trade |use |a |the )?golden cross(?: ,| /| and| &| then)?(?: a| the)? death cross"
    rf"(?: (?:on|for|with|in) (?P<sym>{SYM}))? (?:using|with|on|of|based on) (?P<a>{MA_TEXT})"
    rf"(?: ,)? (?:and|&|/) (?P<b>{MA_TEXT})")


def _cross_pair_lines(m: re.Match[str]) -> str:
    sym = f" {m.group('sym')}" if m.group("sym") else ""
    a, b = m.group("a").removeprefix("the "), m.group("b").removeprefix("the ")
    return (f" buy{sym} when the {a} crosses above the {b} , sell when the {a} crosses below"
            f" the {b} ")


# "golden cross ... using the 50 and 200 day averages": the averages a golden cross is made of
_CROSS_AVERAGES = rx(
    r"(?:, )?(?:using|with|on|based on|of) (?:the )?(?P<a>\d+) (?:day )?(?:and|/|&) (?:the )?"
    r"(?P<b>\d+) (?:day )?(?:simple )?(?:moving )?(?:averages?|smas?|mas|dmas?|lines)"
)


# "the golden cross (50 day sma crossing above the 200 day)": the cross explained in brackets
_CROSS_GLOSS = rx(r"(?P<w>golden|death) cross \( (?P<body>[^()]+?) \)")
_GLOSS_WORDS = frozenset(words(
    """50 200 day days d the a its sma smas simple moving average averages ma dma mas / line
    lines crossing crosses cross crossed goes going moves moving over above up through below
    under down and , = i.e. ie means meaning when is"""
))
_UP_WORDS = frozenset({"over", "above", "up"})
_DOWN_WORDS = frozenset({"below", "under", "down"})


def _cross_gloss(state: ParseState, m: re.Match[str]) -> str:
    body = m.group("body").split()
    golden = m.group("w") == "golden"
    numbers = [w for w in body if w.isdigit()]
    wrong_way = _DOWN_WORDS if golden else _UP_WORDS
    if (numbers != ["50", "200"] or any(w not in _GLOSS_WORDS for w in body)
            or any(w in wrong_way for w in body)):
        raise state.fail("a golden or death cross is the 50-day SMA crossing the 200-day; "
                         "for other lines say which crosses which", [m.group(0).strip()])
    state.understood.append("golden/death cross: the 50- and 200-day SMAs")
    return f" {m.group('w')} cross "


def cross_averages(state: ParseState, text: str) -> str:
    if not GOLDEN.search(text):
        return text
    text = _CROSS_GLOSS.sub(lambda m: _cross_gloss(state, m), text)

    def said(m: re.Match[str]) -> str:
        if (int(m.group("a")), int(m.group("b"))) != (50, 200):
            raise state.fail("a golden or death cross is the 50-day SMA crossing the 200-day; "
                             "for other averages say which crosses which",
                             [m.group(0).strip()])
        state.understood.append("golden/death cross: the 50- and 200-day SMAs")
        return f" {CONSUMED} "

    return _CROSS_AVERAGES.sub(said, text)


def cross_pair(text: str) -> str:
    """ "golden cross / death cross on VTI (using the 50dma and 200dma)": the buy on the one and
    the sell on the other; a pair said twice only names the strategy."""
    def handler(m: re.Match[str]) -> str:
        sym = f" {m.group('sym')}" if m.group("sym") else ""
        return f" buy{sym} on a golden cross , sell on a death cross "

    text = _CROSS_PAIR_LINES.sub(_cross_pair_lines, text)
    if len(re.findall(r"(?<!\S)golden cross(?!\S)", text)) == 1:
        # said once, the pair is the whole strategy; said again, the pair only names it
        text = _CROSS_PAIR.sub(handler, text)
    return text
