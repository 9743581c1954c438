"""Which executor a process uses: `make_executor` from `core.config.ExecutorSettings`."""

from __future__ import annotations

from pathlib import Path

from core.config import Settings
from runtime.executors.base import Executor
from runtime.executors.local import LocalPoolExecutor, WarmWorker
from runtime.executors.ray_cluster import RayExecutor


def pool_dirs(settings: Settings) -> tuple[Path, Path]:
    """Where the local pool's workers live and what they use as Lumibot's cache."""
    return settings.home / "pool", settings.home / "cache"


def make_executor(settings: Settings, *, started: list[WarmWorker] | None = None) -> Executor:
    """The executor `settings.executor` names. `started`: local workers launched early (see
    `launch_early_worker`); the Ray executor does not use them, so they are stopped."""
    chosen = settings.executor
    if chosen.kind == "ray":
        for worker in started or []:
            worker.kill()
        if not chosen.ray_address:
            raise ValueError("the ray executor needs RAY_ADDRESS (or STRATFORGE_BATCH_RAY_ADDRESS)")
        return RayExecutor(chosen.ray_address, input_evidence=chosen.input_evidence)
    pool_dir, cache_dir = pool_dirs(settings)
    return LocalPoolExecutor(
        pool_dir,
        cache_dir,
        workers=chosen.pool_size,
        memory_mb=settings.backtest_memory_mb,
        start_timeout_s=chosen.worker_start_timeout_s,
        input_evidence=chosen.input_evidence,
        started=started,
    )


def launch_early_worker(settings: Settings) -> WarmWorker | None:
    """Launch one local pool worker now, before the caller's own imports, so that its Lumibot
    import runs side by side with them; hand it to `make_executor(started=...)` later.
    None when backtests run on Ray."""
    if settings.executor.kind != "local":
        return None
    pool_dir, cache_dir = pool_dirs(settings)
    return WarmWorker(pool_dir, cache_dir, settings.backtest_memory_mb, 0,
                      settings.executor.input_evidence)
