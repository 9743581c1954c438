"""An agent strategy deployed as a supervised bot on the local paper venue: its decision (the
offline baseline, no key) becomes orders through the same order path and risk gate as a
rule-based bot; an agent whose model needs the decision service is refused, not left holding."""

from __future__ import annotations

from pathlib import Path

import pytest
from deploy_support import harness, wait_for

pytestmark = pytest.mark.slow

TEXT = "Each week, split between SPY, TLT and GLD given the last 3 months of prices"


def test_an_agents_decision_becomes_orders_on_the_local_venue(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_market_dir: Path
) -> None:
    with harness(monkeypatch, tmp_path, sample_market_dir) as h:
        created = h.client.post("/agents", json={"text": TEXT, "model": "offline"})
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["version"]["validation_status"] == "passed", body
        agent_id = body["id"]

        refused = h.client.post("/deployments", json={
            "strategy_id": agent_id, "mode": "paper", "parameters": {"model": "openai:gpt-4.1"}})
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "agent_model_not_deployable"

        dep = h.deploy(agent_id)
        h.wait_state(dep["id"], "RUNNING")
        placed = wait_for(lambda: h.orders(deployment_id=dep["id"]), what="the agent's orders")
        assert placed[0]["client_order_id"] == f"{dep['key']}-1"
        assert {o["symbol"] for o in placed} <= {"SPY", "TLT", "GLD"}
        assert all(o["side"] == "buy" for o in placed)
        h.advance(600)
        try:
            wait_for(lambda: [o for o in h.orders(deployment_id=dep["id"])
                              if o["status"] == "filled"], what="a filled agent order", timeout=30)
        except AssertionError as exc:
            raise AssertionError(f"{exc}: {h.orders(deployment_id=dep['id'])} "
                                 f"{h.venue_orders()}") from None
        assert h.client.post(f"/deployments/{dep['id']}/stop").status_code == 200
        h.wait_state(dep["id"], "STOPPED", timeout=60)
