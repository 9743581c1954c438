"""Bounded work and hostile input at the HTTP edge: a busy server refuses with 429 and
Retry-After before recording anything; lists are paginated; the no-key mode's web hygiene."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import make_settings, ui_csrf
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
        for path, body in (("/strategies/1/restore", {"version": 1}),
                           ("/strategies/1/clone", {"name": "copy"}),
                           ("/strategies/1/regenerate", {})):
            assert busy_client.post(path, json=body).status_code == 429, path
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


@pytest.fixture
def keyless(tmp_path: Path, sample_market_dir: Path) -> Iterator[TestClient]:
    """The default no-key server as a browser on this machine reaches it."""
    settings = make_settings(tmp_path, sample_market_dir, allowed_hosts=None)
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        yield client
    dispose_engines()


def test_no_key_mode_answers_only_to_loopback_host_names(keyless: TestClient) -> None:
    assert keyless.get("/health").status_code == 200
    for host in ("localhost:8000", "[::1]:8000", "127.0.0.1"):
        assert keyless.get("/health", headers={"Host": host}).status_code == 200, host
    for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example", ""):
        refused = keyless.get("/strategies", headers={"Host": host})
        assert refused.status_code == 400, host
        assert refused.json()["code"] == "bad_host"
        assert refused.headers["X-Content-Type-Options"] == "nosniff"


def test_a_host_allow_list_and_a_key_widen_it(tmp_path: Path, sample_market_dir: Path) -> None:
    settings = make_settings(tmp_path, sample_market_dir, allowed_hosts="sf.example.org")
    with TestClient(create_app(settings), base_url="http://sf.example.org") as client:
        assert client.get("/health").status_code == 200
        assert client.get("/health", headers={"Host": "localhost"}).status_code == 400
    dispose_engines()
    keyed = make_settings(tmp_path, sample_market_dir, allowed_hosts=None, api_key="k")
    with TestClient(create_app(keyed), base_url="http://anything.example") as client:
        assert client.get("/health").status_code == 200
    dispose_engines()


def test_a_cross_site_form_post_changes_nothing(keyless: TestClient) -> None:
    for origin in ({"Origin": "https://evil.example"}, {"Origin": "null"},
                   {"Origin": "http://127.0.0.1:9999"},
                   {"Referer": "https://evil.example/page"}):
        refused = keyless.post("/ui/strategies", data={"text": GOLDEN}, headers=origin,
                               follow_redirects=False)
        assert refused.status_code == 403, origin
        assert refused.json()["code"] == "cross_site"
        assert keyless.post("/strategies", json={"text": GOLDEN},
                            headers=origin).status_code == 403
    assert keyless.get("/strategies").headers["X-Total-Count"] == "0"
    # the same form from the dashboard's own page, and a script without Origin, go through
    same = keyless.post("/ui/strategies", data={"text": GOLDEN, "csrf": ui_csrf(keyless, "/ui")},
                        headers={"Origin": "http://127.0.0.1:8000"}, follow_redirects=False)
    assert same.status_code == 303, same.text
    assert keyless.get("/strategies", headers={"Origin": "https://evil.example"}
                       ).status_code == 200  # reading is not changing


def test_every_page_carries_the_security_headers(keyless: TestClient) -> None:
    for path in ("/ui", "/health", "/strategies", "/docs", "/redoc", "/openapi.json",
                 "/strategies/999"):
        response = keyless.get(path)
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
        if path in ("/docs", "/redoc", "/ui"):  # the dashboard: our own static scripts only
            assert "script-src 'self'" in csp
            assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0]
        else:
            assert "script" not in csp


def test_the_api_docs_load_only_installed_files(keyless: TestClient) -> None:
    for page in ("/docs", "/redoc"):
        html = keyless.get(page).text
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert sources and all(s.startswith("/") for s in sources), sources
        assert "<script>" not in html  # no inline script: the CSP allows none
        for source in sources:
            assert keyless.get(source).status_code == 200, source
    assert "SwaggerUIBundle" in keyless.get("/docs/static/swagger-ui-bundle.js").text


def test_concurrent_edits_of_one_strategy_get_distinct_versions(tmp_path: Path,
                                                                sample_market_dir: Path) -> None:
    settings = make_settings(tmp_path, sample_market_dir, smoke_backtest_days=0)
    with TestClient(create_app(settings)) as client:
        created = client.post("/strategies", json={"text": GOLDEN})
        assert created.status_code == 201, created.text
        code = created.json()["code"]
        answers: list[int] = []

        def edit(n: int) -> None:
            answers.append(client.put("/strategies/1/code",
                                      json={"code": code + f"\n# edit {n}\n"}).status_code)

        threads = [threading.Thread(target=edit, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        assert sorted(answers) == [200] * 4
        versions = client.get("/strategies/1/versions").json()
        assert sorted(v["number"] for v in versions) == [1, 2, 3, 4, 5]
        for number in range(2, 6):  # each file holds the edit its row says
            body = client.get(f"/strategies/1/versions/{number}/code").text
            assert body.count("# edit") == 1
    dispose_engines()


def test_booleans_and_limits_in_bodies_are_strict(busy_client: TestClient) -> None:
    for path, body, field in (
        ("/deployments", {"strategy_id": 1, "limits": {"market_hours_only": 0}},
         "market_hours_only"),
        ("/deployments", {"strategy_id": 1, "limits": {"max_open_orders": 10**15}},
         "max_open_orders"),
        ("/backtests", {"strategy_id": 1, "start": "2020-01-02", "end": "2020-06-30",
                        "tearsheet": "yes"}, "tearsheet"),
        ("/batches", {"all_strategies": 1, "date_ranges": []}, "all_strategies"),
    ):
        refused = busy_client.post(path, json=body)
        assert refused.status_code == 422, (path, refused.text)
        assert field in refused.json()["message"]
