"""Single backtests: create a run (everything that can be checked is checked first), execute it
on the executor like every other backtest, read its results and artifacts.

A run succeeds as soon as its numbers are recorded. Its quantstats tearsheet is rendered after
that, on first request (`tearsheet`), from the run's `equity.csv`: nobody waits for a report to
see the metrics.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from api.services.batches.sweeps import with_history
from api.services.code_facts import check_parameters
from api.services.context import AppContext
from api.services.fast_backtests import fast_spec, run_fast
from api.services.rows import run_row
from api.services.runs import BacktestRunner, RunEvents, RunRecorder
from api.services.versions import VersionService
from api.services.views import BacktestConfig, Page, RunView, fetch_limit, known_total
from core.errors import Conflict, InvalidInput, NotFound, QuotaExceeded
from core.logging import get_logger
from core.models import BacktestRun, RunStatus, StrategyVersion
from core.scope import may_read, readable_owners
from generator.spec import StrategySpec
from runtime.backtest import BacktestRequest, WorkerOutcome
from runtime.executors.admission import Ticket
from runtime.executors.base import JobResult, RunEnd
from runtime.tearsheet import write_tearsheet

log = get_logger(__name__)

ARTIFACTS = ("equity.csv", "trades.json", "tearsheet.html", "summary.json")


def run_view(db: Session, run: BacktestRun, number: int | None = None) -> RunView:
    """`number`: the run's version number when the caller has it (a list reads them joined)."""
    if number is None:
        version = db.get(StrategyVersion, run.version_id)
        number = version.number if version else 0
    artifacts: list[str] = []
    if run.artifacts_dir and Path(run.artifacts_dir).is_dir():
        artifacts = sorted(p.name for p in Path(run.artifacts_dir).iterdir() if p.name in ARTIFACTS)
    return RunView(
        id=run.id or 0,
        owner_id=run.owner_id,
        strategy_id=run.strategy_id,
        version=number,
        status=run.status,
        progress=run.progress,
        config=run.config,
        metrics=run.metrics,
        benchmark=run.benchmark_metrics,
        error=run.error,
        traceback=run.traceback,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        duration_s=run.duration_s,
        artifacts=artifacts,
    )


def _artifact_of(run: BacktestRun, name: str) -> Path:
    """A finished run's file `name`, which must exist."""
    path = Path(run.artifacts_dir or "") / name
    if not path.exists():
        raise NotFound(f"run {run.id} has no {name}", code="artifact_missing")
    return path


def default_benchmark(available: set[str], symbols: list[str]) -> str | None:
    """SPY when stored, else the strategy's first symbol."""
    if "SPY" in available:
        return "SPY"
    return symbols[0] if symbols else None


