"""End to end: a deployed bot on the local paper venue against a Lumibot backtest replay of the
same version, days and starting book (`GET /deployments/{id}/reconcile`, `stratforge
reconcile`). With no slippage the two paths agree to the cent; with the venue's slippage the
report names it and the owner is notified (`drift`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from deploy_support import DeployHarness, harness, wait_for

pytestmark = pytest.mark.slow


def _trade_two_days(h: DeployHarness) -> dict[str, Any]:
    """Deploy buy-and-hold SPY, let its order fill, hold over the next session, stop."""
    dep = h.deploy(h.strategy())
    h.wait_state(dep["id"], "RUNNING")
    wait_for(lambda: h.orders(deployment_id=dep["id"]), what="first order")
    h.advance(600)  # the market order fills
    wait_for(lambda: [o for o in h.orders(deployment_id=dep["id"]) if o["status"] == "filled"],
             what="the fill")
    h.advance(86_400)  # the next session: the bot holds
    events = h.settings.home / "deployments" / str(dep["id"]) / "events.jsonl"
    wait_for(lambda: events.read_text().count('"type": "reconciled"'), what="starting book")
    assert h.client.post(f"/deployments/{dep['id']}/stop").status_code == 200
    h.wait_state(dep["id"], "STOPPED", timeout=60)
    return dep


def test_paper_on_the_local_venue_without_slippage_equals_its_backtest(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_market_dir: Path
) -> None:
    with harness(monkeypatch, tmp_path, sample_market_dir,
                 STRATFORGE_VENUE_SLIPPAGE_BPS="0") as h:
        dep = _trade_two_days(h)
        response = h.client.get(f"/deployments/{dep['id']}/reconcile")
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["differences"] == [], report["differences"]
        assert report["drift"] is False
        totals = report["totals"]
        assert totals["paper_orders"] == totals["backtest_orders"] == totals["matched"] == 1
        assert totals["slippage_cost"] == pytest.approx(0.0, abs=1e-6)
        [line] = report["lines"]
        assert line["paper"]["qty"] == line["backtest"]["qty"] > 0
        assert line["paper"]["price"] == pytest.approx(line["backtest"]["price"], rel=1e-9)
        assert line["paper"]["day"] == line["backtest"]["day"] == report["start"]
        assert report["cash"] > 0 and report["positions"] == {}
        # the replay is an ordinary backtest of the deployed version, on record
        run = h.client.get(f"/backtests/{report['backtest_run_id']}").json()
        assert run["status"] == "succeeded" and run["strategy_id"] == dep["strategy_id"]
        assert report["end"] > report["start"]  # the bot held through the second session

        # from the second day: the book rolled forward over the first day's fill
        later = h.client.get(f"/deployments/{dep['id']}/reconcile",
                             params={"since": report["end"]}).json()
        bought = line["paper"]
        assert later["start"] == report["end"]
        assert later["positions"] == {"SPY": bought["filled_qty"]}
        assert later["cash"] == pytest.approx(report["cash"]
                                              - bought["filled_qty"] * bought["price"])
        assert later["totals"]["paper_orders"] == 0


def test_venue_slippage_is_named_and_the_owner_is_notified(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_market_dir: Path
) -> None:
    import json
    import os
    import subprocess
    import sys

    from notify_support import http_receiver

    with http_receiver() as rx, harness(monkeypatch, tmp_path, sample_market_dir,
                                        STRATFORGE_VENUE_SLIPPAGE_BPS="12",
                                        STRATFORGE_RECONCILE_TOLERANCE_BPS="5") as h:
        channel = h.client.post("/notifications/channels", json={
            "name": "drift hook", "kind": "webhook", "events": ["drift"],
            "settings": {"url": rx.url + "/hook", "secret": "drift-hmac-key-0123456789"}})
        assert channel.status_code == 201, channel.text
        dep = _trade_two_days(h)
        report = h.client.get(f"/deployments/{dep['id']}/reconcile").json()
        assert report["drift"] is True
        [difference] = report["differences"]
        assert difference["kind"] == "slippage" and difference["beyond_tolerance"]
        assert difference["value"] == pytest.approx(12.0, abs=0.01)  # bps against the buyer
        totals = report["totals"]
        assert totals["matched"] == 1 and totals["missed"] == totals["extra"] == 0
        [line] = report["lines"]
        cost = (line["paper"]["price"] - line["backtest"]["price"]) * line["paper"]["filled_qty"]
        assert totals["slippage_cost"] == pytest.approx(cost) and cost > 0
        delivered = wait_for(lambda: [r for r in rx.requests if b"drifted" in r.body],
                             what="the drift notification")
        assert str(dep["id"]).encode() in delivered[0].body

        # the CLI says the same, from the journal and the same broker
        done = subprocess.run(
            [sys.executable, "-m", "api.cli", "reconcile", str(dep["id"]), "--json"],
            env=dict(os.environ), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        again = json.loads(done.stdout)
        assert [d["kind"] for d in again["differences"]] == ["slippage"]
        assert again["lines"][0]["paper"] == report["lines"][0]["paper"]
        bad = subprocess.run(
            [sys.executable, "-m", "api.cli", "reconcile", str(dep["id"]), "--since", "soon",
             "--json"], env=dict(os.environ), capture_output=True, text=True, timeout=300)
        assert bad.returncode != 0 and "bad_date" in bad.stdout
        missing = h.client.get("/deployments/999/reconcile")
        assert missing.status_code == 404 and missing.json()["code"] == "deployment_not_found"


def test_a_missed_order_the_risk_gate_refused_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_market_dir: Path
) -> None:
    with harness(monkeypatch, tmp_path, sample_market_dir,
                 STRATFORGE_VENUE_SLIPPAGE_BPS="0") as h:
        # the gate refuses the buy (its notional is far above 100): paper never trades
        dep = h.deploy(h.strategy(), limits={"max_order_notional": 100})
        h.wait_state(dep["id"], "RUNNING")
        refused = wait_for(lambda: [o for o in h.orders(deployment_id=dep["id"])
                                    if o["status"] == "refused"], what="the refusal")
        h.advance(86_400)
        assert h.client.post(f"/deployments/{dep['id']}/stop").status_code == 200
        h.wait_state(dep["id"], "STOPPED", timeout=60)
        report = h.client.get(f"/deployments/{dep['id']}/reconcile").json()
        assert report["totals"]["paper_orders"] == 0
        assert report["totals"]["missed"] == report["totals"]["refused"] == 1
        [line] = report["lines"]
        assert line["paper"] is None and line["backtest"]["symbol"] == "SPY"
        assert line["refusal"]["code"] == "max_order_notional"
        assert line["refusal"]["day"] == line["backtest"]["day"] == report["start"]
        [difference] = report["differences"]
        assert difference["kind"] == "missed"
        assert f"refused by the risk gate: {line['refusal']['reason']}" in difference["detail"]
        assert line["refusal"]["reason"] in refused[0]["reason"]  # the order's own reason
        # the dashboard's panel says the same
        page = h.client.get(f"/ui/live/{dep['id']}", params={"reconcile": "1"})
        assert page.status_code == 200 and difference["detail"] in page.text
