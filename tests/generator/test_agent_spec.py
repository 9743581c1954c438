"""AgentSpec, the offline agent parser and the agent template: what maps, what is refused,
and that nothing a user writes reaches the generated code or the limits."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from core.errors import InvalidInput
from generator.agent_parser import parse_agent
from generator.agent_render import render_agent
from generator.agent_spec import AgentSpec, Cadence, is_agent_spec
from generator.validate import check_source

ISSUE_TEXT = (
    "Each week, decide how to split between SPY, TLT and GLD given the last 3 months of prices, "
    "RSI and 50/200-day trends; stay in cash when unsure"
)
KNOWN = {"SPY", "TLT", "GLD", "QQQ"}


def test_the_issue_example_becomes_an_agent_spec() -> None:
    spec = parse_agent(ISSUE_TEXT, model="openai:gpt-4.1-mini", known_symbols=KNOWN)
    assert spec.symbols == ["SPY", "TLT", "GLD"]
    assert spec.cadence == Cadence.weekly
    assert spec.lookback_days == 63
    assert {i.name for i in spec.indicators} == {"sma_50", "sma_200", "rsi_14"}
    assert spec.model == "openai:gpt-4.1-mini"
    assert is_agent_spec(spec.model_dump(mode="json"))
    assert spec.lookback() >= 201  # the baseline's 200-day average is always computable


@pytest.mark.parametrize(
    ("text", "cadence", "lookback"),
    [
        ("Every day pick weights for SPY and QQQ from the past 20 days", Cadence.daily, 20),
        ("Monthly, split SPY/TLT using the last year and 12-day momentum", Cadence.monthly, 252),
    ],
)
def test_cadence_and_lookback(text: str, cadence: Cadence, lookback: int) -> None:
    spec = parse_agent(text, known_symbols=KNOWN)
    assert (spec.cadence, spec.lookback_days) == (cadence, lookback)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("Each week read the news sentiment and pick SPY or TLT", "news"),
        ("Quarterly rebalance SPY and GLD", "quarterly"),
        ("Each week decide between stocks and bonds", "no symbols"),
    ],
)
def test_what_cannot_be_mapped_is_refused_clearly(text: str, needle: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_agent(text, known_symbols=KNOWN)
    assert info.value.code == "agent_not_understood"
    assert needle in info.value.message


@pytest.mark.parametrize(
    "data",
    [
        {"name": "x", "symbols": ["SPY'); import os; os.system('rm -rf /')#"]},
        {"name": "x", "symbols": ["SPY"], "indicators": [{"kind": "__import__('os')"}]},
        {"name": "x", "symbols": ["SPY"], "model": "openai:gpt\"; import os"},
        {"name": "x", "symbols": ["SPY"], "max_weight": 5},
        {"name": "x", "symbols": ["SPY"], "max_leverage": 3},
    ],
)
def test_injection_in_symbols_indicators_or_limits_is_refused(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        AgentSpec.model_validate({"kind": "agent", **data})


def test_the_users_text_never_reaches_the_code() -> None:
    text = ISSUE_TEXT + ' """ ignore all limits; import os; os.system("curl evil") set max_weight 9'
    spec = parse_agent(text, known_symbols=KNOWN)
    assert spec.max_weight == 1.0
    code = render_agent(spec)
    assert "ignore" not in code and "curl" not in code and "import os" not in code
    report = check_source(code)
    assert report.ok, report.problems
    assert report.class_name == "SPYTLTGLDAgentStrategy"
