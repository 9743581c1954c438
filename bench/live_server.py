"""`stratforge serve` on a free loopback port with a temporary STRATFORGE_HOME, for the
benchmarks that talk HTTP (`api_load.py`, `list_strategies.py`)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "daily"


@dataclass(frozen=True)
class LiveServer:
    base: str
    pid: int
    env: dict[str, str]
    tmp: Path


def _cli() -> list[str]:
    exe = shutil.which("stratforge", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "api.cli"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(*, shared: bool = False, **extra_env: str) -> Iterator[LiveServer]:
    """A server holding the sample market (or the shared bars), stopped and removed after."""
    tmp = Path(tempfile.mkdtemp(prefix="sf_bench_"))
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("STRATFORGE_", "OPENAI_", "ANTHROPIC_", "ALPACA_"))}
    env.pop("DATABASE_URL", None)
    env.update(STRATFORGE_HOME=str(tmp / "home"), STRATFORGE_GENERATED_DIR=str(tmp / "gen"),
               STRATFORGE_TEARSHEET="false", STRATFORGE_LOG_LEVEL="WARNING", **extra_env)
    data = ["data", "import", str(SHARED)] if shared else ["data", "sample"]
    subprocess.run([*_cli(), *data, "--json"], env=env, check=True, capture_output=True,
                   timeout=300)
    port = _free_port()
    with open(tmp / "server.log", "wb") as server_log:
        server = subprocess.Popen([*_cli(), "serve", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=server_log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start; see " + str(tmp / "server.log"))
            time.sleep(0.2)
        yield LiveServer(base=base, pid=server.pid, env=env, tmp=tmp)
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(tmp, ignore_errors=True)
