"""Helpers shared by the deployment tests: a data directory whose supervisor, embedded paper
venue (frozen clock: tests move it) and bots all live under tmp_path, and polling waits."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

BUY_AND_HOLD = "buy and hold SPY"


def wait_for(check: Callable[[], Any], timeout: float = 90.0, every: float = 0.2,
             what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"{what} not reached in {timeout:.0f} s (last: {last!r})")


@dataclass
class DeployHarness:
    settings: Any
    service: Any
    client: Any  # fastapi TestClient

    def venue(self) -> Any:
        from runtime.bots.venue_host import known_venue

        return wait_for(lambda: known_venue(self.settings), what="venue")

    def advance(self, seconds: float) -> dict[str, Any]:
        venue = self.venue()
        response = httpx.post(
            venue.url + "/venue/clock/advance", json={"seconds": seconds},
            headers={"APCA-API-KEY-ID": venue.key_id, "APCA-API-SECRET-KEY": venue.secret},
            timeout=30,
        )
        response.raise_for_status()
        return dict(response.json())

    def trading(self) -> Any:
        from alpaca.trading.client import TradingClient

        venue = self.venue()
        return TradingClient(venue.key_id, venue.secret, paper=True, url_override=venue.url)

    def venue_orders(self) -> list[Any]:
        from alpaca.trading.enums import QueryOrderStatus
        from alpaca.trading.requests import GetOrdersRequest

        orders: Any = self.trading().get_orders(
            GetOrdersRequest(status=QueryOrderStatus.ALL, limit=500)
        )
        return list(orders)

    def deployment(self, deployment_id: int) -> dict[str, Any]:
        response = self.client.get(f"/deployments/{deployment_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def wait_state(self, deployment_id: int, *states: str, timeout: float = 90.0) -> dict:
        return wait_for(
            lambda: (d := self.deployment(deployment_id))["state"] in states and d,
            timeout=timeout, what=f"deployment {deployment_id} in {states}",
        )

    def orders(self, **params: Any) -> list[dict[str, Any]]:
        response = self.client.get("/orders", params=params)
        assert response.status_code == 200, response.text
        return list(response.json())

    def deploy(self, strategy_id: int, **body: Any) -> dict[str, Any]:
        payload = {"strategy_id": strategy_id, "mode": "paper", "sleeptime": "2S", **body}
        response = self.client.post("/deployments", json=payload)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def strategy(self, text: str = BUY_AND_HOLD) -> int:
        response = self.client.post("/strategies", json={"text": text})
        assert response.status_code in (200, 201), response.text
        body = response.json()
        assert body["version"]["validation_status"] == "passed", body
        return int(body["id"])


def deploy_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, market_dir: Path,
                       **extra: str) -> None:
    for name in list(os.environ):
        if name.startswith("STRATFORGE_") or name.startswith("ALPACA_") or name.startswith(
            "APCA_"
        ):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    values = {
        "STRATFORGE_HOME": str(tmp_path / "home"),
        "STRATFORGE_GENERATED_DIR": str(tmp_path / "generated"),
        "STRATFORGE_MARKET_DIR": str(market_dir),
        "STRATFORGE_TEARSHEET": "false",
        "STRATFORGE_VENUE_SPEED": "0",
        "STRATFORGE_SUPERVISOR_POLL_S": "0.2",
        "STRATFORGE_BOT_POLLING_INTERVAL_S": "1.0",
        "STRATFORGE_BOT_RESTART_BACKOFF_S": "0.5",
        "STRATFORGE_BOT_HEARTBEAT_S": "1.0",
        "STRATFORGE_BOT_ACCOUNT_CHECK_S": "1.0",
        "STRATFORGE_SMOKE_BACKTEST_DAYS": "60",
        # TestClient sends `Host: testserver`; no API key here, so only loopback names pass
        "STRATFORGE_ALLOWED_HOSTS": "localhost,127.0.0.1,::1,testserver",
    }
    values.update(extra)
    for name, value in values.items():
        monkeypatch.setenv(name, value)


@contextlib.contextmanager
def harness(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, market_dir: Path,
            **extra: str) -> Iterator[DeployHarness]:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from core.config import Settings, reset_settings
    from core.db import dispose_engines

    deploy_environment(monkeypatch, tmp_path, market_dir, **extra)
    reset_settings()
    settings = Settings()
    try:
        with TestClient(create_app(settings)) as client:
            yield DeployHarness(settings, client.app.state.services, client)  # type: ignore[attr-defined]
    finally:
        shutdown(settings)
        dispose_engines()
        reset_settings()


def shutdown(settings: Any) -> None:
    """Stop the supervisor, then any bot it left running (tests leave nothing behind)."""
    from runtime.bots.controls import shutdown_all_bots

    shutdown_all_bots(settings, grace_s=5.0)
