"""Bounded work and hostile input at the HTTP edge: a busy server refuses with 429 and
Retry-After before recording anything; lists are paginated; the no-key mode's web hygiene."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import make_settings
from fastapi.testclient import TestClient

from api.app import create_app
from core.config import ExecutorSettings
from core.db import dispose_engines

GOLDEN = (
    "Buy SPY when the 50-day SMA crosses above the 200-day SMA and sell when it crosses "
    "back below"
)


@pytest.fixture
def busy_client(tmp_path: Path, sample_market_dir: Path) -> Iterator[TestClient]:
    """A server with one worker and no queue, so that one held admission fills it."""
    settings = make_settings(tmp_path, sample_market_dir, max_queued_backtests=0,
                             executor=ExecutorSettings(workers=1))
    with TestClient(create_app(settings)) as client:
        yield client
    dispose_engines()


def test_a_full_executor_answers_429_with_retry_after_and_records_nothing(
    busy_client: TestClient,
) -> None:
    gate = busy_client.app.state.services.runner.gate  # type: ignore[attr-defined]
    ticket = gate.admit(1, wait=False)  # someone else's backtest holds the only place
    try:
        refused = busy_client.post("/strategies", json={"text": GOLDEN})
        assert refused.status_code == 429, refused.text
        assert int(refused.headers["Retry-After"]) >= 1
        assert refused.json()["code"] == "busy"
        assert busy_client.get("/generations").json()["generations"] == []  # nothing recorded
        assert busy_client.get("/strategies").json() == []
        uploaded = busy_client.put("/strategies/1/code", json={"code": "x = 1\n"})
        assert uploaded.status_code == 429
        runs = busy_client.post("/backtests", json={"strategy_id": 1, "start": "2020-01-02",
                                                    "end": "2020-06-30"})
        assert runs.status_code == 429
        assert busy_client.get("/backtests").json() == []
    finally:
        ticket.release()
    assert gate.admitted == 0
    # with room again the same request goes through, and its admission is given back
    created = busy_client.post("/strategies", json={"text": GOLDEN})
    assert created.status_code == 201, created.text
    assert gate.admitted == 0


def test_the_cli_way_waits_its_turn_and_says_so(busy_client: TestClient) -> None:
    services = busy_client.app.state.services  # type: ignore[attr-defined]
    told: list[int] = []
    services.runner.wait_when_busy(told.append)  # what the CLI's services() does
    ticket = services.runner.gate.admit(1, wait=False)
    created: list[object] = []
    worker = threading.Thread(
        target=lambda: created.append(
            services.strategies.create_strategy(services.user_id, GOLDEN)))
    worker.start()
    worker.join(0.5)
    assert worker.is_alive() and not created  # waiting, not refused
    ticket.release()
    worker.join(240)
    assert told == [1] and len(created) == 1
    assert services.runner.gate.admitted == 0
