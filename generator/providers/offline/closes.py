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
                   r"(?:above|below|under|over)(?!\S))")


def _period_close(state: ParseState, m: re.Match[str]) -> str:
    state.understood.append(f"the {m.group('tf')} close")
    if m.group("tf") == "monthly":
        state.monthly_close = True
    close = Ind(IndicatorKind.price, symbol=m.group("sym"), timeframe=m.group("tf"))
    return f" {state.add_indicator(m, close)} "


# "On the weekly chart, buy EFA when it closes above ...": the close of the chart's bars
_CLOSES = rx(rf"(?P<s>{SYM}|it|price|the price) (?:closes|closed|closing) (?P<side>above|below"
             r"|under|over|beneath)")


def closes_on_weekly_bars(state: ParseState, text: str) -> str:
    """A text on weekly bars throughout reads a close on them (`ParseState.weekly_bars`)."""
    if not any(m.group("tf") == "weekly" for m in BARS_TIMEFRAME.finditer(text)):
        return text
    state.weekly_bars = True

    def close(m: re.Match[str]) -> str:
        of = f" of {m.group('s')}" if re.fullmatch(SYM, m.group("s")) else ""
        return f" the weekly close{of} is {m.group('side')} "

    return _CLOSES.sub(close, text)


def period_closes(state: ParseState, text: str) -> str:
    return _PERIOD_CLOSE.sub(lambda m: _period_close(state, m), text)
