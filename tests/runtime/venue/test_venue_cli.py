"""`stratforge venue` prints its URL and keys, serves alpaca-py, keeps its keys, stops on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from alpaca.trading.client import TradingClient

REPO_ROOT = Path(__file__).resolve().parents[3]


def _start(home: Path, market_dir: Path, *args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "STRATFORGE_HOME": str(home),
        "STRATFORGE_MARKET_DIR": str(market_dir),
        "PYTHONPATH": str(REPO_ROOT),
    }
    for name in ("ALPACA_API_KEY", "ALPACA_API_SECRET"):
        env.pop(name, None)
    return subprocess.Popen(
        [sys.executable, "-c", "from api.cli import main; main()", "venue", "--port", "0", *args],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _announcement(proc: subprocess.Popen[str]) -> dict[str, str]:
    assert proc.stdout is not None
    info: dict[str, str] = {}
    while "root" not in info:
        line = proc.stdout.readline()
        assert line, f"venue exited early: {proc.stderr.read() if proc.stderr else ''}"
        name, _, value = line.strip().partition(": ")
        info[name] = value
    return info


def _client(info: dict[str, str]) -> TradingClient:
    return TradingClient(
        info["key_id"], info["secret_key"], paper=True, url_override=info["base_url"]
    )


def _stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGINT)
    try:
        return proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_cli_prints_url_and_keys_and_keeps_them(tmp_path: Path, sample_market_dir: Path) -> None:
    home = tmp_path / "home"
    proc = _start(home, sample_market_dir, "--speed", "0", "--start", "2024-03-01")
    try:
        info = _announcement(proc)
        assert info["base_url"].startswith("http://127.0.0.1:")
        client = _client(info)
        assert client.get_account().status.value == "ACTIVE"
        assert client.get_clock().timestamp.date().isoformat() == "2024-03-01"
    finally:
        assert _stop(proc) == 0
    assert (home / "venue" / "credentials.json").stat().st_mode & 0o777 == 0o600

    again = _start(home, sample_market_dir, "--speed", "0")
    try:
        kept = _announcement(again)
        assert (kept["key_id"], kept["secret_key"]) == (info["key_id"], info["secret_key"])
        # The clock was saved at shutdown and resumes where it stopped.
        assert _client(kept).get_clock().timestamp.date().isoformat() == "2024-03-01"
    finally:
        assert _stop(again) == 0

    given = _start(home, sample_market_dir, "--key", "PKMINE", "--secret", "s3cret")
    try:
        mine = _announcement(given)
        assert (mine["key_id"], mine["secret_key"]) == ("PKMINE", "s3cret")
        assert _client(mine).get_account().status.value == "ACTIVE"
    finally:
        assert _stop(given) == 0
