"""Schedules: cron expressions with a time zone that start a batch at each occurrence, or
bring the market data up to the last close (`--data-update`). The
`runtime.scheduler.Scheduler` thread decides when (one row per occurrence, so several API
processes fire it once); this service makes and starts the batch, or runs the update through
`data_update` (the market service's, set by the container).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from api.services.batches.coordinator import BatchCoordinator
from api.services.batches.plan import BatchPlanner
from api.services.context import AppContext
from api.services.rows import schedule_row, strategy_row
from api.services.views import BatchSpec, ScheduleIn, ScheduleView
from core.errors import InvalidInput
from core.models import Schedule, ScheduleFire, as_utc
from runtime.scheduler import Scheduler, next_occurrence, validate_cron

DATA_UPDATE = "data_update"  # the batch_spec of a schedule that updates market data


class ScheduleService:
    def __init__(
        self, ctx: AppContext, planner: BatchPlanner, coordinator: BatchCoordinator
    ) -> None:
        self.ctx = ctx
        self.planner = planner
        self.coordinator = coordinator
        self._scheduler: Scheduler | None = None
        # (owner id) -> the market-data update; None until the container wires it
        self.data_update: Callable[[int], Any] | None = None

    def create_schedule(self, user_id: int, body: ScheduleIn) -> ScheduleView:
        try:
            validate_cron(body.cron, body.timezone)
        except ValueError as exc:
            raise InvalidInput(str(exc), code="bad_cron") from exc
        with self.ctx.session() as db:
            targets = body.batch.targets if body.batch is not None else []
            for target in targets:  # only the user's own strategies (else 404)
                strategy_row(db, user_id=user_id, strategy_id=target.strategy_id)
            row = Schedule(
                owner_id=user_id,
                name=body.name,
                cron=body.cron,
                timezone=body.timezone,
                batch_spec=(
                    body.batch.model_dump(mode="json")
                    if body.batch is not None
                    else {"kind": DATA_UPDATE}
                ),
                enabled=body.enabled,
            )
            db.add(row)
            db.commit()
            db.refresh(row)
            return self._view(db, row)

    def _view(self, db: Session, row: Schedule) -> ScheduleView:
        last = db.exec(
            select(ScheduleFire)
            .where(ScheduleFire.schedule_id == row.id)
            .order_by(col(ScheduleFire.fire_at).desc())
        ).first()
        return ScheduleView(
            id=row.id or 0,
            name=row.name,
            cron=row.cron,
            timezone=row.timezone,
            enabled=row.enabled,
            batch=row.batch_spec,
            next_fire_at=next_occurrence(row.cron, row.timezone, datetime.now(UTC)),
            last_fire_at=as_utc(last.fire_at) if last else None,
            created_at=row.created_at,
        )

    def list_schedules(self, user_id: int) -> list[ScheduleView]:
        with self.ctx.session() as db:
            rows = db.exec(
                select(Schedule).where(Schedule.owner_id == user_id).order_by(col(Schedule.id))
            ).all()
            return [self._view(db, r) for r in rows]

    def delete_schedule(self, user_id: int, schedule_id: int) -> None:
        with self.ctx.session() as db:
            row = schedule_row(db, user_id=user_id, schedule_id=schedule_id)
            row.enabled = False  # fires and batches keep pointing at it
            db.add(row)
            db.commit()

    def fire_schedule(self, schedule: Schedule, fire_at: datetime) -> int | None:
        """The scheduler's callback: make the batch of one occurrence and start it (or run
        the market-data update, which makes no batch)."""
        if schedule.batch_spec.get("kind") == DATA_UPDATE:
            if self.data_update is None:
                raise RuntimeError("no market-data service to run the update")
            self.data_update(schedule.owner_id)
            return None
        spec = BatchSpec.model_validate(schedule.batch_spec)
        spec = spec.model_copy(
            update={"name": f"{schedule.name} @ {fire_at.strftime('%Y-%m-%d %H:%M')}Z"}
        )
        batch = self.planner.create_batch(schedule.owner_id, spec, schedule_id=schedule.id)
        self.coordinator.submit_batch(batch.id)
        return batch.id

    def make_scheduler(self, name: str | None = None) -> Scheduler:
        return Scheduler(
            self.ctx.engine, self.fire_schedule, self.ctx.settings.scheduler, name=name
        )

    def start_scheduler(self) -> None:
        settings = self.ctx.settings.scheduler
        if not settings.enabled:
            return
        self._scheduler = Scheduler(self.ctx.engine, self.fire_schedule, settings)
        self._scheduler.start()

    def stop_scheduler(self) -> None:
        if self._scheduler is not None:
            self._scheduler.stop()
            self._scheduler = None
