"""Agent strategies end to end through the services: real OpenAI / Anthropic SDKs against the
local stand-in, backtests on the warm worker pool (Lumibot) asking the decision service over
its socket; the cache, repairs, holds, the cost cap, contamination and the leaderboard."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import make_settings
from llm_stub import Reply, StubLLM, llm_server_fixture  # noqa: F401

from api.services.container import Services
from api.services.views import AgentRunOptions, BacktestConfig, CompareAgent
from core.db import dispose_engines

KEY = "sk-agent-secret-never-in-a-worker-0123"
TEXT = "Each week, split between SPY and TLT given the last 2 months of prices and RSI"
START, END = date(2023, 1, 3), date(2023, 3, 31)
GOOD = {"target_weights": {"SPY": 0.6, "TLT": 0.3}, "rationale": "trend", "confidence": 0.7}


@pytest.fixture
def services(tmp_path: Path, sample_market_dir: Path, llm_server: StubLLM) -> Iterator[Services]:
    settings = make_settings(
        tmp_path, sample_market_dir,
        openai_base_url=llm_server.openai_url, anthropic_base_url=llm_server.url,
        openai_api_key=KEY, anthropic_api_key=KEY, llm_max_retries=0, llm_timeout_s=5.0,
        smoke_backtest_days=0,
        executor={"workers": 1},
        llm_prices={"gpt-4.1-mini": (1000.0, 1000.0)},  # 1 call = 1350 tokens = $1.35
    )
    opened = Services.open(settings)
    llm_server.default = Reply(GOOD)
    yield opened
    opened.close()
    dispose_engines()


def _run(s: Services, agent_id: int, model: str, **options: Any) -> dict[str, Any]:
    run = s.backtests.create_backtest(s.user_id, BacktestConfig(
        strategy_id=agent_id, start=START, end=END, parameters={"model": model},
        agent=AgentRunOptions(**options) if options else None))
    done = s.backtests.execute_backtest(run.id)
    assert done.status == "succeeded", done.error
    return s.backtests.backtest_result(None, run.id)


def _equity(s: Services, run_id: int) -> str:
    return (s.settings.runs_dir / f"run_{run_id}" / "equity.csv").read_text()


@pytest.mark.slow
def test_openai_agent_backtest_is_cached_and_replays_bit_identical(
    services: Services, llm_server: StubLLM
) -> None:
    agent = services.agents.create_agent(services.user_id, TEXT, "openai:gpt-4.1-mini")
    first = _run(services, agent.id, "openai:gpt-4.1-mini")
    m = first["metrics"]
    asked = len(llm_server.requests)
    assert m["decisions"] >= 10 and m["llm_calls"] == asked == m["decisions"]
    assert m["cache_hits"] == 0 and m["tokens"] == asked * 1350
    assert m["contaminated"] == 1  # 2023 is before gpt-4.1-mini's cutoff
    body = llm_server.requests[0].body
    assert "<market_snapshot>" in json.dumps(body) and "SPY" in json.dumps(body)
    # the worker got an address and a token, never a key
    request_json = (services.settings.runs_dir / f"run_{first['id']}" / "request.json")
    assert KEY not in request_json.read_text()

    second = _run(services, agent.id, "openai:gpt-4.1-mini")
    assert len(llm_server.requests) == asked  # no HTTP request at all
    assert second["metrics"]["llm_calls"] == 0
    assert second["metrics"]["cache_hits"] == m["decisions"]
    assert _equity(services, second["id"]) == _equity(services, first["id"])
    assert second["trades"] == first["trades"]

    third = _run(services, agent.id, "openai:gpt-4.1-mini", refresh=True)
    assert len(llm_server.requests) == 2 * asked and third["metrics"]["llm_calls"] == asked

    decisions = services.agents.decisions_of(services.user_id, agent.id)
    assert len(decisions) == m["decisions"]
    assert decisions[0].target_weights == {"SPY": 0.6, "TLT": 0.3}


@pytest.mark.slow
def test_anthropic_answers_are_repaired_or_held_and_recorded(
    services: Services, llm_server: StubLLM
) -> None:
    agent = services.agents.create_agent(services.user_id, TEXT, "anthropic:claude-sonnet-4-5")
    bad = Reply({"target_weights": {"SPY": 0.9, "QQQ": 0.9}, "rationale": "all in"})
    # decision 1: bad then repaired; decision 2: bad three times (held); the rest good
    llm_server.push(bad, Reply(GOOD), bad, bad, bad)
    result = _run(services, agent.id, "anthropic:claude-sonnet-4-5")
    assert llm_server.requests[0].path == "/v1/messages"
    repair = json.dumps(llm_server.requests[1].body)
    assert "refused by the validator" in repair and "QQQ" in repair
    rows = services.agents.decisions_of(services.user_id, agent.id)
    assert rows[0].outcome == "decided" and rows[0].target_weights == {"SPY": 0.6, "TLT": 0.3}
    assert rows[1].outcome == "held" and "not one of the agent's symbols" in (rows[1].reason or "")
    assert result["metrics"]["decisions_held"] == 1
    assert result["metrics"]["llm_calls"] == result["metrics"]["decisions"] + 3


@pytest.mark.slow
def test_the_cost_cap_stops_a_run_cleanly(services: Services, llm_server: StubLLM) -> None:
    agent = services.agents.create_agent(services.user_id, TEXT, "openai:gpt-4.1-mini")
    result = _run(services, agent.id, "openai:gpt-4.1-mini", max_cost_usd=2.0)
    m = result["metrics"]
    assert len(llm_server.requests) == 2 == m["llm_calls"]  # $1.35 each: the 2nd crosses $2
    assert m["stopped_max_cost"] == 1 and m["cost_usd"] == pytest.approx(2.7)
    assert m["decisions"] >= 10 and m["decisions_held"] == m["decisions"] - 2
    summary = json.loads((services.settings.runs_dir / f"run_{result['id']}"
                          / "summary.json").read_text())
    assert summary["agent"]["stopped"].startswith("max_cost")


@pytest.mark.slow
def test_compare_ranks_models_against_the_baseline_and_buy_and_hold(
    services: Services, llm_server: StubLLM
) -> None:
    agent = services.agents.create_agent(services.user_id, TEXT, "offline")
    board = services.agents.compare(services.user_id, agent.id, CompareAgent(
        models=["openai:gpt-4.1-mini"], start=START, end=END))
    rows = {row.label: row for row in board.rows}
    assert set(rows) == {"openai:gpt-4.1-mini", "offline", "buy_and_hold (equal weight)"}
    assert rows["openai:gpt-4.1-mini"].contaminated
    assert "training cutoff" in (rows["openai:gpt-4.1-mini"].contamination or "")
    assert not rows["offline"].contaminated and rows["offline"].llm_calls == 0
    assert all(r.total_return is not None for r in board.rows)
    returns = [r.total_return for r in board.rows]
    assert returns == sorted(returns, reverse=True)


@pytest.mark.slow
def test_a_recorded_fixture_replays_a_whole_backtest_offline(
    services: Services, llm_server: StubLLM, tmp_path: Path, sample_market_dir: Path
) -> None:
    agent = services.agents.create_agent(services.user_id, TEXT, "openai:gpt-4.1-mini")
    recorded = _run(services, agent.id, "openai:gpt-4.1-mini")
    fixture = json.loads(json.dumps(services.agents.export_decisions(services.user_id, agent.id)))
    assert len(fixture) == recorded["metrics"]["decisions"]
    asked = len(llm_server.requests)

    # another installation: no key, no LLM server configured at all
    elsewhere = Services.open(make_settings(tmp_path / "elsewhere", sample_market_dir,
                                            smoke_backtest_days=0, executor={"workers": 1}))
    try:
        copy = elsewhere.agents.create_agent(elsewhere.user_id, TEXT, "openai:gpt-4.1-mini")
        assert elsewhere.agents.import_decisions(elsewhere.user_id, copy.id, fixture) == len(
            fixture)
        replayed = _run(elsewhere, copy.id, "openai:gpt-4.1-mini")
        assert replayed["metrics"]["llm_calls"] == 0
        assert replayed["metrics"]["cache_hits"] == len(fixture)
        assert replayed["trades"] == recorded["trades"]
        assert _equity(elsewhere, replayed["id"]) == _equity(services, recorded["id"])
    finally:
        elsewhere.close()
    assert len(llm_server.requests) == asked


def test_an_llm_reads_the_description_with_repairs_and_the_model_is_ours(
    services: Services, llm_server: StubLLM
) -> None:
    bad = Reply({"name": "Mix", "symbols": ["SPY", "TLT; import os"], "cadence": "weekly"})
    good = Reply({"name": "Mix", "symbols": ["SPY", "TLT"], "cadence": "monthly",
                  "indicators": [{"kind": "rsi"}], "model": "anthropic:whatever",
                  "max_weight": 0.8})
    llm_server.push(bad, good)
    view = services.agents.create_agent(services.user_id, TEXT, "openai:gpt-4.1-mini",
                                        provider="openai:gpt-4.1-mini")
    spec = view.version.spec if view.version else {}
    assert spec["symbols"] == ["SPY", "TLT"] and spec["cadence"] == "monthly"
    assert spec["model"] == "openai:gpt-4.1-mini"  # the caller decides who decides
    assert spec["max_weight"] == 0.8
    assert len(llm_server.requests) == 2
    assert "not a ticker symbol" in json.dumps(llm_server.requests[1].body)


@pytest.mark.slow
def test_the_daily_budget_holds_decisions_and_anonymised_runs_hide_tickers_and_dates(
    services: Services, llm_server: StubLLM
) -> None:
    services.ctx.settings.llm_daily_token_budget = 2000  # 1350 tokens a call: 2 calls fit
    agent = services.agents.create_agent(services.user_id, TEXT, "openai:gpt-4.1-mini")
    result = _run(services, agent.id, "openai:gpt-4.1-mini")
    m = result["metrics"]
    assert m["llm_calls"] == 2 == len(llm_server.requests)
    assert m["decisions_held"] == m["decisions"] - 2
    held = [d for d in services.agents.decisions_of(services.user_id, agent.id)
            if d.outcome == "held"]
    assert held and all("daily token budget" in (d.reason or "") for d in held)

    services.ctx.settings.llm_daily_token_budget = None
    llm_server.reset()
    llm_server.default = Reply({"target_weights": {"ASSET_1": 0.5}, "rationale": "a"})
    run = services.backtests.create_backtest(services.user_id, BacktestConfig(
        strategy_id=agent.id, start=START, end=END,
        parameters={"model": "openai:gpt-4.1-mini", "anonymize": True}))
    done = services.backtests.execute_backtest(run.id)
    assert done.status == "succeeded", done.error
    prompt = json.dumps(llm_server.requests[0].body)
    snapshot = prompt[prompt.index("<market_snapshot>"):prompt.index("</market_snapshot>")]
    assert "ASSET_1" in snapshot and "SPY" not in snapshot and "2023" not in snapshot
    assert (done.metrics or {})["decisions_held"] == 0
    assert {d.target_weights.get("ASSET_1") for d in services.agents.decisions_of(
        services.user_id, agent.id, run_id=run.id) if d.target_weights} == {0.5}
