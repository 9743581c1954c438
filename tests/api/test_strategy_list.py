"""The strategy list's fast path (columns, one validation of the whole page) answers exactly
what the single views built from ORM rows answer, for own, team-mates' and version-less
strategies, and JSON columns read back as they were written, whatever the reader."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from accounts_support import accounts_app, add_user, bearer, login
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.services.views import strategy_view
from core.db import dispose_engines, json_loads
from core.models import Strategy, StrategyVersion, User
from core.scope import owner_scope


@pytest.fixture(params=["sqlite", "postgresql"])
def client(request: pytest.FixtureRequest, tmp_path: Path,
           sample_market_dir: Path) -> Iterator[TestClient]:
    database = {} if request.param == "sqlite" else {
        "database_url": request.getfixturevalue("postgres_url")}
    with accounts_app(tmp_path, sample_market_dir, **database) as test_client:
        yield test_client
    dispose_engines()


def _seed(client: TestClient, owner: str, count: int, *, without_version: bool = False) -> None:
    engine = client.app.state.services.ctx.engine  # type: ignore[attr-defined]
    nan = engine.dialect.name == "sqlite"  # SQLite keeps the NaN json writes; PostgreSQL refuses
    with Session(engine) as db:
        user = db.exec(select(User).where(User.name == owner)).one()
        for i in range(count):
            strategy = Strategy(owner_id=user.id or 0, name=f"{owner} {i}", slug=f"{owner}_{i}",
                                text=f"Buy SPY, variant {i} of {owner}", latest_version=1)
            if i == 1:  # a time without microseconds is written without them
                strategy.created_at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
            db.add(strategy)
            db.flush()
            if without_version and i == 0:
                continue  # latest_version names a version that is not there
            db.add(StrategyVersion(
                strategy_id=strategy.id or 0, owner_id=user.id or 0, number=1,
                parent_number=None if i % 2 else 7, origin="edited" if i % 2 else "generated",
                code_path=f"{owner}_{i}/v1.py", sha256=f"{i:064x}", class_name="Golden",
                spec={"name": f"s{i}", "symbols": ["SPY", "QQQ"], "nested": {"n": [1, 2.5]},
                      "unicode": "é ☃"},
                summary=f"summary {i}", validation_status="passed" if i % 3 else "failed",
                validation_report=None if i % 4 == 0 else {
                    "ok": True, "checks": ["static"],
                    "score": math.nan if i == 2 and nan else 0.5}))
        db.commit()


def _orm_views(client: TestClient, owners: set[int]) -> dict[int, object]:
    engine = client.app.state.services.ctx.engine  # type: ignore[attr-defined]
    with Session(engine) as db:
        views = {}
        for strategy in db.exec(select(Strategy).where(Strategy.owner_id.in_(owners))).all():
            version = db.exec(select(StrategyVersion).where(
                StrategyVersion.strategy_id == strategy.id,
                StrategyVersion.number == strategy.latest_version)).first()
            views[strategy.id or 0] = strategy_view(strategy, version).model_dump(mode="json")
        return views


def test_the_list_answers_what_the_single_views_answer(client: TestClient) -> None:
    alice, bob = add_user(client, "alice"), add_user(client, "bob")
    _seed(client, "alice", 7, without_version=True)
    _seed(client, "bob", 3)
    services = client.app.state.services  # type: ignore[attr-defined]
    team = services.teams.create_team("desk")
    services.teams.add_member(team.id, "alice")
    services.teams.add_member(team.id, "bob")
    ids = {u.name: u.id for u in services.accounts.list_users()}

    listed = client.get("/strategies", params={"limit": 100},
                        headers=bearer(login(client, alice)["access_token"]))
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "10"
    expected = _orm_views(client, {ids["alice"], ids["bob"]})
    assert {item["id"]: item for item in listed.json()} == expected
    assert any(item["version"] is None for item in listed.json())  # the version-less one
    with owner_scope(ids["alice"], {ids["bob"]}):  # the views the dashboard and MCP list
        page = services.strategies.strategies_page(ids["alice"], limit=100)
    assert {view.id: view.model_dump(mode="json") for view in page.items} == expected

    filtered = client.get("/strategies", params={"limit": 2, "offset": 1, "validation": "passed"},
                          headers=bearer(login(client, bob)["access_token"]))
    assert filtered.status_code == 200 and len(filtered.json()) == 2
    for item in filtered.json():
        assert item == expected[item["id"]] and item["version"]["validation_status"] == "passed"


def test_json_columns_read_back_what_the_standard_library_wrote() -> None:
    assert json_loads('{"a": [1, 2.5, "é"], "b": null}') == {"a": [1, 2.5, "é"], "b": None}
    assert math.isnan(json_loads('{"x": NaN}')["x"])  # what json.dumps writes for a NaN
    assert json_loads('[Infinity]') == [math.inf]
    assert json_loads(str(2**70)) == 2**70
    assert json_loads('"\\ud800"') == "\ud800"
