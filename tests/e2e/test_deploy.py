"""End to end: a generated strategy deployed as a supervised bot on the local paper venue
(loopback), through the HTTP API; the venue's clock runs, orders fill, stop is clean."""

from __future__ import annotations

from pathlib import Path

import pytest
from deploy_support import harness, wait_for

pytestmark = pytest.mark.slow


def test_deploy_trade_and_stop_on_the_local_venue(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_market_dir: Path
) -> None:
    with harness(monkeypatch, tmp_path, sample_market_dir) as h:
        strategy_id = h.strategy()
        dep = h.deploy(strategy_id)
        assert dep["mode"] == "venue"  # no Alpaca keys anywhere: the local venue
        h.wait_state(dep["id"], "RUNNING")
        placed = wait_for(lambda: h.orders(deployment_id=dep["id"]), what="first order")
        first = placed[0]
        assert first["client_order_id"] == f"{dep['key']}-1"
        assert first["symbol"] == "SPY" and first["side"] == "buy"

        h.advance(600)  # the venue's clock runs: the market order fills

        def filled() -> dict | None:
            rows = [o for o in h.orders(deployment_id=dep["id"]) if o["status"] == "filled"]
            return rows[0] if rows else None

        order = wait_for(filled, what="filled order in GET /orders")
        assert order["filled_qty"] == order["qty"] > 0
        at_venue = [o for o in h.venue_orders() if o.client_order_id == order["client_order_id"]]
        assert len(at_venue) == 1 and str(at_venue[0].status.value) == "filled"
        positions = h.client.get("/positions").json()
        assert any(p["symbol"] == "SPY" and p["qty"] == order["qty"] for p in positions)
        status = h.deployment(dep["id"])
        assert status["pid"] and status["equity"] and status["last_heartbeat_at"]

        assert h.client.post(f"/deployments/{dep['id']}/stop").status_code == 200
        stopped = h.wait_state(dep["id"], "STOPPED", timeout=60)
        assert stopped["pid"] is None and stopped["restarts"] == 0
        events = (h.settings.home / "deployments" / str(dep["id"]) / "events.jsonl").read_text()
        assert '"type": "stopped", "exit_code": 0' in events
        # one order only: nothing was doubled
        ours = [o for o in h.venue_orders() if o.client_order_id.startswith(dep["key"] + "-")]
        assert len(ours) == 1
