"""Agent strategies deployed as supervised bots on the local paper venue.

* the offline baseline decides inside the bot (no key, no service);
* an agent whose model is an LLM gets its decisions from the supervisor's decision host over
  the local channel: the user's own key (an integration) reaches the local OpenAI-compatible
  stand-in from the supervisor, never the bot (not its environment, argv, config or logs); the
  stand-in's decision becomes orders and a fill through the same risk gate and order path as a
  rule bot, and is listed as a live decision;
* a stand-in that hangs leaves the bot running and holding, the hold recorded;
* an agent whose model has no key is refused at deploy with a clear error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from deploy_support import DeployHarness, harness, wait_for
from llm_stub import Reply, StubLLM, llm_server_fixture  # noqa: F401

pytestmark = pytest.mark.slow

TEXT = "Each week, split between SPY, TLT and GLD given the last 3 months of prices"
MODEL = "openai:gpt-4.1-mini"
USER_KEY = "sk-user-own-key-never-in-a-bot-7781"
DECISION = {"target_weights": {"GLD": 0.3}, "rationale": "stand-in: gold only"}


@pytest.fixture(autouse=True)
def _no_server_llm_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """The key a deployment uses is the user's integration, not the server's environment."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def _agent(h: DeployHarness, model: str) -> int:
    created = h.client.post("/agents", json={"text": TEXT, "model": model})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["version"]["validation_status"] == "passed", body
    return int(body["id"])


def _store_key(h: DeployHarness, llm_server: StubLLM) -> None:
    stored = h.client.post("/integrations", json={
        "kind": "openai", "secret": USER_KEY, "base_url": llm_server.openai_url})
    assert stored.status_code == 201, stored.text


def _filled(h: DeployHarness, deployment_id: int) -> list[dict]:
    h.advance(600)
    try:
        return wait_for(lambda: [o for o in h.orders(deployment_id=deployment_id)
                                 if o["status"] == "filled"], what="a filled agent order",
                        timeout=30)
    except AssertionError as exc:
        raise AssertionError(f"{exc}: {h.orders(deployment_id=deployment_id)} "
                             f"{h.venue_orders()}") from None


def _stop(h: DeployHarness, deployment_id: int) -> None:
    assert h.client.post(f"/deployments/{deployment_id}/stop").status_code == 200
    h.wait_state(deployment_id, "STOPPED", timeout=60)


def test_an_offline_agents_decision_becomes_orders_on_the_local_venue(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_market_dir: Path
) -> None:
    with harness(monkeypatch, tmp_path, sample_market_dir) as h:
        agent_id = _agent(h, "offline")
        refused = h.client.post("/deployments", json={  # no key anywhere for this model
            "strategy_id": agent_id, "mode": "paper", "parameters": {"model": MODEL}})
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "llm_not_configured"

        dep = h.deploy(agent_id)
        h.wait_state(dep["id"], "RUNNING")
        placed = wait_for(lambda: h.orders(deployment_id=dep["id"]), what="the agent's orders")
        assert placed[0]["client_order_id"] == f"{dep['key']}-1"
        assert {o["symbol"] for o in placed} <= {"SPY", "TLT", "GLD"}
        assert all(o["side"] == "buy" for o in placed)
        _filled(h, dep["id"])
        _stop(h, dep["id"])
        live = h.client.get(f"/agents/{agent_id}/decisions", params={"live": True}).json()
        assert [(d["deployment_id"], d["outcome"]) for d in live] == [(dep["id"], "decided")]


