"""Backtests in a worker subprocess: the parent side.

`run_backtest_worker` writes the request into the run's own folder, starts
`python -m runtime.backtest_worker RUN_DIR` with a scrubbed environment (no broker or LLM keys,
Lumibot's network switches off), a memory limit and a wall-clock timeout, follows its progress
file, and returns what the worker wrote — or a failure that says why (exception with
traceback, timeout, killed by a signal). The worker process is its own session, so a timeout
or cancel kills everything it started.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from core.config import PROJECT_ROOT

WORKER_MODULE = "runtime.backtest_worker"

# Only these variables of the parent's environment reach a worker; everything else (API keys,
# DATABASE_URL, cloud credentials) stays behind.
_PASSTHROUGH = (
    "PATH",
    "LANG",
    "LC_ALL",
    "TZ",
    "SYSTEMROOT",
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "VIRTUAL_ENV",
)


class BacktestRequest(BaseModel):
    code_path: str
    sha256: str
    class_name: str
    data_symbols: list[str]
    start: date
    end: date
    cash: float = Field(default=100_000.0, gt=0)
    benchmark: str | None = None
    fee_pct: float = Field(default=0.0, ge=0, le=0.05)
    slippage_per_share: float = Field(default=0.0, ge=0, le=10)
    parameters: dict[str, Any] = Field(default_factory=dict)
    warmup_bars: int = Field(default=0, ge=0)
    risk_free_rate: float = 0.0
    tearsheet: bool = True
    market_data_dir: str
    lookahead_probe: bool = False  # alter each current-day bar the strategy is shown
    import_only: bool = False


@dataclass
class WorkerOutcome:
    ok: bool
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    traceback: str | None = None
    returncode: int | None = None
    duration_s: float = 0.0


ProgressCallback = Callable[[float, str | None], None]


def worker_environment(run_dir: Path, cache_dir: Path) -> dict[str, str]:
    env = {key: os.environ[key] for key in _PASSTHROUGH if key in os.environ}
    env.update(
        HOME=str(run_dir),
        PYTHONPATH=str(PROJECT_ROOT),
        PYTHONUNBUFFERED="1",
        PYTHONDONTWRITEBYTECODE="1",
        IS_BACKTESTING="true",
        LUMIBOT_DISABLE_DOTENV="1",
        LUMIBOT_DISABLE_UI="1",
        LUMIBOT_CACHE_FOLDER=str(cache_dir / "lumibot"),
        LUMIBOT_TRADING_DAYS_CACHE_DIR=str(cache_dir / "trading_days"),
        MPLBACKEND="Agg",
        MPLCONFIGDIR=str(cache_dir / "matplotlib"),
        XDG_CACHE_HOME=str(cache_dir),
    )
    return env


def _limit_resources(memory_mb: int) -> Callable[[], None]:
    def apply() -> None:  # runs in the child between fork and exec
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def start_worker(
    request: BacktestRequest, run_dir: Path, cache_dir: Path, memory_mb: int = 4096
) -> subprocess.Popen[bytes]:
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "request.json").write_text(request.model_dump_json(indent=2), encoding="utf-8")
    for stale in ("result.json", "error.json", "progress.json"):
        (run_dir / stale).unlink(missing_ok=True)
    log = open(run_dir / "worker.log", "wb")  # noqa: SIM115 - handed to the child
    try:
        return subprocess.Popen(
            [sys.executable, "-m", WORKER_MODULE, str(run_dir)],
            cwd=run_dir,
            env=worker_environment(run_dir, cache_dir),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_limit_resources(memory_mb) if memory_mb > 0 else None,
        )
    finally:
        log.close()


def kill_worker(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def wait_for_worker(
    proc: subprocess.Popen[bytes],
    run_dir: Path,
    *,
    timeout_s: float,
    on_progress: ProgressCallback | None = None,
    should_cancel: Callable[[], bool] | None = None,
    poll_s: float = 0.1,
) -> WorkerOutcome:
    started = time.monotonic()
    last_fraction = -1.0
    while True:
        code = proc.poll()
        if on_progress is not None:
            progress = _read_json(run_dir / "progress.json")
            if progress and progress.get("fraction", 0) != last_fraction:
                last_fraction = float(progress.get("fraction", 0))
                on_progress(last_fraction, progress.get("day"))
        if code is not None:
            break
        elapsed = time.monotonic() - started
        if elapsed > timeout_s:
            kill_worker(proc)
            return WorkerOutcome(
                False,
                error=f"backtest timed out after {timeout_s:.0f} s",
                returncode=proc.returncode,
                duration_s=elapsed,
            )
        if should_cancel is not None and should_cancel():
            kill_worker(proc)
            return WorkerOutcome(
                False, error="backtest cancelled", returncode=proc.returncode, duration_s=elapsed
            )
        time.sleep(poll_s)
    duration = time.monotonic() - started
    if code == 0:
        result = _read_json(run_dir / "result.json")
        if result is not None:
            return WorkerOutcome(True, result=result, returncode=0, duration_s=duration)
        return WorkerOutcome(
            False, error="worker exited without writing a result", returncode=0, duration_s=duration
        )
    error = _read_json(run_dir / "error.json")
    if error is not None:
        return WorkerOutcome(
            False,
            error=error.get("message"),
            traceback=error.get("traceback"),
            returncode=code,
            duration_s=duration,
        )
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else -code
        message = f"backtest worker was killed by signal {name}"
        if -code == signal.SIGKILL:
            message += " (killed from outside, or out of memory)"
    else:
        message = f"backtest worker exited with code {code}"
    tail = _log_tail(run_dir / "worker.log")
    return WorkerOutcome(False, error=message, traceback=tail, returncode=code, duration_s=duration)


def _log_tail(path: Path, lines: int = 30) -> str | None:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return "\n".join(text.splitlines()[-lines:]) or None


def run_backtest_worker(
    request: BacktestRequest,
    run_dir: Path,
    cache_dir: Path,
    *,
    timeout_s: float = 900.0,
    memory_mb: int = 4096,
    on_progress: ProgressCallback | None = None,
    on_start: Callable[[int], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> WorkerOutcome:
    proc = start_worker(request, run_dir, cache_dir, memory_mb)
    if on_start is not None:
        on_start(proc.pid)
    try:
        return wait_for_worker(
            proc, run_dir, timeout_s=timeout_s, on_progress=on_progress, should_cancel=should_cancel
        )
    except BaseException:
        kill_worker(proc)
        raise
