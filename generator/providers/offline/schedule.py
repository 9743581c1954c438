"""Schedule phrases: when the rules are checked or the portfolio is rebalanced.

This module owns "rebalance monthly", "check the rules every week", "at the end of each
quarter", "every 3 months" and the like: it takes them out of the text and sets the state's
`Frequency` (daily, weekly, monthly, quarterly, yearly). Two different schedules are refused.
"""

from __future__ import annotations

import re

from generator.providers.offline.phrases import consume, rx
from generator.providers.offline.state import ParseState
from generator.spec import Frequency

_FREQ_UNIT = {
    "day": Frequency.daily, "week": Frequency.weekly, "month": Frequency.monthly,
    "quarter": Frequency.quarterly, "year": Frequency.yearly,
}
_FREQ_WORD = {
    "daily": Frequency.daily, "weekly": Frequency.weekly, "monthly": Frequency.monthly,
    "quarterly": Frequency.quarterly, "yearly": Frequency.yearly, "annually": Frequency.yearly,
    "annual": Frequency.yearly,
}
# "every N months/weeks": the counts that are one of our frequencies
_FREQ_COUNT = {
    ("months", 1): Frequency.monthly, ("months", 3): Frequency.quarterly,
    ("months", 12): Frequency.yearly, ("weeks", 1): Frequency.weekly,
}
_SCHED_VERB = (
    r"(?:(?:check|checks|checked|checking|evaluate|evaluated|evaluates|run|runs|trade|trades"
    r"|traded|look|review|reviewed|decide|rebalance|rebalanced|rebalances|rebalancing|rebalance"
    r"d)(?: the rules| the signals?| signals| it| them| the portfolio| positions)? )?"
)
SCHEDULE_PATTERNS: list[re.Pattern[str]] = [
    rx(
        rf"(?:and )?{_SCHED_VERB}(?:at|on) the (?:start|beginning|end|first (?:trading )?day"
        r"|last (?:trading )?day|open|close) of (?:each|every|the|a) (?P<u>week|month|quarter|year)"
    ),
    rx(
        rf"(?:and )?{_SCHED_VERB}(?:every|each|once a|once per|per) (?P<k>\d+)"
        r" (?P<u2>months|weeks)"
    ),
    rx(
        rf"(?:and )?{_SCHED_VERB}(?:every|each|once a|once an|once per|per|on a|once every) "
        r"(?:single )?(?:trading )?(?P<u>day|week|month|quarter|year)(?: basis)?"
    ),
    rx(
        rf"(?:and )?{_SCHED_VERB}(?:on a |once )?(?P<w>daily|weekly|monthly|quarterly|yearly"
        r"|annually|annual)(?: basis| rebalanc(?:e|ed|es|ing)| checks?| checked| checking)?"
    ),
    rx(r"(?:and )?(?:at |on )?(?:each |every |the )?(?P<u>week|month|quarter|year) end"),
]


def _frequency(state: ParseState, m: re.Match[str]) -> Frequency:
    groups = m.groupdict()
    if groups.get("w"):
        return _FREQ_WORD[groups["w"]]
    if groups.get("u2"):
        key = (groups["u2"], int(groups["k"]))
        if key not in _FREQ_COUNT:
            raise state.fail(
                "schedules can be daily, weekly, monthly, quarterly or yearly",
                [m.group(0).strip()],
            )
        return _FREQ_COUNT[key]
    return _FREQ_UNIT[groups["u"]]


def extract_schedule(state: ParseState) -> None:
    def on_match(m: re.Match[str]) -> None:
        freq = _frequency(state, m)
        if state.schedule is not None and state.schedule != freq:
            raise state.fail(
                f"two different schedules were given ({state.schedule.value} and {freq.value})",
                [m.group(0).strip()],
            )
        state.schedule = freq
        state.understood.append(f"schedule {freq.value}")

    state.t = consume(SCHEDULE_PATTERNS, state.t, on_match)
