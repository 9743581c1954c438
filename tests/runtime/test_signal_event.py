"""SignalSafeEvent: an event a signal handler sets without deadlocking the thread that waits.

The supervisor hung when a hundred stop requests each sent it its wake signal within a second:
`threading.Event.set()` in the handler blocked on the lock the main thread held in `wait()` /
`clear()`. The stress test below runs the supervisor's loop shape (clear, short wait) under a
stream of signals from another process; with `threading.Event` in place of `SignalSafeEvent`
the same script dies (RecursionError, then the signal's default action) every time it was run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from core.config import PROJECT_ROOT
from runtime.signal_event import SignalSafeEvent


@pytest.fixture
def usr1_sets() -> Iterator[SignalSafeEvent]:
    event = SignalSafeEvent()
    previous = signal.signal(signal.SIGUSR1, lambda *_: event.set())
    try:
        yield event
    finally:
        signal.signal(signal.SIGUSR1, previous)


def test_it_behaves_as_an_event() -> None:
    event = SignalSafeEvent()
    assert isinstance(event, threading.Event)
    assert not event.is_set()
    t0 = time.monotonic()
    assert event.wait(0.05) is False
    assert time.monotonic() - t0 >= 0.05
    event.set()
    event.set()  # twice: still one state
    assert event.is_set() and event.wait(0) and event.wait(10)
    event.clear()
    assert not event.is_set()
    assert event.wait(0) is False


def test_a_set_from_another_thread_wakes_a_wait() -> None:
    event = SignalSafeEvent()
    threading.Thread(target=event.set, daemon=True).start()
    t0 = time.monotonic()
    assert event.wait(30) is True
    assert time.monotonic() - t0 < 25


def test_a_signal_handler_wakes_a_blocked_wait(usr1_sets: SignalSafeEvent) -> None:
    pid = os.getpid()
    threading.Thread(target=lambda: os.kill(pid, signal.SIGUSR1), daemon=True).start()
    t0 = time.monotonic()
    assert usr1_sets.wait(30) is True
    assert time.monotonic() - t0 < 25


def test_a_clear_overtaken_by_a_late_byte_does_not_spin() -> None:
    event = SignalSafeEvent()
    event.set()
    event._signalled = False  # a clear() that ran between set()'s flag and its byte
    assert event.wait(0.05) is False  # the stale byte is drained, the wait still times out


STRESS = """
import os, signal, subprocess, sys
from runtime.signal_event import SignalSafeEvent
event = SignalSafeEvent()
signal.signal(signal.SIGUSR1, lambda *_: event.set())
sender = subprocess.Popen([sys.executable, "-c", f'''
import os, signal, time
for _ in range(20000):
    os.kill({os.getpid()}, signal.SIGUSR1)
    time.sleep(0.00002)
'''])
while sender.poll() is None:  # the supervisor's loop: clear, then a short wait
    event.clear()
    event.wait(0.0001)
print("finished")
"""


def test_a_stream_of_signals_never_deadlocks_the_waiting_loop() -> None:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run([sys.executable, "-c", STRESS], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "finished"
