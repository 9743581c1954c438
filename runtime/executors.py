"""Batch executors: where the many backtests of a batch run.

* `LocalPoolExecutor` (default): a pool of warm `runtime.pool_worker` processes that import
  Lumibot once and run many backtests each, one at a time, `workers` of them (the machine's
  cores by default). A worker that dies mid-run is replaced and its run retried once; a run
  that times out or is cancelled has its worker killed (and replaced).
* `RayExecutor`: the same jobs as Ray tasks on the cluster named by `RAY_ADDRESS` (or
  `STRATFORGE_BATCH_RAY_ADDRESS`). The market data a batch needs is put in Ray's object store
  once per batch; each task runs the backtest in a scratch folder on its node and returns the
  result and artifact files, which the coordinator writes into the run's folder.

Both take a list of `BacktestJob`s and report through `JobEvents`; the batch code never knows
which one runs it. Isolation per backtest is the same everywhere: scrubbed environment, its
own folder as cwd, one backtest per process at a time, environment restored between runs.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from core.config import PROJECT_ROOT, ExecutorSettings
from runtime.backtest import (
    BacktestRequest,
    WorkerOutcome,
    _limit_resources,
    _log_tail,
    _read_json,
    worker_environment,
)

log = logging.getLogger("stratforge.executors")

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
                preexec_fn=_limit_resources(memory_mb) if memory_mb > 0 else None,
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
            progress = _read_json(job.run_dir / "progress.json")
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
        result = _read_json(run_dir / "result.json")
        if result is not None:
            return WorkerOutcome(True, result=result, returncode=0, duration_s=elapsed)
        return WorkerOutcome(False, error="worker answered without a result", duration_s=elapsed)
    error = _read_json(run_dir / "error.json") or {}
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
    ) -> None:
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
        self._closed = False

    # workers -------------------------------------------------------------------------------
    def _spawn(self) -> WarmWorker:
        with self._lock:
            index = self._started
            self._started += 1
        worker = WarmWorker(self.pool_dir, self.cache_dir, self.memory_mb, index,
                            self.input_evidence)
        with self._lock:
            self._all.add(worker)
        worker.wait_ready(self.start_timeout_s)
        log.info("pool worker %s ready (imports took %.2f s)", worker.pid, worker.import_s or 0)
        return worker

    def _discard(self, worker: WarmWorker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    def _checkout(self) -> WarmWorker:
        """An idle worker, or a new one while the pool is below its size."""
        with self._lock:
            grow = len(self._all) < self.size and self._idle.empty()
        if grow:
            return self._spawn()
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

    def warm(self) -> list[int]:
        """Start every worker now (else they start on first use); returns their pids."""
        workers = [self._checkout() for _ in range(self.size - len(self._all))]
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
                log.exception("run=%s: the pool failed around it", job.run_id)
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
                tail = _log_tail(worker.log_path)
                log.warning("run=%s attempt %d: %s", job.run_id, attempts, exc)
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
def _ray_env_keep(key: str) -> bool:
    return key.startswith("RAY_") or key in ("PATH", "PYTHONPATH", "VIRTUAL_ENV", "LANG", "TZ")


def ray_backtest_task(
    request_json: str,
    code: bytes,
    market_files: dict[str, bytes],
    market_key: str,
    input_evidence: bool = False,
) -> dict[str, Any]:
    """Body of the Ray task: one backtest in a scratch folder of the node it lands on.

    The market data arrive once per batch through the object store and are written to a
    store folder on the node once per batch; the code is written beside the run. The
    environment is scrubbed for the run and restored afterwards (Ray reuses the process)."""
    from runtime import backtest_worker
    from runtime.pool_worker import set_market_input_evidence

    set_market_input_evidence(input_evidence)  # as in the local pool's warm workers
    scratch_root = Path(tempfile.gettempdir()) / f"stratforge_ray_{os.getuid()}"
    market_dir = scratch_root / "market" / market_key
    if not (market_dir / ".complete").exists():
        tmp_dir = scratch_root / "market" / f"{market_key}.{os.getpid()}.tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        for name, data in market_files.items():
            (tmp_dir / name).write_bytes(data)
        (tmp_dir / ".complete").write_text("ok")
        try:
            os.replace(tmp_dir, market_dir)
        except OSError:  # another task on this node got there first
            shutil.rmtree(tmp_dir, ignore_errors=True)
    request = BacktestRequest.model_validate_json(request_json)
    run_dir = Path(tempfile.mkdtemp(prefix="run_", dir=scratch_root))
    (run_dir / "task.pid").write_text(str(os.getpid()))  # for operators (and fault tests)
    code_path = run_dir / "strategy_code.py"
    code_path.write_bytes(code)
    request = request.model_copy(
        update={"code_path": str(code_path), "market_data_dir": str(market_dir)}
    )
    (run_dir / "request.json").write_text(request.model_dump_json(indent=2), encoding="utf-8")
    saved_env = dict(os.environ)
    saved_cwd = os.getcwd()
    answer: dict[str, Any]
    try:
        scrubbed = worker_environment(run_dir, scratch_root / "cache")
        scrubbed.update({k: v for k, v in saved_env.items() if _ray_env_keep(k)})
        scrubbed["PYTHONPATH"] = str(PROJECT_ROOT)
        os.environ.clear()
        os.environ.update(scrubbed)
        result = backtest_worker.run(run_dir)
        answer = {"ok": True, "result": result}
    except Exception as exc:
        import traceback

        answer = {
            "ok": False,
            "error": f"{type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(),
        }
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)
        from runtime.pool_worker import _close_lumibot_file_handlers

        _close_lumibot_file_handlers()
    answer["files"] = {
        name: (run_dir / name).read_bytes()
        for name in ARTIFACT_FILES[1:]
        if (run_dir / name).exists()
    }
    answer["node"] = os.uname().nodename
    answer["pid"] = os.getpid()
    shutil.rmtree(run_dir, ignore_errors=True)
    return answer


def market_files_for(market_dir: Path, symbols: set[str]) -> dict[str, bytes]:
    """The store's files a set of symbols needs: their Parquet files and the index."""
    files = {"index.json": (market_dir / "index.json").read_bytes()}
    for symbol in sorted(symbols):
        path = market_dir / f"{symbol}.parquet"
        files[path.name] = path.read_bytes()
    return files


