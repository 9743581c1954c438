"""Broker credentials: encrypted at rest, never logged or returned; a bot's environment
carries its own keys and nothing else of ours."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest
from conftest import make_settings
from cryptography.fernet import Fernet
from sqlmodel import Session, select

from core.credentials import CredentialBox, CredentialsError
from core.db import dispose_engines, get_engine
from core.models import BrokerCredential

KEY_ID = "PKTESTKEY1234567890"
SECRET = "s3cr3t-Value-that-must-never-leak-0123456789"


@pytest.fixture
def service(tmp_path: Path, sample_market_dir: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from api.services.container import Services

    for name in ("ALPACA_API_KEY", "ALPACA_API_SECRET", "STRATFORGE_CREDENTIALS_KEY"):
        monkeypatch.delenv(name, raising=False)
    app = Services.open(make_settings(tmp_path, sample_market_dir))
    yield app
    app.close()
    dispose_engines()


def test_keys_are_encrypted_at_rest_masked_when_shown_and_never_logged(
    service, caplog: pytest.LogCaptureFixture  # type: ignore[no-untyped-def]
) -> None:
    caplog.set_level(logging.DEBUG)
    result = service.deployments.store_credentials(service.user_id, KEY_ID, SECRET)
    assert SECRET not in str(result) and KEY_ID not in str(result)
    with Session(get_engine(service.settings)) as db:
        row = db.exec(select(BrokerCredential)).one()
        assert SECRET not in row.secret_enc and KEY_ID not in row.key_id_enc
    raw = (service.settings.home / "stratforge.db").read_bytes()
    assert SECRET.encode() not in raw
    shown = service.deployments.credentials_status(service.user_id)
    assert shown["source"] == "stored" and KEY_ID not in str(shown)
    assert "broker credentials stored" in caplog.text  # the logs were captured
    assert SECRET not in caplog.text and KEY_ID not in caplog.text
    key_file = service.settings.home / "credentials.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    from runtime.alpaca_clients import endpoint_for_user

    with Session(get_engine(service.settings)) as db:
        endpoint = endpoint_for_user(service.settings, db, service.user_id, "paper")
    assert endpoint is not None and endpoint.secret == SECRET
    assert SECRET not in repr(endpoint) and KEY_ID not in repr(endpoint)


def test_key_from_the_environment_and_a_wrong_key(tmp_path: Path, sample_market_dir: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    key = Fernet.generate_key().decode()
    settings = make_settings(tmp_path, sample_market_dir, credentials_key=key)
    box = CredentialBox(settings)
    token = box.seal(SECRET)
    assert box.open(token) == SECRET
    assert not (settings.home / "credentials.key").exists()
    other = CredentialBox(make_settings(tmp_path, sample_market_dir,
                                        credentials_key=Fernet.generate_key().decode()))
    with pytest.raises(CredentialsError):
        other.open(token)
    with pytest.raises(CredentialsError):
        CredentialBox(make_settings(tmp_path, sample_market_dir, credentials_key="nope"))


def test_a_bot_environment_holds_only_its_own_keys(tmp_path: Path, sample_market_dir: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from runtime.bots.supervisor import bot_environment, bot_process_extras

    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db/x")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-nope")
    monkeypatch.setenv("ALPACA_API_KEY", "someone-elses")
    monkeypatch.setenv("STRATFORGE_CREDENTIALS_KEY", "k")
    extras = bot_process_extras(make_settings(tmp_path, sample_market_dir))
    env = bot_environment(tmp_path / "1", "PKBOT", "bot-secret", extras)
    assert env["STRATFORGE_BOT_KEY_ID"] == "PKBOT"
    assert env["STRATFORGE_BOT_SECRET"] == "bot-secret"
    for name in ("DATABASE_URL", "OPENAI_API_KEY", "ALPACA_API_KEY",
                 "STRATFORGE_CREDENTIALS_KEY"):
        assert name not in env
    assert "bot-secret" not in " ".join(k for k in env)  # not in any name, only a value
    assert env["MALLOC_ARENA_MAX"] == "2"  # a threaded bot's heap in two malloc arenas
    assert env["STRATFORGE_BOT_BLOCKED_IMPORTS"] == "pyarrow"  # runtime.bots.import_policy
    assert os.environ["DATABASE_URL"]  # untouched in the parent


def test_the_key_can_live_in_a_file_outside_home(tmp_path: Path,
                                                 sample_market_dir: Path) -> None:
    outside = tmp_path / "secrets" / "stratforge.key"
    settings = make_settings(tmp_path, sample_market_dir, credentials_key_file=outside)
    token = CredentialBox(settings).seal("PKTEST")
    assert stat.S_IMODE(outside.stat().st_mode) == 0o600  # created on first use, private
    assert not (settings.home / "credentials.key").exists()  # nothing beside the database
    assert CredentialBox(settings).open(token) == "PKTEST"  # the same key next time
    # a key file handed in (a mounted secret) is used as it is
    given = tmp_path / "given.key"
    given.write_bytes(Fernet.generate_key())
    box = CredentialBox(make_settings(tmp_path, sample_market_dir, credentials_key_file=given))
    assert box.open(box.seal("x")) == "x"
    given.write_text("not a key")
    with pytest.raises(CredentialsError) as bad:
        CredentialBox(make_settings(tmp_path, sample_market_dir, credentials_key_file=given))
    assert bad.value.code == "bad_credentials_key" and "not a key" not in bad.value.message
    with pytest.raises(CredentialsError):  # a folder where the file should be
        CredentialBox(make_settings(tmp_path, sample_market_dir, credentials_key_file=tmp_path))
