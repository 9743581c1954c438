"""One deployment's dashboard page (`GET /ui/live/{id}`): its card and orders, an agent's
decisions and LLM spend, and the paper-vs-backtest reconciliation panel — made only when asked
(it runs a backtest), shown with its totals, alarm and lined-up orders, a risk-gate refusal
named on the order it made paper miss; another user's deployment is a 404. (The report itself
on the local venue: tests/e2e/test_reconcile.py.)"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from accounts_support import GOLDEN, accounts_app, signed_in
from deploy_support import shutdown
from fastapi.testclient import TestClient
from sqlmodel import select

from api.services.container import Services
from core.db import dispose_engines
from core.models import AgentDecision, Deployment, DeploymentOrder, StrategyVersion
from core.scope import owner_scope
from runtime.bots.drift import DriftReport, Refusal, Tolerance, Trade, report

AGENT_TEXT = "Each month, split between SPY, TLT and GLD given the last 2 months of prices"
MARKER = "alicedeploymentmarker"
D1, D2 = date(2024, 11, 18), date(2024, 11, 19)


@dataclass
class Setup:
    client: TestClient
    services: Services
    alice_id: int
    alice_ui: dict[str, str]  # the dashboard's cookie
    bob_ui: dict[str, str]
    rule_dep: int
    agent_dep: int


def _ui_cookie(client: TestClient, headers: dict[str, str]) -> dict[str, str]:
    token = client.post("/auth/tokens", json={"name": "ui"}, headers=headers).json()["token"]
    return {"Cookie": f"stratforge_key={token}"}


def _deployment(services: Services, owner: int, strategy_id: int, key: str
                ) -> tuple[int, int]:
    """A stopped bot of the strategy's first version: (deployment id, version id)."""
    with owner_scope(owner), services.ctx.session() as db:
        version = db.exec(select(StrategyVersion).where(
            StrategyVersion.strategy_id == strategy_id, StrategyVersion.number == 1)).one()
        dep = Deployment(owner_id=owner, strategy_id=strategy_id, version_id=version.id or 0,
                         key=key, state="STOPPED", desired="stopped")
        db.add(dep)
        db.commit()
        return dep.id or 0, version.id or 0


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory, sample_market_dir: Path) -> Iterator[Setup]:
    with accounts_app(tmp_path_factory.mktemp("deployment_page"), sample_market_dir,
                      executor={"workers": 1}) as client:
        services: Services = client.app.state.services  # type: ignore[attr-defined]
        alice, bob = signed_in(client, "alice"), signed_in(client, "bob")
        alice_id = client.get("/users/profile", headers=alice).json()["id"]
        rule = client.post("/strategies", json={"text": GOLDEN}, headers=alice).json()
        agent = client.post("/agents", json={"text": AGENT_TEXT, "model": "offline"},
                            headers=alice)
        assert agent.status_code == 201, agent.text
        agent_view = agent.json()
        rule_dep, _ = _deployment(services, alice_id, rule["id"], MARKER)
        agent_dep, agent_version = _deployment(services, alice_id, agent_view["id"], "agentbot")
        with owner_scope(alice_id), services.ctx.session() as db:
            db.add(DeploymentOrder(owner_id=alice_id, deployment_id=rule_dep, seq=1,
                                   client_order_id=f"{MARKER}-1", symbol="SPY", side="buy",
                                   qty=10, filled_qty=10, filled_avg_price=450.0,
                                   status="filled"))
            db.add(DeploymentOrder(owner_id=alice_id, deployment_id=rule_dep, seq=2,
                                   client_order_id=f"{MARKER}-2", symbol="SPY", side="sell",
                                   qty=10, status="refused",
                                   reason="market_hours: the market is closed"))
            for i, (outcome, cost) in enumerate([("decided", 0.0125), ("held", 0.0075),
                                                 ("decided", 0.02)]):
                db.add(AgentDecision(
                    owner_id=alice_id, strategy_id=agent_view["id"],
                    version_id=agent_version, deployment_id=agent_dep,
                    cache_key=f"live-{i}", model="offline", prompt_version="t",
                    snapshot_hash="h", decided_for=f"2024-11-{18 + i}", outcome=outcome,
                    tokens_in=100, tokens_out=20, cost_usd=cost, llm_calls=1))
            db.add(AgentDecision(  # a backtest's decision: not this deployment's
                owner_id=alice_id, strategy_id=agent_view["id"],
                version_id=agent_version, cache_key="backtest-0", model="offline",
                prompt_version="t", snapshot_hash="h", decided_for="2024-11-18",
                outcome="decided", cost_usd=5.0, llm_calls=1))
            db.commit()
        try:
            yield Setup(client, services, alice_id, _ui_cookie(client, alice),
                        _ui_cookie(client, bob), rule_dep, agent_dep)
        finally:
            shutdown(services.settings)  # the supervisor the pages started, and its launcher
    dispose_engines()


