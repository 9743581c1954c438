"""Executors with real processes: the warm local pool (same results as fresh workers, env
restored between runs, a SIGKILLed worker's run retried once, timeouts) and the cron helpers of
the scheduler."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from backtest_support import run_fresh

from runtime.backtest import BacktestRequest
from runtime.executors import BacktestJob, JobResult, LocalPoolExecutor
from runtime.scheduler import next_occurrence, previous_occurrence, validate_cron

EXAMPLE = Path(__file__).resolve().parents[2] / "generated_strategies" / "examples"

ENV_PROBE = '''"""Reports what a pooled run sees of the environment, then leaves a mark in it."""

from __future__ import annotations

import os

from lumibot.strategies import Strategy


class EnvProbe(Strategy):
    parameters = {"symbols": ["SPY"]}

    def initialize(self) -> None:
        self.sleeptime = "1D"
        leaked = os.environ.get("SF_LEAK")
        os.environ["SF_LEAK"] = "set by an earlier run"
        if leaked is not None:
            raise RuntimeError("environment leaked from an earlier run: " + leaked)
        for key in ("OPENAI_API_KEY", "ALPACA_API_KEY", "DATABASE_URL"):
            if key in os.environ:
                raise RuntimeError(key + " reached the worker")
        if os.getcwd() != os.environ["HOME"]:
            raise RuntimeError("cwd is not the run folder")

    def on_trading_iteration(self) -> None:
        pass
'''


class Recorder:
    def __init__(self) -> None:
        self.results: dict[int, JobResult] = {}
        self.pids: dict[int, list[int | None]] = {}
        self.cancel = threading.Event()
        self.lock = threading.Lock()

    def started(self, job: BacktestJob, worker_pid: int | None, attempt: int) -> None:
        with self.lock:
            self.pids.setdefault(job.run_id, []).append(worker_pid)

    def progress(self, job: BacktestJob, fraction: float) -> None:
        pass

    def finished(self, job: BacktestJob, result: JobResult) -> None:
        with self.lock:
            self.results[job.run_id] = result

    def cancelled(self) -> bool:
        return self.cancel.is_set()


@pytest.fixture
def golden(tmp_path: Path) -> Path:
    path = tmp_path / "golden_cross.py"
    shutil.copy(EXAMPLE / "golden_cross.py", path)
    return path


def _request(code: Path, market: Path, fast: int, slow: int, start: date, end: date,
             class_name: str = "GoldenCrossSPYStrategy") -> BacktestRequest:
    return BacktestRequest(
        code_path=str(code),
        sha256=hashlib.sha256(code.read_bytes()).hexdigest(),
        class_name=class_name,
        data_symbols=["SPY"],
        start=start,
        end=end,
        benchmark="SPY",
        parameters={"fast_sma_period": fast, "slow_sma_period": slow, "history_bars": slow + 2},
        warmup_bars=slow + 2,
        tearsheet=False,
        market_data_dir=str(market),
    )


@pytest.fixture
def pool(tmp_path: Path) -> Iterator[LocalPoolExecutor]:
    executor = LocalPoolExecutor(tmp_path / "pool", tmp_path / "cache", workers=2)
    yield executor
    executor.close()


def test_pool_runs_match_fresh_workers_and_reuse_processes(
    tmp_path: Path, real_market_dir: Path, golden: Path, pool: LocalPoolExecutor
) -> None:
    combos = [(10, 40), (20, 60), (10, 40), (15, 50)]
    jobs = [
        BacktestJob(i, _request(golden, real_market_dir, f, s, date(2017, 1, 3),
                                date(2018, 12, 31)), tmp_path / f"run_{i}", 300)
        for i, (f, s) in enumerate(combos)
    ]
    events = Recorder()
    pool.execute(jobs, events)
    assert {r.end for r in events.results.values()} == {"succeeded"}
    used = {pid for pids in events.pids.values() for pid in pids}
    assert len(used) == 2  # four runs on two warm processes
    fresh = run_fresh(jobs[0].request, tmp_path / "fresh", tmp_path / "cache")
    assert fresh.ok, fresh.error
    for i in (0, 2):  # the same combination, first and later in a reused process
        pooled = events.results[i].outcome.result
        assert pooled["metrics"] == fresh.result["metrics"]
        assert pooled["fills"] == fresh.result["fills"]
    assert (tmp_path / "run_1" / "equity.csv").exists()


def test_pool_scrubs_and_restores_the_environment_between_runs(
    tmp_path: Path, real_market_dir: Path, pool: LocalPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-must-not-leak")
    monkeypatch.setenv("ALPACA_API_KEY", "must-not-leak")
    code = tmp_path / "env_probe.py"
    code.write_text(ENV_PROBE)
    pool.size = 1  # every run in the same process
    jobs = [
        BacktestJob(i, _request(code, real_market_dir, 5, 10, date(2019, 1, 2),
                                date(2019, 2, 28), class_name="EnvProbe"),
                    tmp_path / f"env_{i}", 120)
        for i in range(3)
    ]
    events = Recorder()
    pool.execute(jobs, events)
    for i in range(3):
        result = events.results[i]
        assert result.end == "succeeded", result.outcome.error
    assert len({pid for pids in events.pids.values() for pid in pids}) == 1


def _wait_for(check: Callable[[], Any], timeout: float = 120.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def test_worker_killed_mid_run_is_retried_once_on_a_new_worker(
    tmp_path: Path, real_market_dir: Path, golden: Path, pool: LocalPoolExecutor
) -> None:
    job = BacktestJob(1, _request(golden, real_market_dir, 20, 60, date(2008, 1, 2),
                                  date(2019, 12, 31)), tmp_path / "victim", 300)
    events = Recorder()
    runner = threading.Thread(target=pool.execute, args=([job], events))
    runner.start()
    pid = _wait_for(lambda: events.pids.get(1, [None])[0])
    _wait_for(lambda: (job.run_dir / "progress.json").exists())  # mid-run
    os.kill(pid, signal.SIGKILL)
    runner.join(300)
    result = events.results[1]
    assert result.end == "succeeded", result.outcome.error
    assert result.attempts == 2
    assert len(events.pids[1]) == 2 and events.pids[1][1] != pid


def _gone(pid: int) -> bool:
    try:
        return not Path(f"/proc/{pid}/cmdline").read_bytes()  # empty once it is a zombie
    except OSError:
        return True


def test_worker_killed_twice_fails_the_run_with_the_reason(
    tmp_path: Path, real_market_dir: Path, golden: Path, pool: LocalPoolExecutor
) -> None:
    job = BacktestJob(1, _request(golden, real_market_dir, 20, 60, date(2008, 1, 2),
                                  date(2019, 12, 31)), tmp_path / "victim", 300)
    events = Recorder()
    runner = threading.Thread(target=pool.execute, args=([job], events))
    runner.start()
    progress = job.run_dir / "progress.json"

    def pid_of(attempt: int) -> int | None:
        pids = events.pids.get(1, [])
        return pids[attempt - 1] if len(pids) >= attempt else None

    for attempt in (1, 2):
        pid = _wait_for(lambda n=attempt: pid_of(n))  # type: ignore[misc]
        _wait_for(progress.exists)  # this attempt is mid-run
        os.kill(pid, signal.SIGKILL)
        _wait_for(lambda p=pid: _gone(p))  # type: ignore[misc]
        progress.unlink(missing_ok=True)
    runner.join(300)
    result = events.results[1]
    assert result.end == "failed" and result.worker_died
    assert "killed by signal SIGKILL" in (result.outcome.error or "")
    assert "after 2 attempts" in (result.outcome.error or "")


def test_timeout_fails_the_run_and_the_pool_goes_on(
    tmp_path: Path, real_market_dir: Path, golden: Path, pool: LocalPoolExecutor
) -> None:
    pool.size = 1
    slow = BacktestJob(1, _request(golden, real_market_dir, 20, 60, date(2006, 1, 3),
                                   date(2019, 12, 31)), tmp_path / "slow", 1.0)
    quick = BacktestJob(2, _request(golden, real_market_dir, 5, 10, date(2019, 1, 2),
                                    date(2019, 3, 29)), tmp_path / "quick", 120)
    events = Recorder()
    pool.execute([slow, quick], events)
    assert events.results[1].end == "failed"
    assert "timed out" in (events.results[1].outcome.error or "")
    assert events.results[2].end == "succeeded"


# -- cron -----------------------------------------------------------------------------------------
def test_cron_occurrences_follow_the_time_zone_and_dst() -> None:
    validate_cron("0 22 * * 1-5", "America/New_York")
    with pytest.raises(ValueError):
        validate_cron("0 25 * * *", "UTC")
    with pytest.raises(ValueError):
        validate_cron("0 22 * * *", "Mars/Olympus")
    # 22:00 New York is 03:00 UTC in winter (EST) and 02:00 UTC in summer (EDT)
    winter = previous_occurrence("0 22 * * 1-5", "America/New_York",
                                 datetime(2026, 1, 14, 12, 0, tzinfo=UTC))
    assert winter == datetime(2026, 1, 14, 3, 0, tzinfo=UTC)  # Tuesday 13th, 22:00 EST
    summer = next_occurrence("0 22 * * 1-5", "America/New_York",
                             datetime(2026, 7, 14, 12, 0, tzinfo=UTC))
    assert summer == datetime(2026, 7, 15, 2, 0, tzinfo=UTC)
    # exactly on an occurrence: that occurrence is the latest one
    on_time = datetime(2026, 1, 14, 3, 0, tzinfo=UTC)
    assert previous_occurrence("0 22 * * 1-5", "America/New_York", on_time) == on_time


def _pool_processes(pool: LocalPoolExecutor) -> list[int]:
    """The live processes this pool started: children of this process that run in one of its
    worker homes. (Not every process whose command line names the worker module: a worker's own
    short-lived forks, before they exec, carry its command line, and another test's pool may
    still be ending under load; either made this count flaky.)"""
    import psutil

    found = []
    for child in psutil.Process().children(recursive=False):
        try:
            if Path(child.cwd()).parent == pool.pool_dir and child.status() != "zombie":
                found.append(child.pid)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def test_concurrent_checkouts_never_start_more_processes_than_the_size(
    pool: LocalPoolExecutor,
) -> None:
    """Eight callers at once on a cold pool of two: two processes, shared."""
    seen: list[int] = []
    most = 0
    start = threading.Barrier(8)

    def borrow() -> None:
        nonlocal most
        start.wait()
        worker = pool._checkout()
        seen.append(worker.pid)
        most = max(most, len(_pool_processes(pool)))
        pool._checkin(worker)

    threads = [threading.Thread(target=borrow) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert len(seen) == 8
    assert len(set(seen)) <= 2 and 1 <= most <= 2  # (1 <=: the count sees the pool's workers)
    assert len(pool.worker_pids()) <= 2


PARENT_SCRIPT = """
import sys, time
from pathlib import Path
from runtime.backtest import BacktestRequest
from runtime.executors import BacktestJob, LocalPoolExecutor

