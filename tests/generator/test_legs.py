"""Per-symbol legs (spec v2 `legs`): each symbol its own share and buy/sell rules."""

from __future__ import annotations

import json

import pytest
from corpus_support import condition_text
from llm_stub import Reply, StubLLM, llm_server_fixture  # noqa: F401

from generator.describe import describe
from generator.providers.offline import parse
from generator.render import render_strategy
from generator.spec import LimitError, SpecLimits, StrategySpec, check_limits

TEXT = ("50% on SPY when its 50-day SMA is above its 200-day, and 50% on TLT when its RSI is "
        "below 30")


def test_legs_keep_their_own_rules_and_shares() -> None:
    spec = parse(TEXT)
    assert spec.legs is not None and spec.spec_version == 2
    assert spec.symbols == ["SPY", "TLT"] and spec.entry is None and spec.exit is None
    spy, tlt = spec.legs
    assert (spy.symbol, spy.fraction, tlt.symbol, tlt.fraction) == ("SPY", 0.5, "TLT", 0.5)
    assert [condition_text(c) for c in spy.entry.flat()] == ["sma50 gt sma200"]
    assert [condition_text(c) for c in tlt.entry.flat()] == ["rsi14 lt 30"]
    assert spy.exit is not None and tlt.exit is not None  # "while": the negation sells
    assert [condition_text(c) for c in tlt.exit.flat()] == ["rsi14 gt 30"]
    summary = describe(spec)
    assert "SPY gets 50% of the portfolio" in summary and "TLT gets 50%" in summary


def test_rendered_legs_dispatch_on_the_symbol() -> None:
    code = render_strategy(parse(TEXT))
    assert 'if symbol == "SPY":' in code and 'if symbol == "TLT":' in code
    assert '"leg_weights": {"SPY": 0.5, "TLT": 0.5}' in code
    assert "self.entry_signal(symbol, bars, history)" in code


def test_legs_over_the_leverage_limit_are_refused() -> None:
    spec = parse("70% on SPY when its RSI is below 30 and 50% on TLT when its 50-day SMA is "
                 "above its 200-day SMA")
    with pytest.raises(LimitError, match=r"1\.20x"):
        check_limits(spec, SpecLimits())


def test_legs_must_match_symbols_and_carry_the_rules() -> None:
    good = parse(TEXT).model_dump()
    with pytest.raises(ValueError, match="legs' symbols"):
        StrategySpec.model_validate({**good, "symbols": ["TLT", "SPY"]})
    with pytest.raises(ValueError, match="rules in the legs"):
        StrategySpec.model_validate({**good, "entry": good["legs"][0]["entry"]})
    with pytest.raises(ValueError, match="leave allocation out"):
        StrategySpec.model_validate({**good, "allocation": {"kind": "equal_weight"}})


def test_an_llm_fills_legs(llm_server: StubLLM) -> None:
    from generator.prompts import PromptContext
    from generator.providers.llm import LLMConfig
    from generator.providers.openai_provider import OpenAIProvider

    provider = OpenAIProvider("gpt-4o-mini", LLMConfig(timeout_s=2.0, max_retries=0),
                              api_key="sk-test-legs-1234", base_url=llm_server.openai_url)
    llm_server.push(Reply(parse(TEXT).model_dump(mode="json")))
    proposal = provider.propose(TEXT, {"SPY", "TLT"},
                                context=PromptContext.plain(SpecLimits(), {"SPY", "TLT"}))
    assert proposal.spec.legs is not None and len(proposal.spec.legs) == 2
    assert "`legs` gives each symbol its own share" in json.dumps(llm_server.requests[0].body)


# -- per-leg risk controls ------------------------------------------------------------------------
OWN_RISK = ("50% on SPY when its 50-day SMA is above its 200-day with a 5% stop loss, and 50% on "
            "TLT when its RSI is below 30 with a 10% take profit")


def test_a_leg_keeps_the_risk_controls_said_inside_it() -> None:
    spec = parse(OWN_RISK)
    spy, tlt = spec.legs or []
    assert spy.risk is not None and tlt.risk is not None
    assert (spy.risk.stop_loss_pct, spy.risk.take_profit_pct) == (5, None)
    assert (tlt.risk.stop_loss_pct, tlt.risk.take_profit_pct) == (None, 10)
    assert not spec.risk.any  # nothing for the strategy as a whole
    summary = describe(spec)
    assert "5% stop loss of its own" in summary and "10% take profit of its own" in summary


def test_a_control_after_the_last_leg_is_the_strategys_when_no_leg_has_its_own() -> None:
    spec = parse(TEXT + ", 8% trailing stop")
    assert spec.risk.trailing_stop_pct == 8
    assert all(leg.risk is None for leg in spec.legs or [])


def test_rendered_leg_risk_is_looked_up_per_symbol_and_passes_the_gate() -> None:
    from generator.validate import check_source

    code = render_strategy(parse(OWN_RISK))
    assert ('"leg_risk": {"SPY": {"stop_loss_pct": 5.0}, "TLT": {"take_profit_pct": 10.0}}'
            in code)
    assert 'levels = {**p, **p["leg_risk"].get(symbol, {})}' in code
    assert check_source(code).problems == []
    # a spec without per-leg controls renders as before: no lookup
    assert "leg_risk" not in render_strategy(parse(TEXT))


@pytest.mark.parametrize(("text", "why"), [
    ("50% on SPY when its RSI is below 30 and sell after 5 days, 50% on TLT when its RSI is "
     "below 30", "holding periods"),
])
def test_a_leg_takes_no_holding_period_of_its_own(text: str, why: str) -> None:
    from generator.providers.offline import ParseError

    with pytest.raises(ParseError, match=why):
        parse(text)


def test_a_short_leg_takes_no_stop() -> None:
    legs = parse(OWN_RISK).model_dump()
    with pytest.raises(ValueError, match="not supported on short positions"):
        StrategySpec.model_validate({**legs, "side": "short"})
