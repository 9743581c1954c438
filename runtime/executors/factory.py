"""Which executor a process uses: `make_executor` from `core.config.ExecutorSettings`."""

from __future__ import annotations

from pathlib import Path

from core.config import ExecutorSettings
from runtime.executors.base import Executor
from runtime.executors.local import LocalPoolExecutor
from runtime.executors.ray_cluster import RayExecutor


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
