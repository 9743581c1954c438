"""What every executor shares: a `BacktestJob` in, a `JobResult` out, reports through
`JobEvents`. The code that runs backtests (single runs, batches, the validation gate) only ever
sees the `Executor` protocol, never which executor it is.

Isolation per backtest is the same everywhere: scrubbed environment, its own folder as cwd,
one backtest per process at a time, environment restored between runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from runtime.backtest import BacktestRequest, WorkerOutcome

POOL_MODULE = "runtime.pool_worker"
ARTIFACT_FILES = ("result.json", "equity.csv", "trades.json", "tearsheet.html")
MAX_ATTEMPTS = 2  # a run whose worker died is retried once


@dataclass
class BacktestJob:
    run_id: int
    request: BacktestRequest
    run_dir: Path
    timeout_s: float
    attempts: int = 0  # attempts already made (a resumed batch keeps its count)
    max_attempts: int = MAX_ATTEMPTS  # a batch run whose worker died is retried once


RunEnd = Literal["succeeded", "failed", "cancelled"]


@dataclass
class JobResult:
    end: RunEnd
    outcome: WorkerOutcome
    attempts: int
    worker_died: bool = False


class JobEvents(Protocol):
    def started(self, job: BacktestJob, worker_pid: int | None, attempt: int) -> None: ...

    def progress(self, job: BacktestJob, fraction: float) -> None: ...

    def finished(self, job: BacktestJob, result: JobResult) -> None: ...

    def cancelled(self) -> bool: ...


class Executor(Protocol):
    name: str

    def execute(self, jobs: list[BacktestJob], events: JobEvents) -> None: ...

    def close(self) -> None: ...


def prepare_run_dir(request: BacktestRequest, run_dir: Path) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "request.json").write_text(request.model_dump_json(indent=2), encoding="utf-8")
    for stale in ("result.json", "error.json", "progress.json"):
        (run_dir / stale).unlink(missing_ok=True)


# -- the local pool -------------------------------------------------------------------------------
