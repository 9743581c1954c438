"""Short positions (spec `side: short`): refused naming STRATFORGE_ALLOW_SHORT while it is off,
never turned into a long; read by the offline parser and filled by an LLM when it is on."""

from __future__ import annotations

import json

import pytest
from llm_stub import Reply, StubLLM, llm_server_fixture  # noqa: F401

from generator.prompts import PromptContext, SymbolRange, system_prompt
from generator.providers.offline import ParseError, parse
from generator.render import render_strategy
from generator.spec import LimitError, SpecLimits, StrategySpec, check_limits

SHORT_SPEC = {
    "name": "QQQ short",
    "symbols": ["QQQ"],
    "side": "short",
    "entry": {"conditions": [{"left": {"kind": "price"}, "op": "lt",
                              "right": {"kind": "sma", "period": 50}}]},
    "exit": {"conditions": [{"left": {"kind": "price"}, "op": "gt",
                             "right": {"kind": "sma", "period": 50}}]},
}


def test_a_short_spec_is_v2_and_refused_by_a_server_that_does_not_allow_it() -> None:
    spec = StrategySpec.model_validate(SHORT_SPEC)
    assert spec.spec_version == 2 and "short positions" in spec.v2_features()
    with pytest.raises(LimitError, match="STRATFORGE_ALLOW_SHORT"):
        check_limits(spec, SpecLimits())
    check_limits(spec, SpecLimits(allow_short=True))
    # "long" is the default and dumps like a v1 spec
    long_spec = StrategySpec.model_validate({**SHORT_SPEC, "side": "long"})
    assert long_spec.side is None and "side" not in long_spec.model_dump()


@pytest.mark.parametrize(("extra", "message"), [
    ({"risk": {"stop_loss_pct": 5}}, "stops"),
    ({"allocation": {"kind": "all_in", "alternative": "SHY"}}, "alternative"),
])
def test_short_refuses_what_it_cannot_do(extra: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        StrategySpec.model_validate({**SHORT_SPEC, **extra})


def test_rendered_short_sells_to_open_and_buys_to_cover() -> None:
    code = render_strategy(StrategySpec.model_validate(SHORT_SPEC))
    assert 'weights[symbol] = -self.parameters["position_weight"]' in code
    assert "trade_to_signed_weights(self, weights, prices)" in code
    assert "Sell short when the price is below the 50-day SMA" in code


SHORT_TEXTS = [
    ("Short QQQ when its price drops below the 50-day SMA and cover when it closes back above "
     "the 50-day SMA.", "QQQ", "lt", "gt"),
    ("Sell short SPY if RSI(2) > 90; buy to cover when RSI(2) < 50", "SPY", "gt", "lt"),
    ("Go short IWM when the 20-day EMA crosses below the 50-day EMA, cover on the opposite cross",
     "IWM", "crosses_below", "crosses_above"),
]


@pytest.mark.parametrize(("text", "symbol", "entry_op", "exit_op"), SHORT_TEXTS)
def test_offline_parser_reads_a_short_only_when_allowed(
    text: str, symbol: str, entry_op: str, exit_op: str
) -> None:
    with pytest.raises(ParseError, match="STRATFORGE_ALLOW_SHORT"):
        parse(text)
    spec = parse(text, allow_short=True)
    assert spec.side == "short" and spec.symbols == [symbol]
    assert spec.entry is not None and spec.exit is not None
    assert spec.entry.flat()[0].op.value == entry_op
    assert spec.exit.flat()[0].op.value == exit_op


def test_long_and_short_in_one_text_is_refused() -> None:
    with pytest.raises(ParseError, match="either long or short"):
        parse("Short QQQ when RSI is above 70 and buy SPY when RSI is below 30", allow_short=True)


def test_a_long_text_is_unchanged_when_shorts_are_allowed() -> None:
    text = "Buy SPY when the 50-day SMA crosses above the 200-day SMA, sell on the cross back"
    assert parse(text, allow_short=True) == parse(text)


def test_prompt_says_whether_the_server_allows_shorts() -> None:
    on = system_prompt(PromptContext.plain(SpecLimits(allow_short=True)))
    off = system_prompt(PromptContext.plain(SpecLimits()))
    assert 'set `side` to "short"' in on
    assert "STRATFORGE_ALLOW_SHORT is off" in off and "never turn a short into a long" in off


def test_an_llm_fills_a_short_spec(llm_server: StubLLM) -> None:
    from generator.providers.llm import LLMConfig
    from generator.providers.openai_provider import OpenAIProvider

    provider = OpenAIProvider("gpt-4o-mini", LLMConfig(timeout_s=2.0, max_retries=0),
                              api_key="sk-test-short-1234", base_url=llm_server.openai_url)
    llm_server.push(Reply(SHORT_SPEC))
    context = PromptContext(limits=SpecLimits(allow_short=True),
                            symbols=(SymbolRange("QQQ", "2005-01-03", "2024-12-31"),))
    proposal = provider.propose("Short QQQ below its 50-day SMA, cover above it", {"QQQ"},
                                context=context)
    assert proposal.spec.side == "short"
    assert 'set `side` to \\"short\\"' in json.dumps(llm_server.requests[0].body)