def test_an_llm_agents_decision_comes_from_the_supervisor_and_becomes_a_fill(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_market_dir: Path,
    llm_server: StubLLM
) -> None:
    llm_server.default = Reply(DECISION)
    # a spawned bot: its /proc environ is exactly what the supervisor gave it
    with harness(monkeypatch, tmp_path, sample_market_dir, STRATFORGE_BOT_LAUNCHER="spawn") as h:
        _store_key(h, llm_server)
        agent_id = _agent(h, MODEL)
        dep = h.deploy(agent_id)
        running = h.wait_state(dep["id"], "RUNNING")
        placed = wait_for(lambda: h.orders(deployment_id=dep["id"]), what="the agent's orders")
        assert [(o["symbol"], o["side"]) for o in placed] == [("GLD", "buy")]  # the stand-in's
        assert placed[0]["client_order_id"] == f"{dep['key']}-1"
        asked = [r for r in llm_server.requests if r.path == "/v1/chat/completions"]
        assert len(asked) == 1 and asked[0].headers["authorization"] == f"Bearer {USER_KEY}"

        pid = running["pid"]
        environ = Path(f"/proc/{pid}/environ").read_bytes()
        argv = Path(f"/proc/{pid}/cmdline").read_bytes()
        assert b"runtime.bots.live_worker" in argv  # the bot itself
        folder = h.settings.home / "deployments" / str(dep["id"])
        config = (folder / "config.json").read_text()
        assert '"agent_channel"' in config
        for where, text in (("environ", environ), ("argv", argv), ("config", config.encode())):
            assert USER_KEY.encode() not in text, where
            assert b"OPENAI" not in text and b"ANTHROPIC" not in text, where

        _filled(h, dep["id"])
        _supervisor_restart_keeps_serving_the_bot(h, dep["id"], folder)
        _stop(h, dep["id"])
        for log in folder.glob("*.log"):
            assert USER_KEY not in log.read_text(errors="replace"), log.name
        live = h.client.get(f"/agents/{agent_id}/decisions", params={"live": True}).json()
        # the bot's decision and the one asked for above over its channel
        assert [(d["deployment_id"], d["live"], d["outcome"], d["target_weights"]["GLD"],
                 d["rationale"]) for d in live] == [
            (dep["id"], True, "decided", 0.3, DECISION["rationale"])] * 2
        assert h.client.get(f"/agents/{agent_id}/decisions",
                            params={"live": False}).json() == []


def _supervisor_restart_keeps_serving_the_bot(h: DeployHarness, deployment_id: int,
                                              folder: Path) -> None:
    """A new supervisor adopts the running bot and answers the token in its config; a token it
    never issued is a hold."""
    from datetime import date

    from runtime.agents.channel import ask
    from runtime.agents.snapshot import build_snapshot
    from runtime.bots.config import read_config

    channel = read_config(folder).agent_channel
    assert channel is not None
    day = date(2023, 6, 5)
    history = {s: h.service.ctx.market.bars(s, date(2022, 1, 3), date(2023, 6, 2))
               for s in ("SPY", "TLT", "GLD")}
    snap = build_snapshot(history, day, symbols=["SPY", "TLT", "GLD"], lookback=63,
                          indicators=[], cash=100_000.0)
    assert snap is not None
    request = {"day": day.isoformat(), "snapshot": snap.model_dump(mode="json")}
    before = h.service.deployments.supervisor_status()
    assert h.service.deployments.stop_supervisor()
    from api.supervisor_host import MODULE
    from runtime.bots.controls import ensure_supervisor

    after = ensure_supervisor(h.settings, module=MODULE)
    assert after["pid"] != before["pid"]
    reply = wait_for(lambda: (r := ask(channel, request))["outcome"] == "decided" and r,
                     what="a decision from the new supervisor", timeout=30)
    assert reply["target_weights"]["GLD"] == 0.3
    forged = ask(channel.model_copy(update={"token": "not-issued"}), request)
    assert forged["outcome"] == "held" and "unknown" in forged["reason"]
    assert h.deployment(deployment_id)["state"] == "RUNNING"


def test_a_hanging_model_leaves_the_bot_running_and_holding(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_market_dir: Path,
    llm_server: StubLLM
) -> None:
    llm_server.default = Reply(DECISION, delay=20.0)
    with harness(monkeypatch, tmp_path, sample_market_dir, STRATFORGE_LLM_TIMEOUT_S="1",
                 STRATFORGE_LLM_MAX_RETRIES="0") as h:
        _store_key(h, llm_server)
        agent_id = _agent(h, MODEL)
        dep = h.deploy(agent_id)
        h.wait_state(dep["id"], "RUNNING")
        held = wait_for(lambda: h.client.get(f"/agents/{agent_id}/decisions",
                                             params={"deployment_id": dep["id"]}).json(),
                        what="the held decision")
        assert held[0]["outcome"] == "held" and "time" in held[0]["reason"].lower(), held
        h.advance(600)
        beat = h.deployment(dep["id"])
        assert beat["state"] == "RUNNING" and beat["restarts"] == 0, beat
        assert h.orders(deployment_id=dep["id"]) == []
        _stop(h, dep["id"])
