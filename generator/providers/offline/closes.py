"""The close of weekly and monthly bars, said in words, tagged as the spec's resampled price.

This module owns `period_closes` and `closes_on_weekly_bars`: "sell on a weekly close below it",
"if the monthly close of SPY is above ..." (the close of the last completed week or month, spec
v2 bars, tagged before "weekly" can be read as the schedule), and, in a text on weekly bars
throughout ("On the weekly chart, buy EFA when it closes above ..."), a close said with a verb.
"""

from __future__ import annotations

import re

from generator.providers.offline.phrases import BARS_TIMEFRAME, SYM, rx
from generator.providers.offline.state import ParseState
from generator.providers.offline.terms import Ind
from generator.spec import IndicatorKind

# "sell on a weekly close below it": the close of the last completed week (spec v2 weekly
# bars), tagged before "weekly" can be read as the schedule
# (a verb may stand before the side: "when the weekly close drops under it")
_PERIOD_CLOSE = rx(r"(?:(?:on|at|after) )?(?:a |the )?(?P<tf>weekly|monthly) (?:close|closing price"
                   rf"|closing)(?: of (?P<sym>{SYM}))?(?= (?:is |that is |of )?(?:(?:drops|falls"
                   r"|dips|slips|sinks|goes|gets|moves|rises|climbs|comes|is back|goes back"
                   r"|gets back|moves back|comes back|crosses|breaks|closes)(?: back)? )?"
                   # ("the monthly close > 12-month SMA": the side said as a sign too, never
                   # left for "monthly" to be read as the schedule and the close as the daily one)
                   r"(?:above|below|under|over|[<>]|(?:higher|lower|greater|less) than|exceeds"
                   r"|beats|tops)"
                   r"(?!\S))")


def _period_close(state: ParseState, m: re.Match[str]) -> str:
    state.understood.append(f"the {m.group('tf')} close")
    if m.group("tf") == "monthly":
        state.monthly_close = True
    close = Ind(IndicatorKind.price, symbol=m.group("sym"), timeframe=m.group("tf"))
    return f" {state.add_indicator(m, close)} "


# "On the weekly chart, buy EFA when it closes above ...": the close of the chart's bars
_CLOSES = rx(rf"(?P<s>{SYM}|it|price|the price) (?:closes|closed|closing) (?P<side>above|below"
             r"|under|over|beneath)")


def _said_close(tf: str, m: re.Match[str]) -> str:
    """The close of `tf` bars ("weekly", "monthly") that `m` (groups `s`, the subject, and
    `side`) says with a verb, in the words `_PERIOD_CLOSE` reads."""
    of = f" of {m.group('s')}" if re.fullmatch(SYM, m.group("s")) else ""
    return f" the {tf} close{of} is {m.group('side')} "


def closes_on_weekly_bars(state: ParseState, text: str) -> str:
    """A text on weekly bars throughout reads a close on them (`ParseState.weekly_bars`)."""
    if not any(m.group("tf") == "weekly" for m in BARS_TIMEFRAME.finditer(text)):
        return text
    state.weekly_bars = True

    return _CLOSES.sub(lambda m: _said_close("weekly", m), text)


# "if it closes the month below it": the close of that month
_CLOSES_THE_PERIOD = rx(rf"(?P<s>{SYM}|it|price|the price) (?:closes|closed|closing) (?:the|a)"
                        r" (?P<tf>week|month) (?P<side>above|below|under|over|beneath)")
# what the close is compared with: the line named before, or one in weeks or months
_SAME_BARS = re.compile(r" (?:it|that|them|(?:the|that|its) (?:same )?(?:line|average|sma|ema"
                        r"|moving average)|(?:the |its )?\d+ (?:week|month)s?)(?!\S)")


def _closes_like_the_rules(text: str) -> str:
    """A close said with a verb after "the weekly close" (or the monthly) in a text that names
    that one kind of close, compared with the line named before or one in weeks (months): the
    same close ("in when the weekly close is above the 30-week SMA, and sell when it closes
    below it"), never the day's. (Against a line in days it stays the daily close.)"""
    said = list(_PERIOD_CLOSE.finditer(text))
    if len({m.group("tf") for m in said}) != 1:
        return text
    tf = said[0].group("tf")

    def close(m: re.Match[str]) -> str:
        if not _SAME_BARS.match(m.string, m.end()):
            return m.group(0)
        return _said_close(tf, m)

    start = said[0].end()
    return text[:start] + _CLOSES.sub(close, text[start:])


def period_closes(state: ParseState, text: str) -> str:
    text = _CLOSES_THE_PERIOD.sub(lambda m: _said_close(f"{m.group('tf')}ly", m), text)
    text = _closes_like_the_rules(text)
    return _PERIOD_CLOSE.sub(lambda m: _period_close(state, m), text)
