"""A 1 MB strategy text: the HTTP edge answers 413 before reading or parsing the body (stated or
chunked length); the CLI refuses it without parsing; small requests pass through unchanged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO_ROOT, make_settings
from fastapi.testclient import TestClient

from api.app import create_app
from core.db import dispose_engines

BIG = "buy SPY when RSI is below 30 " * 40_000  # ~1.2 MB: past the 1 MiB default


@pytest.fixture
def client(tmp_path: Path, sample_market_dir: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    import generator.providers.offline.parser as parser

    calls: list[str] = []
    real = parser.parse_text

    def counted(text: str, **kwargs: object) -> object:
        calls.append(text)
        return real(text, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(parser, "parse_text", counted)
    settings = make_settings(tmp_path, sample_market_dir, smoke_backtest_days=0)
    with TestClient(create_app(settings)) as test_client:
        test_client.parse_calls = calls  # type: ignore[attr-defined]
        yield test_client
    dispose_engines()


def test_a_megabyte_text_is_413_before_parsing(client: TestClient) -> None:
    for path in ("/strategies", "/bot-builder/clarify"):
        response = client.post(path, json={"text": BIG})
        assert response.status_code == 413, response.text
        body = response.json()
        assert body["code"] == "request_too_large"
        assert body["details"]["limit_bytes"] == 1024 * 1024
    assert client.parse_calls == []  # type: ignore[attr-defined]
    assert client.get("/strategies").json() == []


def test_a_chunked_body_past_the_limit_is_413(client: TestClient) -> None:
    payload = json.dumps({"text": BIG}).encode()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(payload), 16_384):
            yield payload[start:start + 16_384]

    response = client.post("/strategies", content=chunks(),
                           headers={"content-type": "application/json"})
    assert response.status_code == 413, response.text
    assert client.parse_calls == []  # type: ignore[attr-defined]


def test_a_small_chunked_body_reaches_the_route(client: TestClient) -> None:
    payload = json.dumps({"text": "60% SPY and 40% AGG, rebalanced monthly"}).encode()
    response = client.post("/strategies", content=iter([payload[:10], payload[10:]]),
                           headers={"content-type": "application/json"})
    assert response.status_code == 201, response.text


def test_a_text_over_4000_characters_below_the_body_limit_is_still_422(
    client: TestClient,
) -> None:
    response = client.post("/strategies", json={"text": "buy SPY " * 1000})
    assert response.status_code == 422, response.text
    assert client.parse_calls == []  # type: ignore[attr-defined]


def test_the_cli_refuses_a_long_text_without_parsing(
    tmp_path: Path, sample_market_dir: Path
) -> None:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("STRATFORGE_", "RAY_")) and k != "DATABASE_URL"}
    env.update(STRATFORGE_HOME=str(tmp_path / "home"),
               STRATFORGE_GENERATED_DIR=str(tmp_path / "generated"),
               STRATFORGE_MARKET_DIR=str(sample_market_dir))
    exe = Path(sys.executable).with_name("stratforge")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "api.cli"]
    # one argv string is capped near 128 KiB by the OS, so the CLI's 1 MB case is this one
    done = subprocess.run([*cmd, "new", BIG[:120_000], "--json"], env=env, capture_output=True,
                          text=True, timeout=300, cwd=REPO_ROOT)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["error"]["code"] == "text_too_long"


def test_the_service_refuses_a_megabyte_text_without_parsing(
    tmp_path: Path, sample_market_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.providers.offline.parser as parser
    from api.services.container import Services
    from core.errors import InvalidInput

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the parser was called")

    monkeypatch.setattr(parser, "parse_text", never)
    services = Services.open(make_settings(tmp_path, sample_market_dir))
    try:
        with pytest.raises(InvalidInput) as caught:
            services.strategies.create_strategy(services.ctx.default_user_id, BIG)
        assert caught.value.code == "text_too_long"
        # the refusal is recorded in the generation ledger, but not the megabyte: a bounded
        # prefix of the text and its length
        from sqlmodel import select

        from api.services.generations import STORED_PREFIX_CHARS
        from core.models import Generation

        with services.ctx.session() as db:
            rows = db.exec(select(Generation)).all()
        assert [r.outcome for r in rows] == ["text_too_long"]
        stored = rows[0]
        assert stored.text == BIG[:STORED_PREFIX_CHARS]
        assert stored.output is not None
        assert stored.output["text_chars"] == len(BIG)
        assert stored.output["text_stored_chars"] == STORED_PREFIX_CHARS
    finally:
        services.close()
        dispose_engines()


def test_the_ledger_keeps_a_text_within_the_limit_whole() -> None:
    from api.services.generations import stored_text
    from generator.pipeline import MAX_TEXT_CHARS

    text = "buy SPY when RSI is below 30 and sell when RSI is above 70 " * 100
    text = text[:MAX_TEXT_CHARS]
    assert stored_text(text) == (text, None)
    kept, cut = stored_text(text + "x")
    assert len(kept) < MAX_TEXT_CHARS and cut == {"text_chars": MAX_TEXT_CHARS + 1,
                                                   "text_stored_chars": len(kept)}
