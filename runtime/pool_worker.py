"""Warm backtest worker: `python -m runtime.pool_worker`, one process of the local pool.

It imports Lumibot (and pandas, quantstats) once, then runs backtests one at a time for as
long as its parent keeps it: each job is a line `{"run_dir": ...}` on stdin; the answer is a
line `{"run_dir": ..., "ok": bool}` on the protocol pipe (the process's original stdout — fd 1
itself is pointed at stderr so that anything Lumibot prints lands in the log, never in the
protocol). Results and failures are the files `runtime.backtest_worker` writes: `result.json`
or `error.json` in the run's folder.

Isolation per job stays what a fresh worker gives: the process starts with the scrubbed
environment of `runtime.backtest.worker_environment`; every job (`job_scope`) runs with its
run folder as cwd and HOME, and the environment and cwd are put back afterwards, because Lumibot's
`run_backtest` mutates `os.environ`. One job at a time per process. Lumibot's market-input
evidence recorder is switched off (`runtime.lumibot_hooks.set_market_input_evidence`) unless
the worker is started with `--keep-input-evidence`.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from core.logging import configure_logging, get_logger
from runtime.lumibot_hooks import set_market_input_evidence

# Lumibot reads these at import time: set them before anything imports it.
os.environ.setdefault("IS_BACKTESTING", "true")
os.environ.setdefault("LUMIBOT_DISABLE_DOTENV", "1")
os.environ.setdefault("LUMIBOT_DISABLE_UI", "1")

log = get_logger(__spec__.name if __spec__ else __name__)  # run as `-m`: not "__main__"

WARM_MODULES = (
    "lumibot.backtesting",
    "lumibot.entities",
    "lumibot.strategies",
    "quantstats_lumi.stats",
    "runtime.backtest_worker",
    "runtime.metrics",
    "runtime.market_data",
    "runtime.strategy_base",
)


def warm_up() -> float:
    """Import what every backtest needs; returns the seconds it took."""
    started = time.monotonic()
    for module in WARM_MODULES:
        importlib.import_module(module)
    return time.monotonic() - started


def _close_lumibot_file_handlers() -> None:
    """Lumibot attaches a file handler per backtest (its `logfile=`); close them between jobs so
    one run's log never receives the next run's lines and file handles do not pile up."""
    for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
        if not isinstance(logger, logging.Logger):
            continue
        for handler in list(logger.handlers):
            if isinstance(handler, logging.FileHandler):
                logger.removeHandler(handler)
                handler.close()


@contextmanager
def job_scope(run_dir: Path, environment: dict[str, str] | None = None) -> Iterator[None]:
    """Around one backtest in a reused process: `environment` (if given) and the run's folder
    as HOME for the job; the process's own environment, cwd and log handlers put back after,
    because Lumibot's `run_backtest` mutates `os.environ` and attaches file handlers."""
    saved_env = dict(os.environ)
    saved_cwd = os.getcwd()
    try:
        if environment is not None:
            os.environ.clear()
            os.environ.update(environment)
        os.environ["HOME"] = str(run_dir)
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)
        _close_lumibot_file_handlers()


def run_job(run_dir: Path) -> bool:
    """One backtest in this process; `result.json` or `error.json` in its folder."""
    from runtime import backtest_worker

    try:
        with job_scope(run_dir):
            result = backtest_worker.run(run_dir)
        backtest_worker._write_json(run_dir / "result.json", result)
        return True
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        backtest_worker._write_json(
            run_dir / "error.json",
            {
                "message": f"{type(exc).__name__}: {exc}",
                "code": getattr(exc, "code", None) if not isinstance(exc, SystemExit) else "exit",
                "traceback": traceback.format_exc(),
            },
        )
        return False


def serve(jobs: TextIO, answers: TextIO, keep_input_evidence: bool = False) -> int:
    seconds = warm_up()
    set_market_input_evidence(keep_input_evidence)
    answers.write(json.dumps({"ready": os.getpid(), "import_s": seconds}) + "\n")
    answers.flush()
    for line in jobs:
        line = line.strip()
        if not line:
            continue
        job: dict[str, Any] = json.loads(line)
        run_dir = Path(job["run_dir"]).resolve()
        ok = run_job(run_dir)
        answers.write(json.dumps({"run_dir": str(run_dir), "ok": ok}) + "\n")
        answers.flush()
    return 0


PARENT_POLL_S = 0.5


def die_with_parent(parent_pid: int, poll_s: float = PARENT_POLL_S) -> threading.Thread:
    """A watchdog: when the process that started this worker is gone (even killed with -9, so
    nothing could close our pipes in time), end this worker and everything in its process
    group at once, mid-backtest included, instead of running on until the run's timeout."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(poll_s)
        log.warning("the parent process is gone; this worker stops",
                    extra={"parent": parent_pid})
        try:
            os.killpg(os.getpgid(0), signal.SIGKILL)
        finally:
            os._exit(1)

    thread = threading.Thread(target=watch, name="parent-watchdog", daemon=True)
    thread.start()
    return thread


def main() -> int:
    die_with_parent(os.getppid())  # before the long imports: a worker never outlives its server
    configure_logging("WARNING")
    answers = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)  # stray prints go to the log, never into the protocol
    sys.stdout = sys.stderr
    return serve(sys.stdin, answers, keep_input_evidence="--keep-input-evidence" in sys.argv)


if __name__ == "__main__":
    sys.exit(main())
