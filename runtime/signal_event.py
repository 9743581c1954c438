"""An event a signal handler may set without deadlocking the process that waits on it.

`threading.Event.set()` takes the event's internal lock, and so do `wait()` and `clear()`. A
Python signal handler runs in the main thread between two bytecodes, so a signal that lands
while the main thread is inside `wait()` or `clear()` (holding that lock) runs a handler that
calls `set()` and blocks for ever on a lock its own thread holds. The supervisor hung exactly so
when a hundred stop requests each sent it a wake signal within a second; a bot woken by SIGTERM
could hang the same way.

`SignalSafeEvent` keeps `threading.Event`'s interface (it is one, so code typed for an Event
takes it) but takes no lock: its flag is a plain attribute, and `set()` also writes one byte to
a non-blocking pipe, which a `wait()` blocked in `poll` wakes on (a handler that runs while
`poll` waits makes it return; PEP 475 retries an interrupted `poll` otherwise). `poll`, not
`select`: `select` refuses a descriptor numbered 1024 or more, which a process holding many
sockets and pipes can be given.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
import time
import weakref


def _close(*fds: int) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)


class SignalSafeEvent(threading.Event):
    """`threading.Event` whose `set` is safe in a signal handler (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._signalled = False
        self._read_fd, self._write_fd = os.pipe()
        os.set_blocking(self._read_fd, False)
        os.set_blocking(self._write_fd, False)
        weakref.finalize(self, _close, self._read_fd, self._write_fd)

    def is_set(self) -> bool:
        return self._signalled

    def set(self) -> None:
        self._signalled = True
        with contextlib.suppress(BlockingIOError, OSError):  # a full pipe is awake already
            os.write(self._write_fd, b"\0")

    def clear(self) -> None:
        self._signalled = False
        self._drain()

    def wait(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._signalled:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            poller = select.poll()  # one per call: a poll object is not for concurrent waits
            poller.register(self._read_fd, select.POLLIN)
            ready = poller.poll(None if remaining is None else remaining * 1000)
            if ready and not self._signalled:
                self._drain()  # a byte of a set() that a clear() overtook: not a wake-up
        return True

    def _drain(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            while os.read(self._read_fd, 4096):
                pass
