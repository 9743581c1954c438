"""Start-up slots: how many bots of one data directory may be starting at the same moment.

A bot's start-up (reconcile, Lumibot's trader and first iteration) is its one burst of CPU;
when twenty start together on two cores, every one of them is slowed by all the others and
they all reach their first order late, together. With a few slots, the first ones through
order at once and hand their slot on: the same work done in turn.

Off by default (`STRATFORGE_BOT_STARTUP_SLOTS=0`), because turns trade the last bot's start
for the median's. `bench/bots.py --started` on two cores, deploy → first order, median / max:
20 bots 2.6 / 2.9 s without slots, 1.7 / 2.9 s with 3, 2.3 / 3.0 s with 8; 100 bots 17.6 /
30.5 s without, 15.2 / 151 s with 3, 10.1 / 52 s with 8. Under load a start-up waits more on
the venue's answers than on the CPU, and in turns those waits add up instead of overlapping.
Turn it on where the median matters more (a few bots at a time, a fast broker).

A slot is an exclusive `flock` on one of `N` files in `DEPLOYMENTS/.startup/`: the kernel
lets it go when its holder exits or is killed, so a dead bot never keeps one. A bot gives its
slot back when its first iteration ends, when it is running and its first iteration is not
due at once (hourly and daily strategies, or a closed market), and in any case after `hold_s`,
so one slow start cannot hold the others up for long.

Waiting: the bots that wait queue on one more lock, the turnstile, blocked in the kernel; only
the one through it looks for a free slot (every `POLL_S`), takes it and lets the next one
through. A first version had every waiter poll the slots, which took CPU from the starting
bots; the turnstile removed that cost but not the long tail at 100 bots measured above. A bot
told to stop while it waits gives up.
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
        waited = time.monotonic()
        turnstile = _Turnstile(folder / "turnstile")
        if not turnstile.enter(stop):
            return cls(None, None)
        handles = [open(folder / f"slot-{i}", "ab") for i in range(slots)]  # noqa: SIM115
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
            turnstile.leave()
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


class _Turnstile:
    """An exclusive `flock` taken in a helper thread (blocked in the kernel, no polling) while
    the caller waits on it or on `stop`. Should `stop` come first, the thread lets the lock go
    the moment it gets it."""

    def __init__(self, path: Path) -> None:
        self._handle = open(path, "ab")  # noqa: SIM115 - closed by leave()
        self._through = threading.Event()
        self._mutex = threading.Lock()  # the hand-over: through, or abandoned, never both
        self._abandoned = False

    def _wait_turn(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            fcntl.flock(self._handle, fcntl.LOCK_EX)
            with self._mutex:
                if not self._abandoned:
                    self._through.set()
                    return
            self.leave()  # its waiter gave up meanwhile: the next one's turn

    def enter(self, stop: threading.Event) -> bool:
        """Through the turnstile (True: call `leave`), or told to stop first (False)."""
        threading.Thread(target=self._wait_turn, name="startup-turnstile", daemon=True).start()
        while not self._through.wait(0.25):
            if stop.is_set():
                with self._mutex:
                    if self._through.is_set():
                        return True
                    self._abandoned = True
                    return False
        return True

    def leave(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            fcntl.flock(self._handle, fcntl.LOCK_UN)
        self._handle.close()
