"""Executors: where backtests run. `base` (the contract), `local` (warm worker pool, the
default), `ray_cluster` (a Ray cluster), `factory` (`make_executor` from the settings).

Every backtest of stratforge goes through one of these; the names below are the public ones.
"""

from runtime.executors.base import (
    MAX_ATTEMPTS,
    BacktestJob,
    Executor,
    JobEvents,
    JobResult,
    RunEnd,
)
from runtime.executors.factory import launch_early_worker, make_executor
from runtime.executors.local import LocalPoolExecutor, WarmWorker, WorkerDied
from runtime.executors.ray_cluster import RayExecutor

__all__ = [
    "MAX_ATTEMPTS",
    "BacktestJob",
    "Executor",
    "JobEvents",
    "JobResult",
    "LocalPoolExecutor",
    "RayExecutor",
    "RunEnd",
    "WarmWorker",
    "WorkerDied",
    "launch_early_worker",
    "make_executor",
]
