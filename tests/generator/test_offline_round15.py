"""The fifteenth round's readers and fixes, each on sentences of its own (not corpus
sentences), and what must stay refused beside them:

- "I want / I'd like QQQ when ..." is the hold; "I like QQQ when ..." (a preference, not an
  order) is not read as one.
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
