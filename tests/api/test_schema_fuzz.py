"""Property-based run over the whole OpenAPI document (Schemathesis) against a running server
(uvicorn on loopback) with two users: whatever the generated request, never a server error."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import uvicorn
from accounts_support import GOLDEN, PASSWORD, accounts_app, add_user
from deploy_support import shutdown
from hypothesis import HealthCheck, given, settings

from api.app import create_app
from core.db import dispose_engines

EXAMPLES = 8
PAUSED = {"POST /auth/logout", "PUT /users/password"}  # would end the fuzzing user's session


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, sample_market_dir: Path
           ) -> Iterator[dict[str, Any]]:
    home = tmp_path_factory.mktemp("fuzz")
    # the users and A's strategy are made through the app first, then the same HOME is served
    with accounts_app(home, sample_market_dir) as client:
        add_user(client, "alice")
        add_user(client, "bob")
        alice = client.post("/auth/login", json={"email": "alice@example.test",
                                                 "password": PASSWORD}).json()
        client.post("/strategies", json={"text": GOLDEN},
                    headers={"Authorization": f"Bearer {alice['access_token']}"})
        settings_ = client.app.state.services.settings  # type: ignore[attr-defined]
    dispose_engines()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings_), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    import httpx

    bob = httpx.post(f"http://127.0.0.1:{port}/auth/login",
                     json={"email": "bob@example.test", "password": PASSWORD}).json()
    try:
        yield {"url": f"http://127.0.0.1:{port}", "bob": bob}
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        shutdown(settings_)  # a fuzzed deploy starts a supervisor, which outlives the app
        dispose_engines()


def is_server_error(response: Any) -> bool:
    """A 500, or any 5xx that is not one of our documented upstream answers (502 an LLM
    failed, 503 the broker or venue is unavailable — `api/errors.py`)."""
    if response.status_code == 500:
        return True
    if response.status_code < 500:
        return False
    try:
        return response.status_code not in (502, 503) or "code" not in response.json()
    except ValueError:
        return True


def test_no_server_errors_over_the_whole_document(served: dict[str, Any]) -> None:
    """Every operation, `EXAMPLES` generated requests each, as user B (who owns nothing; A
    owns a strategy): a 5xx fails the test."""
    schema = schemathesis.openapi.from_url(served["url"] + "/openapi.json")
    headers = {"Authorization": f"Bearer {served['bob']['access_token']}"}
    failures: list[str] = []
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if f"{operation.method.upper()} {operation.path}" in PAUSED:
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            nonlocal calls
            response = case.call(headers=headers, timeout=60)
            calls += 1
            if is_server_error(response):
                failures.append(f"{case.method} {case.formatted_path} -> "
                                f"{response.status_code} {response.text[:200]}")

        run()
    assert calls > 200
    assert not failures, "\n".join(failures)
