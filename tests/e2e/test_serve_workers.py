"""`stratforge serve --workers 2` as a user runs it: two HTTP worker processes both answer,
the background work runs once (in the serve process, before the workers), and stopping
`serve` stops every process it started."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_pid_of(connection: socket.socket, workers: list[psutil.Process],
                   port: int) -> int | None:
    """Which worker holds the server side of `connection` (by the client's port)."""
    client_port = connection.getsockname()[1]
    for worker in workers:
        for held in worker.net_connections(kind="tcp"):
            if held.laddr and held.laddr.port == port and held.raddr and \
                    held.raddr.port == client_port:
                return worker.pid
    return None


def _get_health(connection: socket.socket) -> bytes:
    connection.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = connection.recv(65536)
        assert chunk, "the connection closed before an answer"
        answer += chunk
    return answer.split(b"\r\n", 1)[0]


@pytest.mark.slow  # three Python processes importing stratforge
def test_two_workers_answer_the_background_runs_once_and_stop_with_serve(
        tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("STRATFORGE_") and k != "DATABASE_URL"}
    env.update(STRATFORGE_HOME=str(tmp_path / "home"),
               STRATFORGE_GENERATED_DIR=str(tmp_path / "generated"),
               STRATFORGE_LOG_JSON="1", STRATFORGE_BATCH_WORKERS="1", PYTHONPATH=str(ROOT),
               STRATFORGE_SUPERVISOR_AT_START="false")  # no bots here (it would outlive serve)
    port = _free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log_file:
        serve = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", "2"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log_file)
    started: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 120
        parent = psutil.Process(serve.pid)
        while True:
            assert serve.poll() is None, log_path.read_text()[-3000:]
            assert time.monotonic() < deadline, "the workers did not come up"
            workers = [p for p in parent.children() if "spawn" in " ".join(p.cmdline())]
            if len(workers) == 2 and all(_health_ok(port) for _ in range(3)):
                break
            time.sleep(0.2)
        started = [parent, *parent.children(recursive=True)]

        # both workers answer: new connections until each has served one
        served_by: set[int] = set()
        for _ in range(200):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
                assert _get_health(connection).startswith(b"HTTP/1.1 200")
                pid = _server_pid_of(connection, workers, port)
                assert pid is not None
                served_by.add(pid)
            if len(served_by) == 2:
                break
        assert served_by == {w.pid for w in workers}

        # the background work was started once, by serve itself; each worker has none
        lines = [json.loads(line) for line in log_path.read_text().splitlines()
                 if line.startswith("{")]
        owners = [line for line in lines if line.get("event", "").startswith(
            "background work started")]
        assert [line.get("pid") for line in owners] == [serve.pid]
        http_only = {line.get("pid") for line in lines
                     if line.get("event", "").startswith("HTTP worker started")}
        assert http_only == {w.pid for w in workers}
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=60)
        except subprocess.TimeoutExpired:
            serve.kill()
            raise
    assert serve.returncode == 0, log_path.read_text()[-3000:]
    assert started, log_path.read_text()[-3000:]
    deadline = time.monotonic() + 30
    while [p for p in started if _alive(p)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p.pid for p in started if _alive(p)], "serve left processes behind"


def _health_ok(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
