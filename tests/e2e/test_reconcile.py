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
