"""The reference the builder shows and the prompt's examples: every indicator kind is listed,
every template sentence parses (the backtests are in tests/api/test_v2_constructs.py), every
prompt example is a valid spec, and the v2 examples taken from templates read the same offline."""

from __future__ import annotations

import pytest

from generator.catalog import INDICATORS, TEMPLATES
from generator.clarify import clarification_for
from generator.prompts import EXAMPLES
from generator.providers.offline import ParseError, parse
from generator.spec import DEFAULT_PERIODS, IndicatorKind, StrategySpec


def test_every_indicator_kind_is_described_with_its_defaults() -> None:
    assert [i.kind for i in INDICATORS] == [k.value for k in IndicatorKind]
    for info in INDICATORS:
        if "period" in info.parameters:
            assert info.parameters["period"] == DEFAULT_PERIODS.get(IndicatorKind(info.kind))


@pytest.mark.parametrize("item", TEMPLATES, ids=[t.key for t in TEMPLATES])
def test_template_sentences_parse(item: object) -> None:
    spec = parse(item.sentence)  # type: ignore[attr-defined]
    assert spec.symbols


def test_prompt_examples_are_valid_and_v2_ones_match_the_templates() -> None:
    sentences = {t.sentence for t in TEMPLATES}
    from_templates = 0
    for request, data in EXAMPLES:
        spec = StrategySpec.model_validate(data)
        if request in sentences:
            from_templates += 1
            assert spec.spec_version == 2
            parsed = parse(request)
            assert parsed.model_dump(exclude={"name"}) == spec.model_dump(exclude={"name"})
    assert from_templates >= 3


@pytest.mark.parametrize("text", ["buy the dip", "sell when it drops", "buy low sell high",
                                  "Buy SPY when it's oversold", "buy when it goes up"])
def test_vague_texts_get_questions_whose_completions_parse(text: str) -> None:
    with pytest.raises(ParseError) as refused:
        parse(text)
    question = clarification_for(text, refused.value)
    assert question is not None and 1 <= len(question.questions) <= 2
    for suggestion in question.suggestions:
        parse(suggestion)


def test_a_clear_refusal_is_not_a_clarification() -> None:
    with pytest.raises(ParseError) as refused:
        parse("buy SPY when the VWAP rises")
    assert clarification_for("buy SPY when the VWAP rises", refused.value) is None
