"""The verified-credential cache: revocations made through stratforge apply at the next
request, from any process; changes made around it within `auth_cache_s`; expiry always."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from accounts_support import accounts_app, add_user, bearer, login, signed_in
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.services.credential_cache import CredentialCache, touch
from core.db import dispose_engines

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def client(tmp_path: Path, sample_market_dir: Path) -> Iterator[TestClient]:
    with accounts_app(tmp_path, sample_market_dir, auth_cache_s=60) as test_client:
        yield test_client
    dispose_engines()


def _services(client: TestClient):  # type: ignore[no-untyped-def]
    return client.app.state.services  # type: ignore[attr-defined]


@pytest.mark.slow  # a second Python process importing stratforge
def test_a_token_revoked_by_another_process_is_refused_at_the_next_request(
        client: TestClient) -> None:
    headers = signed_in(client, "alice")
    created = client.post("/auth/tokens", json={"name": "ci"}, headers=headers).json()
    token = created["token"]
    assert client.get("/strategies", headers=bearer(token)).status_code == 200  # now cached
    settings = _services(client).settings
    script = (
        "import sys; from core.config import Settings; from api.services.container import "
        "Services; s = Services.open(Settings(home=sys.argv[1], market_dir=sys.argv[2])); "
        "s.sessions.revoke_token(int(sys.argv[3]), int(sys.argv[4]))")
    alice = _services(client).accounts.find_by_name_or_email("alice")
    subprocess.run([sys.executable, "-c", script, str(settings.home),
                    str(settings.market_data_dir), str(alice.id), str(created["id"])],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    refused = client.get("/strategies", headers=bearer(token))
    assert refused.status_code == 401 and refused.json()["code"] == "bad_token"


def test_a_change_to_the_account_through_the_services_ends_cached_sessions_at_once(
        client: TestClient) -> None:
    email = add_user(client, "alice")
    jwt_headers = bearer(login(client, email)["access_token"])
    assert client.get("/strategies", headers=jwt_headers).status_code == 200
    alice = _services(client).accounts.find_by_name_or_email("alice")
    _services(client).sessions.end_all_sessions(alice.id)
    ended = client.get("/strategies", headers=jwt_headers)
    assert ended.status_code == 401 and ended.json()["code"] == "session_ended"


def test_a_change_made_around_stratforge_is_seen_within_the_cache_time(
        tmp_path: Path, sample_market_dir: Path) -> None:
    with accounts_app(tmp_path, sample_market_dir, auth_cache_s=0.3) as client:
        headers = signed_in(client, "alice")
        assert client.get("/strategies", headers=headers).status_code == 200
        with _services(client).ctx.engine.begin() as conn:  # no ORM, so no stamp
            conn.execute(text("update users set disabled = 1 where name = 'alice'"))
        disabled_at = time.monotonic()
        while client.get("/strategies", headers=headers).status_code == 200:
            assert time.monotonic() - disabled_at < 0.3 + 2.0, "still served past the bound"
            time.sleep(0.05)
    dispose_engines()


def test_no_cache_when_turned_off(tmp_path: Path, sample_market_dir: Path) -> None:
    with accounts_app(tmp_path, sample_market_dir, auth_cache_s=0) as client:
        headers = signed_in(client, "alice")
        assert client.get("/strategies", headers=headers).status_code == 200
        with _services(client).ctx.engine.begin() as conn:
            conn.execute(text("update users set disabled = 1 where name = 'alice'"))
        assert client.get("/strategies", headers=headers).status_code == 401
    dispose_engines()


def test_an_entry_past_its_credentials_expiry_or_a_new_stamp_is_gone(tmp_path: Path) -> None:
    stamp = tmp_path / "auth.stamp"
    cache = CredentialCache(stamp, ttl_s=60)
    version = cache.version()
    cache.put("expired", "p", time.time() - 1, version)
    cache.put("valid", "q", time.time() + 60, version)
    assert cache.get("expired") is None and cache.get("valid") == "q"
    touch(stamp)
    assert cache.get("valid") is None
    cache.put("stale", "r", None, version)  # checked under the old stamp: not kept
    assert cache.get("stale") is None


def test_the_event_loop_answers_only_what_was_verified_and_still_stands(
        client: TestClient) -> None:
    """`remembered` (what `current_principal` answers without the thread pool) knows a
    credential only once `authenticate` verified it, and forgets it once it is revoked."""
    sessions = _services(client).sessions
    headers = signed_in(client, "alice")
    created = client.post("/auth/tokens", json={"name": "ci"}, headers=headers).json()
    token = created["token"]
    assert sessions.remembered(token) is None  # never verified: the thread pool checks it
    assert sessions.remembered(None) is None and sessions.remembered("no-token-shape") is None
    verified = sessions.authenticate(token)
    assert sessions.remembered(token) == verified and verified.via == "token"
    alice = _services(client).accounts.find_by_name_or_email("alice")
    sessions.revoke_token(alice.id, created["id"])
    assert sessions.remembered(token) is None
    refused = client.get("/strategies", headers=bearer(token))
    assert refused.status_code == 401 and refused.json()["code"] == "bad_token"
