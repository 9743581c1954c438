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


def test_mixed_connectors_without_grouping_are_refused() -> None:
    with pytest.raises(ParseError, match="mixes 'and' and 'or'"):
        parse("Buy SPY when RSI is below 30 or price is below the lower band and price is above "
              "the 200 day SMA. Sell when RSI is above 70")


def test_flat_rules_are_unchanged() -> None:
    spec = parse("Buy SPY when RSI is below 30 and the price is above the 200-day SMA, sell when "
                 "RSI is above 70")
    assert spec.entry is not None and all(isinstance(c, Condition) for c in spec.entry.conditions)
    assert spec.spec_version == 1
