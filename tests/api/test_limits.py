"""Bounded work and hostile input at the HTTP edge: a busy server refuses with 429 and
Retry-After before recording anything; lists are paginated; the no-key mode's web hygiene."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import make_settings
from fastapi.testclient import TestClient
from sqlmodel import select

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
        assert busy_client.get("/strategies").headers["X-Total-Count"] == "0"
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


def _copies(services: Any, strategy_id: int, names: list[str]) -> None:
    """Rows of more strategies like `strategy_id` (each its own slug), without generating."""
    from core.models import Strategy, StrategyVersion

    with services.ctx.session() as db:
        source = db.get(Strategy, strategy_id)
        version = db.exec(select(StrategyVersion).where(
            StrategyVersion.strategy_id == strategy_id)).first()
        for name in names:
            row = Strategy(owner_id=source.owner_id, name=name, slug=name.lower().replace(" ", "_"),
                           text=f"{name}: {source.text}", latest_version=1)
            db.add(row)
            db.flush()
            copied = version.model_dump(exclude={"id", "strategy_id"})
            db.add(StrategyVersion(**copied, strategy_id=row.id))
        db.commit()


def test_lists_come_in_bounded_pages_with_a_total_and_filters(tmp_path: Path,
                                                              sample_market_dir: Path) -> None:
    with TestClient(create_app(make_settings(tmp_path, sample_market_dir))) as client:
        first = client.post("/strategies", json={"text": GOLDEN})
        assert first.status_code == 201, first.text
        services = client.app.state.services  # type: ignore[attr-defined]
        _copies(services, first.json()["id"], [f"Copy {n}" for n in range(1, 12)]
                + ["Odd 50% one_x"])
        page = client.get("/strategies", params={"limit": 5, "offset": 5})
        assert page.status_code == 200
        assert len(page.json()) == 5 and page.headers["X-Total-Count"] == "13"
        assert [s["id"] for s in page.json()] == list(range(6, 11))
        assert page.json()[0]["version"]["number"] == 1  # the latest version comes along
        assert "offset=10" in page.headers["Link"] and 'rel="next"' in page.headers["Link"]
        last = client.get("/strategies", params={"limit": 5, "offset": 10})
        assert len(last.json()) == 3 and "Link" not in last.headers
        # filters: text (LIKE wildcards are literal), latest validation status
        assert [s["name"] for s in client.get("/strategies", params={"q": "copy 1"}).json()] \
            == ["Copy 1", "Copy 10", "Copy 11"]
        assert [s["name"] for s in client.get("/strategies", params={"q": "50%"}).json()] \
            == ["Odd 50% one_x"]
        assert client.get("/strategies", params={"q": "_x"}).headers["X-Total-Count"] == "1"
        assert client.get("/strategies", params={"validation": "failed"}).json() == []
        # bounded: no page above the limit, no negative offset
        for bad in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"validation": "maybe"}):
            refused = client.get("/strategies", params=bad)
            assert refused.status_code == 422, bad
        assert client.get("/backtests", params={"limit": 501}).status_code == 422
        runs = client.get("/backtests", params={"status": "running", "limit": 2})
        assert runs.status_code == 200 and runs.headers["X-Total-Count"] == "0"
        # the CLI's and the dashboard's list is every strategy
        assert len(services.strategies.list_strategies(services.user_id)) == 13
    dispose_engines()
