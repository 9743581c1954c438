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
    "annual": Frequency.yearly, "semiannually": Frequency.semiannual,
    "semiannual": Frequency.semiannual, "biannually": Frequency.semiannual,
    "twice a year": Frequency.semiannual, "twice yearly": Frequency.semiannual,
    "every half year": Frequency.semiannual, "half yearly": Frequency.semiannual,
}
# "every N months/weeks": the counts that are one of our frequencies
_FREQ_COUNT = {
    ("months", 1): Frequency.monthly, ("months", 3): Frequency.quarterly,
    ("months", 12): Frequency.yearly, ("weeks", 1): Frequency.weekly,
    ("months", 6): Frequency.semiannual,
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
        r"|annually|annual|semiannually|semiannual|biannually|twice a year|twice yearly"
        r"|every half year|half yearly)"
        r"(?: basis| rebalanc(?:e|ed|es|ing)| checks?| checked| checking)?"
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


# "rebalance when a weight drifts more than 5 points", "with a 5% drift band"
DRIFT_PATTERNS: list[re.Pattern[str]] = [
    rx(r"(?:, )?(?:and )?(?:only )?(?:rebalance|rebalancing|rebalanced)(?: only)? (?:when|if"
       r"|whenever|once) (?:the |a |any |either )?(?:weights?|allocations?|positions?|holdings?"
       r"|it|one|they|asset|of them)(?: weights?)? (?:drifts?|drifted|moves?|is off|are off|gets"
       r" off|deviates?|strays?)(?: away)?(?: by)? (?:more than |over |at least |beyond )?"
       r"(?P<n>\d+(?:\.\d+)?) (?:percentage points|points|pts|%|percent)(?: from (?:its |their"
       r" |the )?targets?)?"),
    rx(r"(?:, )?(?:with |and |using )?(?:a )?(?P<n>\d+(?:\.\d+)?) (?:%|percent|points?|pts)"
       r" (?:drift|rebalancing|tolerance) (?:band|threshold)"),
    # "rebalance only if something is more than 5% off target"
    rx(r"(?:, )?(?:and )?(?:only )?(?:(?:rebalance|rebalancing|rebalanced)(?: only)? )?(?:when|if"
       r"|whenever|once) (?:something|anything|any weight|a weight|any asset|an asset|a holding"
       r"|any holding|a position|any position|one|either|any of them|one of them|they|it)"
       r" (?:is|are|gets|get|drifts?|moves?|goes|go|ends up)(?: more than| over| at least"
       r"| by more than| by)? (?P<n>\d+(?:\.\d+)?) (?:points|pts|%|percent) (?:off|away from"
       r"|from|out of line with) (?:its |the |their )?targets?(?: weights?)?"),
]


def extract_drift_band(state: ParseState) -> None:
    def on_match(m: re.Match[str]) -> None:
        value = float(m.group("n"))
        state.drift_band = state.settle(state.drift_band, value, "drift bands", m.group(0))
        state.understood.append(f"rebalance when a weight drifts more than {value:g} points")

    state.t = consume(DRIFT_PATTERNS, state.t, on_match)


def extract_schedule(state: ParseState) -> None:
    extract_drift_band(state)
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