class BacktestService:
    def __init__(
        self,
        ctx: AppContext,
        versions: VersionService,
        runner: BacktestRunner,
        recorder: RunRecorder,
    ) -> None:
        self.ctx = ctx
        self.versions = versions
        self.runner = runner
        self.recorder = recorder
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._tearsheet_lock = threading.Lock()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def _check_quota(self, user_id: int) -> None:
        """A user may have `STRATFORGE_USER_MAX_ACTIVE_BACKTESTS` runs queued or running."""
        limit = self.ctx.settings.user_max_active_backtests
        with self.ctx.session() as db:
            active = db.exec(
                select(func.count()).select_from(BacktestRun).where(
                    BacktestRun.owner_id == user_id,
                    col(BacktestRun.status).in_((RunStatus.queued.value,
                                                 RunStatus.running.value)))
            ).one()
        if active >= limit:
            raise QuotaExceeded(
                f"{active} of your backtests are queued or running (the limit is {limit}); "
                "try again when some have finished", code="backtest_quota", limit=limit)

    def create_backtest(self, user_id: int, config: BacktestConfig,
                        positions: dict[str, float] | None = None) -> RunView:
        """Check everything that can be checked up front, then record a queued run.
        `positions`: shares held at the start beside the cash (a replay of a bot's book)."""
        if config.end <= config.start:
            raise InvalidInput("end must be after start", code="bad_range")
        self._check_quota(user_id)
        target = self.versions.runnable(
            user_id, config.strategy_id, config.version, purpose="backtested"
        )
        benchmark = config.benchmark or default_benchmark(
            self.ctx.known_symbols(), target.data_symbols
        )
        self.ctx.market.require(
            [*target.data_symbols, *([benchmark] if benchmark else [])], config.start, config.end
        )
        if config.engine == "fast":  # refused up front, with the reason, when it cannot run
            self._fast_spec(target.version_id)
        parameters = check_parameters(target.declared, config.parameters,
                                      self.ctx.settings.max_lookback)
        if parameters:  # a longer period needs a longer warm-up
            parameters = with_history(target.declared, parameters)
        stored = config.model_dump(mode="json")
        stored.update(
            version=target.version,
            benchmark=benchmark,
            data_symbols=target.data_symbols,
            parameters=parameters,
            warmup_bars=int(parameters.get("history_bars", target.warmup_bars)),
            tearsheet=self.ctx.settings.tearsheet if config.tearsheet is None else config.tearsheet,
        )
        if positions:
            stored["positions"] = positions
        with self.ctx.session() as db:
            run = BacktestRun(
                owner_id=user_id,
                strategy_id=target.strategy_id,
                version_id=target.version_id,
                config=stored,
            )
            db.add(run)
            db.commit()
            db.refresh(run)
            run.artifacts_dir = str(self.ctx.settings.runs_dir / f"run_{run.id}")
            db.add(run)
            db.commit()
            return run_view(db, run)

    def execute_backtest(
        self, run_id: int, on_progress: Callable[[float, str | None], None] | None = None
    ) -> RunView:
        """Run a queued backtest on the executor, recording every state change."""
        with self.ctx.session() as db:
            run = db.get(BacktestRun, run_id)
            if run is None:
                raise NotFound(f"no backtest run {run_id}", code="run_not_found")
            if run.status != RunStatus.queued.value:
                raise Conflict(f"run {run_id} is {run.status}, not queued", code="run_not_queued")
            version = db.get(StrategyVersion, run.version_id)
            assert version is not None
            if run.config.get("engine") == "fast":
                fast_request = self.recorder.worker_request(run, version)
                run_dir = self.recorder.run_dir(run)
        if run.config.get("engine") == "fast":
            return self._execute_fast(run_id, run.version_id, fast_request, run_dir)
        with self.ctx.session() as db:
            run = db.get(BacktestRun, run_id)
            assert run is not None
            version = db.get(StrategyVersion, run.version_id)
            assert version is not None
            job = self.runner.job(
                run_id,
                self.recorder.worker_request(run, version),
                self.recorder.run_dir(run),
                attempts=run.attempts,
                retry_dead_worker=False,
            )
        self.recorder.update(run_id, status=RunStatus.running.value)
        events = RunEvents(
            self.recorder,
            on_progress=(
                (lambda _run, fraction: on_progress(fraction, None))
                if on_progress is not None
                else None
            ),
        )
        try:
            self.runner.run_jobs([job], events)
        except Exception as exc:  # the executor could not even start a worker
            log.exception("backtest could not start", extra={"run": run_id})
            self.recorder.fail(run_id, f"could not run the worker: {exc}")
        return self.get_backtest(None, run_id)

    def _fast_spec(self, version_id: int) -> StrategySpec:
        with self.ctx.session() as db:
            version = db.get(StrategyVersion, version_id)
            assert version is not None
            return fast_spec(version, self.ctx.code.absolute(version.code_path))

    def _execute_fast(
        self, run_id: int, version_id: int, request: BacktestRequest, run_dir: Path
    ) -> RunView:
        """A queued run on the fast engine, in this process, recorded like a worker's run."""
        self.recorder.started(run_id, None, 1)
        job = self.runner.job(run_id, request, run_dir, attempts=0, retry_dead_worker=False)
        try:
            outcome = run_fast(self._fast_spec(version_id), request, run_dir)
        except InvalidInput as exc:
            outcome = WorkerOutcome(False, error=str(exc))
        end: RunEnd = "succeeded" if outcome.ok else "failed"
        self.recorder.finished(job, JobResult(end, outcome, attempts=1))
        return self.get_backtest(None, run_id)

    def queue_backtest(self, user_id: int, config: BacktestConfig) -> RunView:
        """Admit, record and run a backtest in the background (the API's way). A busy server
        refuses (`ServerBusy`) before the run is recorded."""
        ticket = self.runner.admit(1)
        try:
            run = self.create_backtest(user_id, config)
        except BaseException:
            ticket.release()
            raise
        self.submit_backtest(run.id, ticket)
        return run

    def submit_backtest(self, run_id: int, ticket: Ticket | None = None) -> None:
        """Run in the background; errors end up on the run row. `ticket`: the admission taken
        for it (released when the run ends)."""
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=self.ctx.settings.backtest_concurrency,
                    thread_name_prefix="backtest",
                )
            self._pool.submit(self._execute_quietly, run_id, ticket)

    def _execute_quietly(self, run_id: int, ticket: Ticket | None = None) -> None:
        try:
            if ticket is None:
                self.execute_backtest(run_id)
            else:
                with self.runner.holding(ticket):
                    self.execute_backtest(run_id)
        except Exception:
            log.exception("backtest crashed in the coordinator", extra={"run": run_id})
            self.recorder.fail(run_id, "internal error while running the backtest")

    def get_backtest(self, user_id: int | None, run_id: int) -> RunView:
        with self.ctx.session() as db:
            return run_view(db, run_row(db, user_id=user_id, run_id=run_id))

    def get_backtests(self, user_id: int | None, run_ids: list[int]) -> list[RunView]:
        """Those runs in the order given, with their version numbers, in one query; an id the
        user may not read is `run_not_found`, as for one run."""
        with self.ctx.session() as db:
            found = {
                run.id: (run, number) for run, number in db.exec(
                    select(BacktestRun, StrategyVersion.number)
                    .join(StrategyVersion, col(StrategyVersion.id) == col(BacktestRun.version_id))
                    .where(col(BacktestRun.id).in_(set(run_ids)))
                ).all() if may_read(run, user_id)
            }
            for run_id in run_ids:
                if run_id not in found:
                    raise NotFound(f"no backtest run {run_id}", code="run_not_found")
            return [run_view(db, *found[run_id]) for run_id in run_ids]

    def list_backtests(self, user_id: int, strategy_id: int | None = None) -> list[RunView]:
        return self.backtests_page(user_id, strategy_id=strategy_id).items

    def backtests_page(
        self,
        user_id: int,
        *,
        strategy_id: int | None = None,
        status: RunStatus | None = None,
        limit: int | None = None,
        offset: int = 0,
        newest_first: bool = False,
    ) -> Page[RunView]:
        """A page of the user's runs, oldest first (or newest first), with their version
        numbers joined in."""
        where: list[ColumnElement[bool]] = [
            col(BacktestRun.owner_id).in_(readable_owners(user_id))]
        if strategy_id is not None:
            where.append(col(BacktestRun.strategy_id) == strategy_id)
        if status is not None:
            where.append(col(BacktestRun.status) == status.value)
        chosen = (
            select(BacktestRun, StrategyVersion.number)
            .join(StrategyVersion, col(StrategyVersion.id) == col(BacktestRun.version_id))
            .where(*where)
        )
        with self.ctx.session() as db:
            order = col(BacktestRun.id).desc() if newest_first else col(BacktestRun.id)
            fetched = db.exec(chosen.order_by(order).offset(offset)
                              .limit(fetch_limit(limit))).all()
            rows, total = fetched[:limit], known_total(len(fetched), limit, offset)
            if total is None:  # every run has its version (a foreign key): count without join
                total = db.exec(select(func.count(col(BacktestRun.id))).where(*where)).one()
            return Page(items=[run_view(db, run, number) for run, number in rows],
                        total=int(total), limit=limit, offset=offset)

    def _finished_run(self, user_id: int | None, run_id: int) -> BacktestRun:
        with self.ctx.session() as db:
            run = run_row(db, user_id=user_id, run_id=run_id)
        if run.status != RunStatus.succeeded.value:
            raise Conflict(
                f"run {run_id} is {run.status}; results exist once it has succeeded",
                code="run_not_finished",
            )
        return run

    def _artifact(self, user_id: int | None, run_id: int, name: str) -> Path:
        return _artifact_of(self._finished_run(user_id, run_id), name)

    def backtest_trades(self, user_id: int | None, run_id: int) -> dict[str, Any]:
        summary = json.loads(self._artifact(user_id, run_id, "summary.json").read_text())
        return {
            "run_id": run_id,
            "fills": summary.get("fills", []),
            "round_trips": summary.get("round_trips", []),
        }

    def backtest_equity(self, user_id: int | None, run_id: int) -> list[dict[str, Any]]:
        frame = pd.read_csv(self._artifact(user_id, run_id, "equity.csv"))
        return list(json.loads(frame.to_json(orient="records")))

    def backtest_tearsheet(self, user_id: int | None, run_id: int) -> Path:
        """The run's quantstats report, rendered from its equity curve on first request."""
        run = self._finished_run(user_id, run_id)
        run_dir = Path(run.artifacts_dir or "")
        target = run_dir / "tearsheet.html"
        with self._tearsheet_lock:  # quantstats/matplotlib are not thread-safe
            if not target.exists():
                _artifact_of(run, "equity.csv")
                summary = json.loads(_artifact_of(run, "summary.json").read_text())
                written = write_tearsheet(
                    run_dir,
                    title=str(summary.get("class_name") or f"run {run_id}"),
                    rf=self.ctx.settings.risk_free_rate,
                    benchmark=run.config.get("benchmark"),
                )
                if written is None:
                    raise Conflict(
                        f"the tearsheet of run {run_id} could not be made; see the server log",
                        code="tearsheet_failed",
                    )
                log.info("tearsheet written", extra={"run": run_id})
        return target

    def backtest_result(self, user_id: int | None, run_id: int) -> dict[str, Any]:
        """Everything the CLI's --json prints: the run plus its trades."""
        view = self.get_backtest(user_id, run_id).model_dump(mode="json")
        if view["status"] == RunStatus.succeeded.value:
            trades = self.backtest_trades(user_id, run_id)
            view["trades"] = trades["fills"]
            view["round_trips"] = trades["round_trips"]
        view["run_id"] = view["id"]
        return view
