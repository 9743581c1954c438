"""Pullbacks from the highest close, said as a distance, rewritten as the spec's drawdown.

This module owns `extract_pullbacks`, one of the parser's global phrases. "VTI is more than 20%
below its highest close of the past year", "once it's pulled back at least 10% from its highest
close of the last 100 days", "a pullback of more than 10% from its 52-week high (closing basis)"
are the v2 indicator `drawdown` (percent below the highest close of the last N bars) compared
with that number. A later "within 5% of that high" or "less than 2% off that high" is the same
drawdown under the number. Only the highest *close* is read so: "10% below its 52-week high",
with no word of closes, may mean the highest high and stays refused as ambiguous.
"""

from __future__ import annotations

import re

from generator.providers.offline.phrases import SYM, rx, squash
from generator.providers.offline.state import ParseState
from generator.providers.offline.vocabulary import UNIT_DAYS

# "of the past year", "of the last 100 days", "over the prior 6 months", "in 52 weeks"
_SPAN = (r"(?:of|over|in|during|from) (?:the )?(?:past |last |prior |previous |trailing )?"
         r"(?:(?P<n>\d+) )?(?P<u>days?|weeks?|months?|years?)")
_HIGHEST_CLOSE = (rf"(?:its |the )?(?:highest close|highest closing price|closing high) {_SPAN}"
                  rf"|(?:its |the )?(?P<n2>\d+) (?P<u2>day|week|month|year) (?:closing high"
                  r"|high on a closing basis|closing basis high)")
# "from its 52-week high (closing basis)": the brackets are gone with the small talk by now, so
# a text that says it anywhere reads its N-week high as the highest close
_CLOSING_BASIS = re.compile(r"(?i)\bclosing basis\b")
_N_HIGH = (r"(?:its |the )?(?P<n3>\d+) (?P<u3>day|week|month|year) high")
_SUBJECT = (rf"(?:(?P<s>{SYM}) |it |price |the price )?(?:(?:close|closing price)"
            r" )?")
_MORE = r"(?P<cmp>more than|over|at least|by at least|by more than|by over|by)? ?"


def _below(high: str) -> re.Pattern[str]:
    """ "VTI is more than 20% below its highest close of the past year" """
    return rx(rf"{_SUBJECT}(?:is |trades |closes |sits |gets |has closed |closed |has been )?"
              rf"(?:down )?{_MORE}(?P<x>\d+(?:\.\d+)?) %"
              rf" (?:below|under|off|beneath|down from|from) (?:{high})")


def _pulled(high: str) -> re.Pattern[str]:
    """ "it has pulled back at least 10% from its highest close of the last 100 days", "a
    pullback of more than 10% from its 52-week high", "drops 15% from its closing high" """
    return rx(rf"(?:after )?{_SUBJECT}(?:has |is |'s )?(?:pulled back|pulls back|dropped|drops"
              rf"|fallen|falls|fell|declined|declines|a pullback of|a drop of|a decline of"
              rf"|a fall of) {_MORE}(?P<x>\d+(?:\.\d+)?) % (?:from|off|below) (?:{high})")


# "recovers to within 5% of that high", "is less than 2% off that high"
_NEAR = rx(rf"{_SUBJECT}(?:recovers |gets back |comes back |climbs back |is |gets |trades "
           r"|closes )?(?:back )?(?:to )?(?:within|less than|under|no more than)"
           r" (?P<x>\d+(?:\.\d+)?) % (?:of|off|from|below) (?:that|the|its) (?:high|highest close"
           r"|closing high|peak)")


def _days(m: re.Match[str]) -> int:
    g = m.groupdict()
    count, unit = next((g.get(f"n{k}"), g[f"u{k}"]) for k in ("", "2", "3") if g.get(f"u{k}"))
    if int(count or 1) == 52 and UNIT_DAYS[unit] == 5:
        return 252  # the 52-week high is the year's (`phrases.days`)
    return int(count or 1) * UNIT_DAYS[unit]


def _op(m: re.Match[str]) -> str:
    said = (m.group("cmp") or "").strip()
    return "is at least" if "at least" in said else "is more than"


def _subject(m: re.Match[str], days: int) -> str:
    """The drawdown, of the symbol said before it if one was."""
    return f" {m.group('s')} {days} day drawdown" if m.group("s") else f" the {days} day drawdown"


def extract_pullbacks(state: ParseState) -> None:
    periods: list[int] = []

    def drawdown(m: re.Match[str]) -> str:
        days = _days(m)
        periods.append(days)
        return f"{_subject(m, days)} {_op(m)} {m.group('x')} % "

    high = _HIGHEST_CLOSE + (f"|{_N_HIGH}" if _CLOSING_BASIS.search(state.raw) else "")
    text = _below(high).sub(drawdown, _pulled(high).sub(drawdown, state.t))
    if len(set(periods)) == 1:
        # the high named before: the same drawdown, now under the number
        text = _NEAR.sub(
            lambda m: f"{_subject(m, periods[0])} is less than {m.group('x')} % ", text)
    state.t = squash(text)
