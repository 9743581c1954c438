"""Schedule phrases: when the rules are checked or the portfolio is rebalanced.

This module owns "rebalance monthly", "check the rules every week", "at the end of each
quarter", "every 3 months" and the like: it takes them out of the text and sets the state's
`Frequency` (daily, weekly, monthly, quarterly, yearly). Two different schedules are refused.

Weekdays and months name when a schedule acts. A weekly schedule decides at the start of each
week on the closes of the week before, so "every Friday" (on the Friday close) and "every
Monday" are the weekly schedule; any other weekday is refused naming it. Months are accepted
when they are the ones the schedule acts in ("once a year in January", "twice a year (January
and July)", quarterly in January, April, July and October) and refused naming them otherwise.
"""

from __future__ import annotations

import re

from generator.providers.offline.phrases import consume, rx, take
from generator.providers.offline.state import ParseState
from generator.providers.offline.vocabulary import CONSUMED, MONTHS, WEEKDAYS
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
    # ("I only look once a month": the writer as the subject)
    # ("Only want to check once a week")
    r"(?:(?:(?:i|we) (?:only |just |usually |will |can )?)?(?:(?:only |just )?(?:want|need|like)"
    r" to )?(?:check|checks|checked|checking"
    r"|evaluate|evaluated|evaluates|run|runs|trade|trades"
    r"|traded|look|review|reviewed|decide|rebalance|rebalanced|rebalances|rebalancing|rebalance"
    r"d|swap|swapped|swaps|look at)(?: the rules| the signals?| signals| it| them| the portfolio"
    # ("I only look at my account once a month")
    r"| positions| my account| my portfolio| the account| the charts?| my charts?)? )?"
)
SCHEDULE_PATTERNS: list[re.Pattern[str]] = [
    # first: "every month end" holds "every month"
    rx(rf"(?:and )?{_SCHED_VERB}(?:at |on )?(?:each |every |the )?(?P<u>week|month|quarter|year)"
       r" end"),
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


_DRIFT_START = (r"(?:, )?(?:and |but |or )?(?:sooner )?(?:only )?(?:(?:rebalance|rebalancing"
                r"|rebalanced)(?: only)? )?(?:when|if|whenever|once|as soon as)"
                r" (?:(?:any|a|one|1|either|the) )?(?:of (?:the |my |our |its )?)?(?:[a-z]+ )?"
                r"(?:something|anything|sleeve|sleeves|weight|weights|holding|holdings|position"
                r"|positions|asset|assets|fund|funds|leg|legs|side|sides|allocation|them|it|one"
                r"|1|the 2|the two|the 3|the three) ")
_DRIFT_UNIT = r"(?:percentage points|points|pts|%|percent)"
_DRIFT_FROM = (r"(?:from|off) (?:its |their |the )?(?:targets?(?: weights?)?|where (?:it|they)"
               r" should be|\d+(?:\.\d+)? %)")
# "rebalance when a weight drifts more than 5 points", "with a 5% drift band"
DRIFT_PATTERNS: list[re.Pattern[str]] = [
    # "rebalance when it gets more than 10% out of whack"
    rx(rf"{_DRIFT_START}(?:gets|is|goes|drifts|moves|ends up)(?: by)? (?:more than |over |at least"
       rf" )?(?P<n>\d+(?:\.\d+)?) {_DRIFT_UNIT} out of (?:whack|line|balance|kilter)"),
    rx(r"(?:, )?(?:and |but )?(?:only )?(?:rebalance|rebalancing|rebalanced)(?: only)? (?:when|if"
       r"|whenever|once) (?:the |a |any |either |(?:1|any|either) of (?:the |its |my |our )?)?"
       r"(?:weights?|allocations?|positions?|holdings?"
       r"|it|one|they|asset|of them|side|sides|leg|legs|sleeve|sleeves)(?: weights?)?"
       r" (?:drifts?|drifted|moves?|is off|are off|gets"
       r" off|deviates?|strays?)(?: away)?(?: by)? (?:more than |over |at least |beyond )?"
       r"(?P<n>\d+(?:\.\d+)?) (?:percentage points|points|pts|%|percent)(?:(?: away)? from"
       r" (?:its |their |the )?targets?(?: weights?)?)?(?: or more)?"),
    # ("w/ a 10-point drift band": "drift band" is read as "drift" by the normaliser)
    rx(r"(?:, )?(?:with |w / |and |using )?(?:a )?(?P<n>\d+(?:\.\d+)?) (?:%|percent|points?|pts)"
       r" (?:drift(?: band| threshold)?|(?:rebalancing|tolerance) (?:band|threshold))"),
    # "rebalance only if something is more than 5% off target"
    rx(r"(?:, )?(?:and )?(?:only )?(?:(?:rebalance|rebalancing|rebalanced)(?: only)? )?(?:when|if"
       r"|whenever|once) (?:something|anything|any weight|a weight|any asset|an asset|a holding"
       r"|any holding|a position|any position|one|either|any of them|one of them|1 of them"
       r"|they|it)"
       r" (?:is|are|gets|get|drifts?|moves?|goes|go|ends up)(?: more than| over| at least"
       r"| by more than| by)? (?P<n>\d+(?:\.\d+)?) (?:points|pts|%|percent) (?:off|away from"
       r"|from|out of line with) (?:its |the |their )?targets?(?: weights?)?"),
    # "rebalance yearly or if a position is off by 10 points"
    rx(r"(?:, )?(?:and |but |or )?(?:only )?(?:(?:rebalance|rebalancing|rebalanced)(?: only)? )?"
       r"(?:when|if|whenever|once) (?:something|anything|one|either(?: one| 1| of them)?"
       r"|any one of them|any of them"
       r"|one of them|1 of them|a weight|any weight|a holding|any holding|a position|any position"
       r"|an asset|any asset|they|it)(?: is| are| gets| get| drifts?| goes| go)? off by"
       r"(?: more than| at least)?"
       r" (?P<n>\d+(?:\.\d+)?) (?:points|pts|%|percent)(?: or more)?"),
    # "or sooner if any sleeve wanders 10 points away from its 25%", "whenever something drifts
    # more than 3 percent from where it should be", "when one of the holdings has drifted more
    # than 5 points from its target": a drift said with any subject and a verb of drifting, or
    # any verb and "away from the target"
    rx(rf"{_DRIFT_START}(?:has |have )?(?:drifts?|drifted|wanders?|wandered|deviates?|deviated"
       r"|strays?|strayed)(?: away)?(?: by)? (?:more than |over |at least |beyond )?"
       rf"(?P<n>\d+(?:\.\d+)?) {_DRIFT_UNIT}(?: away)?(?: {_DRIFT_FROM})?"),
    rx(rf"{_DRIFT_START}(?:has |have )?(?:gets|got|is|goes|went|moves|moved|slips|slipped)"
       r"(?: by)? (?:more than |over |at least |beyond )?"
       rf"(?P<n>\d+(?:\.\d+)?) {_DRIFT_UNIT}(?: away)? {_DRIFT_FROM}"),
    # "only rebalance when one of them is off target by 10 points or more"
    rx(r"(?:, )?(?:and |but )?(?:only )?(?:(?:rebalance|rebalancing|rebalanced)(?: only)? )?(?:when"
       r"|if|whenever|once) (?:something|anything|one|either|any of them|one of them|1 of them"
       r"|a weight|any weight|a holding|any holding|a position|any position|an asset|any asset"
       r"|they|it) (?:is|are|gets|get|drifts?|goes|go)"
       r" off(?: (?:its|the|their))? targets? by(?: more than| at least)? (?P<n>\d+(?:\.\d+)?)"
       r" (?:points|pts|%|percent)(?: or more)?"),
]


# "put them back to 50/50 whenever one side goes above 60% or below 40% of the account": a band
# said as the weights' limits (the band is the distance from the target, the same both ways)
DRIFT_LEVELS = rx(
    r"(?:, )?(?:and )?(?:(?:put|bring|set|reset|rebalance|move)(?: them| it| everything)?"
    r"(?: back)?(?: to (?:the )?(?:targets?|(?P<ratio>\d+(?:\.\d+)?(?: / \d+(?:\.\d+)?)+)))? )?"
    r"(?:whenever|when|if|once) (?:1|either|any) (?:side|weight|position|holding|of them|asset"
    r"|fund|leg)(?: weight)? (?:goes|gets|is|moves|drifts|rises|climbs) (?:above|over|past|to more"
    r" than) (?P<hi>\d+(?:\.\d+)?) % (?:or|and) (?:below|under|to less than)"
    r" (?P<lo>\d+(?:\.\d+)?) %"
    r"(?: of (?:the |my |our )?(?:account|portfolio|money|total))?"
)


def drift_band_from_levels(state: ParseState, weights: dict[str, float]) -> float | None:
    """The band of "whenever one side goes above 60% or below 40%", from the target weights:
    every target must be as far from both limits (equal weights); anything else is refused."""
    if state.drift_levels is None:
        return None
    high, low, ratio = state.drift_levels
    targets = [w * 100 for w in weights.values()]
    if ratio and [round(r, 2) for r in ratio] != [round(t, 2) for t in targets]:
        raise state.fail("the split to go back to is not the weights given")
    bands = {round(high - t, 2) for t in targets} | {round(t - low, 2) for t in targets}
    band = bands.pop() if len(bands) == 1 else 0.0
    if band <= 0:
        raise state.fail(f"a band of {high:g}% / {low:g}% fits targets the same distance from "
                         "both limits; say 'rebalance when a weight drifts more than N points'")
    return band


def extract_drift_band(state: ParseState) -> None:
    def levels(m: re.Match[str]) -> None:
        ratio = [float(x) for x in m.group("ratio").split(" / ")] if m.group("ratio") else []
        state.drift_levels = (float(m.group("hi")), float(m.group("lo")), ratio)
        state.understood.append(f"rebalance when a weight goes above {m.group('hi')}% or below "
                                f"{m.group('lo')}%")

    state.t = consume([DRIFT_LEVELS], state.t, levels)

    def on_match(m: re.Match[str]) -> None:
        value = float(m.group("n"))
        state.drift_band = state.settle(state.drift_band, value, "drift bands", m.group(0))
        state.understood.append(f"rebalance when a weight drifts more than {value:g} points")

    state.t = consume(DRIFT_PATTERNS, state.t, on_match)
    if state.drift_band is not None or state.drift_levels is not None:
        # "I don't want calendar rebalancing, only when ...": what a drift band already is
        state.t = consume([_NO_CALENDAR], state.t,
                          lambda m: state.understood.append("no calendar rebalance"))


_NO_CALENDAR = rx(
    r"(?:, )?(?:but )?(?:i|we) (?:don't|do not|dont) (?:want|need|like) (?:to rebalance (?:on|by)"
    r" (?:a |the )?(?:calendar|schedule)|(?:any )?(?:calendar|scheduled|periodic)"
    r" rebalanc(?:ing|es?)|to rebalance on a (?:fixed )?schedule)(?: though| at all)?(?: ,)?"
)


# the weekly schedule acts on Monday's open from Friday's close: both days name it
_WEEKLY_DAY = rx(
    r"(?:, )?(?:and )?(?:(?:check|checked|rebalance|rebalanced|trade|look|decide)(?: it| them)? )?"
    r"(?:every|each|on|on a|at the close on|at the close of each|at the close of every)"
    r" (?:monday|friday)s?(?: close| open)?(?: :)?"
)
_MONTH_LIST = re.compile(
    rf"(?<!\S)(?:\( )?(?:(?:in|on|during) )?(?P<m>(?:{'|'.join(MONTHS)})"
    rf"(?:(?: ,| and| ,? and| &)? (?:{'|'.join(MONTHS)}))*)(?: \))?(?!\S)"
)
# the months each schedule acts in (the first trading day of each)
_ACTS_IN = {
    Frequency.yearly: {"january"},
    Frequency.semiannual: {"january", "july"},
    Frequency.quarterly: {"january", "april", "july", "october"},
}


def extract_weekly_day(state: ParseState) -> None:
    """ "every Friday", "each Monday": the weekly schedule (taken out before a title is read:
    "Every Friday: ..." is the schedule, not a title)."""
    def weekly(m: re.Match[str]) -> None:
        if state.schedule not in (None, Frequency.weekly):
            raise state.fail(f"two different schedules were given ({state.schedule.value} and "
                             "weekly)", [m.group(0).strip()])
        state.schedule = Frequency.weekly
        state.understood.append("schedule weekly (decided on each week's last close)")

    state.t = consume([_WEEKLY_DAY], state.t, weekly)


# "until the next Friday", "for the next month", "until the next month-end check": the
# schedule said again (the unit must be the schedule's)
_UNTIL_NEXT = rx(
    r"(?:, )?(?:until|till|for) the (?:next|following) (?P<u>friday|monday|week|month|quarter"
    r"|year)(?: end| - end)?(?: check| rebalance)?"
)
_UNIT_FREQ = {"friday": Frequency.weekly, "monday": Frequency.weekly, "week": Frequency.weekly,
              "month": Frequency.monthly, "quarter": Frequency.quarterly,
              "year": Frequency.yearly}


def _check_until_next(state: ParseState, said: list[re.Match[str]]) -> None:
    for m in said:
        if state.schedule != _UNIT_FREQ[m.group("u")]:
            raise state.fail(f"'{m.group(0).strip()}' needs a schedule of one {m.group('u')}",
                             [m.group(0).strip()])
        state.understood.append(f"'{m.group(0).strip()}': the schedule")


def _weekdays_and_months(state: ParseState) -> None:
    extract_weekly_day(state)
    for day in WEEKDAYS:
        if re.search(rf"(?<!\S){day}s?(?!\S)", state.t):
            raise state.fail(
                f"'{day}' cannot be chosen: a weekly schedule decides at the start of each week "
                "on the closes of the week before (say 'every Friday', 'every Monday' or "
                "'weekly')", [day])

    def months(m: re.Match[str]) -> str:
        named = set(re.findall("|".join(MONTHS), m.group("m")))
        # ("bands may be better than ...": the verb, never the month)
        if named == {"may"} and re.match(r" (?:be|not|have|work|help|want|need|get|go|well"
                                         r"|also|just|still|lose|miss|take|make|do|cause|look"
                                         r"|seem|sound)(?!\S)", m.string[m.end():]):
            return m.group(0)
        schedule = state.schedule
        acts = _ACTS_IN.get(schedule) if schedule is not None else None
        if schedule is None or acts is None or named != acts:
            when = (f"the {schedule.value} schedule acts in "
                    + ", ".join(sorted(acts, key=MONTHS.index)).title()
                    if schedule is not None and acts
                    else "only a yearly, half-yearly or quarterly schedule names months")
            raise state.fail(f"the month{'s' if len(named) > 1 else ''} "
                             f"{', '.join(sorted(named, key=MONTHS.index)).title()} cannot be "
                             f"chosen: {when}", [m.group(0).strip()])
        state.understood.append(f"months {', '.join(sorted(named, key=MONTHS.index))}")
        return CONSUMED

    state.t = take(_MONTH_LIST, state.t, months)


# "fortnightly", "bi-weekly", "twice a month", "bi-monthly": a period the spec has no schedule
# for (and "bi-monthly" is every two months to some, twice a month to others): refused by name,
# never left for the default schedule to replace
_NO_SUCH_SCHEDULE = rx(r"fortnightly|bi ?weekly|semi ?weekly|bi ?monthly|semi ?monthly|every"
                       r" other (?:week|month)|twice a (?:week|month)|every 2 months"
                       r"|every 2 weeks|every two (?:weeks|months)"
                       # ("rebalance biennially": every two years, once read as the monthly
                       # default with the word ignored)
                       r"|bienniall?y|biennial|bi ?ennial|every other year|every 2 years")


def extract_schedule(state: ParseState) -> None:
    no_such = _NO_SUCH_SCHEDULE.search(state.t)
    if no_such:
        raise state.fail(f"'{no_such.group(0)}' is not a schedule the spec has: it can be daily, "
                         "weekly, monthly, quarterly, semiannual or yearly",
                         [no_such.group(0)])
    extract_drift_band(state)
    said: list[re.Match[str]] = []
    state.t = consume([_UNTIL_NEXT], state.t, said.append)
    def on_match(m: re.Match[str]) -> None:
        freq = _frequency(state, m)
        if state.schedule is not None and state.schedule != freq:
            raise state.fail(
                f"two different schedules were given ({state.schedule.value} and {freq.value})",
                [m.group(0).strip()],
            )
        state.schedule = freq
        state.understood.append(f"schedule {freq.value}")

    # "Only check at month end.": "only" says no more than the checking it stands before
    state.t = re.sub(r"(?:(?<=^ )|(?<=[.;:!⋄] )|(?<=, ))only (?=(?:check|look|review|rebalance"
                     r"|rebal)(?!\S))", "", state.t)
    state.t = consume(SCHEDULE_PATTERNS, state.t, on_match)
    _weekdays_and_months(state)
    _check_until_next(state, said)