tmp = Path(sys.argv[1])
pool = LocalPoolExecutor(tmp / "pool", tmp / "cache", workers=1)
print(pool.warm()[0], flush=True)
request = BacktestRequest.model_validate_json((tmp / "request.json").read_text())


class Quiet:
    def started(self, job, pid, attempt): pass
    def progress(self, job, fraction): pass
    def finished(self, job, result): pass
    def cancelled(self): return False


pool.execute([BacktestJob(1, request, tmp / "run", 300)], Quiet())
time.sleep(600)
"""


def test_a_worker_dies_with_the_process_that_started_it(
    tmp_path: Path, real_market_dir: Path, golden: Path
) -> None:
    """kill -9 of the parent (a server) mid-backtest: its pool worker ends within a second or
    so instead of running on until the backtest's timeout."""
    import subprocess
    import sys

    request = _request(golden, real_market_dir, 20, 60, date(2006, 1, 3), date(2024, 12, 31))
    (tmp_path / "request.json").write_text(request.model_dump_json())
    parent = subprocess.Popen([sys.executable, "-c", PARENT_SCRIPT, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[2])
    worker_pid = 0
    try:
        assert parent.stdout is not None
        worker_pid = int(parent.stdout.readline())
        _wait_for(lambda: (tmp_path / "run" / "progress.json").exists())  # mid-run
        parent.kill()  # SIGKILL: nothing in the parent cleans up
        parent.wait()
        assert not _gone(worker_pid)  # the backtest was still running
        _wait_for(lambda: _gone(worker_pid), timeout=10)
        assert not (tmp_path / "run" / "result.json").exists()
    finally:
        parent.kill()
        if worker_pid and not _gone(worker_pid):
            os.kill(worker_pid, signal.SIGKILL)
