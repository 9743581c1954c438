"""The twelfth round's general readers, each on sentences of its own (not corpus sentences):

- a clause that says nothing a spec could hold is ignored and listed, never refused, while a
  clause holding a word that may say how or when to trade still sinks the text;
- a cap said beside the rule ("never more than 25% of my account in it") is the position size;
- "either" opens a group: "A and either B or C" is all(A, any(B, C)).
"""

from __future__ import annotations

import pytest
from corpus_support import item_text

from generator.providers.offline import ParseError, parse
from generator.providers.offline.parser import parse_text
from generator.providers.offline.state import says_nothing


# -- clauses that say nothing --------------------------------------------------------------------
@pytest.mark.parametrize(("text", "ignored"), [
    ("Buy GLD when it closes above its 50 day high, sell below its 20 day low, with a 10% "
     "trailing stop as a backstop.", "as a backstop"),
    ("How about a bot that buys IEF when RSI(2) is under 10 and sells when it is over 70?",
     "how about a bot that"),
    ("Buy QQQ when RSI(3) is under 15 and sell after 10 days, whatever happens.",
     "whatever happens"),
])
def test_a_clause_that_says_nothing_is_ignored_and_listed(text: str, ignored: str) -> None:
    parsed = parse_text(text)
    assert any(ignored in said for said in parsed.ignored), parsed.ignored
    assert parsed.spec.entry is not None


@pytest.mark.parametrize("text", [
    # a motion word: "in case it keeps sliding" may be a rule
    "Buy TLT when RSI(14) is under 35, in case it keeps sliding.",
    # a word of timing or size: "sooner", "partially"
    "Buy SPY when RSI(2) is under 10 and sell when it is over 70, or sooner.",
    "Buy SPY when RSI(2) is under 10 and sell when it is over 70, partially.",
])
def test_a_clause_with_a_trading_word_still_sinks_the_text(text: str) -> None:
    with pytest.raises(ParseError):
        parse(text)


def test_says_nothing_is_about_words_not_length() -> None:
    assert says_nothing(["as", "a", "backstop"])
    assert says_nothing(["mind"])
    assert not says_nothing(["sell", "it"])
    assert not says_nothing(["⟦i3⟧"])  # a placeholder: something was read there
    assert not says_nothing(["7"])
    assert not says_nothing(["the", "keltner", "thing"])  # a refused indicator is named
    assert not says_nothing([])


# -- caps as position sizes ----------------------------------------------------------------------
@pytest.mark.parametrize(("text", "fraction"), [
    ("Buy IWM when RSI(2) is under 10, sell when it is over 70, but never more than 20% of "
     "my account in it.", 0.2),
    ("Hold EFA while it is above its 200 day SMA. Max 30% of my portfolio.", 0.3),
    ("Own VNQ while its 20 day EMA is above its 100 day EMA, capping exposure at 40% of the "
     "account.", 0.4),
    ("buy TIP and LQD each when above the 100 day, sell when below, 15% of acct each max", 0.15),
])
def test_a_cap_beside_the_rule_is_the_position_size(text: str, fraction: float) -> None:
    spec = parse(text)
    assert spec.allocation.kind.value == "fixed_fraction"
    assert spec.allocation.fraction == pytest.approx(fraction)


def test_a_dollar_cap_is_the_amount_per_position() -> None:
    spec = parse("I don't want to put more than $3,000 into any one position. Buy GLD when "
                 "its RSI(14) is under 30 and sell when it is over 60.")
    assert spec.allocation.kind.value == "fixed_amount"
    assert spec.allocation.amount == 3000
    assert spec.symbols == ["GLD"]


def test_a_cap_on_the_number_of_funds_is_the_rotation_top_n() -> None:
    spec = parse("At most 3 funds at a time: rotate monthly among SPY, QQQ, IWM, EFA, EEM and "
                 "GLD by 6-month momentum.")
    assert spec.allocation.top_n == 3


# -- "either" opens a group ----------------------------------------------------------------------
@pytest.mark.parametrize(("text", "combine", "items"), [
    ("Buy VTI when it is above its 150 day SMA and either RSI(2) is under 15 or the price is "
     "below the lower Bollinger band; sell when RSI(2) is over 70.",
     "all", ["any(price lt bb_lower20, rsi2 lt 15)", "price gt sma150"]),
    ("Buy VTI when either RSI(2) is under 15 or the price is below the lower Bollinger band "
     "and it is above its 150 day SMA; sell when RSI(2) is over 70.",
     "all", ["any(price lt bb_lower20, rsi2 lt 15)", "price gt sma150"]),
    # without "either", "and" binds tighter
    ("Buy VTI when it is above its 150 day SMA and RSI(2) is under 15 or the price is below "
     "the lower Bollinger band; sell when RSI(2) is over 70.",
     "any", ["all(price gt sma150, rsi2 lt 15)", "price lt bb_lower20"]),
])
def test_either_opens_a_group(text: str, combine: str, items: list[str]) -> None:
    spec = parse(text)
    assert spec.entry is not None
    assert spec.entry.combine == combine
    assert sorted(item_text(c) for c in spec.entry.conditions) == items
