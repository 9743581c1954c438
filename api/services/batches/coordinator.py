"""Running batches: one coordinator thread per batch hands its queued runs to the executor
(the same one every backtest uses) and records every state change through `RunRecorder`, so a
restarted server resumes an unfinished batch from its rows: finished runs stay finished, the
rest run. Cancel, resume after a restart, and waiting for a batch live here too.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlmodel import col, select

from api.services.batches.plan import BatchPlanner
from api.services.batches.records import batch_runs, batch_view, batch_views
from api.services.context import AppContext
from api.services.rows import batch_row
from api.services.runs import INTERRUPTED, BacktestRunner, RunEvents, RunRecorder
from api.services.views import BatchView
from core.logging import get_logger
from core.models import Batch, BatchStatus, NotifyEvent, RunStatus, StrategyVersion
from core.scope import readable_owners
from runtime.executors import BacktestJob
from runtime.notifications.outbox import notify

log = get_logger(__name__)


class BatchCoordinator:
    def __init__(
        self,
        ctx: AppContext,
        planner: BatchPlanner,
        runner: BacktestRunner,
        recorder: RunRecorder,
    ) -> None:
        self.ctx = ctx
        self.planner = planner
        self.runner = runner
        self.recorder = recorder
        self._lock = threading.RLock()
        self._threads: dict[int, threading.Thread] = {}

    def _cancel_requested(self, batch_id: int) -> bool:
        with self.ctx.session() as db:
            batch = db.get(Batch, batch_id)
            return bool(batch is None or batch.cancel_requested)

    def get_batch(self, user_id: int | None, batch_id: int) -> BatchView:
        with self.ctx.session() as db:
            return batch_view(db, batch_row(db, user_id=user_id, batch_id=batch_id))

    def list_batches(self, user_id: int, latest: int | None = None) -> list[BatchView]:
        """The user's batches, oldest first; `latest`: only the newest that many, newest
        first."""
        with self.ctx.session() as db:
            order = col(Batch.id).desc() if latest is not None else col(Batch.id)
            rows = db.exec(
                select(Batch).where(col(Batch.owner_id).in_(readable_owners(user_id)))
                .order_by(order).limit(latest)
            ).all()
            return batch_views(db, rows)

    def submit_batch(self, batch_id: int) -> threading.Thread:
        """Coordinate the batch in a background thread of this process."""
        with self._lock:
            threads = self._threads
            thread = threads.get(batch_id)
            if thread is not None and thread.is_alive():
                return thread
            thread = threading.Thread(
                target=self._run_batch_quietly,
                args=(batch_id,),
                daemon=True,
                name=f"batch-{batch_id}",
            )
            threads[batch_id] = thread
            thread.start()
            return thread

    def _run_batch_quietly(self, batch_id: int) -> None:
        try:
            self.run_batch(batch_id)
        except Exception as exc:
            log.exception("batch coordinator failed", extra={"batch": batch_id})
            with self.ctx.session() as db:
                batch = db.get(Batch, batch_id)
                if batch is not None:
                    batch.status = BatchStatus.failed.value
                    batch.error = f"coordinator error: {exc}"
                    batch.finished_at = datetime.now(UTC)
                    db.add(batch)
                    notify(db, batch.owner_id, NotifyEvent.batch_finished,
                           f"Batch {batch_id} ({batch.name}) failed", batch.error,
                           {"batch": batch_id, "status": batch.status})
                    db.commit()

    def run_batch(self, batch_id: int) -> BatchView:
        """Run every queued run of the batch (and the phases they lead to) to the end."""
        with self.ctx.session() as db:
            batch = batch_row(db, user_id=None, batch_id=batch_id)
            if batch.status in (
                BatchStatus.succeeded.value,
                BatchStatus.cancelled.value,
                BatchStatus.failed.value,
            ):
                return batch_view(db, batch)
            batch.status = BatchStatus.running.value
            batch.started_at = batch.started_at or datetime.now(UTC)
            db.add(batch)
            db.commit()
        events = RunEvents(self.recorder, should_cancel=lambda: self._cancel_requested(batch_id))
        while True:
            if events.cancelled():
                break
            jobs = self._queued_jobs(batch_id)
            if not jobs:
                if self.planner.next_phase(batch_id):
                    continue
                break
            self.runner.run_jobs(jobs, events)
        return self._finish_batch(batch_id)

    def _queued_jobs(self, batch_id: int) -> list[BacktestJob]:
        jobs = []
        with self.ctx.session() as db:
            for run in batch_runs(db, batch_id):
                if run.status != RunStatus.queued.value:
                    continue
                version = db.get(StrategyVersion, run.version_id)
                assert version is not None
                jobs.append(
                    self.runner.job(
                        run.id or 0,
                        self.recorder.worker_request(run, version),
                        self.recorder.run_dir(run),
                        attempts=run.attempts,
                    )
                )
        return jobs

    def _finish_batch(self, batch_id: int) -> BatchView:
        with self.ctx.session() as db:
            batch = batch_row(db, user_id=None, batch_id=batch_id)
            now = datetime.now(UTC)
            if batch.cancel_requested:
                for run in batch_runs(db, batch_id):
                    if run.status in (RunStatus.queued.value, RunStatus.running.value):
                        run.status = RunStatus.cancelled.value
                        run.error = "cancelled with its batch"
                        run.finished_at = now
                        db.add(run)
                batch.status = BatchStatus.cancelled.value
            else:
                batch.status = BatchStatus.succeeded.value
            batch.finished_at = now
            db.add(batch)
            db.flush()
            view = batch_view(db, batch)
            counts = view.counts.model_dump()
            notify(db, batch.owner_id, NotifyEvent.batch_finished,
                   f"Batch {batch_id} ({batch.name}) {view.status}",
                   ", ".join(f"{k} {v}" for k, v in counts.items()),
                   {"batch": batch_id, "status": view.status, **counts})
            db.commit()
        log.info(
            "batch finished",
            extra={"batch": batch_id, "status": view.status, **view.counts.model_dump()},
        )
        return view

    def cancel_batch(self, user_id: int | None, batch_id: int) -> BatchView:
        """Queued runs end as cancelled now; the coordinator kills the running ones."""
        with self.ctx.session() as db:
            batch = batch_row(db, user_id=user_id, batch_id=batch_id)
            if batch.status not in (BatchStatus.queued.value, BatchStatus.running.value):
                return batch_view(db, batch)
            batch.cancel_requested = True
            now = datetime.now(UTC)
            for run in batch_runs(db, batch_id):
                if run.status == RunStatus.queued.value:
                    run.status = RunStatus.cancelled.value
                    run.error = "cancelled with its batch"
                    run.finished_at = now
                    db.add(run)
            coordinated = batch_id in self._threads and self._threads[batch_id].is_alive()
            if not coordinated and batch.status == BatchStatus.queued.value:
                batch.status = BatchStatus.cancelled.value
                batch.finished_at = now
            db.add(batch)
            db.commit()
            log.info("batch cancel requested", extra={"batch": batch_id})
            return batch_view(db, batch)

    def resume_batches(self, submit: bool = True) -> list[int]:
        """On start-up, after `RunRecorder.recover_interrupted`: unfinished batches go on from their
        rows — runs the restart interrupted are queued again, finished runs are kept."""
        resumed = []
        with self.ctx.session() as db:
            batches = db.exec(
                select(Batch).where(
                    col(Batch.status).in_([BatchStatus.queued.value, BatchStatus.running.value])
                )
            ).all()
            for batch in batches:
                for run in batch_runs(db, batch.id or 0):
                    interrupted = run.status == RunStatus.failed.value and (
                        run.error or ""
                    ).startswith(INTERRUPTED)
                    if interrupted or run.status == RunStatus.running.value:
                        run.status = RunStatus.queued.value
                        run.error = None
                        run.traceback = None
                        run.finished_at = None
                        run.started_at = None
                        run.progress = 0.0
                        run.worker_pid = None
                        db.add(run)
                resumed.append(batch.id or 0)
            db.commit()
        if submit:
            for batch_id in resumed:
                self.submit_batch(batch_id)
        if resumed:
            log.warning("resuming unfinished batches", extra={"batches": resumed})
        return resumed

    def wait_batch(self, batch_id: int, timeout_s: float | None = None) -> BatchView:
        thread = self._threads.get(batch_id)
        if thread is not None:
            thread.join(timeout_s)
        return self.get_batch(None, batch_id)
