"""The dashboard in a real browser: headless Chromium against `stratforge serve`."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import require_or_skip

GOLDEN = (
    "Buy SPY when the 50-day SMA crosses above the 200-day SMA and sell when it crosses "
    "back below"
)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _cli() -> list[str]:
    exe = shutil.which("stratforge", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "api.cli"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _browser(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'chromium'}", *args, url],
        capture_output=True, text=True, timeout=120, check=True)


def _serve(tmp_path: Path, **extra: str) -> Iterator[str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("STRATFORGE_", "OPENAI_", "ANTHROPIC_", "ALPACA_"))}
    env.pop("DATABASE_URL", None)
    env.update(STRATFORGE_HOME=str(tmp_path / "home"),
               STRATFORGE_GENERATED_DIR=str(tmp_path / "generated"),
               STRATFORGE_SMOKE_BACKTEST_DAYS="60", STRATFORGE_TEARSHEET="false",
               # no bot supervisor (it would outlive the server); these pages deploy nothing
               STRATFORGE_SUPERVISOR_AT_START="false", **extra)
    subprocess.run([*_cli(), "data", "sample", "--json"], env=env, check=True,
                   capture_output=True, timeout=120)
    port = _free_port()
    proc = subprocess.Popen([*_cli(), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    require_or_skip(CHROMIUM is not None, "Chromium is not installed (Debian package chromium)")
    yield from _serve(tmp_path)


def _csrf(client: httpx.Client, path: str = "/ui") -> str:
    """The CSRF token a dashboard page puts in its forms (its cookie is kept by the client)."""
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found, "no CSRF token in the page"
    return found.group(1)


def test_create_backtest_and_view_results_in_a_browser(server: str, tmp_path: Path) -> None:
    with httpx.Client(base_url=server, follow_redirects=True, timeout=120) as client:
        csrf = _csrf(client)
        created = client.post("/ui/strategies", data={"text": GOLDEN, "csrf": csrf})
        assert created.status_code == 200 and "/ui/strategies/" in str(created.url)
        assert "Golden cross SPY" in created.text and "passed" in created.text
        sid = int(str(created.url).rsplit("/", 1)[1])
        started = client.post(f"/ui/strategies/{sid}/backtests",
                              data={"start": "2012-01-03", "end": "2016-12-30",
                                    "cash": "50000", "benchmark": "", "csrf": csrf})
        assert "/ui/backtests/" in str(started.url)
        run_id = int(str(started.url).rsplit("/", 1)[1])
        deadline = time.monotonic() + 240
        while client.get(f"/backtests/{run_id}").json()["status"] not in ("succeeded", "failed"):
            assert time.monotonic() < deadline
            time.sleep(0.3)
        refused = client.post("/ui/strategies", data={"text": "make me rich please",
                                                      "csrf": csrf})
        assert refused.status_code == 422 and "not_understood" in refused.text

    dom = _browser(f"{server}/ui/backtests/{run_id}", tmp_path, "--dump-dom").stdout
    assert "succeeded" in dom and "Results vs buy &amp; hold SPY" in dom
    assert 'data-drawn="yes"' in dom  # plotly.js (our own static copy) drew the charts
    assert "2012-01-03 → 2016-12-30" in dom
    assert f'href="/ui/backtests/{run_id}/tearsheet"' in dom  # offered, made when first opened
    sheet = httpx.get(f"{server}/backtests/{run_id}/tearsheet", timeout=120)
    assert sheet.status_code == 200 and "<html" in sheet.text.lower()
    listing = _browser(f"{server}/ui", tmp_path, "--dump-dom").stdout
    assert "Golden cross SPY" in listing
    shot = tmp_path / "backtest.png"
    _browser(f"{server}/ui/backtests/{run_id}", tmp_path, f"--screenshot={shot}",
             "--window-size=1280,1200")
    assert shot.stat().st_size > 20_000  # a real rendered page, not a blank one


def test_dashboard_asks_for_the_api_key(tmp_path: Path) -> None:
    for base in _serve(tmp_path, STRATFORGE_API_KEY="dash-key"):
        with httpx.Client(base_url=base, timeout=30) as client:
            assert client.get("/ui").status_code == 401
            csrf = _csrf(client, "/ui/login")
            assert client.post("/ui/login", data={"key": "dash-key"}).status_code == 403
            assert client.post("/ui/login", data={"key": "nope", "csrf": csrf}).status_code == 401
            signed = client.post("/ui/login", data={"key": "dash-key", "csrf": csrf})
            assert signed.status_code == 303
            assert client.get("/ui").status_code == 200  # cookie kept by the client
            assert client.get("/strategies").status_code == 401  # the JSON API still needs it
