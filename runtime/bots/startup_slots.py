"""Start-up slots: how many bots of one data directory may be starting at the same moment.

A bot's start-up (reconcile, Lumibot's trader and first iteration) is its one burst of CPU;
when twenty start together on two cores, every one of them is slowed by all the others and
they all reach their first order late, together. With a few slots, the first ones through
order at once and hand their slot on: the same work done in turn, each bot's start sooner on
average and the last one no later (measured in `bench/bots.py`).

A slot is an exclusive `flock` on one of `N` files in `DEPLOYMENTS/.startup/`: the kernel
lets it go when its holder exits or is killed, so a dead bot never keeps one. A bot gives its
slot back when its first iteration ends, when it is running and its first iteration is not
due at once (hourly and daily strategies, or a closed market) — `release_after` — and in any
case after `hold_s`, so one slow start cannot hold the others up for long. Waiting polls every
`POLL_S` and ends when the bot is told to stop.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from pathlib import Path
from typing import IO

from core.logging import get_logger

log = get_logger(__name__)

SLOT_DIR = ".startup"
POLL_S = 0.02


class StartupSlot:
    """One slot held by this process, or none (`slots` 0, or told to stop while waiting)."""

    def __init__(self, handle: IO[bytes] | None, index: int | None) -> None:
        self._handle = handle
        self.index = index
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    @classmethod
    def take(cls, deployments: Path, slots: int, stop: threading.Event,
             hold_s: float = 10.0) -> StartupSlot:
        """Wait for a free slot among `slots` (0: no limit, nothing is held). Returns at once
        with nothing held when `stop` is set while waiting."""
        if slots <= 0:
            return cls(None, None)
        folder = deployments / SLOT_DIR
        folder.mkdir(parents=True, exist_ok=True)
        handles = [open(folder / f"slot-{i}", "ab") for i in range(slots)]  # noqa: SIM115
        waited = time.monotonic()
        try:
            while not stop.is_set():
                # start at a different slot in each process, so waiters spread over them
                for step in range(slots):
                    index = (os.getpid() + step) % slots
                    try:
                        fcntl.flock(handles[index], fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        continue
                    slot = cls(handles.pop(index), index)
                    slot._expire_after(hold_s)
                    log.info("start-up slot taken", extra={
                        "slot": index, "waited_s": round(time.monotonic() - waited, 3)})
                    return slot
                stop.wait(POLL_S)
            return cls(None, None)
        finally:
            for handle in handles:
                handle.close()

    def _expire_after(self, hold_s: float) -> None:
        timer = threading.Timer(hold_s, self.release)
        timer.daemon = True
        timer.start()
        self._timer = timer

    def release(self) -> None:
        """Give the slot back (idempotent; from any thread)."""
        with self._lock:
            handle, self._handle = self._handle, None
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        if handle is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()

    def release_after(self, seconds: float) -> None:
        """Give the slot back within `seconds` (sooner if something else releases it)."""
        with self._lock:
            if self._handle is None:
                return
            if self._timer is not None:
                self._timer.cancel()
        self._expire_after(seconds)
