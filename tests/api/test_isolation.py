"""Per-user isolation, checked over every operation of the app's OpenAPI document.

User A owns one of everything (strategy, version, code, generation, backtest, batch, schedule,
deployment, order, integration, API token, notification channel, market-data fetch job); user B
guesses A's ids on every endpoint. The operations are read from `app.openapi()`, so a new
endpoint must be classified here (an owned path parameter is found by itself; anything else must
be listed) or this test fails.

Teams: A shares team "alpha" with C (a viewer) and D (a trader); B is in team "beta". Across
teams everything stays a 404; inside a team the results (strategies, versions, backtests,
batches) read as they do for their owner, and nothing else does: writes naming them are 403
`team_read_only`, every other object of A's stays a 404.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from accounts_support import GOLDEN, PASSWORD, accounts_app, signed_in
from conftest import ui_csrf
from deploy_support import shutdown
from fastapi.testclient import TestClient
from sqlmodel import select

from api.deps import UserDep
from core.db import dispose_engines
from core.models import Deployment, DeploymentOrder, Strategy
from core.scope import owner_scope

# path parameters that name a user's object, and where A's value comes from
OWNED_PARAMS = {"strategy_id", "number", "run_id", "batch_id", "schedule_id", "deployment_id",
                "order_id", "generation_id", "token_id", "integration_id", "channel_id", "job_id"}
# operations without an owned path parameter whose body or query names A's objects:
# B must get a 404 for them
REFERENCING = {
    "POST /backtests": lambda ids: {"json": {"strategy_id": ids["strategy_id"],
                                             "start": "2020-01-02", "end": "2020-06-30"}},
    "POST /batches": lambda ids: {"json": {"targets": [{"strategy_id": ids["strategy_id"]}],
                                           "date_ranges": [{"start": "2020-01-02",
                                                            "end": "2020-06-30"}]}},
    "POST /schedules": lambda ids: {"json": {"cron": "0 22 * * 1-5", "batch": {
        "targets": [{"strategy_id": ids["strategy_id"]}],
        "date_ranges": [{"start": "2020-01-02", "end": "2020-06-30"}]}}},
    "POST /deployments": lambda ids: {"json": {"strategy_id": ids["strategy_id"],
                                               "mode": "venue"}},
    "GET /backtests/compare": lambda ids: {"params": {"ids": str(ids["run_id"])}},
}
# operations that name nothing of A's: B's answer must still not show A's rows (see below)
UNOWNED = {
    "GET /health", "POST /strategies", "POST /strategies/import", "GET /strategies",
    "GET /batches", "GET /schedules",
    "GET /backtests", "GET /market-data/symbols", "GET /market-data/{symbol}/bars",
    "GET /market-data/{symbol}/indicators", "POST /versions/scan", "GET /generations",
    "GET /deployments", "GET /orders", "POST /orders", "GET /positions", "POST /kill-switch",
    "PUT /broker-credentials", "GET /broker-credentials", "DELETE /broker-credentials",
    "POST /auth/register", "POST /auth/login", "POST /auth/refresh", "POST /auth/logout",
    "GET /auth/status", "POST /auth/tokens", "GET /auth/tokens", "GET /users/profile",
    "PUT /users/profile", "PUT /users/password", "GET /users/settings", "PUT /users/settings",
    "GET /users", "POST /users", "GET /audit", "GET /integrations", "POST /integrations",
    "GET /market-data/quote/{symbol}", "GET /market-data/search",
    "GET /market-data/{symbol}/history", "GET /market-data/{symbol}", "POST /market-data/fetch",
    "POST /agents", "GET /metrics", "POST /notifications/channels",
    "GET /notifications/channels", "GET /notifications/deliveries",
    "POST /bot-builder/clarify", "GET /bot-builder/indicators", "GET /bot-builder/templates",
    "GET /teams", "POST /teams", "POST /teams/{team_id}/members",
    "DELETE /teams/{team_id}/members/{user_id}",
}
# the path parameters naming results that team-mates may read
TEAM_READABLE_PARAMS = {"strategy_id", "number", "run_id", "batch_id"}
# lists that show team-mates' results
TEAM_LISTS = {"/strategies", "/backtests", "/batches"}
# a body for operations with an owned path parameter that take one
BODIES: dict[str, dict[str, Any]] = {
    "PUT /strategies/{strategy_id}/code": {"code": "(A's own valid code, read in the test)"},
    "POST /strategies/{strategy_id}/restore": {"version": 1},
    "POST /strategies/{strategy_id}/clone": {"name": "stolen"},
    "POST /strategies/{strategy_id}/regenerate": {},
    "PUT /integrations/{integration_id}": {"name": "stolen"},
    "POST /agents/{strategy_id}/compare": {"models": ["offline"], "start": "2020-01-02",
                                           "end": "2020-03-31"},
    "PATCH /notifications/channels/{channel_id}": {"name": "stolen"},
}
# operations that need no sign-in
PUBLIC = {"GET /health", "POST /auth/register", "POST /auth/login", "POST /auth/refresh"}
QUERY_SAMPLES = {"a": "1", "b": "1", "ids": "1"}
INJECTIONS = ["' OR '1'='1", "1; DROP TABLE strategies;--", "1 UNION SELECT * FROM users",
              "%' OR 1=1 --", "\"; SELECT pg_sleep(5);--", "1' AND owner_id<>owner_id--"]
MARKER = "alicesecretmarker"


def operations(client: TestClient) -> list[tuple[str, str, dict[str, Any]]]:
    spec = client.app.openapi()  # type: ignore[attr-defined]
    return [(method.upper(), path, op) for path, ops in spec["paths"].items()
            for method, op in ops.items()]


Setup = tuple[TestClient, dict[str, str], dict[str, str], dict[str, Any]]
Team = dict[str, dict[str, str]]


@pytest.fixture(scope="module")
def two_users(tmp_path_factory: pytest.TempPathFactory, sample_market_dir: Path
              ) -> Iterator[Setup]:
    """One server for the module (A's objects are made once; no test changes them)."""
    with accounts_app(tmp_path_factory.mktemp("isolation"), sample_market_dir,
                      llm_max_retries=0, yahoo_url="http://127.0.0.1:9") as client:
        alice, bob = signed_in(client, "alice"), signed_in(client, "bob")
        ids = _alice_owns_everything(client, alice)
        team = _teams(client, alice)
        ids["team"] = team
        try:
            yield client, alice, bob, ids
        finally:  # deploys start a supervisor, which outlives the app on purpose: stop it
            shutdown(client.app.state.services.settings)  # type: ignore[attr-defined]
    dispose_engines()


def _teams(client: TestClient, alice: dict[str, str]) -> Team:
    """alpha: alice, carol (viewer), dave (trader); beta: bob and erin. Made over HTTP."""
    admin = signed_in(client, "root", "admin")
    carol, dave = signed_in(client, "carol", "viewer"), signed_in(client, "dave")
    erin = signed_in(client, "erin")
    refused = client.post("/teams", json={"name": "mine"}, headers=dave)
    assert refused.status_code == 403 and refused.json()["code"] == "admin_only"
    for name, members in (("alpha", ("alice", "carol", "dave@example.test")),
                          ("beta", ("bob", "erin"))):
        made = client.post("/teams", json={"name": name}, headers=admin)
        assert made.status_code == 201, made.text
        for member in members:
            added = client.post(f"/teams/{made.json()['id']}/members", json={"user": member},
                                headers=admin)
            assert added.status_code == 200, added.text
    again = client.post("/teams", json={"name": "alpha"}, headers=admin)
    assert again.status_code == 409 and again.json()["code"] == "team_exists"
    return {"admin": admin, "carol": carol, "dave": dave, "erin": erin}


def _alice_owns_everything(client: TestClient, alice: dict[str, str]) -> dict[str, Any]:
    made = client.post("/strategies", json={"text": GOLDEN}, headers=alice)
    assert made.status_code == 201, made.text
    sid = made.json()["id"]
    renamed = client.post(f"/strategies/{sid}/clone", json={"name": MARKER}, headers=alice)
    assert renamed.status_code in (200, 201), renamed.text
    run = client.post("/backtests", headers=alice, json={
        "strategy_id": sid, "start": "2020-01-02", "end": "2020-06-30", "tearsheet": False})
    assert run.status_code == 202, run.text
    run_id = run.json()["id"]
    deadline = time.monotonic() + 180
    while client.get(f"/backtests/{run_id}", headers=alice).json()["status"] not in (
            "succeeded", "failed"):
        assert time.monotonic() < deadline, "A's backtest did not finish"
        time.sleep(0.2)
    batch = client.post("/batches", headers=alice, json={
        "name": MARKER, "targets": [{"strategy_id": sid}],
        "date_ranges": [{"start": "2020-01-02", "end": "2020-03-31"}]})
    assert batch.status_code in (200, 201, 202), batch.text
    schedule = client.post("/schedules", headers=alice, json={
        "name": MARKER, "cron": "0 22 * * 1-5", "enabled": False,
        "batch": {"targets": [{"strategy_id": sid}],
                  "date_ranges": [{"start": "2020-01-02", "end": "2020-03-31"}]}})
    assert schedule.status_code in (200, 201), schedule.text
    generation = client.get("/generations", headers=alice).json()
    integration = client.post("/integrations", headers=alice, json={
        "kind": "anthropic", "name": MARKER, "secret": "sk-ant-" + MARKER,
        "base_url": "http://127.0.0.1:9"})  # nothing listens: no test reaches the internet
    token = client.post("/auth/tokens", json={"name": MARKER}, headers=alice)
    channel = client.post("/notifications/channels", headers=alice, json={
        "name": MARKER, "kind": "webhook", "enabled": False,
        "settings": {"url": "http://127.0.0.1:9/hook", "secret": MARKER + "-hmac-key"}})
    assert channel.status_code == 201, channel.text
    fetch = client.post("/market-data/fetch", headers=alice,  # nothing listens on the mirror
                        json={"symbols": [MARKER[:20].upper()], "sources": ["yahoo"]})
    assert fetch.status_code == 202, fetch.text
    services = client.app.state.services  # type: ignore[attr-defined]
    alice_id = client.get("/users/profile", headers=alice).json()["id"]
    with owner_scope(alice_id), services.ctx.session() as db:  # a stopped bot and its order
        version_id = db.get(Strategy, sid)
        assert version_id is not None
        dep = Deployment(owner_id=alice_id, strategy_id=sid, version_id=1, key=MARKER[:20],
                         state="STOPPED", desired="stopped")
        db.add(dep)
        db.commit()
        order = DeploymentOrder(owner_id=alice_id, deployment_id=dep.id, seq=1,
                                client_order_id=f"{MARKER}-1", symbol="SPY", side="buy",
                                qty=1, status="new")
        db.add(order)
        db.commit()
        dep_id, order_id = dep.id or 0, order.id or 0
    return {"strategy_id": sid, "number": 1, "run_id": run_id, "batch_id": batch.json()["id"],
            "schedule_id": schedule.json()["id"], "deployment_id": dep_id, "order_id": order_id,
            "generation_id": generation["generations"][0]["id"], "token_id": token.json()["id"],
            "integration_id": integration.json()["id"], "channel_id": channel.json()["id"],
            "job_id": fetch.json()["id"]}


def test_user_b_gets_404_for_every_object_of_user_a_on_every_endpoint(
        two_users: Setup) -> None:
    client, alice, bob, ids = two_users
    checked, unclassified = 0, []
    for method, path, op in operations(client):
        key = f"{method} {path}"
        params = set(re.findall(r"{(\w+)}", path))
        if params & OWNED_PARAMS:
            url = path.format(**{p: ids[p] for p in params})
            query = {p["name"]: QUERY_SAMPLES[p["name"]] for p in op.get("parameters", [])
                     if p["in"] == "query" and p.get("required")}
            kwargs: dict[str, Any] = {"params": query}
            if "requestBody" in op:
                if key not in BODIES:
                    unclassified.append(f"{key}: add a body to BODIES")
                    continue
                kwargs["json"] = BODIES[key]
                if key == "PUT /strategies/{strategy_id}/code":  # valid code: only the owner
                    kwargs["json"] = {"code": client.get(  # check may refuse it
                        f"/strategies/{ids['strategy_id']}/versions/1/code", headers=alice).text}
            if method == "GET":
                mine = client.request(method, url, headers=alice, **kwargs)
                assert mine.status_code != 404 or mine.json()["code"] != "not_found", key
            theirs = client.request(method, url, headers=bob, **kwargs)
            assert theirs.status_code == 404, (key, theirs.status_code, theirs.text)
            assert MARKER not in theirs.text, key
            if method == "GET" and mine.status_code == 404:  # not a "missing file" 404 either
                assert theirs.json()["code"] != mine.json()["code"], key
            checked += 1
        elif key in REFERENCING:
            theirs = client.request(method, path, headers=bob, **REFERENCING[key](ids))
            assert theirs.status_code == 404, (key, theirs.status_code, theirs.text)
            checked += 1
        elif key not in UNOWNED:
            unclassified.append(f"{key}: an owned path parameter, REFERENCING or UNOWNED")
    assert not unclassified, "classify these endpoints:\n" + "\n".join(unclassified)
    assert checked >= 30

    # nothing B did changed A's objects
    assert client.get(f"/strategies/{ids['strategy_id']}", headers=alice).status_code == 200
    assert client.get(f"/backtests/{ids['run_id']}", headers=alice).status_code == 200
    assert client.get(f"/batches/{ids['batch_id']}", headers=alice).status_code == 200
    assert [s["id"] for s in client.get("/schedules", headers=alice).json()] == \
        [ids["schedule_id"]]
    assert client.get(f"/deployments/{ids['deployment_id']}",
                      headers=alice).json()["state"] == "STOPPED"
    tokens = client.get("/auth/tokens", headers=alice).json()
    assert tokens[0]["revoked_at"] is None
    assert client.get("/integrations", headers=alice).json()[0]["name"] == MARKER
    assert [c["name"] for c in client.get("/notifications/channels", headers=alice).json()] == \
        [MARKER]
    assert client.get(f"/market-data/fetch/{ids['job_id']}", headers=alice).status_code == 200


def test_lists_and_unowned_endpoints_never_show_another_users_rows(
        two_users: Setup) -> None:
    client, alice, bob, ids = two_users
    for method, path, op in operations(client):
        if method != "GET" or "{" in path:
            continue
        query = {p["name"]: (str(ids["strategy_id"]) if p["name"] == "strategy_id" else
                             str(ids["deployment_id"]) if p["name"] == "deployment_id" else
                             QUERY_SAMPLES.get(p["name"], "1"))
                 for p in op.get("parameters", []) if p["in"] == "query"
                 and p["name"] != "limit"}
        theirs = client.get(path, params=query, headers=bob)
        assert theirs.status_code != 500, path
        assert MARKER not in theirs.text, path
    assert MARKER in client.get("/strategies", headers=alice).text
    assert client.get("/strategies", headers=bob).json() == []
    assert client.get(f"/backtests?strategy_id={ids['strategy_id']}", headers=bob).json() == []


def test_every_endpoint_needs_a_sign_in_except_the_public_ones(
        two_users: Setup) -> None:
    client, _, _, ids = two_users
    for method, path, op in operations(client):
        key = f"{method} {path}"
        if key in PUBLIC:
            continue
        url = path.format(**{p: ids.get(p, "SPY") for p in re.findall(r"{(\w+)}", path)})
        response = client.request(method, url, json={} if "requestBody" in op else None)
        assert response.status_code in (401, 422), (key, response.status_code)
        if response.status_code == 422:  # the body was refused first: a valid one is 401 too
            assert "requestBody" in op, key


def test_sql_injection_strings_in_every_query_and_path_parameter(
        two_users: Setup) -> None:
    client, _, bob, ids = two_users
    for method, path, op in operations(client):
        if method != "GET":
            continue
        names = [p["name"] for p in op.get("parameters", []) if p["in"] in ("query", "path")]
        for name in names:
            for attack in INJECTIONS:
                values = {p: str(ids.get(p, "SPY")) for p in re.findall(r"{(\w+)}", path)}
                query = {p["name"]: QUERY_SAMPLES.get(p["name"], "1")
                         for p in op.get("parameters", [])
                         if p["in"] == "query" and p.get("required")}
                if name in values:
                    values[name] = attack
                else:
                    query[name] = attack
                url = path.format(**{k: v.replace("/", "%2F") for k, v in values.items()})
                response = client.get(url, params=query, headers=bob)
                assert response.status_code in (200, 401, 403, 404, 422), (
                    path, name, attack, response.status_code, response.text[:200])
                assert MARKER not in response.text
    engine = client.app.state.services.ctx.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:  # nothing was dropped
        assert conn.exec_driver_sql("select count(*) from strategies").scalar_one() == 2


def test_a_route_that_forgets_the_owner_filter_still_sees_only_its_users_rows(
        two_users: Setup) -> None:
    client, alice, bob, _ = two_users
    services = client.app.state.services  # type: ignore[attr-defined]

    @client.app.get("/_probe", include_in_schema=False)  # type: ignore[attr-defined]
    def probe(user: UserDep) -> list[int]:
        with services.ctx.session() as db:  # no owner filter on purpose
            return [s.id for s in db.exec(select(Strategy)).all()]

    assert len(client.get("/_probe", headers=alice).json()) == 2
    assert client.get("/_probe", headers=bob).json() == []


def test_the_dashboard_shows_another_users_objects_as_not_found(two_users: Setup) -> None:
    client, alice, _, ids = two_users
    csrf = ui_csrf(client)
    signin = client.post("/ui/login", data={"email": "bob@example.test", "password": PASSWORD,
                                            "csrf": csrf}, follow_redirects=False)
    assert signin.status_code == 303
    cookie = signin.cookies.get("stratforge_key") or ""
    assert cookie.startswith("sf_")
    jar = {"Cookie": f"stratforge_key={cookie}; stratforge_csrf={csrf}"}
    for url in (f"/ui/strategies/{ids['strategy_id']}", f"/ui/backtests/{ids['run_id']}",
                f"/ui/live/{ids['deployment_id']}",
                f"/ui/live/{ids['deployment_id']}?reconcile=1&since=2020-01-02"):
        page = client.get(url, headers=jar)
        assert page.status_code == 404 and MARKER not in page.text, url
    assert MARKER not in client.get("/ui", headers=jar).text
    started = client.post(f"/ui/strategies/{ids['strategy_id']}/backtests", headers=jar,
                          data={"start": "2020-01-02", "end": "2020-03-31", "csrf": csrf})
    assert started.status_code in (404, 422) and "/ui/backtests/" not in started.headers.get(
        "location", "")
    alice_token = client.post("/auth/tokens", json={"name": "ui"}, headers=alice).json()["token"]
    mine = client.get(f"/ui/strategies/{ids['strategy_id']}",
                      headers={"Cookie": f"stratforge_key={alice_token}"})
    assert mine.status_code == 200 and "golden" in mine.text.lower()
    assert client.get("/ui", headers={"Cookie": "stratforge_key=sf_made_up"}).status_code == 401


def test_team_lists_show_members_and_teams_are_made_by_admins(two_users: Setup) -> None:
    client, _alice, bob, ids = two_users
    team = ids["team"]
    mine = client.get("/teams", headers=team["carol"]).json()
    assert [t["name"] for t in mine] == ["alpha"]
    assert [m["name"] for m in mine[0]["members"]] == ["alice", "carol", "dave"]
    assert [t["name"] for t in client.get("/teams", headers=bob).json()] == ["beta"]
    assert [t["name"] for t in client.get("/teams", headers=team["admin"]).json()] == [
        "alpha", "beta"]
    missing = client.post("/teams/999/members", json={"user": "bob"}, headers=team["admin"])
    assert missing.status_code == 404 and missing.json()["code"] == "team_not_found"
    nobody = client.post(f"/teams/{mine[0]['id']}/members", json={"user": "nobody"},
                         headers=team["admin"])
    assert nobody.status_code == 404 and nobody.json()["code"] == "user_not_found"


def test_team_mates_read_results_and_nothing_else_on_every_endpoint(two_users: Setup) -> None:
    client, alice, _bob, ids = two_users
    carol, dave, erin = ids["team"]["carol"], ids["team"]["dave"], ids["team"]["erin"]
    reads = writes = 0
    for method, path, op in operations(client):
        key = f"{method} {path}"
        params = set(re.findall(r"{(\w+)}", path))
        if not params & OWNED_PARAMS:
            if key in REFERENCING and method != "GET":  # a team-mate's id in a write's body
                theirs = client.request(method, path, headers=dave, **REFERENCING[key](ids))
                assert theirs.status_code == 404, (key, theirs.status_code, theirs.text)
            continue
        url = path.format(**{p: ids[p] for p in params})
        query = {p["name"]: QUERY_SAMPLES[p["name"]] for p in op.get("parameters", [])
                 if p["in"] == "query" and p.get("required")}
        kwargs: dict[str, Any] = {"params": query}
        if "requestBody" in op:
            kwargs["json"] = BODIES[key]
        readable = params <= TEAM_READABLE_PARAMS
        if method == "GET":
            mine = client.request(method, url, headers=alice, **kwargs)
            theirs = client.request(method, url, headers=carol, **kwargs)
            stranger = client.request(method, url, headers=erin, **kwargs)
            assert stranger.status_code == 404, (key, stranger.status_code)
            assert MARKER not in stranger.text, key
            if readable:  # reads as it does for its owner
                assert theirs.status_code == mine.status_code, (key, theirs.text[:300])
                if mine.status_code == 200 and "json" in mine.headers["content-type"]:
                    assert _stable(theirs.json()) == _stable(mine.json()), key
                reads += 1
            else:  # another kind of object: as unknown as a stranger's
                assert theirs.status_code in (403, 404), (key, theirs.status_code)
                assert MARKER not in theirs.text, key
        else:
            theirs = client.request(method, url, headers=dave, **kwargs)
            if readable:
                assert theirs.status_code == 403, (key, theirs.status_code, theirs.text)
                assert theirs.json()["code"] == "team_read_only", key
                writes += 1
            else:
                assert theirs.status_code == 404, (key, theirs.status_code, theirs.text)
    assert reads >= 10 and writes >= 5

    # the lists of results show the team's; every other list shows none of A's rows
    alice_id = client.get("/users/profile", headers=alice).json()["id"]
    for method, path, _op in operations(client):
        if method != "GET" or "{" in path:
            continue
        for who in (carol, dave):
            answer = client.get(path, headers=who)
            assert answer.status_code != 500, path
            if path in TEAM_LISTS:
                assert alice_id in {row["owner_id"] for row in answer.json()}, path
            else:
                assert MARKER not in answer.text, path
    # nothing the team-mates tried changed A's objects
    strategy = client.get(f"/strategies/{ids['strategy_id']}", headers=alice)
    assert strategy.status_code == 200 and strategy.json()["latest_version"] == 1
    assert client.get(f"/backtests/{ids['run_id']}", headers=alice).status_code == 200
    assert client.get(f"/batches/{ids['batch_id']}", headers=alice).status_code == 200
    assert [s["owner_id"] for s in client.get("/strategies", headers=dave).json()] == [
        alice_id] * 2
    assert MARKER in client.get("/strategies", headers=carol).text


def test_leaving_the_team_ends_the_reads_at_once(two_users: Setup) -> None:
    client, _alice, _, ids = two_users
    team = ids["team"]
    alpha = client.get("/teams", headers=team["dave"]).json()[0]
    dave_id = next(m["user_id"] for m in alpha["members"] if m["name"] == "dave")
    url = f"/strategies/{ids['strategy_id']}"
    assert client.get(url, headers=team["dave"]).status_code == 200
    removed = client.delete(f"/teams/{alpha['id']}/members/{dave_id}", headers=team["admin"])
    assert removed.status_code == 200, removed.text
    try:
        assert client.get(url, headers=team["dave"]).status_code == 404
        assert client.get("/strategies", headers=team["dave"]).json() == []
    finally:
        assert client.post(f"/teams/{alpha['id']}/members", json={"user": "dave"},
                           headers=team["admin"]).status_code == 200


def _stable(body: Any) -> Any:
    """An answer without what changes from one request to the next (elapsed times) or with
    the reader's own keys (an explanation's note names the reader's model: never the owner's
    keys)."""
    if isinstance(body, dict):
        return {k: _stable(v) for k, v in body.items() if k not in ("eta_s", "age_s", "note")}
    if isinstance(body, list):
        return [_stable(v) for v in body]
    return body
