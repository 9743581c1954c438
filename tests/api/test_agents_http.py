"""The agent routes: POST /agents (and its refusals), POST /agents/{id}/compare with exports,
GET /agents/{id}/decisions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import make_settings
from fastapi.testclient import TestClient

from api.app import create_app
from core.db import dispose_engines

TEXT = "Each month, split between SPY, TLT and GLD given the last 2 months of prices"


@pytest.fixture
def client(tmp_path: Path, sample_market_dir: Path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, sample_market_dir, smoke_backtest_days=0,
                             executor={"workers": 1})
    with TestClient(create_app(settings)) as test_client:
        yield test_client
    dispose_engines()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"text": "Each week read the news and pick SPY or TLT"}, "agent_not_understood"),
        ({"text": "Each week pick between SPY and ZZZZ"}, "agent_not_understood"),
        # the body's schema states the selector (a pattern): refused before the service
        ({"text": TEXT, "model": "openai:gpt\"; import os"}, "invalid_request"),
    ],
)
def test_post_agents_refuses_what_it_cannot_map(
    client: TestClient, body: dict[str, str], code: str
) -> None:
    response = client.post("/agents", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code
    assert client.get("/strategies").json() == []  # nothing half-created


@pytest.mark.slow
def test_create_compare_export_and_list_decisions(client: TestClient) -> None:
    created = client.post("/agents", json={"text": TEXT, "model": "offline"})
    assert created.status_code == 201, created.text
    agent = created.json()
    assert agent["version"]["spec"]["kind"] == "agent"
    assert agent["version"]["validation_status"] == "passed"
    body = {"models": ["offline"], "start": "2021-01-04", "end": "2021-12-31"}
    board = client.post(f"/agents/{agent['id']}/compare", json=body)
    assert board.status_code == 200, board.text
    rows = board.json()["rows"]
    assert [r["kind"] for r in rows].count("baseline") == 1
    assert {r["kind"] for r in rows} == {"baseline", "buy_and_hold"}
    baseline = next(r for r in rows if r["kind"] == "baseline")
    assert baseline["decisions"] == 12 and baseline["llm_calls"] == 0
    assert baseline["contaminated"] is False

    csv_text = client.post(f"/agents/{agent['id']}/compare?format=csv", json=body)
    assert csv_text.headers["content-type"].startswith("text/csv")
    assert csv_text.text.splitlines()[0].startswith("label,kind,run_id")
    html = client.post(f"/agents/{agent['id']}/compare?format=html", json=body)
    assert "<table>" in html.text

    decisions = client.get(f"/agents/{agent['id']}/decisions").json()
    assert len(decisions) == 12  # the second and third compare were served from the cache
    assert all(d["model"] == "offline" and d["outcome"] == "decided" for d in decisions)
    assert [d["day"][:7] for d in decisions] == [f"2021-{m:02d}" for m in range(1, 13)]
    assert client.get("/agents/999/decisions").status_code == 404
    page = client.get(f"/ui/strategies/{agent['id']}")
    assert page.status_code == 200 and "SPY" in page.text
    regen = client.post(f"/strategies/{agent['id']}/regenerate", json={})
    assert regen.status_code == 422 and regen.json()["code"] == "agent_not_regenerable"


@pytest.mark.slow
@pytest.mark.postgres
def test_the_decision_cache_on_postgresql(
    tmp_path: Path, sample_market_dir: Path, postgres_url: str
) -> None:
    from api.services.container import Services
    from api.services.views import BacktestConfig

    services = Services.open(make_settings(tmp_path, sample_market_dir, database_url=postgres_url,
                                           smoke_backtest_days=0, executor={"workers": 1}))
    try:
        agent = services.agents.create_agent(services.user_id, TEXT, "offline")
        metrics = []
        for _ in range(2):
            run = services.backtests.create_backtest(services.user_id, BacktestConfig(
                strategy_id=agent.id, start="2021-01-04", end="2021-06-30"))
            done = services.backtests.execute_backtest(run.id)
            assert done.status == "succeeded", done.error
            metrics.append(done.metrics or {})
        assert metrics[0]["decisions"] == metrics[1]["cache_hits"] == 6
        assert metrics[0]["cache_hits"] == 0
    finally:
        services.close()


def test_the_service_still_refuses_a_bad_selector_and_a_strategy_that_is_no_agent(
    client: TestClient,
) -> None:
    """What the schema states for HTTP, the service checks for every other caller (the CLI);
    compare and decisions of an ordinary strategy say there is no such agent."""
    from core.errors import InvalidInput, NotFound
    from core.scope import owner_scope

    services = client.app.state.services  # type: ignore[attr-defined]
    plain = client.post("/strategies", json={"text": "Buy SPY when RSI(14) is below 30 and "
                                                     "sell when it is above 70"})
    assert plain.status_code == 201, plain.text
    sid = plain.json()["id"]
    for answer in (client.get(f"/agents/{sid}/decisions"),
                   client.post(f"/agents/{sid}/compare", json={
                       "models": ["offline"], "start": "2020-01-02", "end": "2020-03-31"})):
        assert answer.status_code == 404 and answer.json()["code"] == "agent_not_found"
    # a second account ends the no-key mode: the HTTP calls come first
    user_id = services.accounts.create_user("carol", email="carol@example.test",
                                            password="a-long-enough-password-1").id
    with owner_scope(user_id), pytest.raises(InvalidInput) as refused:
        services.agents.create_agent(user_id, TEXT, model='openai:gpt"; import os')
    assert refused.value.code == "bad_model"
    with owner_scope(user_id), pytest.raises(NotFound) as missing:
        services.agents.decisions_of(user_id, sid)  # another user's strategy
    assert missing.value.code != "agent_not_found"
