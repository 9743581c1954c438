"""The local pool (the default executor): warm `runtime.pool_worker` processes that import
Lumibot once and run many backtests each, one at a time, `workers` of them (the machine's cores
by default). A worker that dies mid-run is replaced and its run retried when the job allows it;
a run that times out or is cancelled has its worker killed (and replaced).
"""

from __future__ import annotations

import json
import os
import queue
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.logging import get_logger
from runtime.backtest import WorkerOutcome, log_tail, read_json, worker_environment
from runtime.executors.base import (
    POOL_MODULE,
    BacktestJob,
    JobEvents,
    JobResult,
    RunEnd,
    prepare_run_dir,
)
from runtime.processes import memory_limit

log = get_logger(__name__)


class WorkerDied(Exception):
    """The pool process ended (or stopped answering) while it held a job."""


class WarmWorker:
    """One long-lived `runtime.pool_worker` process and its pipes."""

    def __init__(
        self,
        pool_dir: Path,
        cache_dir: Path,
        memory_mb: int,
        index: int,
        input_evidence: bool = False,
    ) -> None:
        self.home = pool_dir / f"worker_{index}"
        self.home.mkdir(parents=True, exist_ok=True)
        self.log_path = self.home / "worker.log"
        log_file = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", POOL_MODULE,
                 *(["--keep-input-evidence"] if input_evidence else [])],
                cwd=self.home,
                env=worker_environment(self.home, cache_dir),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log_file,
                start_new_session=True,
                preexec_fn=memory_limit(memory_mb),
            )
        finally:
            log_file.close()
        self._buffer = b""
        self._selector = selectors.DefaultSelector()
        assert self.proc.stdout is not None
        os.set_blocking(self.proc.stdout.fileno(), False)
        self._selector.register(self.proc.stdout, selectors.EVENT_READ)
        self.import_s: float | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def _read_line(self, timeout_s: float) -> dict[str, Any] | None:
        """The next protocol line, or None after `timeout_s`; raises WorkerDied at EOF."""
        if b"\n" not in self._buffer and self._selector.select(timeout_s):
            assert self.proc.stdout is not None
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise WorkerDied(self._death_message())
            self._buffer += chunk
        if b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            return dict(json.loads(line))
        if self.proc.poll() is not None:
            raise WorkerDied(self._death_message())
        return None

    def _death_message(self) -> str:
        code = self.proc.wait()
        if code < 0:
            known = -code in signal.Signals._value2member_map_
            name = signal.Signals(-code).name if known else str(-code)
            return f"pool worker {self.pid} was killed by signal {name}"
        return f"pool worker {self.pid} exited with code {code}"

    def wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            line = self._read_line(0.2)
            if line is not None and "ready" in line:
                self.import_s = float(line.get("import_s", 0.0))
                return
        self.kill()
        raise WorkerDied(f"pool worker {self.pid} did not start in {timeout_s:.0f} s")

    def run(
        self,
        job: BacktestJob,
        *,
        should_cancel: Callable[[], bool],
        on_progress: Callable[[float], None],
    ) -> WorkerOutcome:
        """Run one job; raises WorkerDied when the process ended before answering."""
        prepare_run_dir(job.request, job.run_dir)
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write((json.dumps({"run_dir": str(job.run_dir)}) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise WorkerDied(self._death_message()) from exc
        started = time.monotonic()
        last_fraction = -1.0
        while True:
            answer = self._read_line(0.1)
            elapsed = time.monotonic() - started
            if answer is not None:
                return _outcome_from_files(job.run_dir, bool(answer.get("ok")), elapsed)
            progress = read_json(job.run_dir / "progress.json")
            if progress and float(progress.get("fraction", 0)) != last_fraction:
                last_fraction = float(progress.get("fraction", 0))
                on_progress(last_fraction)
            if elapsed > job.timeout_s:
                self.kill()
                return WorkerOutcome(
                    False, error=f"backtest timed out after {job.timeout_s:.0f} s",
                    duration_s=elapsed,
                )
            if should_cancel():
                self.kill()
                return WorkerOutcome(False, error="backtest cancelled", duration_s=elapsed)

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.close_pipes()

    def close_pipes(self) -> None:
        try:
            self._selector.close()
        except Exception:
            pass
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:
                    pass

    def stop(self, timeout_s: float = 5.0) -> None:
        """Close its stdin (it exits after the current job) and wait; kill if it lingers."""
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
            self.proc.wait(timeout=timeout_s)
        except (subprocess.TimeoutExpired, OSError):
            pass
        self.kill()


def _outcome_from_files(run_dir: Path, ok: bool, elapsed: float) -> WorkerOutcome:
    if ok:
        result = read_json(run_dir / "result.json")
        if result is not None:
            return WorkerOutcome(True, result=result, returncode=0, duration_s=elapsed)
        return WorkerOutcome(False, error="worker answered without a result", duration_s=elapsed)
    error = read_json(run_dir / "error.json") or {}
    return WorkerOutcome(
        False,
        error=error.get("message") or "backtest failed",
        traceback=error.get("traceback"),
        returncode=1,
        duration_s=elapsed,
    )


class LocalPoolExecutor:
    """Warm worker processes shared by every batch of this process (started on first use)."""

    name = "local"

    def __init__(
        self,
        pool_dir: Path,
        cache_dir: Path,
        *,
        workers: int,
        memory_mb: int = 4096,
        start_timeout_s: float = 120.0,
        input_evidence: bool = False,
        started: list[WarmWorker] | None = None,
    ) -> None:
        """`started`: worker processes already launched for this pool (the CLI starts one
        before its own imports); they are adopted and waited for on first use."""
        self.input_evidence = input_evidence
        self.pool_dir = pool_dir
        self.cache_dir = cache_dir
        self.size = workers
        self.memory_mb = memory_mb
        self.start_timeout_s = start_timeout_s
        self._idle: queue.Queue[WarmWorker | None] = queue.Queue()
        self._all: set[WarmWorker] = set()
        self._lock = threading.Lock()
        self._started = 0
        self._launching = 0  # workers being started by a checkout (counted against the size)
        self._closed = False
        # launched but not yet waited for: the next checkouts take these before growing
        self._starting: list[WarmWorker] = []
        for worker in started or []:
            self._all.add(worker)
            self._starting.append(worker)
            self._started += 1

    # workers -------------------------------------------------------------------------------
    def _launch(self) -> WarmWorker:
        """Start a worker process (it imports Lumibot in the background) and register it."""
        with self._lock:
            index = self._started
            self._started += 1
        worker = WarmWorker(self.pool_dir, self.cache_dir, self.memory_mb, index,
                            self.input_evidence)
        with self._lock:
            self._all.add(worker)
        return worker

    def _ready(self, worker: WarmWorker) -> WarmWorker:
        worker.wait_ready(self.start_timeout_s)
        log.info("pool worker ready",
                 extra={"pid": worker.pid, "import_s": round(worker.import_s or 0, 2)})
        return worker

    def _spawn(self) -> WarmWorker:
        return self._ready(self._launch())

    def _discard(self, worker: WarmWorker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    def _checkout(self) -> WarmWorker:
        """A launched worker, an idle one, or a new one while the pool is below its size."""
        while True:
            with self._lock:
                launched = self._starting.pop(0) if self._starting else None
            if launched is None:
                break
            try:
                return self._ready(launched)
            except WorkerDied as exc:
                log.warning("a prestarted pool worker did not start", extra={"error": str(exc)})
                self._discard(launched)
        with self._lock:  # decide and reserve at once: never more processes than the size
            grow = len(self._all) + self._launching < self.size and self._idle.empty()
            if grow:
                self._launching += 1
        if grow:
            try:
                return self._spawn()
            finally:
                with self._lock:
                    self._launching -= 1
        worker = self._idle.get()
        if worker is None or not worker.alive():
            if worker is not None:
                self._discard(worker)
            return self._spawn()
        return worker

    def _checkin(self, worker: WarmWorker) -> None:
        if self._closed:
            worker.stop()
            return
        self._idle.put(worker)

    def warm(self, count: int | None = None) -> list[int]:
        """Start workers now (all of them, or up to `count`; else they start on first use);
        returns the pids of the pool's workers."""
        with self._lock:
            missing = (self.size if count is None else min(count, self.size)) - len(self._all)
        workers = [self._checkout() for _ in range(max(missing, 0))]
        for worker in workers:
            self._checkin(worker)
        with self._lock:
            return sorted(w.pid for w in self._all)

    def worker_pids(self) -> list[int]:
        with self._lock:
            return sorted(w.pid for w in self._all if w.alive())

    # running -------------------------------------------------------------------------------
    def execute(self, jobs: list[BacktestJob], events: JobEvents) -> None:
        pending: queue.Queue[BacktestJob] = queue.Queue()
        for job in jobs:
            pending.put(job)
        threads = [
            threading.Thread(target=self._drain, args=(pending, events), daemon=True,
                             name=f"pool-slot-{i}")
            for i in range(min(self.size, len(jobs)))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _drain(self, pending: queue.Queue[BacktestJob], events: JobEvents) -> None:
        while True:
            try:
                job = pending.get_nowait()
            except queue.Empty:
                return
            try:
                self._run_one(job, events)
            except Exception as exc:  # never leave a job without an end
                log.exception("the pool failed around a run", extra={"run": job.run_id})
                events.finished(
                    job,
                    JobResult("failed", WorkerOutcome(False, error=f"executor error: {exc}"),
                              job.attempts),
                )

    def _run_one(self, job: BacktestJob, events: JobEvents) -> None:
        attempts = job.attempts
        while True:
            if events.cancelled():
                events.finished(
                    job, JobResult("cancelled", WorkerOutcome(False, error="cancelled"), attempts)
                )
                return
            worker = self._checkout()
            attempts += 1
            events.started(job, worker.pid, attempts)
            try:
                outcome = worker.run(
                    job,
                    should_cancel=events.cancelled,
                    on_progress=lambda f: events.progress(job, f),
                )
            except WorkerDied as exc:
                self._discard(worker)
                tail = log_tail(worker.log_path)
                log.warning("pool worker died", extra={"run": job.run_id, "attempt": attempts,
                                                      "error": str(exc)})
                if attempts < job.max_attempts:
                    continue
                events.finished(
                    job,
                    JobResult(
                        "failed",
                        WorkerOutcome(False, error=f"{exc} (after {attempts} attempts)",
                                      traceback=tail),
                        attempts,
                        worker_died=True,
                    ),
                )
                return
            if worker.alive():
                self._checkin(worker)
            else:  # killed for a timeout or a cancel
                self._discard(worker)
            if outcome.ok:
                end: RunEnd = "succeeded"
            elif outcome.error == "backtest cancelled":
                end = "cancelled"
            else:
                end = "failed"
            events.finished(job, JobResult(end, outcome, attempts))
            return

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
        for _ in range(self.size):
            self._idle.put(None)


# -- Ray -----------------------------------------------------------------------------------------
