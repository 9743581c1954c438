"""Batches of backtests and the schedules that start them. A mixin of `api.services.Stratforge`
(it uses its session, stores, version checks and `_update_run`).

A batch is a named set of `BacktestRun` rows (each with `batch_id`), so every run of a batch is
an ordinary run for GET /backtests/{id}, its trades, equity and tearsheet. Kinds:

* explicit: versions × date ranges × symbol sets;
* sweep: a grid or random sample over a version's Lumibot `parameters` (bounds given, or
  derived from the parameter's default and the spec's limits); `history_bars` is recomputed
  for each combination so that it always covers the longest period;
* walk_forward: rolling train/test windows; each window's train runs sweep the parameters, the
  best set by the batch's metric is then run on the test window (in-sample vs out-of-sample).

The coordinator (`run_batch`, one thread per batch) hands queued runs to the executor (local
warm pool or Ray, see `runtime.executors`) and records every state change, so a restarted
server resumes an unfinished batch from the rows: finished runs stay finished, the rest run.
"""

from __future__ import annotations

import io
import itertools
import json
import logging
import math
import os
import random
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
from pydantic import BaseModel, Field, model_validator
from sqlmodel import Session, col, select

from api.html_report import render_html_report
from core.errors import Conflict, InvalidInput, NotFound
from core.models import (
    BacktestRun,
    Batch,
    BatchStatus,
    RunStatus,
    Schedule,
    ScheduleFire,
    Strategy,
    StrategyVersion,
    ValidationStatus,
)
from runtime.executors import (
    BacktestJob,
    Executor,
    ExecutorSettings,
    JobResult,
    make_executor,
)
from runtime.scheduler import Scheduler, SchedulerSettings, validate_cron

if TYPE_CHECKING:
    from api.services import RunView

log = logging.getLogger("stratforge.batches")

LOWER_IS_BETTER = {"max_drawdown", "volatility", "fees"}
INTERRUPTED = "interrupted: the server stopped before the run finished"


# -- what a batch is made of ---------------------------------------------------------------------
class DateRange(BaseModel):
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class Target(BaseModel):
    strategy_id: int
    version: int | None = Field(default=None, description="Version number; default the latest")


class SweepParameter(BaseModel):
    """One swept parameter: explicit `values`, or `min`/`max` (and `step`, or `count` points).
    With neither, the range comes from the parameter's default and the spec's limits."""

    name: str = Field(min_length=1, max_length=80)
    values: list[Any] | None = Field(default=None, max_length=200)
    min: float | None = None
    max: float | None = None
    step: float | None = Field(default=None, gt=0)
    count: int | None = Field(default=None, ge=2, le=100)


class WalkForward(BaseModel):
    train_days: int = Field(ge=20, le=10_000)
    test_days: int = Field(ge=5, le=10_000)
    step_days: int | None = Field(default=None, ge=5, le=10_000)  # default: test_days


class BatchSpec(BaseModel):
    name: str = Field(default="batch", min_length=1, max_length=120)
    kind: Literal["explicit", "sweep", "walk_forward"] = "explicit"
    targets: list[Target] = Field(default_factory=list, max_length=200)
    all_strategies: bool = Field(
        default=False, description="Every strategy of the user at its latest version"
    )
    date_ranges: list[DateRange] = Field(min_length=1, max_length=100)
    symbols: list[list[str]] | None = Field(
        default=None, description="Symbol sets; each replaces the strategy's symbols"
    )
    parameters: dict[str, Any] = Field(default_factory=dict, description="Fixed overrides")
    sweep: list[SweepParameter] = Field(default_factory=list, max_length=10)
    mode: Literal["grid", "random"] = "grid"
    samples: int = Field(default=20, ge=1, le=10_000)
    seed: int = 0
    walk_forward: WalkForward | None = None
    metric: str = "sharpe"
    cash: float = Field(default=100_000.0, gt=0, le=1e12)
    benchmark: str | None = None
    fee_pct: float = Field(default=0.0, ge=0, le=0.05)
    slippage_per_share: float = Field(default=0.0, ge=0, le=10)
    tearsheet: bool = False
    max_runs: int = Field(default=2000, ge=1, le=20_000)

    @model_validator(mode="after")
    def _consistent(self) -> BatchSpec:
        if not self.targets and not self.all_strategies:
            raise ValueError("name at least one target (strategy_id) or set all_strategies")
        if self.kind in ("sweep", "walk_forward") and not self.sweep:
            raise ValueError(f"a {self.kind} batch needs `sweep` parameters")
        if self.kind == "walk_forward" and self.walk_forward is None:
            raise ValueError("a walk_forward batch needs `walk_forward` windows")
        return self


class BatchCounts(BaseModel):
    total: int = 0
    queued: int = 0
    running: int = 0
    succeeded: int = 0
    failed: int = 0
    cancelled: int = 0

    @property
    def done(self) -> int:
        return self.succeeded + self.failed + self.cancelled


class BatchView(BaseModel):
    id: int
    name: str
    kind: str
    status: str
    executor: str
    schedule_id: int | None
    counts: BatchCounts
    done: int
    progress: float
    eta_s: float | None
    error: str | None
    spec: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    run_ids: list[int]


