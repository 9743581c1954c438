"""A batch's rows read back: its runs in order and its view (counts, progress, ETA)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import NamedTuple

from sqlmodel import Session, col, select

from api.services.batches.sweeps import walk_windows
from api.services.views import BatchCounts, BatchSpec, BatchView
from core.models import BacktestRun, Batch, BatchStatus, RunStatus, as_utc

UNFINISHED = (BatchStatus.queued.value, BatchStatus.running.value)


def batch_runs(db: Session, batch_id: int) -> list[BacktestRun]:
    return list(
        db.exec(
            select(BacktestRun)
            .where(BacktestRun.batch_id == batch_id)
            .order_by(col(BacktestRun.id))
        ).all()
    )


class RunFacts(NamedTuple):
    """What a batch's view needs of each run: not the whole row (its config and metrics)."""

    id: int
    status: str
    duration_s: float | None


def run_facts(db: Session, batch_ids: Iterable[int]) -> dict[int, list[RunFacts]]:
    """Each batch's runs in order, as `RunFacts`, in one query for all of them."""
    wanted = list(batch_ids)
    out: dict[int, list[RunFacts]] = {b: [] for b in wanted}
    if not wanted:
        return out
    rows = db.exec(
        select(BacktestRun.batch_id, BacktestRun.id, BacktestRun.status, BacktestRun.duration_s)
        .where(col(BacktestRun.batch_id).in_(wanted))
        # by batch, then id: the (batch_id, owner_id) index gives that order; by id alone
        # SQLite walked the owner's every run instead
        .order_by(col(BacktestRun.batch_id), col(BacktestRun.id))
    ).all()
    for batch_id, run_id, status, duration in rows:
        out[batch_id or 0].append(RunFacts(run_id or 0, status, duration))
    return out


def batch_views(db: Session, batches: Sequence[Batch]) -> list[BatchView]:
    """The views of many batches with one query for all their runs."""
    facts = run_facts(db, [b.id or 0 for b in batches])
    return [batch_view(db, b, facts[b.id or 0]) for b in batches]


def batch_view(db: Session, batch: Batch, runs: Sequence[RunFacts] | None = None) -> BatchView:
    if runs is None:
        runs = run_facts(db, [batch.id or 0])[batch.id or 0]
    counts = BatchCounts(total=len(runs))
    for run in runs:
        setattr(counts, run.status, getattr(counts, run.status) + 1)
    spec = BatchSpec.model_validate(batch.spec)
    if spec.kind == "walk_forward" and batch.status in UNFINISHED:
        assert spec.walk_forward is not None
        # test runs are created as their windows' training ends: count them up front
        windows = sum(
            len(walk_windows(r.start, r.end, spec.walk_forward)) for r in spec.date_ranges
        )
        made = sum(1 for r in batch_runs(db, batch.id or 0)
                   if (r.config.get("batch") or {}).get("role") == "test")
        counts.total += max(windows * max(len(spec.targets), 1) - made, 0)
        counts.queued += max(windows * max(len(spec.targets), 1) - made, 0)
    eta: float | None = None
    durations = [
        r.duration_s for r in runs if r.duration_s and r.status == RunStatus.succeeded.value
    ]
    remaining = counts.total - counts.done
    if batch.status in UNFINISHED and durations and remaining:
        started = as_utc(batch.started_at) or datetime.now(UTC)
        elapsed = (datetime.now(UTC) - started).total_seconds()
        per_run = elapsed / max(counts.done, 1) if counts.done else sum(durations)
        eta = round(per_run * remaining, 1)
    elif remaining == 0:
        eta = 0.0
    return BatchView(
        id=batch.id or 0,
        owner_id=batch.owner_id,
        name=batch.name,
        kind=batch.kind,
        status=batch.status,
        executor=batch.executor,
        schedule_id=batch.schedule_id,
        counts=counts,
        done=counts.done,
        progress=round(counts.done / counts.total, 4) if counts.total else 1.0,
        eta_s=eta,
        error=batch.error,
        spec=batch.spec,
        created_at=batch.created_at,
        started_at=batch.started_at,
        finished_at=batch.finished_at,
        run_ids=[r.id or 0 for r in runs],
    )
