"""The fifteenth round's readers and fixes, each on sentences of its own (not corpus
sentences), and what must stay refused beside them:

- "I want / I'd like QQQ when ..." is the hold; "I like QQQ when ..." (a preference, not an
  order) is not read as one;
- a clause that opens with "or" after a rule goes on with that rule ("buy SPY if A or if B.
  Sell on a 5% trailing stop." took B as the sell rule), and "sell on a 5% trailing stop" is
  the control as the exit ("sell only on a 10-day low" stays a sell rule).
"""

from __future__ import annotations

import pytest
from corpus_support import item_text

from generator.providers.offline import ParseError, parse
from generator.spec import Rule


def _conds(rule: Rule | None) -> list[str]:
    """A rule's conditions in the corpus's notation ("price gt sma200"), none for no rule."""
    return [item_text(c) for c in rule.conditions] if rule is not None else []


# -- a wish is the hold, a liking is not ---------------------------------------------------------
@pytest.mark.parametrize("opening", ["I want", "I'd like", "We would like", "we'd like"])
def test_a_wish_for_a_fund_while_a_state_holds_is_the_hold(opening: str) -> None:
    spec = parse(f"{opening} QQQ when it is above its 100-day EMA and out when it is below")
    assert spec.symbols == ["QQQ"]
    assert _conds(spec.entry) == ["price gt ema100"] and _conds(spec.exit) == ["price lt ema100"]


@pytest.mark.parametrize("text", [
    "I like QQQ when it is above its 100-day EMA and out when it is below",
    "We like SPY held only when it is above its 200-day SMA, sell otherwise",
])
def test_liking_a_fund_is_not_an_order_to_hold_it(text: str) -> None:
    with pytest.raises(ParseError):
        parse(text)


# -- a stop said as the sell, after an either-or entry -------------------------------------------
@pytest.mark.parametrize("sell", [
    "Sell on a 5% trailing stop.", "Exit on a 5 percent trailing stop.",
    "Sell only on a 5% trailing stop.",
])
def test_an_or_clause_goes_on_with_the_buy_rule_not_into_the_sell_after_it(sell: str) -> None:
    """'Buy SPY if A or if B. Sell on a 5% trailing stop.' took B as the sell rule (a wrong
    spec): an 'or' clause after a rule goes on with that rule."""
    spec = parse(f"Buy SPY if it crosses above its 100-day or if its 2-day RSI is below 10. {sell}")
    assert spec.entry is not None and spec.entry.combine == "any"
    assert _conds(spec.entry) == ["price crosses_above sma100", "rsi2 lt 10"]
    assert spec.exit is None and spec.risk.trailing_stop_pct == 5.0


def test_a_bare_sell_after_an_or_clause_is_refused_not_given_that_clause() -> None:
    with pytest.raises(ParseError, match="says what to do but not when"):
        parse("Buy SPY if it crosses above its 100-day or if its 2-day RSI is below 10. Sell.")


def test_a_sell_rule_said_as_a_low_is_not_taken_for_a_stop() -> None:
    """'sell only on a 10-day low' is a sell rule, not the control 'sell on a 5% stop' is."""
    with pytest.raises(ParseError):
        parse("buy SPY when it crosses above its 50-day. sell only on a 10-day low")
    spec = parse("Buy SPY when it crosses above its 50-day SMA. Sell on a 10-day low.")
    assert _conds(spec.exit) == ["price lt ll10"]