class ScheduleIn(BaseModel):
    name: str = Field(default="schedule", min_length=1, max_length=120)
    cron: str = Field(min_length=9, max_length=120)
    timezone: str = Field(default="UTC", max_length=64)
    batch: BatchSpec
    enabled: bool = True


class ScheduleView(BaseModel):
    id: int
    name: str
    cron: str
    timezone: str
    enabled: bool
    batch: dict[str, Any]
    next_fire_at: datetime | None
    last_fire_at: datetime | None
    created_at: datetime


# -- parameter combinations --------------------------------------------------------------------
def _is_period(name: str) -> bool:
    return "period" in name or name.endswith("_days") or name.endswith("lookback")


def parameter_values(
    param: SweepParameter, default: Any, max_lookback: int, samples: int | None = None
) -> list[Any]:
    """The values a sweep tries for one parameter."""
    if param.values:
        return list(param.values)
    integer = (isinstance(default, int) and not isinstance(default, bool)) or (
        default is None and _is_period(param.name)
    )
    low: float
    high: float
    if param.min is None or param.max is None:
        if not isinstance(default, (int, float)) or isinstance(default, bool):
            raise InvalidInput(
                f"give values or min/max for {param.name!r} (its default {default!r} "
                "is not a number)",
                code="bad_sweep",
            )
        if _is_period(param.name):  # the spec's bounds: 1..max_lookback
            low, high = max(2, round(default / 2)), min(max_lookback, round(default * 2))
        elif 0 < default <= 1:  # a weight or fraction
            low, high = max(0.1, default / 2), 1.0
        else:
            low, high = default / 2, default * 2
    else:
        low, high = param.min, param.max
    if high < low:
        raise InvalidInput(f"{param.name}: max is below min", code="bad_sweep")
    if _is_period(param.name):
        low, high = max(low, 1), min(high, max_lookback)
    count = param.count or (None if param.step else 5)
    if param.step:
        n = math.floor((high - low) / param.step + 1e-9) + 1
        values = [low + i * param.step for i in range(min(n, 1000))]
    else:
        assert count is not None
        values = [low + (high - low) * i / (count - 1) for i in range(count)]
    if integer:
        return sorted({round(v) for v in values})
    return [round(float(v), 10) for v in values]


def _pairs_ordered(params: dict[str, Any]) -> bool:
    """fast_* < slow_* (a crossover of a slow and a fast average is meaningless otherwise)."""
    for name, value in params.items():
        if name.startswith("fast_"):
            slow = params.get("slow_" + name[5:])
            if slow is not None and not value < slow:
                return False
    return True


def combinations(
    spec: BatchSpec, declared: dict[str, Any], max_lookback: int
) -> list[dict[str, Any]]:
    if not spec.sweep:
        return [{}]
    names = [p.name for p in spec.sweep]
    value_lists = [parameter_values(p, declared.get(p.name), max_lookback) for p in spec.sweep]
    grid = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*value_lists)]
    grid = [c for c in grid if _pairs_ordered({**declared, **spec.parameters, **c})]
    if spec.mode == "random" and len(grid) > spec.samples:
        grid = random.Random(spec.seed).sample(grid, spec.samples)
    return grid