class Spy:
    """Stands in for `ReconciliationService.reconcile`: records its calls, answers `answer`."""

    def __init__(self, answer: DriftReport | None = None) -> None:
        self.calls: list[tuple[int, int, date | None]] = []
        self.answer = answer

    def __call__(self, user_id: int, deployment_id: int, since: date | None = None
                 ) -> DriftReport:
        self.calls.append((user_id, deployment_id, since))
        assert self.answer is not None, "the page asked for a report nobody wanted"
        return self.answer


def _trade(side: str, price: float, day: date, qty: float = 10) -> Trade:
    return Trade(symbol="SPY", side=side, qty=qty, filled_qty=qty, price=price, fee=0.0,
                 day=day)


def _no_inline_script(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "an inline script (CSP)"
    assert not re.search(r"\son[a-z]+=", html), "an inline event handler (CSP)"


def test_the_page_shows_the_deployment_and_runs_no_replay_unless_asked(
        setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy()
    monkeypatch.setattr(setup.services.reconciliation, "reconcile", spy)
    page = setup.client.get(f"/ui/live/{setup.rule_dep}", headers=setup.alice_ui)
    assert page.status_code == 200, page.text
    html = page.text
    assert MARKER in html and "STOPPED" in html
    assert "market_hours: the market is closed" in html  # the refused order, with its reason
    form = re.search(r'<form method="get" action="/ui/live/(\d+)"[^>]*>(.*?)</form>', html,
                     re.S)
    assert form and int(form.group(1)) == setup.rule_dep
    assert 'name="reconcile"' in form.group(2) and 'type="date" name="since"' in form.group(2)
    assert "Paper against backtest" in html and "Orders, lined up" not in html
    assert spy.calls == []
    assert 'data-refresh="10"' in html  # a plain page follows the bot
    assert "LLM agent" not in html  # a rule-based bot has no agent panel
    assert "Content-Security-Policy" in page.headers
    _no_inline_script(html)
    assert 'name="back" value="page"' in html  # its controls come back to this page
    listed = setup.client.get("/ui/live", headers=setup.alice_ui).text
    assert f'href="/ui/live/{setup.rule_dep}"' in listed  # the live page links to it
    assert 'name="back" value="page"' not in listed


def test_the_page_serves_in_under_100_ms(setup: Setup) -> None:
    url = f"/ui/live/{setup.rule_dep}"
    setup.client.get(url, headers=setup.alice_ui)  # templates compiled, caches warm
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        assert setup.client.get(url, headers=setup.alice_ui).status_code == 200
        timings.append(time.perf_counter() - started)
    assert min(timings) < 0.1, timings


def test_a_report_with_a_refusal_and_slippage_is_laid_out(
        setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    refusal = Refusal(symbol="SPY", side="sell", qty=10, day=D2, code="max_order_notional",
                      reason="order notional 4,600 is over the limit 1,000")
    answer = report(setup.rule_dep, D1, D2, 100_000.0, {"TLT": 3.0},
                    [_trade("buy", 451.0, D1)],
                    [_trade("buy", 450.0, D1), _trade("sell", 460.0, D2)],
                    Tolerance(price_bps=5), backtest_run_id=77, refusals=[refusal])
    spy = Spy(answer)
    monkeypatch.setattr(setup.services.reconciliation, "reconcile", spy)
    page = setup.client.get(f"/ui/live/{setup.rule_dep}",
                            params={"reconcile": "1", "since": "2024-11-18"},
                            headers=setup.alice_ui)
    assert page.status_code == 200, page.text
    html = page.text
    assert spy.calls == [(setup.alice_id, setup.rule_dep, D1)]
    assert "Beyond the tolerance" in html
    assert "refused by the risk gate: order notional 4,600 is over the limit 1,000" in html
    assert '<span class="badge refused">refused</span>' in html
    slippage = next(d for d in answer.differences if d.kind == "slippage")
    assert slippage.detail in html
    assert "$10.00" in html  # the slippage cost: (451 - 450) x 10
    assert "3 TLT" in html and 'href="/ui/backtests/77"' in html
    assert "missed (1 refused)" in html
    assert 'value="2024-11-18"' in html  # the form keeps the day asked for
    assert "data-refresh" not in html  # reloading would run the replay again
    _no_inline_script(html)


def test_no_differences_and_no_orders_have_their_own_words(
        setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    same = [_trade("buy", 450.0, D1)]
    spy = Spy(report(setup.rule_dep, D1, D2, 100_000.0, {}, list(same), list(same),
                     Tolerance()))
    monkeypatch.setattr(setup.services.reconciliation, "reconcile", spy)
    url = f"/ui/live/{setup.rule_dep}?reconcile=1"
    html = setup.client.get(url, headers=setup.alice_ui).text
    assert "Within the tolerance</b>: no differences" in html
    assert '<span class="badge filled">same</span>' in html
    spy.answer = report(setup.rule_dep, D1, D2, 100_000.0, {}, [], [], Tolerance())
    html = setup.client.get(url, headers=setup.alice_ui).text
    assert "No orders yet" in html and "Orders, lined up" not in html
    assert spy.calls == [(setup.alice_id, setup.rule_dep, None)] * 2


def test_a_deployment_that_never_traded_and_a_bad_day_are_said_in_the_panel(
        setup: Setup) -> None:
    # the real service: no starting book in the journal yet
    page = setup.client.get(f"/ui/live/{setup.rule_dep}?reconcile=1", headers=setup.alice_ui)
    assert page.status_code == 200
    assert "not_started" in page.text and "has not started trading yet" in page.text
    bad = setup.client.get(f"/ui/live/{setup.rule_dep}?reconcile=1&since=soon",
                           headers=setup.alice_ui)
    assert bad.status_code == 200 and "bad_date" in bad.text


def test_an_agent_deployment_shows_its_decisions_and_llm_spend(setup: Setup) -> None:
    usage = setup.services.agents.deployment_usage(setup.alice_id, setup.agent_dep)
    assert (usage.decisions, usage.held, usage.llm_calls, usage.tokens) == (3, 1, 3, 360)
    assert usage.cost_usd == pytest.approx(0.04)  # the backtest's 5.00 is not the bot's
    assert (usage.first_day, usage.last_day) == ("2024-11-18", "2024-11-20")
    html = setup.client.get(f"/ui/live/{setup.agent_dep}", headers=setup.alice_ui).text
    assert "LLM agent" in html and "$0.0400" in html and "2024-11-20" in html
    assert re.search(r"<small>decisions</small><b>3</b>", html)
    nothing = setup.services.agents.deployment_usage(setup.alice_id, setup.rule_dep)
    assert nothing.decisions == 0 and nothing.cost_usd == 0.0


def test_another_users_deployment_is_not_found(
        setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy()
    monkeypatch.setattr(setup.services.reconciliation, "reconcile", spy)
    for query in ("", "?reconcile=1", "?reconcile=1&since=2024-11-18"):
        for dep in (setup.rule_dep, setup.agent_dep):
            page = setup.client.get(f"/ui/live/{dep}{query}", headers=setup.bob_ui)
            assert page.status_code == 404, (dep, query, page.status_code)
            assert MARKER not in page.text and "agentbot" not in page.text
    assert spy.calls == []
    mine = setup.client.get(f"/ui/live/{setup.rule_dep}", headers=setup.alice_ui)
    assert mine.status_code == 200
    assert setup.client.get(f"/ui/live/{setup.rule_dep}").status_code == 401
