"""Running one backtest in tests the way stratforge runs every backtest: a job on a warm pool
(here of one worker), plus a fresh `python -m runtime.backtest_worker` process to compare with."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from runtime.backtest import BacktestRequest, WorkerOutcome, worker_environment
from runtime.executors import BacktestJob, JobResult, LocalPoolExecutor


class _One:
    def __init__(self, on_start: Callable[[int], None] | None,
                 on_progress: Callable[[float, str | None], None] | None) -> None:
        self.on_start, self.on_progress = on_start, on_progress
        self.result: JobResult | None = None
        self.lock = threading.Lock()

    def started(self, job: BacktestJob, worker_pid: int | None, attempt: int) -> None:
        if self.on_start is not None and worker_pid is not None:
            self.on_start(worker_pid)

    def progress(self, job: BacktestJob, fraction: float) -> None:
        if self.on_progress is not None:
            self.on_progress(fraction, None)

    def finished(self, job: BacktestJob, result: JobResult) -> None:
        with self.lock:
            self.result = result

    def cancelled(self) -> bool:
        return False


def run_on_pool(
    request: BacktestRequest,
    run_dir: Path,
    cache_dir: Path,
    *,
    timeout_s: float = 300,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[float, str | None], None] | None = None,
) -> WorkerOutcome:
    """One job, not retried when its worker dies (as a single run)."""
    pool = LocalPoolExecutor(run_dir.parent / f"pool_{run_dir.name}", cache_dir, workers=1)
    events = _One(on_start, on_progress)
    try:
        pool.execute([BacktestJob(1, request, run_dir, timeout_s, max_attempts=1)], events)
    finally:
        pool.close()
    assert events.result is not None, "the executor never ended the job"
    return events.result.outcome


def run_fresh(request: BacktestRequest, run_dir: Path, cache_dir: Path) -> WorkerOutcome:
    """The same request in a fresh worker process of its own (no pool)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "request.json").write_text(request.model_dump_json(), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "runtime.backtest_worker", str(run_dir)],
                          env=worker_environment(run_dir, cache_dir), cwd=run_dir,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        error = json.loads((run_dir / "error.json").read_text())
        return WorkerOutcome(False, error=error["message"], traceback=error.get("traceback"))
    return WorkerOutcome(True, result=json.loads((run_dir / "result.json").read_text()))


def wait_run(client: Any, run_id: int, timeout: float = 600) -> dict[str, Any]:
    """Poll `GET /backtests/{id}` through a TestClient until the run has ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(f"/backtests/{run_id}").json()
        if body["status"] in ("succeeded", "failed"):
            return body
        time.sleep(0.25)
    raise AssertionError("the backtest did not finish")
