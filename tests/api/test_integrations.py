"""A user's own keys: stored sealed, never returned, tested against the real endpoint (the local
LLM stand-in and paper venue here), used for that user's generations and bots; key rotation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from accounts_support import GOLDEN, accounts_app, signed_in
from conftest import make_settings
from fastapi.testclient import TestClient
from llm_stub import StubLLM, llm_server_fixture  # noqa: F401
from sqlalchemy import text

from api.services.integrations import rotate_keys
from core.credentials import KEY_FILE, CredentialBox
from core.db import dispose_engines
from runtime.alpaca_clients import user_keys
from runtime.venue import VenueConfig, VenueServer

SECRET = "sk-alice-0123456789abcdef"


@pytest.fixture
def client(tmp_path: Path, sample_market_dir: Path) -> Iterator[TestClient]:
    with accounts_app(tmp_path, sample_market_dir) as test_client:
        yield test_client
    dispose_engines()


def test_llm_key_is_sealed_never_returned_and_used_for_that_users_generations(
        client: TestClient, llm_server: StubLLM) -> None:
    alice, bob = signed_in(client, "alice"), signed_in(client, "bob")
    made = client.post("/integrations", headers=alice, json={
        "kind": "openai", "secret": SECRET, "base_url": llm_server.openai_url})
    assert made.status_code == 201, made.text
    iid = made.json()["id"]
    assert SECRET not in made.text and made.json()["masked"] == "…cdef"
    listed = client.get("/integrations", headers=alice)
    assert SECRET not in listed.text and [i["id"] for i in listed.json()] == [iid]
    engine = client.app.state.services.ctx.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        stored = conn.execute(text("select secret_enc from integrations")).scalar_one()
    assert SECRET not in stored

    tested = client.get(f"/integrations/{iid}/test", headers=alice)
    assert tested.json() == {"ok": True, "detail": "1 models"}
    assert llm_server.requests[-1].headers["authorization"] == f"Bearer {SECRET}"

    created = client.post("/strategies", headers=alice,
                          json={"text": GOLDEN, "provider": "openai:gpt-4.1-mini"})
    assert created.status_code == 201, created.text
    spec_calls = [r for r in llm_server.requests if r.path != "/v1/models"]
    assert spec_calls and spec_calls[-1].headers["authorization"] == f"Bearer {SECRET}"

    # bob has no key of his own: the server has none either, so openai is not available to him
    assert client.get(f"/integrations/{iid}/test", headers=bob).status_code == 404
    refused = client.post("/strategies", headers=bob,
                          json={"text": GOLDEN, "provider": "openai:gpt-4.1-mini"})
    assert refused.status_code != 201
    assert len([r for r in llm_server.requests if r.path != "/v1/models"]) == len(spec_calls)


def test_a_wrong_key_fails_its_test_without_echoing_it(client: TestClient,
                                                       llm_server: StubLLM) -> None:
    alice = signed_in(client, "alice")
    iid = client.post("/integrations", headers=alice, json={
        "kind": "anthropic", "secret": SECRET, "base_url": llm_server.url}).json()["id"]
    assert client.get(f"/integrations/{iid}/test", headers=alice).json()["ok"] is True
    port_closed = client.put(f"/integrations/{iid}", headers=alice,
                             json={"base_url": "http://127.0.0.1:9"})
    assert port_closed.json()["last_test_ok"] is None
    result = client.get(f"/integrations/{iid}/test", headers=alice).json()
    assert result["ok"] is False and SECRET not in result["detail"]
    assert client.delete(f"/integrations/{iid}", headers=alice).status_code == 204
    assert client.get("/integrations", headers=alice).json() == []
    bad = client.post("/integrations", headers=alice, json={"kind": "alpaca_paper",
                                                            "secret": "s"})
    assert bad.status_code == 422 and bad.json()["code"] == "bad_keys"
    assert client.get("/integrations", headers=alice).json() == []


def test_alpaca_key_is_tested_on_the_venue_and_is_what_that_users_bots_trade_with(
        client: TestClient, tmp_path: Path, sample_market_dir: Path) -> None:
    venue = VenueServer(VenueConfig(root=tmp_path / "venue", market_dir=sample_market_dir,
                                    speed=0.0)).start()
    try:
        alice = signed_in(client, "alice")
        good = client.post("/integrations", headers=alice, json={
            "kind": "alpaca_paper", "key_id": venue.key_id, "secret": venue.secret_key,
            "base_url": venue.base_url}).json()
        assert client.get(f"/integrations/{good['id']}/test", headers=alice).json()["ok"]
        wrong = client.post("/integrations", headers=alice, json={
            "kind": "alpaca_paper", "key_id": venue.key_id, "secret": "not-the-secret",
            "base_url": venue.base_url}).json()
        answer = client.get(f"/integrations/{wrong['id']}/test", headers=alice).json()
        assert answer["ok"] is False and "not-the-secret" not in answer["detail"]
    finally:
        venue.stop()
    services = client.app.state.services  # type: ignore[attr-defined]
    alice_id = client.get("/users/profile", headers=alice).json()["id"]
    with services.ctx.session() as db:
        # the newest alpaca_paper integration is the account alice's paper bots trade
        assert user_keys(services.settings, db, alice_id, "paper") == (venue.key_id,
                                                                       "not-the-secret")
        assert user_keys(services.settings, db, alice_id + 100, "paper") is None


def test_rotation_reseals_every_secret_under_a_new_key(client: TestClient) -> None:
    alice = signed_in(client, "alice")
    client.post("/integrations", headers=alice, json={"kind": "anthropic", "secret": SECRET})
    services = client.app.state.services  # type: ignore[attr-defined]
    services.deployments.store_credentials(1, "AKEYID123456", "broker-secret-xyz")
    key_file = Path(services.settings.home) / KEY_FILE
    old_key = key_file.read_bytes()
    engine = services.ctx.engine
    with engine.connect() as conn:
        before = conn.execute(text("select secret_enc from integrations")).scalar_one()
    assert rotate_keys(services.settings, services.ctx) == 2
    assert key_file.read_bytes() != old_key and len(key_file.read_bytes().split()) == 1
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    with engine.connect() as conn:
        after = conn.execute(text("select secret_enc from integrations")).scalar_one()
        broker = conn.execute(text("select secret_enc from broker_credentials")).scalar_one()
    assert after != before
    box = CredentialBox(services.settings)
    assert box.open(after) == SECRET and box.open(broker) == "broker-secret-xyz"




def test_a_base_url_the_sdk_cannot_use_is_refused_not_a_server_error(
        client: TestClient, tmp_path: Path, sample_market_dir: Path) -> None:
    alice = signed_in(client, "alice")
    for url in ("http://127.0.0.1\x14:9/v1", "http://127.0.0.1:9/v\x7f1"):
        refused = client.post("/integrations", headers=alice, json={
            "kind": "openai", "secret": SECRET, "base_url": url})
        assert refused.status_code == 422, refused.text
        assert "base_url" in refused.text
    # one that reached the settings another way (the environment) is a clear 422 as well
    from core.errors import InvalidInput
    from generator.providers.registry import build_provider

    settings = make_settings(tmp_path, sample_market_dir, openai_base_url="http://host\x14name/v1")
    with pytest.raises(InvalidInput) as caught:
        build_provider("openai", settings)
    assert caught.value.code == "bad_base_url"
