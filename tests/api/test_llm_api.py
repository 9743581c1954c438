"""Real-model generation through the HTTP API and the CLI, with the OpenAI and Anthropic SDKs
talking to the local stub server: accounting rows, budgets, comparisons, explanations, and
`stratforge new --json` end to end with only OPENAI_BASE_URL + STRATFORGE_LLM_PROVIDER."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import make_settings
from fastapi.testclient import TestClient
from llm_stub import GOOD_SPEC, Fail, Reply, StubLLM, llm_server_fixture  # noqa: F401

from api.app import create_app
from core.db import dispose_engines

TEXT = "When the 50 day average of SPY goes over the 200 day one, get in; leave on the reverse."
KEY = "sk-secret-never-shown-0123456789"

ROTATION = {
    "name": "SPY QQQ rotation",
    "symbols": ["SPY", "QQQ"],
    "allocation": {"kind": "momentum_rotation", "top_n": 1, "lookback_days": 126},
}


def _client(tmp_path: Path, market: Path, server: StubLLM, **overrides: Any) -> TestClient:
    values: dict[str, Any] = dict(
        openai_base_url=server.openai_url,
        anthropic_base_url=server.url,
        openai_api_key=KEY,
        anthropic_api_key=KEY,
        llm_provider="openai:gpt-4o-mini",
        llm_max_retries=1,
        llm_backoff_s=0.001,
        llm_backoff_max_s=0.002,
        llm_timeout_s=5.0,
        smoke_backtest_days=0,  # import check only: these tests are about generation
    )
    values.update(overrides)
    return TestClient(create_app(make_settings(tmp_path, market, **values)))


@pytest.fixture
def client(tmp_path: Path, sample_market_dir: Path, llm_server: StubLLM) -> Iterator[TestClient]:
    with _client(tmp_path, sample_market_dir, llm_server) as test_client:
        yield test_client
    dispose_engines()


def test_post_strategy_with_openai_records_the_generation(
    client: TestClient, llm_server: StubLLM
) -> None:
    llm_server.push(Fail(429, headers={"retry-after": "0"}), Reply({**GOOD_SPEC, "x": 1}))
    response = client.post("/strategies", json={"text": TEXT})
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["version"]["spec"]["symbols"] == ["SPY"]
    assert TEXT not in created["code"]
    system = llm_server.requests[0].body["messages"][0]["content"]
    assert "SPY: 2010-01-04 to 2024-12-31" in system  # the store's symbols and dates

    report = client.get("/generations").json()
    (row,) = report["generations"]
    assert row["provider"] == "openai" and row["model"] == "gpt-4o-mini"
    assert row["strategy_id"] == created["id"] and row["outcome"] == "ok"
    assert row["prompt_version"].startswith("spec-")
    assert [a["outcome"] for a in row["attempts"]] == ["rate_limited", "invalid_answer", "ok"]
    assert (row["tokens_in"], row["tokens_out"]) == (2400, 300)
    assert row["cost_usd"] == pytest.approx((2400 * 0.15 + 300 * 0.6) / 1e6)
    assert report["totals"]["tokens_in"] == 2400
    assert report["by_model"][0]["model"] == "gpt-4o-mini"
    assert KEY not in json.dumps(report) and KEY not in json.dumps(created)


def test_anthropic_per_request_and_failure_rows(client: TestClient, llm_server: StubLLM) -> None:
    llm_server.default = Reply({"name": "no entry", "symbols": ["SPY"]})
    response = client.post(
        "/strategies", json={"text": TEXT, "provider": "anthropic:claude-sonnet-4-5"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "llm_invalid_answer"
    assert any("entry rule" in p for p in body["details"]["problems"])
    assert all(r.path == "/v1/messages" for r in llm_server.requests)

    llm_server.default = Fail(500)
    response = client.post("/strategies", json={"text": TEXT, "provider": "anthropic"})
    assert response.status_code == 502 and response.json()["code"] == "llm_unavailable"

    rows = client.get("/generations").json()["generations"]
    assert [r["outcome"] for r in rows] == ["llm_unavailable", "llm_invalid_answer"]
    assert len(rows[1]["attempts"]) == 3 and rows[1]["tokens_in"] == 3600
    assert rows[1]["error"] and rows[0]["strategy_id"] is None


def test_daily_token_budget(tmp_path: Path, sample_market_dir: Path, llm_server: StubLLM) -> None:
    with _client(tmp_path, sample_market_dir, llm_server, llm_daily_token_budget=2000) as client:
        assert client.post("/strategies", json={"text": TEXT}).status_code == 201  # 1350 tokens
        assert client.post("/strategies", json={"text": TEXT}).status_code == 201  # 2700 now
        refused = client.post("/strategies", json={"text": TEXT})
        assert refused.status_code == 429
        assert refused.json()["code"] == "budget_exceeded"
        assert "2700 of 2000 tokens" in refused.json()["message"]
        assert len(llm_server.requests) == 2  # refused before any call
        offline = client.post("/strategies", json={"text": TEXT, "provider": "replay"})
        assert offline.json()["code"] == "replay_missing"  # free providers are not refused
        today = client.get("/generations").json()["today"]
        assert today["tokens_today"] == 2700 and today["token_budget"] == 2000
    dispose_engines()


def test_daily_cost_budget(tmp_path: Path, sample_market_dir: Path, llm_server: StubLLM) -> None:
    with _client(
        tmp_path, sample_market_dir, llm_server, llm_daily_cost_budget_usd=0.0001
    ) as client:
        assert client.post("/strategies", json={"text": TEXT}).status_code == 201
        refused = client.post("/strategies", json={"text": TEXT})
        assert refused.status_code == 429 and refused.json()["code"] == "budget_exceeded"
    dispose_engines()


def test_compare_then_accept(client: TestClient, llm_server: StubLLM) -> None:
    def route(path: str) -> dict[str, Any]:
        return GOOD_SPEC if path == "/v1/chat/completions" else ROTATION

    # one answer per provider, whichever thread asks first
    original_next = llm_server._next

    def by_path(seen: Any) -> Any:
        original_next(seen)
        return Reply(route(seen.path))

    llm_server._next = by_path  # type: ignore[method-assign]
    try:
        response = client.post(
            "/strategies",
            json={
                "text": TEXT,
                "compare": ["openai:gpt-4o-mini", "anthropic:claude-sonnet-4-5", "replay"],
            },
        )
    finally:
        llm_server._next = original_next  # type: ignore[method-assign]
    assert response.status_code == 200, response.text
    comparison = response.json()
    labels = [c["label"] for c in comparison["candidates"]]
    assert labels == ["openai:gpt-4o-mini", "anthropic:claude-sonnet-4-5", "replay:any"]
    ok = [c for c in comparison["candidates"] if c["ok"]]
    assert len(ok) == 2 and comparison["candidates"][2]["error"]["code"] == "replay_missing"
    assert ok[0]["summary"].startswith("Trades SPY") and "Rotates" in ok[1]["summary"]
    paths = {d["path"] for d in comparison["differences"]}
    assert {"allocation.kind", "symbols", "name"} <= paths
    assert client.get("/strategies").json() == []  # nothing saved yet

    accepted = client.post(f"/generations/{ok[1]['generation_id']}/accept")
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["version"]["spec"]["allocation"]["kind"] == "momentum_rotation"
    again = client.post(f"/generations/{ok[1]['generation_id']}/accept")
    assert again.status_code == 409 and again.json()["code"] == "already_accepted"
    rows = client.get("/generations").json()["generations"]
    assert {r["request_id"] for r in rows} == {comparison["request_id"]}


def test_explanation(client: TestClient, llm_server: StubLLM) -> None:
    created = client.post("/strategies", json={"text": TEXT}).json()
    llm_server.push(Reply("It follows long trends; sideways markets cause whipsaws."))
    first = client.get(f"/strategies/{created['id']}/explanation").json()
    assert first["summary"] == created["version"]["summary"]
    assert first["explanation"].startswith("It follows long trends")
    assert (first["provider"], first["model"]) == ("openai", "gpt-4o-mini")
    explain_request = llm_server.requests[-1].body
    assert "response_format" not in explain_request
    count = len(llm_server.requests)
    second = client.get(f"/strategies/{created['id']}/explanation").json()
    assert second["explanation"] == first["explanation"]
    assert len(llm_server.requests) == count  # cached per version and model
    offline = client.get(
        f"/strategies/{created['id']}/explanation", params={"provider": "offline"}
    ).json()
    assert offline["explanation"] is None and "STRATFORGE_LLM_PROVIDER" in offline["note"]
    purposes = [r["purpose"] for r in client.get("/generations").json()["generations"]]
    assert purposes == ["explain", "spec"]
    # an agent has no rules to explain: its summary, a note, no model call (it was a 500)
    agent = client.post("/agents", json={
        "text": "Each month, split between SPY, TLT and GLD given the last 2 months of prices",
        "model": "offline"})
    assert agent.status_code == 201, agent.text
    count = len(llm_server.requests)
    explained = client.get(f"/strategies/{agent.json()['id']}/explanation")
    assert explained.status_code == 200, explained.text
    assert explained.json()["explanation"] is None and "agent" in explained.json()["note"]
    assert explained.json()["summary"]
    assert len(llm_server.requests) == count


# -- the CLI, end to end --------------------------------------------------------------------------
def _cli_env(tmp_path: Path, market: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("STRATFORGE_", "OPENAI_", "ANTHROPIC_"))
    }
    env.update(
        STRATFORGE_HOME=str(tmp_path / "home"),
        STRATFORGE_GENERATED_DIR=str(tmp_path / "generated"),
        STRATFORGE_MARKET_DIR=str(market),
        STRATFORGE_SMOKE_BACKTEST_DAYS="0",
        STRATFORGE_LLM_MAX_RETRIES="0",
    )
    env.update(extra)
    return env


def _stratforge(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("stratforge")
    return subprocess.run(
        [str(exe), *args], env=env, capture_output=True, text=True, timeout=240, check=False
    )


def test_cli_new_through_a_local_openai_compatible_server(
    tmp_path: Path, sample_market_dir: Path, llm_server: StubLLM
) -> None:
    env = _cli_env(
        tmp_path,
        sample_market_dir,
        OPENAI_BASE_URL=llm_server.openai_url,
        STRATFORGE_LLM_PROVIDER="openai",
    )
    done = _stratforge("new", TEXT, "--json", env=env)
    assert done.returncode == 0, done.stderr + done.stdout
    result = json.loads(done.stdout)
    assert result["spec"]["symbols"] == ["SPY"]
    assert result["validation"]["status"] == "passed"
    assert Path(result["code_path"]).is_file()
    (seen,) = llm_server.requests
    assert seen.path == "/v1/chat/completions" and seen.body["model"] == "gpt-4.1-mini"
    assert json.dumps(TEXT) in seen.body["messages"][1]["content"]

    listed = _stratforge("generations", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    report = json.loads(listed.stdout)
    assert report["generations"][0]["provider"] == "openai"
    assert report["totals"]["tokens_in"] == 1200


def test_cli_compare_and_pick(tmp_path: Path, sample_market_dir: Path, llm_server: StubLLM) -> None:
    env = _cli_env(
        tmp_path,
        sample_market_dir,
        OPENAI_BASE_URL=llm_server.openai_url,
        ANTHROPIC_BASE_URL=llm_server.url,
        ANTHROPIC_API_KEY=KEY,
    )
    done = _stratforge(
        "new",
        TEXT,
        "--compare",
        "openai:gpt-4o-mini,anthropic:claude-sonnet-4-5",
        "--pick",
        "2",
        "--json",
        env=env,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    result = json.loads(done.stdout)
    assert [c["ok"] for c in result["comparison"]["candidates"]] == [True, True]
    assert result["comparison"]["identical"] is True
    assert result["accepted"]["spec"]["symbols"] == ["SPY"]
    assert KEY not in done.stdout and KEY not in done.stderr
