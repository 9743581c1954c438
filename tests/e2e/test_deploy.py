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
        # it traded without pyarrow in its memory (runtime.bots.import_policy)
        maps = Path(f"/proc/{status['pid']}/maps").read_text()
        assert "site-packages/pandas/" in maps and "site-packages/pyarrow/" not in maps

        assert h.client.post(f"/deployments/{dep['id']}/stop").status_code == 200
        stopped = h.wait_state(dep["id"], "STOPPED", timeout=60)
        assert stopped["pid"] is None and stopped["restarts"] == 0
        events = (h.settings.home / "deployments" / str(dep["id"]) / "events.jsonl").read_text()
        assert '"type": "stopped", "exit_code": 0' in events
        # one order only: nothing was doubled
        ours = [o for o in h.venue_orders() if o.client_order_id.startswith(dep["key"] + "-")]
        assert len(ours) == 1


def test_cli_deploy_status_orders_kill(tmp_path: Path) -> None:
    """The real `stratforge` command: deploy, status, orders, kill, on embedded defaults."""
    import json
    import os
    import subprocess
    import sys

    from deploy_support import shutdown

    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("STRATFORGE_", "ALPACA_", "APCA_"))}
    env.pop("DATABASE_URL", None)
    env.update(STRATFORGE_HOME=str(tmp_path / "home"),
               STRATFORGE_GENERATED_DIR=str(tmp_path / "generated"),
               STRATFORGE_TEARSHEET="false", STRATFORGE_VENUE_SPEED="0",
               STRATFORGE_SMOKE_BACKTEST_DAYS="60")

    def run(*args: str) -> object:
        done = subprocess.run([sys.executable, "-m", "api.cli", *args, "--json"], env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
        return json.loads(done.stdout)

    from core.config import Settings

    try:
        run("data", "sample")
        strategy = run("new", "buy and hold SPY")
        assert isinstance(strategy, dict)
        deployed = run("deploy", str(strategy["strategy_id"]), "--sleeptime", "2S", "--wait")
        assert isinstance(deployed, list) and deployed[0]["state"] == "RUNNING"
        assert deployed[0]["mode"] == "venue"
        wait_for(lambda: run("orders"), what="an order in `stratforge orders`")
        status = run("status")
        assert isinstance(status, list) and status[0]["pid"]
        report = run("kill", "--yes")
        assert isinstance(report, dict) and report["halted"] == [deployed[0]["id"]]
        # cancelled by the kill switch or by the bot as it stopped, whichever came first
        wait_for(lambda: (rows := run("orders")) and isinstance(rows, list)
                 and all(o["status"] == "canceled" for o in rows), what="orders cancelled")
        final = wait_for(lambda: (s := run("status", str(deployed[0]["id"])))
                         and isinstance(s, list) and s[0]["pid"] is None and s[0],
                         what="bot gone after kill")
        assert final["state"] == "HALTED"
    finally:
        shutdown(Settings(home=tmp_path / "home"))


def test_paper_mode_with_stored_keys_uses_the_configured_alpaca_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_market_dir: Path
) -> None:
    """With keys, `paper` means Alpaca at STRATFORGE_ALPACA_TRADING_URL — here a venue on
    loopback standing in for Alpaca's paper API. Live stays off without the setting."""
    from datetime import date

    from runtime.venue import VenueConfig, VenueServer

    alpaca = VenueServer(VenueConfig(root=tmp_path / "alpaca", market_dir=sample_market_dir,
                                     speed=0.0, start=date(2024, 6, 3))).start()
    try:
        with harness(monkeypatch, tmp_path, sample_market_dir,
                     STRATFORGE_ALPACA_TRADING_URL=alpaca.base_url,
                     STRATFORGE_ALPACA_DATA_URL=alpaca.base_url) as h:
            stored = h.client.put("/broker-credentials", json={
                "key_id": alpaca.key_id, "secret": alpaca.secret_key})
            assert stored.status_code == 200 and alpaca.secret_key not in stored.text
            shown = h.client.get("/broker-credentials").json()
            assert shown["source"] == "stored" and alpaca.key_id not in str(shown)
            strategy_id = h.strategy()
            live = h.client.post("/deployments", json={"strategy_id": strategy_id,
                                                       "mode": "live"})
            assert live.status_code == 422 and live.json()["code"] == "live_disabled"
            dep = h.deploy(strategy_id)
            assert dep["mode"] == "paper"
            wait_for(lambda: h.orders(deployment_id=dep["id"]), what="order at 'Alpaca'")
            from alpaca.trading.client import TradingClient

            client = TradingClient(alpaca.key_id, alpaca.secret_key, paper=True,
                                   url_override=alpaca.base_url)
            at_alpaca = client.get_orders()
            assert [o.client_order_id for o in at_alpaca] == [f"{dep['key']}-1"]  # type: ignore[union-attr]
            config = (h.settings.home / "deployments" / str(dep["id"]) / "config.json")
            assert alpaca.secret_key not in config.read_text()
    finally:
        alpaca.stop()