def with_history(declared: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """`params` plus `history_bars` recomputed: the declared margin over the longest period."""
    if "history_bars" not in declared or "history_bars" in params:
        return params
    merged = {**declared, **params}

    def longest(values: dict[str, Any]) -> int:
        periods = [
            int(v)
            for k, v in values.items()
            if _is_period(k) and isinstance(v, (int, float)) and not isinstance(v, bool)
        ]
        return max(periods, default=0)

    margin = max(int(declared["history_bars"]) - longest(declared), 2)
    return {**params, "history_bars": longest(merged) + margin}


def walk_windows(start: date, end: date, wf: WalkForward) -> list[tuple[DateRange, DateRange]]:
    windows = []
    step = timedelta(days=wf.step_days or wf.test_days)
    cursor = start
    while True:
        train_end = cursor + timedelta(days=wf.train_days)
        test_end = train_end + timedelta(days=wf.test_days)
        if test_end > end:
            break
        windows.append(
            (DateRange(start=cursor, end=train_end), DateRange(start=train_end, end=test_end))
        )
        cursor += step
    return windows


def metric_value(metrics: dict[str, Any] | None, metric: str) -> float | None:
    if not metrics:
        return None
    value = metrics.get(metric)
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    return None


def rank_key(metric: str) -> Any:
    sign = 1.0 if metric in LOWER_IS_BETTER else -1.0

    def key(item: tuple[float | None, int]) -> tuple[int, float, int]:
        value, run_id = item
        return (value is None, sign * (value or 0.0), run_id)

    return key


# -- the mixin --------------------------------------------------------------------------------
class BatchOps:
    """Mixed into Stratforge."""

    _batch_executor: Executor | None = None
    _batch_threads: dict[int, threading.Thread]
    _scheduler: Scheduler | None = None
    batch_settings: ExecutorSettings | None = None

    # -- executor ---------------------------------------------------------------------------
    def batch_executor(self: Any) -> Executor:
        lock = _lock_of(self)
        with lock:
            if self._batch_executor is None:
                settings = self.batch_settings or ExecutorSettings()
                self._batch_executor = make_executor(
                    settings,
                    pool_dir=self.settings.home / "pool",
                    cache_dir=self.settings.home / "cache",
                    memory_mb=self.settings.backtest_memory_mb,
                )
                log.info("batch executor: %s", self._batch_executor.name)
            return self._batch_executor

    def close_batches(self: Any) -> None:
        self.stop_scheduler()
        with _lock_of(self):
            executor, self._batch_executor = self._batch_executor, None
        if executor is not None:
            executor.close()

    # -- creating ---------------------------------------------------------------------------
    def _batch_targets(self: Any, db: Session, user_id: int, spec: BatchSpec) -> list[Target]:
        if not spec.all_strategies:
            return spec.targets
        rows = db.exec(
            select(Strategy)
            .where(Strategy.owner_id == user_id, col(Strategy.deleted_at).is_(None))
            .order_by(col(Strategy.id))
        ).all()
        return [Target(strategy_id=r.id or 0) for r in rows] + spec.targets

    def _target_base(self: Any, user_id: int, target: Target) -> dict[str, Any]:
        """What every run of one version shares, checked once (validated, hash, data needs)."""
        from api.services import declared_parameters
        from core.code_store import sha256_file

        self.scan_versions(user_id, target.strategy_id)
        with self.session() as db:
            strategy = self._strategy_row(db, user_id, target.strategy_id)
            version = self._version_row(db, strategy, target.version)
            pending = version.validation_status == ValidationStatus.pending.value
        if pending:
            self.validate_version(user_id, target.strategy_id, version.number)
        with self.session() as db:
            strategy = self._strategy_row(db, user_id, target.strategy_id)
            version = self._version_row(db, strategy, target.version)
            if version.validation_status != ValidationStatus.passed.value:
                raise Conflict(
                    f"strategy {strategy.id} version {version.number} failed validation",
                    code="version_invalid",
                )
            path = self.code.absolute(version.code_path)
            if not path.exists() or sha256_file(path) != version.sha256:
                raise Conflict(
                    f"{version.code_path} is missing or was edited since version "
                    f"{version.number} was recorded",
                    code="code_edited",
                )
            source = path.read_text(encoding="utf-8")
            symbols, warmup = self._code_data_needs(source, version)
            return {
                "strategy_id": strategy.id,
                "version_id": version.id,
                "version": version.number,
                "declared": declared_parameters(source),
                "data_symbols": symbols,
                "warmup_bars": warmup,
            }

    def create_batch(
        self: Any, user_id: int, spec: BatchSpec, schedule_id: int | None = None
    ) -> BatchView:
        """Expand the spec into queued runs (walk-forward test runs come later) and record it."""
        with self.session() as db:
            targets = self._batch_targets(db, user_id, spec)
        if not targets:
            raise InvalidInput("the batch has no strategies to run", code="empty_batch")
        bases = [self._target_base(user_id, t) for t in targets]
        planned: list[tuple[dict[str, Any], DateRange, dict[str, Any], list[str] | None,
                            dict[str, Any]]] = []
        for base in bases:
            combos = combinations(spec, base["declared"], self.settings.max_lookback)
            if spec.kind == "walk_forward":
                assert spec.walk_forward is not None
                for r in spec.date_ranges:
                    windows = walk_windows(r.start, r.end, spec.walk_forward)
                    if not windows:
                        raise InvalidInput(
                            "the date range holds no complete train + test window",
                            code="bad_walk_forward",
                        )
                    for i, (train, _test) in enumerate(windows):
                        for combo in combos:
                            planned.append((base, train, combo, None,
                                            {"role": "train", "window": i}))
                continue
            symbol_sets: list[list[str] | None] = [*(spec.symbols or []), None][
                : max(len(spec.symbols or []), 1)
            ]
            for r in spec.date_ranges:
                for symbols in symbol_sets:
                    for combo in combos:
                        planned.append((base, r, combo, symbols, {"role": "run"}))
        if not planned:
            raise InvalidInput("the sweep left no parameter combination to run",
                               code="empty_batch")
        if len(planned) > spec.max_runs:
            raise InvalidInput(
                f"the batch would make {len(planned)} runs, more than max_runs={spec.max_runs}",
                code="batch_too_big",
            )
        executor_name = (self.batch_settings or ExecutorSettings()).kind
        with self.session() as db:
            batch = Batch(
                owner_id=user_id,
                name=spec.name,
                kind=spec.kind,
                spec=spec.model_dump(mode="json"),
                schedule_id=schedule_id,
                executor=executor_name,
            )
            db.add(batch)
            db.flush()
            for base, r, combo, symbols, role in planned:
                db.add(self._batch_run_row(user_id, batch, spec, base, r, combo, symbols, role))
            db.commit()
            db.refresh(batch)
            self._set_run_dirs(db, batch.id or 0)
            log.info("batch=%s %s created with %d runs", batch.id, spec.kind, len(planned))
            return self._batch_view(db, batch)

    def _batch_run_row(
        self: Any,
        user_id: int,
        batch: Batch,
        spec: BatchSpec,
        base: dict[str, Any],
        window: DateRange,
        combo: dict[str, Any],
        symbols: list[str] | None,
        role: dict[str, Any],
    ) -> BacktestRun:
        from runtime.market_data import MarketDataError

        params = {**spec.parameters, **combo}
        data_symbols = list(base["data_symbols"])
        if symbols:
            params.update(symbols=list(symbols), data_symbols=list(symbols))
            data_symbols = list(symbols)
        params = with_history(base["declared"], params)
        warmup = int(params.get("history_bars", base["warmup_bars"]))
        benchmark = spec.benchmark or self._default_benchmark(data_symbols)
        try:
            self.market.require(
                [*data_symbols, *([benchmark] if benchmark else [])], window.start, window.end
            )
        except MarketDataError as exc:
            raise InvalidInput(exc.message, code=exc.code) from exc
        config = {
            "strategy_id": base["strategy_id"],
            "version": base["version"],
            "start": window.start.isoformat(),
            "end": window.end.isoformat(),
            "cash": spec.cash,
            "benchmark": benchmark,
            "fee_pct": spec.fee_pct,
            "slippage_per_share": spec.slippage_per_share,
            "parameters": params,
            "tearsheet": spec.tearsheet,
            "data_symbols": data_symbols,
            "warmup_bars": warmup,
            "batch": {**role, "swept": combo, "symbols": symbols},
        }
        return BacktestRun(
            owner_id=user_id,
            strategy_id=base["strategy_id"],
            version_id=base["version_id"],
            config=config,
            batch_id=batch.id,
        )

    def _set_run_dirs(self: Any, db: Session, batch_id: int) -> None:
        rows = db.exec(
            select(BacktestRun).where(
                BacktestRun.batch_id == batch_id, col(BacktestRun.artifacts_dir).is_(None)
            )
        ).all()
        for run in rows:
            run.artifacts_dir = str(self.settings.runs_dir / f"run_{run.id}")
            db.add(run)
        db.commit()

    # -- reading ----------------------------------------------------------------------------
    def _batch_row(self: Any, db: Session, user_id: int | None, batch_id: int) -> Batch:
        batch = db.get(Batch, batch_id)
        if batch is None or (user_id is not None and batch.owner_id != user_id):
            raise NotFound(f"no batch {batch_id}", code="batch_not_found")
        return batch

    def _batch_runs(self: Any, db: Session, batch_id: int) -> list[BacktestRun]:
        return list(
            db.exec(
                select(BacktestRun)
                .where(BacktestRun.batch_id == batch_id)
                .order_by(col(BacktestRun.id))
            ).all()
        )

    def _batch_view(self: Any, db: Session, batch: Batch) -> BatchView:
        runs = self._batch_runs(db, batch.id or 0)
        counts = BatchCounts(total=len(runs))
        for run in runs:
            setattr(counts, run.status, getattr(counts, run.status) + 1)
        spec = BatchSpec.model_validate(batch.spec)
        if spec.kind == "walk_forward" and batch.status in ("queued", "running"):
            assert spec.walk_forward is not None
            # test runs are created as their windows' training ends: count them up front
            windows = sum(
                len(walk_windows(r.start, r.end, spec.walk_forward)) for r in spec.date_ranges
            )
            made = sum(1 for r in runs if (r.config.get("batch") or {}).get("role") == "test")
            counts.total += max(windows * max(len(spec.targets), 1) - made, 0)
            counts.queued += max(windows * max(len(spec.targets), 1) - made, 0)
        eta: float | None = None
        durations = [r.duration_s for r in runs if r.duration_s and r.status == "succeeded"]
        remaining = counts.total - counts.done
        if batch.status in ("queued", "running") and durations and remaining:
            started = _aware(batch.started_at) or datetime.now(UTC)
            elapsed = (datetime.now(UTC) - started).total_seconds()
            per_run = elapsed / max(counts.done, 1) if counts.done else sum(durations)
            eta = round(per_run * remaining, 1)
        elif remaining == 0:
            eta = 0.0
        return BatchView(
            id=batch.id or 0,
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

    def get_batch(self: Any, user_id: int | None, batch_id: int) -> BatchView:
        with self.session() as db:
            return self._batch_view(db, self._batch_row(db, user_id, batch_id))

    def list_batches(self: Any, user_id: int) -> list[BatchView]:
        with self.session() as db:
            rows = db.exec(
                select(Batch).where(Batch.owner_id == user_id).order_by(col(Batch.id))
            ).all()
            return [self._batch_view(db, b) for b in rows]

    # -- running ------------------------------------------------------------------------------
    def submit_batch(self: Any, batch_id: int) -> threading.Thread:
        """Coordinate the batch in a background thread of this process."""
        with _lock_of(self):
            threads = _threads_of(self)
            thread = threads.get(batch_id)
            if thread is not None and thread.is_alive():
                return thread
            thread = threading.Thread(
                target=self._run_batch_quietly, args=(batch_id,), daemon=True,
                name=f"batch-{batch_id}",
            )
            threads[batch_id] = thread
            thread.start()
            return thread

    def _run_batch_quietly(self: Any, batch_id: int) -> None:
        try:
            self.run_batch(batch_id)
        except Exception as exc:
            log.exception("batch=%s: the coordinator failed", batch_id)
            with self.session() as db:
                batch = db.get(Batch, batch_id)
                if batch is not None:
                    batch.status = BatchStatus.failed.value
                    batch.error = f"coordinator error: {exc}"
                    batch.finished_at = datetime.now(UTC)
                    db.add(batch)
                    db.commit()

    def run_batch(self: Any, batch_id: int) -> BatchView:
        """Run every queued run of the batch (and the phases they lead to) to the end."""
        with self.session() as db:
            batch = self._batch_row(db, None, batch_id)
            if batch.status in (BatchStatus.succeeded.value, BatchStatus.cancelled.value,
                                BatchStatus.failed.value):
                return self._batch_view(db, batch)
            batch.status = BatchStatus.running.value
            batch.started_at = batch.started_at or datetime.now(UTC)
            db.add(batch)
            db.commit()
        events = _BatchEvents(self, batch_id)
        while True:
            if events.cancelled():
                break
            jobs = self._queued_jobs(batch_id)
            if not jobs:
                if self._next_phase(batch_id):
                    continue
                break
            self.batch_executor().execute(jobs, events)
        return self._finish_batch(batch_id)

    def _queued_jobs(self: Any, batch_id: int) -> list[BacktestJob]:
        jobs = []
        with self.session() as db:
            for run in self._batch_runs(db, batch_id):
                if run.status != RunStatus.queued.value:
                    continue
                version = db.get(StrategyVersion, run.version_id)
                assert version is not None
                request = self.worker_request(run, version, tearsheet_default=False)
                jobs.append(
                    BacktestJob(
                        run_id=run.id or 0,
                        request=request,
                        run_dir=Path(run.artifacts_dir or self.settings.runs_dir / f"run_{run.id}"),
                        timeout_s=self.settings.backtest_timeout_s,
                        attempts=run.attempts,
                    )
                )
        return jobs

    def _next_phase(self: Any, batch_id: int) -> bool:
        """Walk-forward: a test run for each window whose training is over. True if any."""
        with self.session() as db:
            batch = self._batch_row(db, None, batch_id)
            if batch.kind != "walk_forward":
                return False
            spec = BatchSpec.model_validate(batch.spec)
            runs = self._batch_runs(db, batch_id)
            tested = {
                (r.strategy_id, r.config["batch"]["window"])
                for r in runs
                if r.config.get("batch", {}).get("role") == "test"
            }
            groups: dict[tuple[int, int], list[BacktestRun]] = {}
            for r in runs:
                info = r.config.get("batch", {})
                if info.get("role") == "train":
                    groups.setdefault((r.strategy_id, info["window"]), []).append(r)
            assert spec.walk_forward is not None
            windows = [
                w for r in spec.date_ranges for w in walk_windows(r.start, r.end, spec.walk_forward)
            ]
            made = 0
            for (strategy_id, window), train_runs in sorted(groups.items()):
                if (strategy_id, window) in tested:
                    continue
                if any(r.status in ("queued", "running") for r in train_runs):
                    continue
                scored = [
                    (metric_value(r.metrics, spec.metric), r.id or 0)
                    for r in train_runs
                    if r.status == RunStatus.succeeded.value
                ]
                scored = [s for s in scored if s[0] is not None]
                if not scored:
                    continue  # no training run succeeded: nothing to test out of sample
                best_id = sorted(scored, key=rank_key(spec.metric))[0][1]
                best = next(r for r in train_runs if r.id == best_id)
                test_range = windows[window][1]
                base = {
                    "strategy_id": best.strategy_id,
                    "version_id": best.version_id,
                    "version": best.config["version"],
                    "declared": {},
                    "data_symbols": best.config["data_symbols"],
                    "warmup_bars": best.config["warmup_bars"],
                }
                swept = best.config["batch"]["swept"]
                test_spec = spec.model_copy(update={"parameters": best.config["parameters"]})
                db.add(
                    self._batch_run_row(
                        batch.owner_id, batch, test_spec, base, test_range, {}, None,
                        {"role": "test", "window": window, "best_train_run": best_id,
                         "chosen": swept},
                    )
                )
                made += 1
            db.commit()
            if made:
                self._set_run_dirs(db, batch_id)
            return made > 0

    def _finish_batch(self: Any, batch_id: int) -> BatchView:
        with self.session() as db:
            batch = self._batch_row(db, None, batch_id)
            now = datetime.now(UTC)
            if batch.cancel_requested:
                for run in self._batch_runs(db, batch_id):
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
            db.commit()
            view = self._batch_view(db, batch)
        log.info("batch=%s %s: %s", batch_id, view.status, view.counts.model_dump())
        return view

    def _record_job_end(self: Any, job: BacktestJob, result: JobResult) -> None:
        outcome = result.outcome
        finished = datetime.now(UTC)
        if result.end == "succeeded":
            (job.run_dir / "summary.json").write_text(
                json.dumps(outcome.result, indent=2, default=str)
            )
            self._update_run(
                job.run_id,
                status=RunStatus.succeeded.value,
                progress=1.0,
                metrics=outcome.result["metrics"],
                benchmark_metrics=outcome.result.get("benchmark") or None,
                error=None,
                traceback=None,
                finished_at=finished,
                duration_s=outcome.duration_s,
                worker_pid=None,
                attempts=result.attempts,
            )
        else:
            self._update_run(
                job.run_id,
                status=RunStatus(result.end).value,
                error=outcome.error,
                traceback=outcome.traceback,
                finished_at=finished,
                duration_s=outcome.duration_s,
                worker_pid=None,
                attempts=result.attempts,
            )
        log.info("batch run=%s %s (attempts %d)%s", job.run_id, result.end, result.attempts,
                 f": {outcome.error}" if outcome.error else "")

    # -- cancel and resume --------------------------------------------------------------------
    def cancel_batch(self: Any, user_id: int | None, batch_id: int) -> BatchView:
        """Queued runs end as cancelled now; the coordinator kills the running ones."""
        with self.session() as db:
            batch = self._batch_row(db, user_id, batch_id)
            if batch.status not in (BatchStatus.queued.value, BatchStatus.running.value):
                return self._batch_view(db, batch)
            batch.cancel_requested = True
            now = datetime.now(UTC)
            for run in self._batch_runs(db, batch_id):
                if run.status == RunStatus.queued.value:
                    run.status = RunStatus.cancelled.value
                    run.error = "cancelled with its batch"
                    run.finished_at = now
                    db.add(run)
            coordinated = batch_id in _threads_of(self) and _threads_of(self)[batch_id].is_alive()
            if not coordinated and batch.status == BatchStatus.queued.value:
                batch.status = BatchStatus.cancelled.value
                batch.finished_at = now
            db.add(batch)
            db.commit()
            log.info("batch=%s cancel requested", batch_id)
            return self._batch_view(db, batch)

    def stop_stale_batch_workers(self: Any) -> int:
        """Before `recover_interrupted_runs` on start-up: kill pool workers a previous process
        left running on this batch's runs (they would write into the folders we reuse)."""
        import signal

        count = 0
        with self.session() as db:
            rows = db.exec(
                select(BacktestRun).where(
                    col(BacktestRun.batch_id).is_not(None),
                    BacktestRun.status == RunStatus.running.value,
                    col(BacktestRun.worker_pid).is_not(None),
                )
            ).all()
            for run in rows:
                if run.worker_pid and _is_pool_worker(run.worker_pid):
                    try:
                        os.killpg(run.worker_pid, signal.SIGKILL)
                        count += 1
                    except (ProcessLookupError, PermissionError):
                        pass
        return count

    def resume_batches(self: Any, submit: bool = True) -> list[int]:
        """On start-up, after `recover_interrupted_runs`: unfinished batches go on from their
        rows — runs the restart interrupted are queued again, finished runs are kept."""
        resumed = []
        with self.session() as db:
            batches = db.exec(
                select(Batch).where(
                    col(Batch.status).in_([BatchStatus.queued.value, BatchStatus.running.value])
                )
            ).all()
            for batch in batches:
                for run in self._batch_runs(db, batch.id or 0):
                    interrupted = run.status == RunStatus.failed.value and (
                        run.error or ""
                    ).startswith("interrupted")
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
            log.warning("resuming unfinished batch(es) %s", resumed)
        return resumed

    def wait_batch(self: Any, batch_id: int, timeout_s: float | None = None) -> BatchView:
        thread = _threads_of(self).get(batch_id)
        if thread is not None:
            thread.join(timeout_s)
        return self.get_batch(None, batch_id)

    # -- results ------------------------------------------------------------------------------
    def batch_results(
        self: Any, user_id: int | None, batch_id: int, metric: str | None = None, top: int = 5
    ) -> dict[str, Any]:
        with self.session() as db:
            batch = self._batch_row(db, user_id, batch_id)
            spec = BatchSpec.model_validate(batch.spec)
            metric = metric or spec.metric
            runs = self._batch_runs(db, batch_id)
            view = self._batch_view(db, batch)
        rows = []
        for run in runs:
            info = run.config.get("batch") or {}
            rows.append(
                {
                    "run_id": run.id,
                    "strategy_id": run.strategy_id,
                    "version": run.config.get("version"),
                    "status": run.status,
                    "start": run.config.get("start"),
                    "end": run.config.get("end"),
                    "symbols": run.config.get("data_symbols"),
                    "role": info.get("role"),
                    "window": info.get("window"),
                    "parameters": info.get("swept") or {},
                    "metric": metric_value(run.metrics, metric),
                    "metrics": run.metrics,
                    "error": run.error,
                }
            )
        ranked = sorted(
            (r for r in rows if r["status"] == "succeeded" and r["role"] != "test"),
            key=lambda r: rank_key(metric)((r["metric"], r["run_id"])),
        )
        for i, r in enumerate(ranked, 1):
            r["rank"] = i
        tables: dict[str, list[dict[str, Any]]] = {}
        for name in [p.name for p in spec.sweep]:
            by_value: dict[str, list[float]] = {}
            for r in ranked:
                if name in r["parameters"] and r["metric"] is not None:
                    by_value.setdefault(json.dumps(r["parameters"][name]), []).append(r["metric"])
            tables[name] = [
                {"value": json.loads(v), "runs": len(ms), "mean": sum(ms) / len(ms),
                 "best": (min(ms) if metric in LOWER_IS_BETTER else max(ms))}
                for v, ms in sorted(by_value.items(), key=lambda kv: json.loads(kv[0]))
            ]
        best_ids = [r["run_id"] for r in ranked[:top]]
        out: dict[str, Any] = {
            "batch": view.model_dump(mode="json"),
            "metric": metric,
            "leaderboard": ranked,
            "runs": rows,
            "parameter_tables": tables,
            "best_equity": self._aligned_equity(best_ids),
        }
        if spec.kind == "walk_forward":
            out["walk_forward"] = self._walk_forward_report(rows, metric)
        return out

    def _walk_forward_report(
        self: Any, rows: list[dict[str, Any]], metric: str
    ) -> list[dict[str, Any]]:
        by_id = {r["run_id"]: r for r in rows}
        report = []
        for r in rows:
            if r["role"] != "test":
                continue
            with self.session() as db:
                run = db.get(BacktestRun, r["run_id"])
                assert run is not None
                info = run.config["batch"]
            train = by_id.get(info.get("best_train_run"))
            report.append(
                {
                    "window": r["window"],
                    "train": [train["start"], train["end"]] if train else None,
                    "test": [r["start"], r["end"]],
                    "chosen": info.get("chosen"),
                    "in_sample": train["metric"] if train else None,
                    "out_of_sample": r["metric"],
                    "train_run_id": info.get("best_train_run"),
                    "test_run_id": r["run_id"],
                    "status": r["status"],
                }
            )
        return sorted(report, key=lambda x: (x["window"], x["test_run_id"]))

    def _aligned_equity(self: Any, run_ids: list[int]) -> dict[str, Any]:
        """Equity curves of runs on one date axis (forward-filled), plus each scaled to 1."""
        series = {}
        for run_id in run_ids:
            with self.session() as db:
                run = db.get(BacktestRun, run_id)
            if run is None or not run.artifacts_dir:
                continue
            path = Path(run.artifacts_dir) / "equity.csv"
            if not path.exists():
                continue
            frame = pd.read_csv(path, index_col="date", parse_dates=["date"])
            series[str(run_id)] = frame["equity"].astype(float)
        if not series:
            return {"dates": [], "equity": {}, "normalized": {}}
        frame = pd.DataFrame(series).sort_index().ffill()
        normalized = frame / frame.bfill().iloc[0]
        return {
            "dates": [d.strftime("%Y-%m-%d") for d in frame.index],
            "equity": {k: [None if pd.isna(v) else float(v) for v in frame[k]] for k in frame},
            "normalized": {
                k: [None if pd.isna(v) else round(float(v), 6) for v in normalized[k]]
                for k in normalized
            },
        }

    def compare_backtests(self: Any, user_id: int | None, run_ids: list[int]) -> dict[str, Any]:
        if not run_ids:
            raise InvalidInput("give run ids to compare", code="bad_ids")
        runs = [self.get_backtest(user_id, run_id) for run_id in run_ids]
        names = sorted({k for r in runs for k in (r.metrics or {})})
        return {
            "runs": [
                {
                    "run_id": r.id,
                    "strategy_id": r.strategy_id,
                    "version": r.version,
                    "status": r.status,
                    "start": r.config.get("start"),
                    "end": r.config.get("end"),
                    "parameters": r.config.get("parameters"),
                }
                for r in runs
            ],
            "metrics": {name: {str(r.id): (r.metrics or {}).get(name) for r in runs}
                        for name in names},
            "equity": self._aligned_equity([r.id for r in runs]),
        }

    # -- export -------------------------------------------------------------------------------
    def export_run(self: Any, user_id: int | None, run_id: int, fmt: str) -> tuple[str, str]:
        """(content, media type) of one run as csv (equity curve), json or html."""
        view: RunView = self.get_backtest(user_id, run_id)
        data = self.compare_backtests(user_id, [run_id])
        if fmt == "json":
            body = view.model_dump(mode="json")
            body["equity"] = data["equity"]
            return json.dumps(body, indent=2, default=str), "application/json"
        if fmt == "csv":
            eq = data["equity"]
            frame = pd.DataFrame({"date": eq["dates"], "equity": eq["equity"].get(str(run_id), [])})
            return frame.to_csv(index=False), "text/csv"
        if fmt == "html":
            rows = [{"run_id": run_id, "status": view.status, **(view.metrics or {})}]
            return (
                render_html_report(f"Backtest run {run_id}", rows, data["equity"],
                             {"config": view.config, "error": view.error}),
                "text/html",
            )
        raise InvalidInput(f"unknown export format {fmt!r} (csv, json, html)", code="bad_format")

    def export_batch(
        self: Any, user_id: int | None, batch_id: int, fmt: str, metric: str | None = None
    ) -> tuple[str, str]:
        results = self.batch_results(user_id, batch_id, metric)
        if fmt == "json":
            return json.dumps(results, indent=2, default=str), "application/json"
        flat = []
        for r in results["runs"]:
            row = {k: r[k] for k in ("run_id", "status", "role", "window", "start", "end")}
            row["symbols"] = " ".join(r["symbols"] or [])
            row.update({f"param_{k}": v for k, v in r["parameters"].items()})
            row.update({k: v for k, v in (r["metrics"] or {}).items()})
            row["error"] = r["error"]
            flat.append(row)
        if fmt == "csv":
            buffer = io.StringIO()
            pd.DataFrame(flat).to_csv(buffer, index=False)
            return buffer.getvalue(), "text/csv"
        if fmt == "html":
            batch = results["batch"]
            leaders = [
                {"rank": r["rank"], "run_id": r["run_id"],
                 **{f"param_{k}": v for k, v in r["parameters"].items()},
                 results["metric"]: r["metric"]}
                for r in results["leaderboard"]
            ]
            extra = {"counts": batch["counts"], "parameter_tables": results["parameter_tables"]}
            if "walk_forward" in results:
                extra["walk_forward"] = results["walk_forward"]
            return (
                render_html_report(f"Batch {batch_id}: {batch['name']} ({batch['kind']})", leaders,
                             results["best_equity"], extra),
                "text/html",
            )
        raise InvalidInput(f"unknown export format {fmt!r} (csv, json, html)", code="bad_format")

    # -- schedules ----------------------------------------------------------------------------
    def create_schedule(self: Any, user_id: int, body: ScheduleIn) -> ScheduleView:
        try:
            validate_cron(body.cron, body.timezone)
        except ValueError as exc:
            raise InvalidInput(str(exc), code="bad_cron") from exc
        with self.session() as db:
            row = Schedule(
                owner_id=user_id,
                name=body.name,
                cron=body.cron,
                timezone=body.timezone,
                batch_spec=body.batch.model_dump(mode="json"),
                enabled=body.enabled,
            )
            db.add(row)
            db.commit()
            db.refresh(row)
            return self._schedule_view(db, row)

    def _schedule_view(self: Any, db: Session, row: Schedule) -> ScheduleView:
        from runtime.scheduler import next_occurrence

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
            last_fire_at=_aware(last.fire_at) if last else None,
            created_at=row.created_at,
        )

    def list_schedules(self: Any, user_id: int) -> list[ScheduleView]:
        with self.session() as db:
            rows = db.exec(
                select(Schedule).where(Schedule.owner_id == user_id).order_by(col(Schedule.id))
            ).all()
            return [self._schedule_view(db, r) for r in rows]

    def delete_schedule(self: Any, user_id: int, schedule_id: int) -> None:
        with self.session() as db:
            row = db.get(Schedule, schedule_id)
            if row is None or row.owner_id != user_id:
                raise NotFound(f"no schedule {schedule_id}", code="schedule_not_found")
            row.enabled = False  # fires and batches keep pointing at it
            db.add(row)
            db.commit()

    def fire_schedule(self: Any, schedule: Schedule, fire_at: datetime) -> int | None:
        """The scheduler's callback: make the batch of one occurrence and start it."""
        spec = BatchSpec.model_validate(schedule.batch_spec)
        spec = spec.model_copy(
            update={"name": f"{schedule.name} @ {fire_at.strftime('%Y-%m-%d %H:%M')}Z"}
        )
        batch = self.create_batch(schedule.owner_id, spec, schedule_id=schedule.id)
        self.submit_batch(batch.id)
        return batch.id

    def make_scheduler(self: Any, name: str | None = None) -> Scheduler:
        return Scheduler(self.engine, self.fire_schedule, SchedulerSettings(), name=name)

    def start_scheduler(self: Any) -> None:
        settings = SchedulerSettings()
        if not settings.enabled:
            return
        self._scheduler = Scheduler(self.engine, self.fire_schedule, settings)
        self._scheduler.start()

    def stop_scheduler(self: Any) -> None:
        if self._scheduler is not None:
            self._scheduler.stop()
            self._scheduler = None


class _BatchEvents:
    """How the executor's reports reach the run rows of one batch."""

    def __init__(self, app: Any, batch_id: int) -> None:
        self.app = app
        self.batch_id = batch_id
        self._cancel_checked = 0.0
        self._cancel = False
        self._lock = threading.Lock()
        self._progress_at: dict[int, float] = {}

    def started(self, job: BacktestJob, worker_pid: int | None, attempt: int) -> None:
        self.app._update_run(
            job.run_id,
            status=RunStatus.running.value,
            started_at=datetime.now(UTC),
            worker_pid=worker_pid,
            attempts=attempt - 1,
            error=None,
        )

    def progress(self, job: BacktestJob, fraction: float) -> None:
        now = time.monotonic()
        if now - self._progress_at.get(job.run_id, 0.0) >= 1.0:
            self._progress_at[job.run_id] = now
            self.app._update_run(job.run_id, progress=round(fraction, 4))

    def finished(self, job: BacktestJob, result: JobResult) -> None:
        self.app._record_job_end(job, result)

    def cancelled(self) -> bool:
        with self._lock:
            now = time.monotonic()
            if not self._cancel and now - self._cancel_checked > 0.3:
                self._cancel_checked = now
                with self.app.session() as db:
                    batch = db.get(Batch, self.batch_id)
                    self._cancel = bool(batch is None or batch.cancel_requested)
            return self._cancel


_LOCK_GUARD = threading.Lock()


def _lock_of(app: Any) -> threading.RLock:
    with _LOCK_GUARD:
        lock = app.__dict__.get("_batch_lock")
        if lock is None:
            lock = app.__dict__["_batch_lock"] = threading.RLock()
        return lock


def _threads_of(app: Any) -> dict[int, threading.Thread]:
    with _LOCK_GUARD:
        threads = app.__dict__.get("_batch_threads")
        if threads is None:
            threads = app.__dict__["_batch_threads"] = {}
        return threads


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _is_pool_worker(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"runtime.pool_worker" in cmdline
