"""Schemathesis over the OpenAPI document against a live `stratforge serve` (loopback, a
temporary STRATFORGE_HOME holding the sample market): every operation, every check, all phases
(examples, coverage, fuzzing, stateful). The default run is bounded (a few examples per
operation, fixed seed); the deeper run is marked slow. Zero failures means no server error, no
undocumented status code, no response off its schema, no valid request refused."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CONFIG = Path(__file__).with_name("schemathesis.toml")


def _bin(name: str) -> list[str]:
    exe = shutil.which(name, path=str(Path(sys.executable).parent))
    assert exe, f"{name} is not installed in this environment (pip install -e '.[dev]')"
    return [exe]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("schemathesis")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("STRATFORGE_", "OPENAI_", "ANTHROPIC_", "ALPACA_", "APCA_"))}
    env.pop("DATABASE_URL", None)
    env.update(STRATFORGE_HOME=str(tmp / "home"), STRATFORGE_GENERATED_DIR=str(tmp / "gen"),
               STRATFORGE_SMOKE_BACKTEST_DAYS="30", STRATFORGE_TEARSHEET="false",
               STRATFORGE_SCHEDULER_ENABLED="false", STRATFORGE_BACKTEST_TIMEOUT_S="120")
    subprocess.run([*_bin("stratforge"), "data", "sample", "--json"], env=env, check=True,
                   capture_output=True, timeout=120)
    port = _free_port()
    log = tmp / "server.log"
    with open(log, "wb") as sink:
        proc = subprocess.Popen([*_bin("stratforge"), "serve", "--port", str(port)], env=env,
                                stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()[-4000:]
            time.sleep(0.2)
        # one strategy first: the workers are up, and the stateful phase has one to reach
        created = httpx.post(f"{base}/strategies", timeout=300, json={
            "text": "Buy SPY when the 50-day SMA crosses above the 200-day SMA and sell when "
                    "it crosses back below"})
        assert created.status_code == 201, created.text
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        # generated POST /deployments start a supervisor (and bots), which outlive the server
        # by design; stop them with the server
        from core.config import Settings
        from core.db import dispose_engines
        from runtime.bots.controls import shutdown_all_bots

        shutdown_all_bots(Settings(home=tmp / "home", generated_dir=tmp / "gen"))
        dispose_engines()
        lines = log.read_text(errors="replace").splitlines()
        errors = [i for i, line in enumerate(lines) if "unhandled error" in line]
        # each error's line, and the traceback under the first: what a reader needs to fix it
        assert not errors, "the server logged unhandled errors:\n" + "\n".join(
            [lines[i] for i in errors[:20]] + lines[errors[0] + 1:errors[0] + 60])


# Schemathesis runs through this launcher: its two worker threads may not call `ast.parse`
# at once (CPython 3.11's race, python/cpython#106905, crashed the tool in CI twice in a row).
LAUNCHER = Path(__file__).with_name("st_serial_ast.py")
# Schemathesis' own engine failing (its "Test Execution Error"), not a check on our answers:
# run again once. A second crash, or any failed check, still fails the test.
ENGINE_ERROR = "An internal error occurred during the test run"


def _findings(output: str) -> str:
    """What a failed run found, first: its failures and errors (each operation, the request
    and its reproduction), then its summary. The warnings between them can run to pages and
    would push the failures out of a CI log's tail."""
    lines = output.splitlines()
    heads = [i for i, line in enumerate(lines) if line.startswith("=") and line.endswith("=")]
    kept: list[str] = []
    for n, i in enumerate(heads):
        if any(name in lines[i] for name in (" FAILURES ", " ERRORS ")):
            kept += lines[i:heads[n + 1] if n + 1 < len(heads) else None]
    summary = output[output.rfind("SUMMARY"):]
    return "\n".join(kept)[:16000] + "\n...\n" + summary


def _schemathesis(base: str, *args: str) -> None:
    for _attempt in range(2):
        result = subprocess.run(
            [sys.executable, str(LAUNCHER), "--no-color", "--config-file", str(CONFIG), "run",
             f"{base}/openapi.json", "--checks", "all", "--workers", "2",
             "--request-timeout", "120", "--max-failures", "50", *args],
            capture_output=True, text=True, timeout=3000,
        )
        summary = result.stdout[result.stdout.rfind("SUMMARY"):]
        crashed = ENGINE_ERROR in result.stdout
        if result.returncode == 0 or not crashed or "Failures:" in summary:
            break
    assert result.returncode == 0, _findings(result.stdout) + result.stderr[-4000:]
    for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):  # every phase ran and held
        assert f"✅ {phase}" in summary, summary


def test_every_operation_holds_against_generated_requests(live_server: str) -> None:
    _schemathesis(live_server, "--max-examples", "4", "--seed", "17")


# The deeper run's seed: fixed, so that CI judges the same requests each time and a failure
# can be replayed (`st run ... --seed N`); STRATFORGE_SCHEMATHESIS_SEED=random explores anew.
# (A random seed once failed CI with one "schema-valid request rejected" whose operation the
# log had cut off; dozens of runs since, random and fixed, have not shown it again.)
DEEP_SEED = os.environ.get("STRATFORGE_SCHEMATHESIS_SEED", "29")


@pytest.mark.slow
def test_every_operation_holds_deeper(live_server: str) -> None:
    seed = [] if DEEP_SEED == "random" else ["--seed", DEEP_SEED]
    _schemathesis(live_server, "--max-examples", "40", *seed)