@dataclass
class _InFlight:
    job: BacktestJob
    started: float
    attempts: int
    ref: Any = None


@dataclass
class RayExecutor:
    """Backtests as Ray tasks; connects to `address` on first use."""

    address: str
    name: str = "ray"
    input_evidence: bool = False
    max_in_flight: int | None = None  # default: the cluster's CPUs
    _connected: bool = field(default=False, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def _connect(self) -> Any:
        import ray

        with self._lock:
            if not ray.is_initialized():
                os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
                # the nodes run stratforge's own code: install it there (as on the head)
                ray.init(address=self.address, log_to_driver=False, ignore_reinit_error=True)
            self._connected = True
        return ray

    def execute(self, jobs: list[BacktestJob], events: JobEvents) -> None:
        if not jobs:
            return
        ray = self._connect()
        remote = ray.remote(num_cpus=1)(ray_backtest_task)
        market_dir = Path(jobs[0].request.market_data_dir)
        symbols: set[str] = set()
        for job in jobs:
            symbols.update(job.request.data_symbols)
            if job.request.benchmark:
                symbols.add(job.request.benchmark)
        # once per batch: the market data in the object store, shared by every task
        market_ref = ray.put(market_files_for(market_dir, symbols))
        market_key = uuid.uuid4().hex[:16]
        codes: dict[str, Any] = {}
        limit = self.max_in_flight or max(int(ray.cluster_resources().get("CPU", 1)), 1)
        waiting = list(jobs)
        in_flight: dict[Any, _InFlight] = {}
        while waiting or in_flight:
            if events.cancelled():
                for ref, item in list(in_flight.items()):
                    ray.cancel(ref, force=True)
                    events.finished(
                        item.job,
                        JobResult("cancelled", WorkerOutcome(False, error="backtest cancelled"),
                                  item.attempts),
                    )
                for job in waiting:
                    events.finished(
                        job,
                        JobResult("cancelled", WorkerOutcome(False, error="cancelled"),
                                  job.attempts),
                    )
                return
            while waiting and len(in_flight) < limit:
                job = waiting.pop(0)
                code_path = job.request.code_path
                if code_path not in codes:
                    codes[code_path] = ray.put(Path(code_path).read_bytes())
                job.run_dir.mkdir(parents=True, exist_ok=True)
                ref = remote.options(max_retries=job.max_attempts - 1).remote(
                    job.request.model_dump_json(), codes[code_path], market_ref, market_key,
                    self.input_evidence,
                )
                in_flight[ref] = _InFlight(job, time.monotonic(), job.attempts + 1, ref)
                events.started(job, None, job.attempts + 1)
            done, _ = ray.wait(list(in_flight), num_returns=1, timeout=0.2)
            for ref in done:
                item = in_flight.pop(ref)
                self._finish(ray, item, events)
            now = time.monotonic()
            for ref, item in list(in_flight.items()):
                if now - item.started > item.job.timeout_s:
                    ray.cancel(ref, force=True)
                    in_flight.pop(ref)
                    events.finished(
                        item.job,
                        JobResult(
                            "failed",
                            WorkerOutcome(
                                False,
                                error=f"backtest timed out after {item.job.timeout_s:.0f} s",
                                duration_s=now - item.started,
                            ),
                            item.attempts,
                        ),
                    )

    def _finish(self, ray: Any, item: _InFlight, events: JobEvents) -> None:
        elapsed = time.monotonic() - item.started
        try:
            answer = ray.get(item.ref)
        except Exception as exc:  # the task's worker died twice, or the cluster went away
            events.finished(
                item.job,
                JobResult(
                    "failed",
                    WorkerOutcome(False, error=f"ray task failed: {type(exc).__name__}: {exc}",
                                  duration_s=elapsed),
                    item.job.max_attempts,
                    worker_died=True,
                ),
            )
            return
        run_dir = item.job.run_dir
        # the coordinator writes the results back into the run's own folder
        for name, data in answer.get("files", {}).items():
            (run_dir / name).write_bytes(data)
        if answer["ok"]:
            (run_dir / "result.json").write_text(
                json.dumps(answer["result"], indent=2, default=str), encoding="utf-8"
            )
            outcome = WorkerOutcome(True, result=answer["result"], returncode=0,
                                    duration_s=elapsed)
            events.finished(item.job, JobResult("succeeded", outcome, item.attempts))
        else:
            outcome = WorkerOutcome(False, error=answer["error"], traceback=answer["traceback"],
                                    returncode=1, duration_s=elapsed)
            events.finished(item.job, JobResult("failed", outcome, item.attempts))

    def close(self) -> None:
        if self._connected:
            import ray

            if ray.is_initialized():
                ray.shutdown()
            self._connected = False


def make_executor(
    settings: ExecutorSettings, *, pool_dir: Path, cache_dir: Path, memory_mb: int
) -> Executor:
    if settings.kind == "ray":
        if not settings.ray_address:
            raise ValueError("the ray executor needs RAY_ADDRESS (or STRATFORGE_BATCH_RAY_ADDRESS)")
        return RayExecutor(settings.ray_address, input_evidence=settings.input_evidence)
    return LocalPoolExecutor(
        pool_dir,
        cache_dir,
        workers=settings.pool_size,
        memory_mb=memory_mb,
        start_timeout_s=settings.worker_start_timeout_s,
        input_evidence=settings.input_evidence,
    )
