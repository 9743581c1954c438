"""StrategySpec v1: bounds, refusals and server-side limits."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from generator.spec import (
    Allocation,
    Condition,
    Constant,
    Frequency,
    Indicator,
    LimitError,
    Rule,
    SpecLimits,
    StrategySpec,
    check_limits,
    never_true,
    spec_json_schema,
)

RULE = Rule(conditions=[Condition(left=Indicator(kind="rsi"), op="lt", right=Constant(value=30))])


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        StrategySpec.model_validate({"name": "x", "symbols": ["SPY"], "entry": RULE.model_dump(),
                                     "code": "import os"})


def test_periods_without_convention_must_be_stated() -> None:
    assert Indicator(kind="rsi").period == 14
    assert Indicator(kind="bb_upper").num_std == 2.0
    with pytest.raises(ValidationError, match="needs a period"):
        Indicator(kind="sma")
    with pytest.raises(ValidationError):
        Indicator(kind="sma", period=0)
    with pytest.raises(ValidationError):
        Indicator(kind="price", period=5)
    with pytest.raises(ValidationError, match="fast period must be shorter"):
        Indicator(kind="macd", fast=30, slow=26)


def test_symbols_are_normalised_and_checked() -> None:
    spec = StrategySpec(name="x", symbols=["spy", " qqq"], entry=RULE, exit=RULE)
    assert spec.symbols == ["SPY", "QQQ"]
    for bad in (["SPY", "spy"], ["not a ticker"], []):
        with pytest.raises(ValidationError):
            StrategySpec(name="x", symbols=bad, entry=RULE)


def test_family_rules() -> None:
    with pytest.raises(ValidationError, match="needs an entry rule"):
        StrategySpec(name="x", symbols=["SPY"])
    with pytest.raises(ValidationError, match="take no entry/exit"):
        StrategySpec(name="x", symbols=["SPY", "AGG"], entry=RULE,
                     allocation=Allocation(kind="target_weights", weights={"SPY": .6, "AGG": .4}))
    with pytest.raises(ValidationError, match="exactly the strategy's symbols"):
        StrategySpec(name="x", symbols=["SPY", "AGG"],
                     allocation=Allocation(kind="target_weights", weights={"SPY": 1.0}))
    with pytest.raises(ValidationError, match="needs lookback_days"):
        Allocation(kind="momentum_rotation", top_n=1)
    weights = StrategySpec(name="x", symbols=["SPY", "AGG"],
                           allocation=Allocation(kind="target_weights",
                                                 weights={"SPY": .6, "AGG": .4}))
    assert weights.schedule is not None and weights.schedule.value == "monthly"


def test_server_limits_refuse_instead_of_clamping() -> None:
    lever = StrategySpec(name="x", symbols=["SPY", "AGG"],
                         allocation=Allocation(kind="target_weights",
                                               weights={"SPY": 1.5, "AGG": 0.5}))
    with pytest.raises(LimitError, match=r"2\.00x"):
        check_limits(lever, SpecLimits(max_leverage=1.0))
    check_limits(lever, SpecLimits(max_leverage=2.0))
    many = StrategySpec(name="x", symbols=[f"S{i}" for i in range(5)], entry=RULE, exit=RULE)
    with pytest.raises(LimitError, match="5 symbols"):
        check_limits(many, SpecLimits(max_symbols=4))


def test_json_schema_is_closed() -> None:
    schema = spec_json_schema()
    assert schema["additionalProperties"] is False
    assert "spec_version" in schema["properties"]


def test_a_period_close_is_read_on_that_schedule() -> None:
    """"Sell on a weekly close below the 10-week SMA": a week's close exists only once the week
    has ended, so the rules are checked weekly; said otherwise, the spec is refused."""
    weekly_close = {"kind": "price", "timeframe": "weekly"}
    sma10w = {"kind": "sma", "period": 10, "timeframe": "weekly"}
    base = {"name": "weekly close", "symbols": ["SPY"],
            "entry": {"conditions": [{"left": {"kind": "price"}, "op": "gt", "right": sma10w}]},
            "exit": {"conditions": [{"left": weekly_close, "op": "lt", "right": sma10w}]}}
    assert StrategySpec.model_validate(base).schedule == Frequency.weekly
    assert StrategySpec.model_validate({**base, "schedule": "weekly"}).schedule == Frequency.weekly
    for other in ("daily", "monthly"):
        with pytest.raises(ValueError, match="weekly close is known only when the week ends"):
            StrategySpec.model_validate({**base, "schedule": other})
    monthly_close = {"kind": "price", "timeframe": "monthly"}
    both = {**base, "entry": {"conditions": [{"left": monthly_close, "op": "gt",
                                              "right": sma10w}]}}
    with pytest.raises(ValueError, match="both a weekly and a monthly close"):
        StrategySpec.model_validate(both)
    # an indicator on weekly bars without a weekly close keeps the daily default
    daily = {**base, "exit": {"conditions": [{"left": {"kind": "price"}, "op": "lt",
                                              "right": sma10w}]}}
    assert StrategySpec.model_validate(daily).schedule == Frequency.daily



def _cond(op: str, right: Indicator | Constant, left: Indicator | None = None,
          offset: float | None = None) -> Condition:
    return Condition(left=left or Indicator(kind="price"), op=op, right=right, offset_pct=offset)


def _spec(entry: Rule) -> StrategySpec:
    return StrategySpec(name="x", symbols=["SPY"], entry=entry, exit=RULE)


@pytest.mark.parametrize(("a", "b"), [
    (("gt", Indicator(kind="sma", period=200)), ("lt", Indicator(kind="sma", period=200))),
    (("ge", Indicator(kind="ema", period=50)), ("lt", Indicator(kind="ema", period=50))),
    (("gt", Constant(value=70)), ("lt", Constant(value=30))),
    (("gt", Constant(value=50)), ("le", Constant(value=50))),
    (("crosses_above", Indicator(kind="sma", period=20)),
     ("crosses_below", Indicator(kind="sma", period=20))),
])
def test_an_all_rule_that_can_never_hold_is_named(a: tuple, b: tuple) -> None:
    spec = _spec(Rule(conditions=[_cond(*a), _cond(*b)]))
    assert [p for p in never_true(spec) if "can never hold together" in p]
    # in a nested group too
    nested = _spec(Rule(combine="any", conditions=[RULE.conditions[0],
                                                   Rule(conditions=[_cond(*a), _cond(*b)])]))
    assert never_true(nested)
    # a spec stored before the check still loads: it is no model validator
    assert StrategySpec.model_validate(spec.model_dump(mode="json")) == spec


def test_conditions_that_can_hold_together_are_kept() -> None:
    sma = Indicator(kind="sma", period=200)
    rsi = Indicator(kind="rsi")
    for conditions in (
        [_cond("gt", Constant(value=30), rsi), _cond("lt", Constant(value=70), rsi)],
        [_cond("ge", Constant(value=50), rsi), _cond("le", Constant(value=50), rsi)],
        # a band around the line, and comparisons with two different lines
        [_cond("gt", sma, offset=-5), _cond("lt", sma, offset=5)],
        [_cond("gt", sma), _cond("lt", Indicator(kind="sma", period=50))],
    ):
        assert never_true(_spec(Rule(conditions=conditions))) == []
    # either side of a line is fine in an `any` rule ("above 70 or below 30")
    either = Rule(combine="any", conditions=[_cond("gt", Constant(value=70), rsi),
                                            _cond("lt", Constant(value=30), rsi)])
    assert never_true(_spec(either)) == []
