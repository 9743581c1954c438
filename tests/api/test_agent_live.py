"""The decision host of deployed agent bots (`api.services.agent_live`), asked over its real
socket the way a bot asks, with the real OpenAI SDK against the local stand-in: the owner's own
integration key, live decisions recorded and listed as live, the per-deployment cache, garbage
and hanging answers held, the per-deployment cost cap (held, recorded, notified), and the
deploy-time check of the agent's model."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import make_settings
from deploy_support import wait_for
from llm_stub import Fail, Raw, Reply, StubLLM, llm_server_fixture  # noqa: F401
from sqlmodel import select

from api.services.agent_live import LiveAgentDecisions
from api.services.container import Services
from api.services.views import DeployRequest, IntegrationIn
from core.db import dispose_engines
from core.errors import InvalidInput
from core.models import Deployment, NotificationChannel, NotificationDelivery, StrategyVersion
from runtime.agents.channel import ChannelAddress, ask
from runtime.agents.snapshot import build_snapshot

USER_KEY = "sk-user-integration-key-live-4242"
TEXT = "Each week, split between SPY and TLT given the last 2 months of prices and RSI"
MODEL = "openai:gpt-4.1-mini"
GOOD = {"target_weights": {"SPY": 0.4, "TLT": 0.2}, "rationale": "stand-in", "confidence": 0.6}
DAY = date(2023, 6, 5)


@pytest.fixture
def services(tmp_path: Path, sample_market_dir: Path, llm_server: StubLLM,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = make_settings(
        tmp_path, sample_market_dir, llm_max_retries=0, llm_timeout_s=1.0, llm_max_repairs=1,
        smoke_backtest_days=0,
        llm_prices={"gpt-4.1-mini": (1000.0, 1000.0)},  # 1 call = 1350 tokens = $1.35
    )
    opened = Services.open(settings)
    llm_server.default = Reply(GOOD)
    yield opened
    opened.close()
    dispose_engines()


def _deployment(s: Services, agent_id: int, **parameters: Any) -> tuple[Deployment,
                                                                          StrategyVersion]:
    with s.ctx.session() as db:
        version = db.exec(select(StrategyVersion).where(
            StrategyVersion.strategy_id == agent_id)).one()
        dep = Deployment(owner_id=s.user_id, strategy_id=agent_id, version_id=version.id or 0,
                         key="d" + secrets.token_hex(4), mode="venue",
                         parameters={"model": MODEL, **parameters})
        db.add(dep)
        db.commit()
        db.refresh(dep)
        return dep, version


def _ask(s: Services, address: ChannelAddress, day: date = DAY) -> dict[str, Any]:
    frames = {sym: s.ctx.market.bars(sym, date(2022, 1, 3), day) for sym in ("SPY", "TLT")}
    history = {sym: f[f.index.date < day] for sym, f in frames.items()}
    snap = build_snapshot(history, day, symbols=["SPY", "TLT"], lookback=42,
                          indicators=[{"kind": "rsi", "period": 14}], cash=100_000.0)
    assert snap is not None
    return ask(address, {"day": day.isoformat(), "snapshot": snap.model_dump(mode="json")})


def _key_integration(s: Services, llm_server: StubLLM) -> None:
    s.integrations.create(s.user_id, IntegrationIn(
        kind="openai", secret=USER_KEY, base_url=llm_server.openai_url))


def test_a_live_decision_uses_the_owners_key_is_cached_per_deployment_and_listed_live(
    services: Services, llm_server: StubLLM
) -> None:
    _key_integration(services, llm_server)
    agent = services.agents.create_agent(services.user_id, TEXT, MODEL)
    host = LiveAgentDecisions(services.ctx)
    try:
        dep, version = _deployment(services, agent.id)
        address = host.open_deployment(dep, version)
        assert address is not None and USER_KEY not in address.model_dump_json()
        reply = _ask(services, address)
        assert reply["outcome"] == "decided", reply
        assert reply["target_weights"] == {"SPY": 0.4, "TLT": 0.2}
        assert llm_server.requests[0].headers["authorization"] == f"Bearer {USER_KEY}"
        assert _ask(services, address) == reply  # the same live day: the cache, no new call
        assert len(llm_server.requests) == 1

        other, _ = _deployment(services, agent.id)  # another bot does not share that decision
        other_address = host.open_deployment(other, version)
        assert other_address is not None and other_address.token != address.token
        assert _ask(services, other_address)["outcome"] == "decided"
        assert len(llm_server.requests) == 2

        host.close_deployment(dep.id or 0)  # a gone bot's token is refused: a hold
        assert _ask(services, address)["outcome"] == "held"
    finally:
        host.close()
    live = services.agents.decisions_of(services.user_id, agent.id, live=True)
    assert [(d.deployment_id, d.live, d.run_id) for d in live] == [
        (dep.id, True, None), (other.id, True, None)]
    assert live[0].rationale == "stand-in" and live[0].cost_usd == pytest.approx(1.35)
    assert services.agents.decisions_of(services.user_id, agent.id, live=False) == []
    mine = services.agents.decisions_of(services.user_id, agent.id, deployment_id=other.id)
    assert [d.deployment_id for d in mine] == [other.id]


def test_garbage_and_a_hanging_stand_in_are_holds_recorded_not_errors(
    services: Services, llm_server: StubLLM
) -> None:
    _key_integration(services, llm_server)
    agent = services.agents.create_agent(services.user_id, TEXT, MODEL)
    host = LiveAgentDecisions(services.ctx)
    try:
        dep, version = _deployment(services, agent.id)
        address = host.open_deployment(dep, version)
        assert address is not None
        llm_server.default = Raw("<html>not json at all")
        garbage = _ask(services, address, date(2023, 6, 5))
        llm_server.default = Reply("I think you should buy everything!!!")
        prose = _ask(services, address, date(2023, 6, 12))
        llm_server.default = Reply(GOOD, delay=5.0)  # past llm_timeout_s (1 s), no retry
        hung = _ask(services, address, date(2023, 6, 20))
    finally:
        host.close()
    assert [r["outcome"] for r in (garbage, prose, hung)] == ["held"] * 3
    rows = services.agents.decisions_of(services.user_id, agent.id, deployment_id=dep.id)
    assert [(r.day, r.outcome, r.live) for r in rows] == [
        ("2023-06-05", "held", True), ("2023-06-12", "held", True), ("2023-06-20", "held", True)]
    assert all(r.reason and r.reason.startswith("no valid decision") for r in rows)
    assert "time" in (rows[2].reason or "").lower(), rows[2].reason

    # a model slower than the bot waits: the bot holds, and so says the record
    impatient = LiveAgentDecisions(dataclasses.replace(services.ctx, settings=(
        services.ctx.settings.model_copy(update={"agent_live_wait_s": 0.3}))))
    try:
        address = impatient.open_deployment(dep, version)
        assert address is not None and address.timeout_s == 0.3
        llm_server.default = Reply(GOOD, delay=0.8)  # within llm_timeout_s, past the wait
        late = _ask(services, address, date(2023, 6, 26))
        assert late == {"outcome": "held", "reason": "no decision within 0.3 s"}
        row = wait_for(lambda: [r for r in services.agents.decisions_of(
            services.user_id, agent.id, deployment_id=dep.id) if r.day == "2023-06-26"],
            what="the late decision's record", timeout=10)[0]
    finally:
        impatient.close()
    assert row.outcome == "held" and "bot stops waiting" in (row.reason or ""), row


def test_the_per_deployment_cost_cap_holds_records_and_notifies(
    services: Services, llm_server: StubLLM
) -> None:
    _key_integration(services, llm_server)
    agent = services.agents.create_agent(services.user_id, TEXT, MODEL)
    with services.ctx.session() as db:
        db.add(NotificationChannel(owner_id=services.user_id, kind="webhook", name="hook",
                                   target="http://127.0.0.1:9/x", config_enc="-", events=[]))
        db.commit()
    host = LiveAgentDecisions(services.ctx)
    try:
        dep, version = _deployment(services, agent.id, max_cost_usd=2.0)
        address = host.open_deployment(dep, version)
        assert address is not None
        replies = [_ask(services, address, date(2023, 6, d)) for d in (5, 12, 20, 26)]
        # $1.35 a call: the second crosses $2; later ones hold without a call
        assert [r["outcome"] for r in replies] == ["decided", "decided", "held", "held"]
        assert len(llm_server.requests) == 2
        assert replies[2]["reason"].startswith("max_cost: the deployment's model cost")

        # a restarted supervisor counts what the deployment already spent
        host.close_deployment(dep.id or 0)
        again = host.open_deployment(dep, version)
        assert again is not None
        assert _ask(services, again, date(2023, 7, 3))["outcome"] == "held"
        assert len(llm_server.requests) == 2
    finally:
        host.close()
    with services.ctx.session() as db:
        row = db.get(Deployment, dep.id)
        assert row is not None and "max_cost" in (row.last_error or "")
        sent = db.exec(select(NotificationDelivery).where(
            NotificationDelivery.event == "agent_cost_cap")).all()
    assert len(sent) == 1 and str(dep.id) in sent[0].title


def test_deploying_an_agent_checks_its_model_can_decide(services: Services) -> None:
    agent = services.agents.create_agent(services.user_id, TEXT, MODEL)
    with pytest.raises(InvalidInput) as no_key:  # no key of the user's, none of the server's
        services.deployments.deploy(services.user_id, DeployRequest(
            strategy_id=agent.id, mode="venue"))
    assert no_key.value.code == "llm_not_configured"
    with pytest.raises(InvalidInput) as replay:
        services.deployments.deploy(services.user_id, DeployRequest(
            strategy_id=agent.id, mode="venue", parameters={"model": "replay"}))
    assert replay.value.code == "agent_model_not_deployable"
    with pytest.raises(InvalidInput) as cap:
        services.deployments.deploy(services.user_id, DeployRequest(
            strategy_id=agent.id, mode="venue",
            parameters={"model": "offline", "max_cost_usd": -1}))
    assert cap.value.code == "bad_max_cost"


def test_a_failed_model_hands_over_to_the_configured_fallbacks(
    tmp_path: Path, sample_market_dir: Path, llm_server: StubLLM
) -> None:
    settings = make_settings(
        tmp_path, sample_market_dir, llm_max_retries=0, llm_timeout_s=2.0, smoke_backtest_days=0,
        openai_base_url=llm_server.openai_url, openai_api_key=USER_KEY,
        anthropic_base_url=llm_server.url, anthropic_api_key=USER_KEY,
        llm_fallback="anthropic:claude-sonnet-4-5,offline",
    )
    s = Services.open(settings)
    host = LiveAgentDecisions(s.ctx)
    try:
        agent = s.agents.create_agent(s.user_id, TEXT, MODEL)
        dep, version = _deployment(s, agent.id)
        address = host.open_deployment(dep, version)
        assert address is not None
        session = host.service._sessions[address.token]
        backtest = dataclasses.replace(session, deployment_id=None, providers=None)
        assert [n for n, _ in host.service._providers(backtest)] == [MODEL]  # never mixed
        llm_server.push(Fail(500), Reply(GOOD))  # openai fails; anthropic answers
        first = _ask(s, address, date(2023, 6, 5))
        assert [r.path for r in llm_server.requests] == ["/v1/chat/completions", "/v1/messages"]
        llm_server.push(Fail(500), Fail(500))  # both fail: the offline baseline decides
        second = _ask(s, address, date(2023, 6, 12))
        assert len(llm_server.requests) == 4
        rows = s.agents.decisions_of(s.user_id, agent.id, deployment_id=dep.id)
    finally:
        host.close()
        s.close()
        dispose_engines()
    assert first["outcome"] == "decided" and first["target_weights"] == GOOD["target_weights"]
    assert second["outcome"] == "decided" and second["rationale"] != GOOD["rationale"]
    assert "answered by the fallback anthropic" in (rows[0].reason or "")
    assert "answered by the fallback offline" in (rows[1].reason or "")
