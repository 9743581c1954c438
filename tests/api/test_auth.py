"""Accounts over HTTP: sign-in, tokens, rotation, roles, throttling, limits, audit."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from accounts_support import (
    GOLDEN,
    PASSWORD,
    accounts_app,
    add_user,
    bearer,
    login,
    signed_in,
)
from fastapi.testclient import TestClient
from sqlalchemy import text

from core.db import dispose_engines


@pytest.fixture
def client(tmp_path: Path, sample_market_dir: Path) -> Iterator[TestClient]:
    with accounts_app(tmp_path, sample_market_dir) as test_client:
        yield test_client
    dispose_engines()


def test_single_user_mode_until_an_account_exists(client: TestClient) -> None:
    status = client.get("/auth/status").json()
    assert status["via"] == "local" and status["user"]["role"] == "admin"
    assert client.get("/strategies").status_code == 200
    add_user(client, "alice")
    refused = client.get("/strategies")
    assert refused.status_code == 401 and refused.json()["code"] == "unauthorized"


def test_wrong_password_does_not_say_whether_the_email_exists(client: TestClient) -> None:
    email = add_user(client, "alice")
    wrong = client.post("/auth/login", json={"email": email, "password": "not it at all"})
    unknown = client.post("/auth/login",
                          json={"email": "nobody@example.test", "password": "not it at all"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert login(client, email)["token_type"] == "bearer"


def test_failed_sign_ins_lock_the_account_with_backoff(client: TestClient) -> None:
    email = add_user(client, "alice")
    limit = client.app.state.services.settings.auth_max_failures  # type: ignore[attr-defined]
    codes = [client.post("/auth/login", json={"email": email, "password": "guess"}).status_code
             for _ in range(limit + 1)]
    assert codes[:limit] == [401] * limit and codes[limit] == 429
    locked = client.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert locked.status_code == 429 and locked.json()["details"]["retry_after_s"] >= 1
    # another account from the same address is not locked by alice's failures
    other = add_user(client, "bob")
    assert client.post("/auth/login", json={"email": other, "password": PASSWORD}).status_code \
        == 200


def _jwt_key(client: TestClient) -> bytes:
    home = client.app.state.services.settings.home  # type: ignore[attr-defined]
    return (Path(home) / "jwt.key").read_bytes().strip()


def test_expired_and_tampered_access_tokens_are_refused(client: TestClient) -> None:
    email = add_user(client, "alice")
    token = login(client, email)["access_token"]
    assert client.get("/strategies", headers=bearer(token)).status_code == 200
    claims = jwt.decode(token, _jwt_key(client), algorithms=["HS256"])

    past = datetime.now(UTC) - timedelta(hours=1)
    expired = jwt.encode({**claims, "iat": past, "exp": past + timedelta(minutes=5)},
                         _jwt_key(client), algorithm="HS256")
    response = client.get("/strategies", headers=bearer(expired))
    assert response.status_code == 401 and response.json()["code"] == "token_expired"

    header, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=="))
    data["role"], data["sub"] = "admin", "1"
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    for bad in (f"{header}.{forged}.{signature}",
                jwt.encode(claims, "another key of enough length 1234567890", algorithm="HS256"),
                jwt.encode(claims, None, algorithm="none")):
        response = client.get("/strategies", headers=bearer(bad))
        assert response.status_code == 401 and response.json()["code"] == "bad_token", bad


def test_refresh_rotates_and_reuse_revokes_the_family(client: TestClient) -> None:
    email = add_user(client, "alice")
    first = login(client, email)
    second = client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert client.get("/strategies", headers=bearer(rotated["access_token"])).status_code == 200

    reused = client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401 and reused.json()["code"] == "refresh_token_reused"
    # the thief's (or the user's) newer token of that family is dead too
    after = client.post("/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert after.status_code == 401
    # another session of the same user is untouched
    other = login(client, email)
    assert client.post("/auth/refresh",
                       json={"refresh_token": other["refresh_token"]}).status_code == 200
    events = client.app.state.services.audit.list_events(  # type: ignore[attr-defined]
        action="security.")
    assert [e.action for e in events][-1] == "security.refresh_reuse"
    unknown = client.post("/auth/refresh", json={"refresh_token": "made-up"})
    assert unknown.status_code == 401 and unknown.json()["code"] == "bad_refresh_token"


def test_personal_api_tokens_are_shown_once_hashed_and_revocable(client: TestClient) -> None:
    headers = signed_in(client, "alice")
    created = client.post("/auth/tokens", json={"name": "ci", "expires_in_days": 30},
                          headers=headers)
    assert created.status_code == 201
    token = created.json()["token"]
    assert client.get("/auth/status", headers=bearer(token)).json()["via"] == "token"
    listed = client.get("/auth/tokens", headers=headers).json()
    assert [t["name"] for t in listed] == ["ci"] and "token" not in listed[0]
    with client.app.state.services.ctx.engine.connect() as conn:  # type: ignore[attr-defined]
        stored = conn.execute(text("select token_hash from api_tokens")).scalar_one()
    assert token not in stored and len(stored) == 64

    revoked = client.delete(f"/auth/tokens/{created.json()['id']}", headers=headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    refused = client.get("/strategies", headers=bearer(token))
    assert refused.status_code == 401 and refused.json()["code"] == "bad_token"


def test_disabling_an_account_ends_its_tokens_and_sessions_at_once(client: TestClient) -> None:
    headers = signed_in(client, "alice")
    token = client.post("/auth/tokens", json={"name": "ci"}, headers=headers).json()["token"]
    assert client.get("/strategies", headers=bearer(token)).status_code == 200
    services = client.app.state.services  # type: ignore[attr-defined]
    with services.ctx.engine.connect() as conn:
        used = conn.execute(text("select last_used_at from api_tokens")).scalar_one()
    assert used is not None  # the token's use was recorded
    alice = services.accounts.find_by_name_or_email("alice")
    services.accounts.set_role(alice.id, "trader", disabled=True)
    by_token = client.get("/strategies", headers=bearer(token))
    assert by_token.status_code == 401 and by_token.json()["code"] == "account_disabled"
    by_jwt = client.get("/strategies", headers=headers)
    assert by_jwt.status_code == 401 and by_jwt.json()["code"] == "session_ended"


def test_expired_api_token_is_refused(client: TestClient) -> None:
    headers = signed_in(client, "alice")
    token = client.post("/auth/tokens", json={"name": "x", "expires_in_days": 1},
                        headers=headers).json()["token"]
    with client.app.state.services.ctx.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(text("update api_tokens set expires_at = :t"),
                     {"t": datetime.now(UTC) - timedelta(seconds=1)})
    response = client.get("/strategies", headers=bearer(token))
    assert response.status_code == 401 and response.json()["code"] == "token_expired"


def test_viewer_reads_but_cannot_deploy_order_or_see_keys(client: TestClient) -> None:
    viewer = signed_in(client, "vera", role="viewer")
    assert client.get("/strategies", headers=viewer).status_code == 200
    for method, path, body in (
        ("POST", "/deployments", {"strategy_id": 1}),
        ("POST", "/orders", {"symbol": "SPY", "side": "buy", "qty": 1}),
        ("POST", "/strategies", {"text": "Buy SPY"}),
        ("PUT", "/broker-credentials", {"key_id": "k", "secret": "s"}),
        ("GET", "/broker-credentials", None),
        ("GET", "/integrations", None),
        ("POST", "/kill-switch", {}),
    ):
        response = client.request(method, path, json=body, headers=viewer)
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["code"] == "role_forbidden"
    assert client.put("/users/settings", json={"theme": "dark"}, headers=viewer).status_code \
        == 200


def test_password_change_needs_the_old_one_and_ends_sessions(client: TestClient) -> None:
    email = add_user(client, "alice")
    session = login(client, email)
    headers = bearer(session["access_token"])
    wrong = client.put("/users/password", headers=headers,
                       json={"current_password": "nope", "new_password": "a new long password"})
    assert wrong.status_code == 401
    changed = client.put("/users/password", headers=headers,
                         json={"current_password": PASSWORD, "new_password": "a new long password"})
    assert changed.status_code == 204
    assert client.get("/strategies", headers=headers).json()["code"] == "session_ended"
    assert client.post("/auth/refresh",
                       json={"refresh_token": session["refresh_token"]}).status_code == 401
    assert client.post("/auth/login", json={"email": email, "password": PASSWORD}).status_code \
        == 401
    assert login(client, email, "a new long password")["access_token"]


def test_logout_ends_that_session(client: TestClient) -> None:
    email = add_user(client, "alice")
    session = login(client, email)
    headers = bearer(session["access_token"])
    assert client.post("/auth/logout", json={"refresh_token": session["refresh_token"]},
                       headers=headers).status_code == 204
    assert client.post("/auth/refresh",
                       json={"refresh_token": session["refresh_token"]}).status_code == 401


def test_profile_and_settings(client: TestClient) -> None:
    headers = signed_in(client, "alice")
    profile = client.put("/users/profile", json={"display_name": "Alice A."}, headers=headers)
    assert profile.json()["display_name"] == "Alice A."
    saved = client.put("/users/settings", headers=headers, json={
        "theme": "dark", "default_symbols": ["SPY", "QQQ"], "notifications": {"fills": True}})
    assert saved.status_code == 200
    assert client.get("/users/settings", headers=headers).json()["default_symbols"] == \
        ["SPY", "QQQ"]
    bad = client.put("/users/settings", json={"theme": "neon"}, headers=headers)
    assert bad.status_code == 422


def test_registration_is_closed_unless_opened(tmp_path: Path, sample_market_dir: Path,
                                              client: TestClient) -> None:
    body = {"email": "new@example.test", "password": "a long enough password", "name": "newbie"}
    closed = client.post("/auth/register", json=body)
    assert closed.status_code == 403 and closed.json()["code"] == "registration_closed"
    with accounts_app(tmp_path / "open", sample_market_dir, open_registration=True) as other:
        made = other.post("/auth/register", json=body)
        assert made.status_code == 201, made.text
        status = other.get("/auth/status", headers=bearer(made.json()["access_token"])).json()
        assert status["user"]["role"] == "trader" and status["via"] == "jwt"
        again = other.post("/auth/register", json=body)
        assert again.status_code == 409
        limit = other.app.state.services.settings.registrations_per_address  # type: ignore[attr-defined]
        codes = [other.post("/auth/register", json={**body, "name": f"n{i}",
                                                     "email": f"n{i}@example.test"}).status_code
                 for i in range(limit)]
        assert codes[-1] == 429


def test_ten_megabyte_body_is_refused(client: TestClient) -> None:
    headers = signed_in(client, "alice")
    response = client.post("/strategies", content=b"{" + b" " * 10_000_000 + b"}",
                           headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["code"] == "request_too_large"

    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b" " * 1_000_000

    streamed = client.post("/strategies", content=chunks(),
                           headers={**headers, "Content-Type": "application/json"})
    assert streamed.status_code == 413


def test_audit_log_is_for_admins_and_append_only(client: TestClient) -> None:
    admin = signed_in(client, "root", role="admin")
    trader = signed_in(client, "alice")
    client.put("/users/settings", json={"theme": "dark"}, headers=trader)
    assert client.get("/audit", headers=trader).status_code == 403
    events = client.get("/audit", headers=admin).json()
    actions = [e["action"] for e in events]
    assert "PUT /users/settings" in actions and "auth.login" in actions
    engine = client.app.state.services.ctx.engine  # type: ignore[attr-defined]
    for statement in ("update audit_log set action = 'x'", "delete from audit_log"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))


def test_audit_entries_say_before_and_after_and_never_a_secret(client: TestClient) -> None:
    admin = signed_in(client, "root", role="admin")
    alice = signed_in(client, "alice")
    first, second = "sk-ant-" + "FIRSTKEY" * 4, "sk-ant-" + "SECONDKEY" * 4
    new_password = "another horse battery staple"
    assert client.put("/users/profile", json={"display_name": "Alice A"},
                      headers=alice).status_code == 200
    made = client.post("/integrations", headers=alice, json={
        "kind": "anthropic", "name": "mine", "secret": first, "base_url": "http://127.0.0.1:9"})
    assert made.status_code == 201, made.text
    iid = made.json()["id"]
    assert client.put(f"/integrations/{iid}", json={"name": "renamed", "secret": second},
                      headers=alice).status_code == 200
    token = client.post("/auth/tokens", json={"name": "script"}, headers=alice).json()["token"]
    made = client.post("/strategies", json={"text": GOLDEN, "provider": "offline"},
                       headers=bearer(token))
    assert made.status_code == 201, made.text
    sid = made.json()["id"]
    assert client.put("/users/password", headers=alice, json={
        "current_password": PASSWORD, "new_password": new_password}).status_code == 204

    events = client.get("/audit", headers=admin).json()
    by_action = {e["action"]: e for e in reversed(events)}  # the newest of each
    profile = by_action["PUT /users/profile"]["summary"]["changes"]
    assert {"table": "users", "id": profile[0]["id"], "op": "update",
            "before": {"display_name": ""}, "after": {"display_name": "Alice A"}} in profile
    renamed = by_action["PUT /integrations/{integration_id}"]["summary"]["changes"][0]
    assert renamed["table"] == "integrations" and renamed["op"] == "update"
    assert renamed["before"]["name"] == "mine" and renamed["after"]["name"] == "renamed"
    assert renamed["after"]["secret_enc"] == "(secret)"
    password = by_action["PUT /users/password"]["summary"]["changes"][0]
    assert password["after"]["password_hash"] == "(secret)"
    created = by_action["POST /strategies"]["summary"]["changes"]
    assert any(c["table"] == "strategies" and c["op"] == "insert" and c["id"] == sid
               for c in created)

    engine = client.app.state.services.ctx.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        stored = [row[0] for row in conn.execute(text(
            "select password_hash from users where password_hash is not null union all "
            "select token_hash from api_tokens union all "
            "select secret_enc from integrations union all select token_hash "
            "from refresh_tokens"))]
    shown = json.dumps(events)
    for secret in (first, second, first[-4:] * 2, second[-6:], PASSWORD, new_password, token,
                   *stored):
        assert secret not in shown


def test_backtest_quota_per_user(tmp_path: Path, sample_market_dir: Path) -> None:
    with accounts_app(tmp_path, sample_market_dir, user_max_active_backtests=0) as client:
        headers = signed_in(client, "alice")
        sid = client.post("/strategies", json={"text": GOLDEN}, headers=headers).json()["id"]
        refused = client.post("/backtests", headers=headers, json={
            "strategy_id": sid, "start": "2020-01-02", "end": "2020-06-30"})
        assert refused.status_code == 429 and refused.json()["code"] == "backtest_quota"
    dispose_engines()


def test_first_admin_from_the_environment(tmp_path: Path, sample_market_dir: Path) -> None:
    from pydantic import SecretStr

    with accounts_app(tmp_path, sample_market_dir, admin_email="Boss@Example.test",
                      admin_password=SecretStr(PASSWORD)) as client:
        assert client.get("/strategies").status_code == 401  # an account exists: sign in
        token = login(client, "boss@example.test")["access_token"]
        assert client.get("/auth/status", headers=bearer(token)).json()["user"]["role"] == "admin"
        assert client.get("/users", headers=bearer(token)).status_code == 200
    dispose_engines()


def test_an_admin_can_stop_every_users_bots_in_an_emergency(client: TestClient) -> None:
    from deploy_support import shutdown

    from core.models import Deployment

    alice = signed_in(client, "alice")
    admin = signed_in(client, "root", role="admin")
    sid = client.post("/strategies", json={"text": GOLDEN}, headers=alice).json()["id"]
    services = client.app.state.services  # type: ignore[attr-defined]
    alice_id = client.get("/users/profile", headers=alice).json()["id"]
    with services.ctx.session() as db:
        dep = Deployment(owner_id=alice_id, strategy_id=sid, version_id=1, key="d-alice",
                         mode="venue", state="RUNNING")
        db.add(dep)
        db.commit()
        dep_id = dep.id
    try:
        refused = client.post("/kill-switch", json={"all_users": True}, headers=alice)
        assert refused.status_code == 403 and refused.json()["code"] == "admin_only"
        own = client.post("/kill-switch", json={}, headers=admin)
        assert own.status_code == 200 and own.json()["halted"] == []  # the admin's own: none
        everyone = client.post("/kill-switch", json={"all_users": True}, headers=admin)
        assert everyone.status_code == 200 and everyone.json()["halted"] == [dep_id]
        assert client.get(f"/deployments/{dep_id}", headers=alice).json()["state"] == "HALTED"
    finally:
        shutdown(services.settings)
