"""The twenty-seventh round: sets 74 (ordinary traders) and 75 (ordinary non-traders), unseen
through round 26, read now; 76 and 77 (ordinary users of two kinds) written blind and kept
unseen, except the first-run wrong specs, read alone and fixed at their cause:

- a bare number in a title is a length in days or bars, never a period in weeks, months or
  years unless the title says the unit ("Ten grand a trade." had matched the 50-day high as 10
  weeks, and the size was dropped with the title); "ten grand", "5 grand" are thousands of
  dollars;
- "on SPY's death cross" in a rule of another fund is SPY's event, not a buy of SPY;
- after a rule on the fund's price and on a moving average, "it" in the next rule is the fund
  ("buy QQQ when it's above the 50 day and the 50 day is above the 200 day. sell if it drops
  below the 200");
- and the wordings of sets 74 and 75 read at their cause (see each test).
"""

from __future__ import annotations

import pytest
from corpus_support import conditions_text
from grid_support import grid as _grid
from grid_support import parse_stored as _parse

from generator.providers.offline import ParseError


def _conds(rule: object) -> list[str]:
    return sorted(conditions_text(rule))


# -- first-run wrong specs of the unseen sets ------------------------------------------------------
@pytest.mark.parametrize("row", _grid(
    27, 8,
    size=["Ten grand a trade.", "10 grand per trade:", "Five grand a trade -", "$7,500 a trade."],
    rule=["Buy QQQ when it closes above the 50-day high, ride it with a 15% trailing stop.",
          "Buy QQQ when it closes above its 50 day high and sell at a 15% trailing stop.",
          "buy QQQ on a close above the 50 day high, 15% trailing stop"],
))
def test_a_size_said_as_a_title_is_the_size(row: dict[str, str]) -> None:
    spec = _parse(f"{row['size']} {row['rule']}")
    amount = {"Ten": 10000, "10 ": 10000, "Fiv": 5000, "$7,": 7500}[row["size"][:3]]
    assert spec.allocation.kind.value == "fixed_amount"
    assert spec.allocation.amount == amount
    assert _conds(spec.entry) == ["price gt hh50"]
    assert spec.risk.trailing_stop_pct == 15


@pytest.mark.parametrize("text", [
    # a bare number in a title is no period in weeks: 10 is not the 50-day high's 10 weeks
    "Ten apples. Buy QQQ when it closes above the 50-day high, 15% trailing stop.",
    "Plan 10: buy QQQ when it closes above the 50-day high, 15% trailing stop.",
    "Plan 12: buy SPY when it's above the 252-day SMA, sell when it's below.",
])
def test_a_bare_title_number_is_no_period_in_other_units(text: str) -> None:
    with pytest.raises(ParseError, match="in the title is not used"):
        _parse(text)


@pytest.mark.parametrize("text", [
    "10 week trend: buy QQQ when it closes above the 50-day SMA, sell below it.",
    "12 month rule: hold SPY while it's above its 252-day SMA, sell otherwise.",
])
def test_a_title_number_with_its_unit_is_a_period(text: str) -> None:
    spec = _parse(text)
    assert spec.symbols in (["QQQ"], ["SPY"])


@pytest.mark.parametrize("row", _grid(
    27, 8,
    buy=["Buy EFA when SPY's 50-day crosses above SPY's 200-day,", "buy EFA on SPY's golden cross,",
         "Buy EFA on the SPY golden cross", "I buy EFA after SPY's golden cross"],
    sell=["and sell on SPY's death cross.", "sell on SPY's death cross", "and sell at the SPY death"
          " cross"],
))
def test_a_cross_of_another_fund_is_its_event(row: dict[str, str]) -> None:
    spec = _parse(f"{row['buy']} {row['sell']}")
    assert spec.symbols == ["EFA"]
    assert _conds(spec.entry) == ["sma50@SPY crosses_above sma200@SPY"]
    assert _conds(spec.exit) == ["sma50@SPY crosses_below sma200@SPY"]


@pytest.mark.parametrize("row", _grid(
    27, 8,
    buy=["buy QQQ when it's above the 50 day and the 50 day is above the 200 day.",
         "Buy QQQ if it is above its 50-day SMA and the 50-day SMA is above the 200-day SMA.",
         "go long QQQ when it trades above the 50 dma and the 50 dma is over the 200 dma."],
    sell=["sell if it drops below the 200", "Sell when it falls under the 200-day SMA.",
          "exit when it closes below the 200 dma"],
))
def test_it_after_a_rule_on_the_fund_and_an_average_is_the_fund(row: dict[str, str]) -> None:
    spec = _parse(f"{row['buy']} {row['sell']}")
    assert _conds(spec.entry) == ["price gt sma50", "sma50 gt sma200"]
    assert _conds(spec.exit) == ["price lt sma200"]


@pytest.mark.parametrize("text,want", [
    # an oscillator last said is still what "it" is, compared with its own level
    ("buy SPY when the price is above the 200 day and RSI(2) is below 10, sell when it's above 70",
     ["rsi2 gt 70"]),
    # with no rule on the price, "it" is the average last said (the crossing)
    ("buy QQQ when the 50 day is above the 200 day. sell if it drops below the 200",
     ["sma50 crosses_below sma200"]),
])
def test_it_stays_the_last_subject_otherwise(text: str, want: list[str]) -> None:
    assert _conds(_parse(text).exit) == want
