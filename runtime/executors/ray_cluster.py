"""The Ray executor: the same jobs as Ray tasks on the cluster named by `RAY_ADDRESS` (or
`STRATFORGE_BATCH_RAY_ADDRESS`). The market data the jobs need is put in Ray's object store once
per `execute`; each task runs the backtest in a scratch folder on its node and returns the
result and artifact files, which the coordinator writes into the run's folder.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.config import PROJECT_ROOT
from runtime.backtest import BacktestRequest, WorkerOutcome, worker_environment
from runtime.executors.base import ARTIFACT_FILES, BacktestJob, JobEvents, JobResult


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
    from runtime.lumibot_hooks import set_market_input_evidence
    from runtime.pool_worker import job_scope

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
    answer: dict[str, Any]
    scrubbed = worker_environment(run_dir, scratch_root / "cache")
    scrubbed.update({k: v for k, v in os.environ.items() if _ray_env_keep(k)})
    scrubbed["PYTHONPATH"] = str(PROJECT_ROOT)
    try:
        with job_scope(run_dir, scrubbed):  # Ray reuses the process: put everything back
            result = backtest_worker.run(run_dir)
        answer = {"ok": True, "result": result}
    except Exception as exc:
        answer = {
            "ok": False,
            "error": f"{type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(),
        }
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


