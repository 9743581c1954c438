"""The schedule runner: cron expressions with a time zone, fired once per occurrence.

Schedules live in the database (`core.models.Schedule`). Every API process may run a
`Scheduler`; an occurrence fires only in the one that inserts its `ScheduleFire` row first —
the unique key (schedule_id, fire_at) is the lease, so racing schedulers (threads, processes,
hosts sharing one database) cannot both fire it. Occurrences missed while no server ran
collapse into one: a tick fires only the latest occurrence after the last recorded fire.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from core.config import SchedulerSettings
from core.logging import get_logger
from core.models import Schedule, ScheduleFire

log = get_logger(__name__)

FireCallback = Callable[[Schedule, datetime], "int | None"]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def validate_cron(expression: str, timezone: str) -> None:
    """Raise ValueError for a bad cron expression (5 fields) or time zone."""
    _zone(timezone)
    if len(expression.split()) != 5 or not croniter.is_valid(expression):
        raise ValueError(
            f"bad cron expression {expression!r}: five fields, minute hour day month weekday"
        )


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def previous_occurrence(expression: str, timezone: str, now: datetime) -> datetime:
    """The latest occurrence at or before `now`, in UTC (wall-clock time of `timezone`)."""
    local_now = _utc(now).astimezone(_zone(timezone))
    it = croniter(expression, local_now)
    if croniter.match(expression, local_now.replace(second=0, microsecond=0)) and (
        local_now.second == 0 and local_now.microsecond == 0
    ):
        return _utc(local_now)
    return _utc(it.get_prev(datetime))


def next_occurrence(expression: str, timezone: str, now: datetime) -> datetime | None:
    try:
        local_now = _utc(now).astimezone(_zone(timezone))
        return _utc(croniter(expression, local_now).get_next(datetime))
    except (ValueError, KeyError):
        return None


class Scheduler:
    """Polls the schedules and fires due occurrences through `fire` (which starts a batch)."""

    def __init__(
        self,
        engine: Engine,
        fire: FireCallback,
        settings: SchedulerSettings | None = None,
        name: str | None = None,
    ) -> None:
        self.engine = engine
        self.fire = fire
        self.settings = settings or SchedulerSettings()
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self, now: datetime | None = None) -> list[tuple[int, datetime]]:
        """Fire what is due at `now`; returns the (schedule id, occurrence) pairs this
        scheduler won."""
        now = _utc(now or datetime.now(UTC))
        won: list[tuple[int, datetime]] = []
        with Session(self.engine, expire_on_commit=False) as db:
            schedules = db.exec(select(Schedule).where(col(Schedule.enabled).is_(True))).all()
        for schedule in schedules:
            try:
                occurrence = self._due(schedule, now)
            except ValueError as exc:
                log.warning("schedule skipped", extra={"schedule": schedule.id, "error": str(exc)})
                continue
            if occurrence is None:
                continue
            fire_id = self._claim(schedule, occurrence)
            if fire_id is None:
                continue
            won.append((schedule.id or 0, occurrence))
            self._run(schedule, occurrence, fire_id)
        return won

    def _due(self, schedule: Schedule, now: datetime) -> datetime | None:
        occurrence = previous_occurrence(schedule.cron, schedule.timezone, now)
        with Session(self.engine) as db:
            last = db.exec(
                select(func.max(ScheduleFire.fire_at)).where(
                    ScheduleFire.schedule_id == schedule.id
                )
            ).first()
        anchor = _utc(last) if last is not None else _utc(schedule.created_at)
        return occurrence if occurrence > anchor else None

    def _claim(self, schedule: Schedule, occurrence: datetime) -> int | None:
        """Insert the occurrence's row; the unique key lets exactly one scheduler succeed."""
        with Session(self.engine, expire_on_commit=False) as db:
            row = ScheduleFire(schedule_id=schedule.id or 0, fire_at=occurrence,
                               fired_by=self.name)
            db.add(row)
            try:
                db.commit()
            except IntegrityError:
                db.rollback()
                log.info("occurrence fired elsewhere",
                         extra={"schedule": schedule.id, "occurrence": occurrence.isoformat()})
                return None
            return row.id

    def _run(self, schedule: Schedule, occurrence: datetime, fire_id: int | None) -> None:
        log.info("firing occurrence",
                 extra={"schedule": schedule.id, "occurrence": occurrence.isoformat()})
        batch_id: int | None = None
        error: str | None = None
        try:
            batch_id = self.fire(schedule, occurrence)
        except Exception as exc:  # a bad spec must not stop the other schedules
            log.exception("firing failed", extra={"schedule": schedule.id})
            error = f"{type(exc).__name__}: {exc}"
        with Session(self.engine) as db:
            row = db.get(ScheduleFire, fire_id)
            if row is not None:
                row.batch_id = batch_id
                row.error = error
                db.add(row)
                db.commit()

    # -- background thread --------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, daemon=True, name="scheduler")
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("scheduler tick failed")
            self._stop.wait(self.settings.poll_s)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
