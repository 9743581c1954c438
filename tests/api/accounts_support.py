"""Helpers for the multi-user tests: a server with accounts, and signing in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import make_settings
from fastapi.testclient import TestClient

from api.app import create_app

PASSWORD = "correct horse battery staple"
GOLDEN = (
    "Buy SPY when the 50-day SMA crosses above the 200-day SMA and sell when it crosses "
    "back below"
)


def accounts_app(tmp_path: Path, market_dir: Path, **overrides: Any) -> TestClient:
    """A TestClient (not yet entered) on a fresh home; validation skips the smoke backtest."""
    from core.config import SchedulerSettings

    values: dict[str, Any] = {"smoke_backtest_days": 0,
                              "scheduler": SchedulerSettings(enabled=False)}
    values.update(overrides)
    return TestClient(create_app(make_settings(tmp_path, market_dir, **values)))


def add_user(client: TestClient, name: str, role: str = "trader") -> str:
    """Makes the account; returns its email."""
    email = f"{name}@example.test"
    client.app.state.services.accounts.create_user(  # type: ignore[attr-defined]
        name, role=role, email=email, password=PASSWORD)
    return email


def login(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = client.post("/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def signed_in(client: TestClient, name: str, role: str = "trader") -> dict[str, str]:
    return bearer(login(client, add_user(client, name, role))["access_token"])
