"""What clients (the API service, the CLI, tests, benchmarks) call to run the supervisor.

The supervisor of a data directory is a detached process (`python -m runtime.bots.supervisor`),
so bots keep running when the API server or the CLI exits. This module owns where its files
are (`supervisor.lock`, `supervisor.json`, `supervisor.log`, the deployments' folders) and the
calls: `ensure_supervisor` (start it unless it runs), `supervisor_status`, `stop_supervisor`
(bots keep running and the next supervisor adopts them) and `shutdown_all_bots`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from core.config import PROJECT_ROOT, Settings
from core.db import get_engine
from core.models import Deployment
from runtime.processes import ProcessHandle, pid_alive

SUPERVISOR_MODULE = "runtime.bots.supervisor"
LOCK_FILE = "supervisor.lock"
STATUS_FILE = "supervisor.json"
LOG_FILE = "supervisor.log"


def deployments_dir(settings: Settings) -> Path:
    return settings.home / "deployments"


def deployment_folder(settings: Settings, deployment_id: int) -> Path:
    """One deployment's folder: config.json, events.jsonl, heartbeat.json and its logs."""
    return deployments_dir(settings) / str(deployment_id)


def supervisor_status(settings: Settings) -> dict[str, Any] | None:
    """{pid, pid_start, started} of the running supervisor of this data directory, else None."""
    path = settings.home / STATUS_FILE
    try:
        status = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(status, dict):
        return None
    if not pid_alive(int(status.get("pid", 0)), status.get("pid_start")):
        return None
    return dict(status)


def ensure_supervisor(settings: Settings, timeout_s: float = 30.0,
                      module: str = SUPERVISOR_MODULE) -> dict[str, Any]:
    """Start the supervisor of this data directory unless it runs, else wake it (callers have
    just changed a deployment: it acts now rather than at its next poll); returns its status.
    `module`: what to run (`python -m MODULE`); the application passes its entry point, which
    composes the supervisor with the decision host of agent bots."""
    status = supervisor_status(settings)
    if status is not None:
        wake = status.get("wake_signal")  # a supervisor without a handler is left alone
        if isinstance(wake, str) and wake in signal.Signals.__members__:
            with contextlib.suppress(OSError):
                os.kill(int(status["pid"]), signal.Signals[wake])
        return status
    settings.home.mkdir(parents=True, exist_ok=True)
    # The supervisor is trusted (it opens the database and decrypts broker keys): it inherits
    # this environment; only the bots it starts are sandboxed.
    env = dict(os.environ)
    env["STRATFORGE_HOME"] = str(settings.home)
    env.setdefault("PYTHONPATH", str(PROJECT_ROOT))
    if settings.market_dir is not None:
        env["STRATFORGE_MARKET_DIR"] = str(settings.market_dir)
    if settings.generated_dir is not None:
        env["STRATFORGE_GENERATED_DIR"] = str(settings.generated_dir)
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    with open(settings.home / LOG_FILE, "ab") as out:
        subprocess.Popen(
            [sys.executable, "-m", module],
            cwd=settings.home,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = supervisor_status(settings)
        if status is not None:
            return status
        time.sleep(0.05)
    raise TimeoutError(f"the supervisor did not start; see {settings.home / LOG_FILE}")


def stop_supervisor(settings: Settings, timeout_s: float = 30.0) -> bool:
    """Stop the supervisor (bots keep running and are adopted by the next one)."""
    status = supervisor_status(settings)
    if status is None:
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(int(status["pid"]), signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and supervisor_status(settings) is not None:
        time.sleep(0.05)
    return True


def shutdown_all_bots(settings: Settings, grace_s: float = 10.0) -> None:
    """Stop the supervisor, then every bot it left running: SIGTERM (they cancel their open
    orders), SIGKILL after `grace_s`. For tests, benchmarks and uninstalling."""
    stop_supervisor(settings)
    with Session(get_engine(settings)) as db:
        rows = db.exec(select(Deployment).where(col(Deployment.pid).is_not(None))).all()
        procs = [ProcessHandle(d.pid or 0, d.pid_start) for d in rows]
    live = [p for p in procs if p.alive()]
    for proc in live:
        proc.signal(signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and any(p.alive() for p in live):
        time.sleep(0.05)
    for proc in live:
        proc.signal(signal.SIGKILL)
