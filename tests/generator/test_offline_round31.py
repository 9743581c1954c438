"""The thirty-first round: two wrong readings found while building the clarification that sets
remarks apart (`generator.remarks_apart`, tested in `test_remarks_apart.py`) and in the round's
blind sets, each fixed at its cause and tested on paraphrases with the refusals beside them,
through the whole static pipeline (`corpus_support.run_case`):

- a reason said after the rules that names a week, a month or a quarter ("I check it once a
  week, usually on the train.") had been dropped as a reason, and the rule checked daily; such a
  period now stays (and is read as the schedule) unless the rest says that schedule;
- "the weekly close beats the 20-week high": the close of the week compared with a verb other
  than "is above" had been read as the daily close, "weekly" as the schedule.
"""

from __future__ import annotations

import pytest
from corpus_support import Case, run_case
from grid_support import parse_stored as _parse
from grid_support import refused as _refused

TREND = "Buy QQQ when it closes above its 100-day SMA and sell when it closes below."


def _reads(text: str, **facts: object) -> None:
    """`text` gives a spec with every fact (corpus notation), through the static pipeline."""
    outcome = run_case(Case("round31", text, {k: str(v) for k, v in facts.items()}))
    assert outcome.ok, (outcome.why, text)


@pytest.mark.parametrize("habit, schedule", [
    ("I check it once a week, usually on the train.", "weekly"),
    ("Usually I only look at it once a month.", "monthly"),
    ("I normally glance at it once a quarter, I read that is plenty.", "quarterly"),
])
def test_a_period_in_a_reason_is_the_schedule(habit: str, schedule: str) -> None:
    assert _parse(f"{TREND} {habit}").schedule.value == schedule


def test_a_period_the_rest_schedules_may_stay_in_a_reason() -> None:
    # (the rule is on the monthly close: "once a month" says nothing more)
    spec = _parse("Stay in VTI while its monthly close is above its 10-month SMA, sell when the "
                  "monthly close is below it. It appeals to me because I only look once a month,"
                  " I read that is enough.")
    assert spec.schedule.value == "monthly"


def test_weeks_in_a_reason_are_no_schedule() -> None:
    # ("usually takes a couple weeks": how long a trade lasts, no schedule)
    assert _parse(f"{TREND} It usually takes a couple weeks, I read.").schedule.value == "daily"


@pytest.mark.parametrize("verb", ["beats", "tops", "is above"])
def test_the_weekly_close_with_a_verb_is_the_weekly_close(verb: str) -> None:
    _reads(f"Donchian on weekly bars: buy VNQ when the weekly close {verb} the 20 week high, sell "
           "when the weekly close drops under the 10 week low", symbols="VNQ",
           entry="price:weekly gt hh20:weekly", exit="price:weekly lt ll10:weekly")
    _reads(f"hold IWM while the monthly close {verb} its 10 month sma, sell when the monthly "
           "close is below it", symbols="IWM", entry="price:monthly gt sma10:monthly")


def test_a_weekly_close_with_a_verb_it_cannot_compare_is_refused() -> None:
    _refused("buy VNQ when the weekly close clears the 20 week high, sell when the weekly close "
             "drops under the 10 week low")
