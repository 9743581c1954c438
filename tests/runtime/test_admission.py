"""The executor's admission: bounded work, refused or waited for past the bound."""

from __future__ import annotations

import threading

import pytest

from core.errors import ServerBusy
from runtime.executors.admission import WorkGate


def test_past_the_capacity_a_caller_that_cannot_wait_is_refused_with_a_retry_time() -> None:
    gate = WorkGate(slots=2, queue=1)
    held = gate.admit(2, wait=False)
    gate.admit(1, wait=False)
    with pytest.raises(ServerBusy) as refused:
        gate.admit(1, wait=False)
    assert refused.value.retry_after_s >= 1
    assert refused.value.details["capacity"] == 3
    assert gate.admitted == 3
    held.release()
    held.release()  # a second release changes nothing
    assert gate.admitted == 1
    gate.admit(2, wait=False)  # room again


def test_a_caller_that_may_wait_is_told_and_admitted_when_room_frees() -> None:
    gate = WorkGate(slots=1, queue=0)
    first = gate.admit(1, wait=False)
    told: list[int] = []
    admitted = threading.Event()

    def waiter() -> None:
        with gate.admit(1, wait=True, on_wait=told.append):
            admitted.set()

    thread = threading.Thread(target=waiter)
    thread.start()
    assert not admitted.wait(0.3)  # still full
    first.release()
    assert admitted.wait(10)
    thread.join(10)
    assert told == [1]
    assert gate.admitted == 0


def test_asking_for_more_than_the_capacity_asks_for_the_capacity() -> None:
    gate = WorkGate(slots=2, queue=0)
    with gate.admit(50, wait=False) as ticket:
        assert ticket.jobs == 2
        with pytest.raises(ServerBusy):
            gate.admit(1, wait=False)
