"""Pool workers launched before the CLI's own imports.

A cold `stratforge backtest` spends about 1.5 s importing the services and about as long
starting a warm worker (which imports Lumibot). `launch_for(argv)` starts the worker first, from
the command line alone, so both imports run side by side; `console.services()` hands it to the
executor, which adopts it. Only commands that certainly run a backtest do this; a worker nobody
took is killed when the process exits.
"""

from __future__ import annotations

import atexit
from typing import TYPE_CHECKING

from core.config import get_settings

if TYPE_CHECKING:  # (imported only by a command that launches workers: it loads pandas)
    from runtime.executors import WarmWorker

# command → how many workers it will want at once (`new` runs the smoke backtest and the
# look-ahead probe side by side)
EARLY_WORKERS = {"backtest": 1, "demo": 1, "new": 2}

_launched: list[WarmWorker] = []


def launch_for(argv: list[str]) -> None:
    command = next((a for a in argv if not a.startswith("-")), None)
    wanted = EARLY_WORKERS.get(command or "", 0)
    if not wanted or "--help" in argv or "--compare" in argv:
        return
    settings = get_settings()
    if command == "new" and settings.smoke_backtest_days <= 0:
        return
    wanted = min(wanted, settings.executor.pool_size)
    from runtime.executors import launch_early_worker

    for _ in range(wanted):
        worker = launch_early_worker(settings)
        if worker is None:
            return
        _launched.append(worker)
    atexit.register(_kill_untaken)


def take() -> list[WarmWorker]:
    """The workers launched for this process (once; later calls get none)."""
    taken = list(_launched)
    _launched.clear()
    return taken


def _kill_untaken() -> None:
    for worker in take():
        worker.kill()
