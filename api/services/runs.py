"""The one way a backtest runs, and the one place its outcome is recorded.

Every backtest — a single run, each run of a batch, the validation gate's smoke backtest and
look-ahead probe — is a `BacktestJob` handed to the process's executor (warm local pool by
default, Ray when configured; `runtime.executors`). `RunRecorder` turns the executor's reports
into `BacktestRun` rows (started, progress, succeeded / failed / cancelled) and, at start-up,
ends runs a stopped process left behind (`recover_interrupted`), killing their workers first.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from api.services.agent_decisions import DecisionService, agent_metrics
from api.services.context import AppContext
from core.logging import get_logger
from core.models import BacktestRun, NotifyEvent, RunStatus, StrategyVersion
from runtime.backtest import BacktestRequest, WorkerOutcome
from runtime.executors import (
    MAX_ATTEMPTS,
    BacktestJob,
    Executor,
    JobEvents,
    JobResult,
    WarmWorker,
    make_executor,
)
from runtime.executors.admission import Ticket, WorkGate
from runtime.executors.base import POOL_MODULE
from runtime.notifications.outbox import notify
from runtime.processes import is_our_process

log = get_logger(__name__)

INTERRUPTED = "interrupted: the server stopped before the run finished"

# the admission the current thread holds (its nested run_jobs use it instead of asking again)
_HELD: ContextVar[Ticket | None] = ContextVar("stratforge_admission", default=None)


class BacktestRunner:
    """Owns the executor of this process (started on first use, shared by every caller) and its
    admission: at most the executor's workers run at once and `STRATFORGE_MAX_QUEUED_BACKTESTS`
    jobs wait for them. Past that a request is refused (`ServerBusy`, the server's way) or waits
    (`wait_when_busy`, the CLI's way)."""

    def __init__(self, ctx: AppContext, started: list[WarmWorker] | None = None) -> None:
        """`started`: pool workers the process launched before it got here (the CLI does)."""
        self.ctx = ctx
        self._executor: Executor | None = None
        self._lock = threading.Lock()
        self._started = list(started or [])
        self.gate = WorkGate(ctx.settings.executor.pool_size, ctx.settings.max_queued_backtests)
        self._on_busy: Callable[[int], None] | None = None
        self._wait_when_busy = False

    def wait_when_busy(self, on_wait: Callable[[int], None] | None = None) -> None:
        """Wait for room instead of refusing; `on_wait(jobs_ahead)` is told once per wait."""
        self._wait_when_busy = True
        self._on_busy = on_wait

    @contextmanager
    def admitted(self, jobs: int, *, wait: bool | None = None) -> Iterator[Ticket]:
        """Hold admission for `jobs` jobs while the block runs (a no-op inside a block that
        already holds one). `wait`: None follows the runner's policy."""
        held = _HELD.get()
        if held is not None and not held.released:
            yield held
            return
        must_wait = self._wait_when_busy if wait is None else wait
        ticket = self.gate.admit(jobs, wait=must_wait, on_wait=self._on_busy)
        with self.holding(ticket):
            yield ticket

    @contextmanager
    def holding(self, ticket: Ticket) -> Iterator[Ticket]:
        """Run the block under an admission taken elsewhere (another thread); releases it."""
        token = _HELD.set(ticket)
        try:
            yield ticket
        finally:
            _HELD.reset(token)
            ticket.release()

    def admit(self, jobs: int) -> Ticket:
        """An admission to hand to another thread (`holding`), by the runner's policy."""
        return self.gate.admit(jobs, wait=self._wait_when_busy, on_wait=self._on_busy)

    def executor(self) -> Executor:
        with self._lock:
            if self._executor is None:
                self._executor = make_executor(self.ctx.settings, started=self._started)
                self._started = []
                log.info("backtest executor started", extra={"executor": self._executor.name})
            return self._executor

    def warm_in_background(self) -> None:
        """Start the executor and its workers now, without waiting for them."""
        def warm() -> None:
            try:
                executor = self.executor()
                warm_up = getattr(executor, "warm", None)  # the local pool's; Ray has none
                if warm_up is not None:
                    warm_up()
            except Exception:
                log.exception("the backtest workers could not be started ahead of use")

        threading.Thread(target=warm, name="warm-workers", daemon=True).start()

    @property
    def executor_name(self) -> str:
        return self.ctx.settings.executor.kind

    def executor_state(self) -> tuple[str, bool]:
        """(kind, started) of this process's executor, for the health report."""
        return self.executor_name, self._executor is not None

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.close()

    def job(
        self,
        run_id: int,
        request: BacktestRequest,
        run_dir: Path,
        attempts: int = 0,
        *,
        retry_dead_worker: bool = True,
    ) -> BacktestJob:
        """A job for the executor. Batch runs are retried once when their worker dies; a
        single run is not (its user sees the failure at once and decides)."""
        return BacktestJob(
            run_id=run_id,
            request=request,
            run_dir=run_dir,
            timeout_s=self.ctx.settings.backtest_timeout_s,
            attempts=attempts,
            max_attempts=MAX_ATTEMPTS if retry_dead_worker else attempts + 1,
        )

    def run_jobs(self, jobs: list[BacktestJob], events: JobEvents) -> None:
        """Run `jobs` to their ends, reporting through `events`. Under the admission the
        caller holds, else one waited for (a batch waits its turn; the executor runs at most
        its workers' worth of a batch at once, so that much is admitted)."""
        if not jobs:
            return
        with self.admitted(min(len(jobs), self.gate.slots), wait=True):
            self.executor().execute(jobs, events)

    def run_unrecorded(self, requests: list[tuple[BacktestRequest, Path]]) -> list[WorkerOutcome]:
        """Run requests that have no run row (the validation gate's checks), side by side."""
        collector = _Collector()
        jobs = [
            self.job(-(i + 1), request, run_dir) for i, (request, run_dir) in enumerate(requests)
        ]
        self.run_jobs(jobs, collector)
        return [collector.outcome(job.run_id) for job in jobs]


class _Collector:
    """JobEvents that only keep each job's outcome."""

    def __init__(self) -> None:
        self._results: dict[int, WorkerOutcome] = {}
        self._lock = threading.Lock()

    def started(self, job: BacktestJob, worker_pid: int | None, attempt: int) -> None:
        return None

    def progress(self, job: BacktestJob, fraction: float) -> None:
        return None

    def finished(self, job: BacktestJob, result: JobResult) -> None:
        with self._lock:
            self._results[job.run_id] = result.outcome

    def cancelled(self) -> bool:
        return False

    def outcome(self, job_id: int) -> WorkerOutcome:
        with self._lock:
            return self._results.get(job_id) or WorkerOutcome(False, error="the job never ended")


@dataclass(frozen=True)
class Recovery:
    """What start-up recovery did: runs marked failed, orphaned workers killed."""

    failed: int
    workers_killed: int


class RunRecorder:
    """Writes what happens to a run onto its row; the only writer of run outcomes."""

    def __init__(self, ctx: AppContext, decisions: DecisionService | None = None) -> None:
        """`decisions`: serves agent strategies' runs (api.services.agent_decisions)."""
        self.ctx = ctx
        self.decisions = decisions

    def update(self, run_id: int, **fields: Any) -> None:
        with self.ctx.session() as db:
            run = db.get(BacktestRun, run_id)
            if run is None:
                return
            for key, value in fields.items():
                setattr(run, key, value)
            db.add(run)
            db.commit()

    def worker_request(self, run: BacktestRun, version: StrategyVersion) -> BacktestRequest:
        """What a worker needs to run a recorded BacktestRun (its config as stored). The
        tearsheet is never made in the worker: it is rendered after the run, on request."""
        cfg = dict(run.config)
        channel = self.decisions.open_run(run, version) if self.decisions is not None else None
        return BacktestRequest(
            code_path=str(self.ctx.code.absolute(version.code_path)),
            sha256=version.sha256,
            class_name=version.class_name,
            data_symbols=cfg["data_symbols"],
            start=cfg["start"],
            end=cfg["end"],
            cash=cfg["cash"],
            benchmark=cfg.get("benchmark"),
            fee_pct=cfg.get("fee_pct", 0.0),
            slippage_per_share=cfg.get("slippage_per_share", 0.0),
            parameters=cfg.get("parameters") or {},
            warmup_bars=cfg.get("warmup_bars", 0),
            risk_free_rate=self.ctx.settings.risk_free_rate,
            tearsheet=False,
            market_data_dir=str(self.ctx.market.root),
            decision_channel=channel,
            dividends=cfg.get("dividends"),
            positions=cfg.get("positions") or {},
        )

    def run_dir(self, run: BacktestRun) -> Path:
        return Path(run.artifacts_dir or self.ctx.settings.runs_dir / f"run_{run.id}")

    def started(self, run_id: int, worker_pid: int | None, attempt: int) -> None:
        self.update(
            run_id,
            status=RunStatus.running.value,
            started_at=datetime.now(UTC),
            worker_pid=worker_pid,
            attempts=attempt - 1,
            error=None,
        )

    def finished(self, job: BacktestJob, result: JobResult) -> None:
        outcome = result.outcome
        finished = datetime.now(UTC)
        agent = self.decisions.close_run(job.run_id) if self.decisions is not None else None
        if agent is not None and result.end == "succeeded":
            outcome.result["agent"] = agent
            outcome.result["metrics"] = {**outcome.result["metrics"], **agent_metrics(agent)}
        if result.end == "succeeded":
            (job.run_dir / "summary.json").write_text(
                json.dumps(outcome.result, indent=2, default=str)
            )
            resolved = {}
            if outcome.result.get("dividends"):  # the mode the worker used, for every face
                resolved["config"] = {
                    **self._config(job.run_id), "dividends": outcome.result["dividends"]
                }
            self.update(
                job.run_id,
                **resolved,
                status=RunStatus.succeeded.value,
                progress=1.0,
                metrics=outcome.result["metrics"],
                benchmark_metrics=outcome.result.get("benchmark") or None,
                error=None,
                traceback=None,
                finished_at=finished,
                duration_s=outcome.duration_s,
                worker_pid=None,
                attempts=result.attempts,
            )
        else:
            self.update(
                job.run_id,
                status=RunStatus(result.end).value,
                error=outcome.error,
                traceback=outcome.traceback,
                finished_at=finished,
                duration_s=outcome.duration_s,
                worker_pid=None,
                attempts=result.attempts,
            )
            if result.end == RunStatus.failed.value:
                self.tell_failed(job.run_id, outcome.error or "failed")
        log.info(
            "backtest %s",
            result.end,
            extra={
                "run": job.run_id,
                "attempts": result.attempts,
                "duration_s": round(outcome.duration_s, 2),
                "error": outcome.error,
            },
        )

    def _config(self, run_id: int) -> dict[str, Any]:
        with self.ctx.session() as db:
            run = db.get(BacktestRun, run_id)
            return dict(run.config) if run is not None else {}

    def fail(self, run_id: int, error: str) -> None:
        self.update(
            run_id,
            status=RunStatus.failed.value,
            error=error,
            finished_at=datetime.now(UTC),
            worker_pid=None,
        )
        self.tell_failed(run_id, error)

    def tell_failed(self, run_id: int, error: str) -> None:
        """Queue a `backtest_failed` notification for a single run (a batch's runs are told
        of once, when their batch finishes)."""
        with self.ctx.session() as db:
            run = db.get(BacktestRun, run_id)
            if run is None or run.batch_id is not None:
                return
            notify(db, run.owner_id, NotifyEvent.backtest_failed,
                   f"Backtest {run_id} failed", error[:2000],
                   {"run": run_id, "strategy": run.strategy_id})
            db.commit()

    def recover_interrupted(self) -> Recovery:
        """On start-up: runs left queued/running by a previous process end as failed
        (`INTERRUPTED`); their workers, if still alive, are killed first so they cannot write
        into folders a resumed run reuses. Unfinished batches requeue theirs afterwards."""
        count = killed = 0
        with self.ctx.session() as db:
            rows = db.exec(
                select(BacktestRun).where(
                    col(BacktestRun.status).in_([RunStatus.queued.value, RunStatus.running.value])
                )
            ).all()
            for run in rows:
                if run.worker_pid and is_our_process(run.worker_pid, POOL_MODULE):
                    try:
                        os.killpg(run.worker_pid, signal.SIGKILL)
                        killed += 1
                    except (ProcessLookupError, PermissionError):
                        pass
                run.status = RunStatus.failed.value
                run.error = INTERRUPTED
                run.finished_at = datetime.now(UTC)
                run.worker_pid = None
                db.add(run)
                count += 1
            db.commit()
        if count:
            log.warning("interrupted backtest runs marked failed",
                        extra={"count": count, "workers_killed": killed})
        return Recovery(failed=count, workers_killed=killed)


class RunEvents:
    """Executor reports → run rows, for the runs of one caller (a single run or a batch).

    `should_cancel` is polled at most every 0.3 s; progress is written at most once a second
    per run (and handed to `on_progress`, e.g. the CLI's progress bar)."""

    def __init__(
        self,
        recorder: RunRecorder,
        *,
        should_cancel: Callable[[], bool] | None = None,
        on_progress: Callable[[int, float], None] | None = None,
    ) -> None:
        self.recorder = recorder
        self._should_cancel = should_cancel
        self._on_progress = on_progress
        self._cancel_checked = 0.0
        self._cancel = False
        self._lock = threading.Lock()
        self._progress_at: dict[int, float] = {}

    def started(self, job: BacktestJob, worker_pid: int | None, attempt: int) -> None:
        self.recorder.started(job.run_id, worker_pid, attempt)

    def progress(self, job: BacktestJob, fraction: float) -> None:
        if self._on_progress is not None:
            self._on_progress(job.run_id, fraction)
        now = time.monotonic()
        if now - self._progress_at.get(job.run_id, 0.0) >= 1.0:
            self._progress_at[job.run_id] = now
            self.recorder.update(job.run_id, progress=round(fraction, 4))

    def finished(self, job: BacktestJob, result: JobResult) -> None:
        self.recorder.finished(job, result)

    def cancelled(self) -> bool:
        if self._should_cancel is None:
            return False
        with self._lock:
            now = time.monotonic()
            if not self._cancel and now - self._cancel_checked > 0.3:
                self._cancel_checked = now
                self._cancel = self._should_cancel()
            return self._cancel
