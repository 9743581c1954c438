"""Nested groups in the offline parser: punctuation and connectors say how "and" and "or" nest."""

from __future__ import annotations

import pytest
from corpus_support import condition_text

from generator.providers.offline import ParseError, parse
from generator.spec import Condition, Rule


def _shape(rule: Rule) -> object:
    """A rule as nested (combine, [...]) tuples of condition texts."""
    return (rule.combine, [_shape(c) if isinstance(c, Rule) else condition_text(c)
                           for c in rule.conditions])


@pytest.mark.parametrize(("text", "entry"), [
    ("Buy SPY when either RSI(2) is below 10 or the price is below the lower Bollinger band, and "
     "the price is above the 200-day SMA; sell when RSI(2) is above 70",
     ("all", [("any", ["rsi2 lt 10", "price lt bb_lower20"]), "price gt sma200"])),
    ("Buy QQQ when the 20-day EMA is above the 50-day EMA and the MACD is above its signal line, "
     "or the 10-day momentum is above 5; sell when the 20-day EMA is below the 50-day EMA",
     ("any", [("all", ["ema20 gt ema50", "macd gt macd_signal"]), "roc10 gt 5"])),
    ("If RSI(14) on IWM drops under 30 or IWM closes below its lower band, and IWM is above its "
     "200 day moving average, buy IWM. Sell when RSI goes over 60",
     ("all", [("any", ["rsi14 lt 30", "price lt bb_lower20"]), "price gt sma200"])),
])
def test_grouped_conditions_nest(text: str, entry: object) -> None:
    spec = parse(text)
    assert spec.entry is not None and _shape(spec.entry) == entry
    assert spec.spec_version == 2


def test_both_false_negates_every_group() -> None:
    spec = parse("Buy SPY when either the 50-day SMA is above the 200-day SMA or RSI is below 30, "
                 "and the price is above the 20-day SMA; sell when both are false")
    assert spec.exit is not None and spec.exit.combine == "none"
    assert spec.entry is not None and spec.exit.conditions == spec.entry.conditions


def test_sell_otherwise_negates_the_whole_nested_rule() -> None:
    spec = parse("Hold QQQ while either its RSI is above 50 or its 20-day EMA is above its 50-day "
                 "EMA, and it is above its 200-day SMA, otherwise sell")
    assert spec.exit is not None and spec.exit.combine == "none"
    assert spec.exit.conditions == [spec.entry]


@pytest.mark.parametrize(("text", "entry"), [
    # no punctuation: 'and' binds tighter than 'or'
    ("Buy SPY when RSI is below 30 and price is above the 200 day SMA or price is below the "
     "lower band, sell when RSI is above 70",
     ("any", [("all", ["rsi14 lt 30", "price gt sma200"]), "price lt bb_lower20"])),
    ("buy QQQ if the MACD is above the signal line or the 20 day EMA is above the 50 day EMA and "
     "the RSI is above 50 or the 3 month momentum is above 10; sell when RSI is below 40",
     ("any", ["macd gt macd_signal", ("all", ["ema20 gt ema50", "rsi14 gt 50"]),
              "roc63 gt 10"])),
    ("Buy IWM when RSI(2) is under 10 and IWM is above its 200 day SMA or the 10 day momentum "
     "is below -8 and IWM is above its 100 day SMA or the price is under the lower band, "
     "sell when RSI(2) is above 70",
     ("any", [("all", ["rsi2 lt 10", "price gt sma200"]), ("all", ["roc10 lt -8",
              "price gt sma100"]), "price lt bb_lower20"])),
    ("Buy IWM when RSI(2) is under 10 and IWM is above its 200 day SMA or the 10 day momentum "
     "is below -8 and IWM is above its 100 day SMA, sell when RSI(2) is above 70",
     None),  # an 'and' after the last 'or': asked (see below)
    ("Buy EFA when the 50 day SMA is above the 200 day SMA and RSI is below 70 or the 6 month "
     "momentum is above 10, sell when RSI is above 80",
     ("any", [("all", ["sma50 gt sma200", "rsi14 lt 70"]), "roc126 gt 10"])),
])
def test_and_binds_tighter_than_or_without_punctuation(text: str, entry: object) -> None:
    if entry is None:
        with pytest.raises(ParseError, match="without saying how it groups"):
            parse(text)
        return
    spec = parse(text)
    assert spec.entry is not None and _shape(spec.entry) == entry


def test_an_and_after_the_last_or_is_asked_not_guessed() -> None:
    """ "A or B and C": C may be meant for both sides or for B only; the answer is a
    clarification naming the trailing condition and both readings."""
    from generator.clarify import clarification_for

    text = ("Buy SPY when RSI is below 30 or price is below the lower band and price is above "
            "the 200 day SMA. Sell when RSI is above 70")
    with pytest.raises(ParseError, match="without saying how it groups") as refused:
        parse(text)
    asked = clarification_for(text, refused.value)
    assert asked is not None
    assert "price is above the 200 day sma" in asked.vague
    assert len(asked.questions) == 1
    question = asked.questions[0]
    assert "in every case" in question and "only together with" in question
    assert "exit: the 14-day RSI is above 70" in asked.understood


def test_flat_rules_are_unchanged() -> None:
    spec = parse("Buy SPY when RSI is below 30 and the price is above the 200-day SMA, sell when "
                 "RSI is above 70")
    assert spec.entry is not None and all(isinstance(c, Condition) for c in spec.entry.conditions)
    assert spec.spec_version == 1


def test_the_pipeline_answers_an_ambiguous_grouping_with_needs_clarification() -> None:
    """What `POST /strategies` and `stratforge new` get for "A or B and C": 422
    needs_clarification with the question, not a refusal."""
    from core.errors import InvalidInput
    from generator.pipeline import generate
    from generator.providers.offline_provider import OfflineProvider
    from generator.spec import SpecLimits

    with pytest.raises(InvalidInput) as asked:
        generate("Buy QQQ when the MACD is above its signal line or RSI is below 30 and the "
                 "price is above the 100 day SMA, sell when RSI is above 70",
                 provider=OfflineProvider(), limits=SpecLimits())
    assert asked.value.code == "needs_clarification"
    questions = asked.value.details["questions"]
    assert len(questions) == 1 and "100 day sma" in questions[0].lower()
