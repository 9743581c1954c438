"""Admission to the executor: how much backtest work a process takes on at once.

The executor never runs more backtests than it has workers; the `WorkGate` bounds what may wait
for them. At most `slots + queue` jobs are admitted at a time (running or waiting); past that a
caller that must not wait (an HTTP request) is refused with `ServerBusy` and an estimate of when
to try again, and a caller that may wait (the CLI, a batch) waits its turn.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from core.errors import ServerBusy

# what a job is assumed to take before any has finished (seconds)
FIRST_GUESS_S = 2.0


@dataclass
class Ticket:
    """Jobs admitted together; released once (`with ticket:` or `release()`)."""

    gate: WorkGate
    jobs: int
    since: float = field(default_factory=time.monotonic)
    released: bool = False

    def release(self) -> None:
        self.gate._release(self)

    def __enter__(self) -> Ticket:
        return self

    def __exit__(self, *_: object) -> None:
        self.release()


class WorkGate:
    def __init__(self, slots: int, queue: int) -> None:
        """`slots`: jobs that run at once (the executor's workers); `queue`: jobs that may wait
        for them."""
        self.slots = max(1, slots)
        self.queue = max(0, queue)
        self._admitted = 0
        self._changed = threading.Condition()
        self._job_s = FIRST_GUESS_S  # moving average of a job's time in the gate

    @property
    def capacity(self) -> int:
        return self.slots + self.queue

    @property
    def admitted(self) -> int:
        with self._changed:
            return self._admitted

    def retry_after_s(self, jobs: int = 1) -> int:
        """Seconds until `jobs` more would likely be admitted (at least 1)."""
        with self._changed:
            excess = self._admitted + jobs - self.capacity
            return max(1, math.ceil(self._job_s * max(excess, 1) / self.slots))

    def admit(
        self,
        jobs: int,
        *,
        wait: bool,
        on_wait: Callable[[int], None] | None = None,
    ) -> Ticket:
        """Admit `jobs` (at most the capacity: more is asked for as the capacity). Refuses with
        `ServerBusy` when full and `wait` is false; else waits, calling `on_wait(ahead)` once
        with how many jobs are ahead."""
        jobs = max(1, min(jobs, self.capacity))
        with self._changed:
            if self._admitted + jobs > self.capacity:
                if not wait:
                    excess = self._admitted + jobs - self.capacity
                    retry = max(1, math.ceil(self._job_s * excess / self.slots))
                    raise ServerBusy(
                        f"the server is running {self.capacity} backtests or checks and has "
                        f"queued as many as it takes; try again in {retry} s",
                        retry_after_s=retry,
                        admitted=self._admitted,
                        capacity=self.capacity,
                    )
                if on_wait is not None:
                    on_wait(self._admitted + jobs - self.capacity)
                self._changed.wait_for(lambda: self._admitted + jobs <= self.capacity)
            self._admitted += jobs
            return Ticket(self, jobs)

    def _release(self, ticket: Ticket) -> None:
        with self._changed:
            if ticket.released:
                return
            ticket.released = True
            self._admitted -= ticket.jobs
            held = (time.monotonic() - ticket.since) / ticket.jobs * min(ticket.jobs, self.slots)
            self._job_s = 0.8 * self._job_s + 0.2 * max(held, 0.05)
            self._changed.notify_all()
