"""Application services: what the HTTP routes, the CLI and the dashboard all call.

A service takes plain arguments and returns plain data (pydantic views); it never sees an HTTP
request or a terminal. It composes the generator (text → code), the code store and database
rows, the market-data store and the backtest worker.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from api.batches import BatchOps
from api.deployments import DeploymentOps
from api.generations import GenerationOps
from api.versions import VersionOps
from core.code_store import CodeStore, sha256_file
from core.config import Settings
from core.db import ensure_user, get_engine, migrate
from core.errors import Conflict, InvalidInput, NotFound, StratforgeError, ValidationFailed
from core.models import (
    BacktestRun,
    RunStatus,
    Strategy,
    StrategyVersion,
    User,
    ValidationStatus,
    VersionOrigin,
)
from generator.pipeline import Generated, generate, get_provider
from generator.render import slug_for
from generator.spec import SpecLimits, StrategySpec
from generator.validate import check_source
from runtime.backtest import BacktestRequest, WorkerOutcome, run_backtest_worker
from runtime.market_data import MarketDataError, MarketDataStore

log = logging.getLogger("stratforge")


# -- views ---------------------------------------------------------------------------------
class VersionView(BaseModel):
    number: int
    parent: int | None
    origin: str
    code_path: str
    sha256: str
    class_name: str
    summary: str
    spec: dict[str, Any] | None
    validation_status: str
    validation: dict[str, Any] | None
    created_at: datetime


class StrategyView(BaseModel):
    id: int
    name: str
    slug: str
    text: str
    latest_version: int
    created_at: datetime
    summary: str = ""
    version: VersionView | None = None


class BacktestConfig(BaseModel):
    strategy_id: int
    version: int | None = Field(default=None, description="Version number; default the latest")
    start: date
    end: date
    cash: float = Field(default=100_000.0, gt=0, le=1e12)
    benchmark: str | None = Field(default=None, description="Symbol; default SPY or the first")
    fee_pct: float = Field(default=0.0, ge=0, le=0.05)
    slippage_per_share: float = Field(default=0.0, ge=0, le=10)
    parameters: dict[str, Any] = Field(default_factory=dict)
    tearsheet: bool | None = None


class RunView(BaseModel):
    id: int
    strategy_id: int
    version: int
    status: str
    progress: float
    config: dict[str, Any]
    metrics: dict[str, Any] | None
    benchmark: dict[str, Any] | None
    error: str | None
    traceback: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_s: float | None
    artifacts: list[str] = Field(default_factory=list)


def _version_view(row: StrategyVersion) -> VersionView:
    return VersionView(
        number=row.number,
        parent=row.parent_number,
        origin=row.origin,
        code_path=row.code_path,
        sha256=row.sha256,
        class_name=row.class_name,
        summary=row.summary,
        spec=row.spec,
        validation_status=row.validation_status,
        validation=row.validation_report,
        created_at=row.created_at,
    )


# -- the application ------------------------------------------------------------------------------
class Stratforge(VersionOps, GenerationOps, BatchOps, DeploymentOps):
    """One per process: settings, stores, the database, and the backtest pool."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        settings.ensure_dirs()
        migrate(settings)
        self.engine = get_engine(settings)
        self.market = MarketDataStore(settings.market_data_dir)
        self.code = CodeStore(settings.code_dir)
        self.limits = SpecLimits(
            max_symbols=settings.max_symbols,
            max_leverage=settings.max_leverage,
            max_lookback=settings.max_lookback,
        )
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        with self.session() as db:
            self.default_user_id = ensure_user(db, settings.default_user).id or 0

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    # -- users ----------------------------------------------------------------------------------
    def user(self, name: str | None = None) -> User:
        with self.session() as db:
            return ensure_user(db, name or self.settings.default_user)

    # -- strategies -----------------------------------------------------------------------------
    def create_strategy(self, user_id: int, text: str, provider: str | None = None) -> StrategyView:
        known = {c.symbol for c in self.market.symbols()}
        chosen = get_provider(provider or self.settings.default_llm_provider, self.settings)
        self.check_budget(user_id, chosen)  # GenerationOps: refuses past the daily budget
        try:
            generated = generate(
                text,
                provider=chosen,
                limits=self.limits,
                known_symbols=known,
                context=self.prompt_context(),
            )
        except StratforgeError as exc:
            self.record_generation(
                user_id, text, provider=chosen.name, model=chosen.model, error=exc
            )
            raise
        try:
            self._require_symbols(generated.spec)
        except StratforgeError as exc:
            self.record_generation(
                user_id,
                text,
                provider=chosen.name,
                model=chosen.model,
                generated=generated,
                error=exc,
            )
            raise
        strategy = self._save_new_strategy(user_id, text, generated)
        self.record_generation(
            user_id,
            text,
            provider=generated.provider,
            model=generated.model,
            strategy_id=strategy.id,
            generated=generated,
        )
        return self.validate_version(user_id, strategy.id or 0, 1)

    def _require_symbols(self, spec: StrategySpec) -> None:
        symbols = spec.all_symbols()
        available = [c.symbol for c in self.market.symbols()]
        missing = [s for s in symbols if s not in available]
        if missing:
            from runtime.market_data import UnknownSymbolError

            err = UnknownSymbolError(missing, available)
            raise InvalidInput(
                err.message
                + (
                    " Import data with `stratforge data import DIR` or load the "
                    "sample market with `stratforge data sample`."
                    if not available
                    else ""
                ),
                code="unknown_symbol",
                symbols=missing,
                available=available,
            )

    def _unique_slug(self, db: Session, name: str) -> str:
        base = slug_for(name)
        slug, n = base, 2
        while (
            db.exec(select(Strategy).where(Strategy.slug == slug)).first() is not None
            or self.code.folder(slug).exists()
        ):
            slug, n = f"{base}_{n}", n + 1
        return slug

    def _save_new_strategy(self, user_id: int, text: str, generated: Generated) -> Strategy:
        with self.session() as db:
            strategy = Strategy(
                owner_id=user_id,
                name=generated.spec.name,
                slug=self._unique_slug(db, generated.spec.name),
                text=text,
                latest_version=0,
            )
            db.add(strategy)
            db.flush()
            self._record_version(
                db,
                strategy,
                source=generated.code,
                origin=VersionOrigin.generated.value,
                parent=None,
                spec=generated.spec.model_dump(mode="json"),
                summary=generated.summary,
                class_name=generated.class_name,
            )
            db.refresh(strategy)
            log.info("strategy created id=%s slug=%s", strategy.id, strategy.slug)
            return strategy

    def _record_generation(
        self,
        user_id: int,
        strategy_id: int | None,
        text: str,
        provider: str,
        model: str,
        error: Exception | None,
        latency_ms: float = 0.0,
    ) -> None:
        """Kept for older callers; `GenerationOps.record_generation` records the attempts."""
        self.record_generation(
            user_id,
            text,
            provider=provider,
            model=model,
            strategy_id=strategy_id,
            error=error,
            latency_ms=latency_ms,
        )

    def _strategy_row(self, db: Session, user_id: int, strategy_id: int) -> Strategy:
        row = db.get(Strategy, strategy_id)
        if row is None or row.owner_id != user_id or row.deleted_at is not None:
            raise NotFound(f"no strategy {strategy_id}", code="strategy_not_found")
        return row

    def _version_row(self, db: Session, strategy: Strategy, number: int | None) -> StrategyVersion:
        number = number or strategy.latest_version
        row = db.exec(
            select(StrategyVersion).where(
                StrategyVersion.strategy_id == strategy.id, StrategyVersion.number == number
            )
        ).first()
        if row is None:
            raise NotFound(
                f"strategy {strategy.id} has no version {number}", code="version_not_found"
            )
        return row

    def list_strategies(self, user_id: int) -> list[StrategyView]:
        with self.session() as db:
            rows = db.exec(
                select(Strategy)
                .where(Strategy.owner_id == user_id, col(Strategy.deleted_at).is_(None))
                .order_by(col(Strategy.id))
            ).all()
            views = []
            for row in rows:
                version = self._version_row(db, row, None)
                views.append(self._strategy_view(row, version))
            return views

    def _strategy_view(self, row: Strategy, version: StrategyVersion | None) -> StrategyView:
        return StrategyView(
            id=row.id or 0,
            name=row.name,
            slug=row.slug,
            text=row.text,
            latest_version=row.latest_version,
            created_at=row.created_at,
            summary=version.summary if version else "",
            version=_version_view(version) if version else None,
        )

    def get_strategy(self, user_id: int, strategy_id: int) -> StrategyView:
        with self.session() as db:
            row = self._strategy_row(db, user_id, strategy_id)
            return self._strategy_view(row, self._version_row(db, row, None))

    def get_version(self, user_id: int, strategy_id: int, number: int) -> VersionView:
        with self.session() as db:
            row = self._strategy_row(db, user_id, strategy_id)
            return _version_view(self._version_row(db, row, number))

    def version_code(self, user_id: int, strategy_id: int, number: int) -> str:
        version = self.get_version(user_id, strategy_id, number)
        return self.code.absolute(version.code_path).read_text(encoding="utf-8")

    def code_file(self, version: VersionView) -> Path:
        return self.code.absolute(version.code_path)

    def add_code_version(self, user_id: int, strategy_id: int, source: str) -> StrategyView:
        """Record uploaded (hand-edited) code as the newest version, after the static gate.

        The spec of the parent version is kept beside it: it says which symbols' bars the
        code is given. The version then passes the dynamic gate like a generated one."""
        report = check_source(source)
        if not report.ok:
            raise ValidationFailed(
                "the code failed validation: " + "; ".join(str(p) for p in report.problems),
                problems=report.as_dict()["problems"],
            )
        with self.session() as db:
            strategy = self._strategy_row(db, user_id, strategy_id)
            parent = self._version_row(db, strategy, None)
            number = self._record_version(
                db,
                strategy,
                source=source,
                origin=VersionOrigin.edited.value,
                parent=parent.number,
                spec=parent.spec,
                summary=parent.summary,
                class_name=report.class_name or parent.class_name,
            )
        return self.validate_version(user_id, strategy_id, number)

    # -- validation (dynamic half of the gate) ----------------------------------------------------
    def validate_version(self, user_id: int, strategy_id: int, number: int) -> StrategyView:
        """Import the version in a worker and run a smoke backtest and a look-ahead probe."""
        with self.session() as db:
            strategy = self._strategy_row(db, user_id, strategy_id)
            version = self._version_row(db, strategy, number)
            report = self._dynamic_checks(strategy, version)
            version.validation_status = (
                ValidationStatus.passed.value if report["ok"] else ValidationStatus.failed.value
            )
            version.validation_report = report
            db.add(version)
            db.commit()
            return self._strategy_view(strategy, version)

    def _smoke_range(self, symbols: list[str]) -> tuple[date, date] | None:
        days = self.settings.smoke_backtest_days
        if days <= 0:
            return None
        ends = [self.market.coverage(s).end for s in symbols]
        end = min(ends)
        return end - timedelta(days=days), end

    def _dynamic_checks(self, strategy: Strategy, version: StrategyVersion) -> dict[str, Any]:
        path = self.code.absolute(version.code_path)
        source = path.read_text(encoding="utf-8")
        static = check_source(source, filename=path.name)
        if not static.ok:  # never import code the static gate refused
            return {
                "ok": False,
                "checks": ["static"],
                "problems": [
                    {"stage": p.stage, "line": p.line, "column": p.column, "message": p.message}
                    for p in static.problems
                ],
            }
        symbols, warmup = self._code_data_needs(source, version)
        return self.check_code(
            path,
            version.sha256,
            version.class_name,
            symbols,
            warmup,
            label=f"{strategy.slug}_v{version.number}",
        )

    def _code_data_needs(self, source: str, version: StrategyVersion) -> tuple[list[str], int]:
        """Which symbols' bars the code reads and how much warm-up: from its `parameters`
        (read statically; edits may change them), else from the version's spec."""
        declared = declared_parameters(source)
        spec = StrategySpec.model_validate(version.spec) if version.spec else None
        symbols = declared.get("data_symbols") or (spec.all_symbols() if spec else [])
        warmup = declared.get("history_bars") or (spec.lookback() if spec else 0)
        return [str(s) for s in symbols], int(warmup)

    def check_code(
        self,
        path: Path,
        sha256: str,
        class_name: str,
        symbols: list[str],
        warmup: int,
        label: str,
    ) -> dict[str, Any]:
        """Import, smoke backtest and look-ahead probe of a file that passed the static gate."""
        report: dict[str, Any] = {"ok": True, "problems": [], "checks": ["static"]}
        base: dict[str, Any] = dict(
            code_path=str(path),
            sha256=sha256,
            class_name=class_name,
            data_symbols=symbols,
            market_data_dir=str(self.market.root),
            warmup_bars=warmup,
            tearsheet=False,
            risk_free_rate=self.settings.risk_free_rate,
        )
        window = self._smoke_range(symbols) if symbols else None
        if window is None:
            request = BacktestRequest(
                start=date.today(), end=date.today(), import_only=True, **base
            )
            outcome = self._run_check(label, "import", request)
            report["checks"].append("import")
            if not outcome.ok:
                report["ok"] = False
                report["problems"].append(
                    {"stage": "import", "message": outcome.error, "traceback": outcome.traceback}
                )
            return report
        start, end = window
        normal_req = BacktestRequest(start=start, end=end, **base)
        probe_req = BacktestRequest(start=start, end=end, lookahead_probe=True, **base)
        with ThreadPoolExecutor(max_workers=2) as pool:
            normal_f = pool.submit(self._run_check, label, "smoke", normal_req)
            probe_f = pool.submit(self._run_check, label, "probe", probe_req)
            normal, probe = normal_f.result(), probe_f.result()
        report["checks"] += ["import", "smoke_backtest", "lookahead_probe"]
        report["smoke_range"] = [start.isoformat(), end.isoformat()]
        if not normal.ok:
            report["ok"] = False
            report["problems"].append(
                {"stage": "smoke", "message": normal.error, "traceback": normal.traceback}
            )
            return report
        report["smoke_fills"] = len(normal.result.get("fills", []))
        if not probe.ok or probe.result.get("fills") != normal.result.get("fills"):
            report["ok"] = False
            report["problems"].append(
                {
                    "stage": "lookahead",
                    "message": "orders changed when each current-day bar was altered: the code "
                    "decides on the bar of the day it trades (look-ahead). Decide on "
                    "completed_bars(...) instead of the raw history.",
                }
            )
        return report

    def _run_check(self, label: str, kind: str, request: BacktestRequest) -> WorkerOutcome:
        run_dir = self.settings.runs_dir / "checks" / f"{label}_{kind}"
        return run_backtest_worker(
            request,
            run_dir,
            self.settings.home / "cache",
            timeout_s=self.settings.backtest_timeout_s,
            memory_mb=self.settings.backtest_memory_mb,
        )

    # -- backtests ------------------------------------------------------------------------------
    def create_backtest(self, user_id: int, config: BacktestConfig) -> RunView:
        """Check everything that can be checked up front, then record a queued run."""
        if config.end <= config.start:
            raise InvalidInput("end must be after start", code="bad_range")
        self.scan_versions(user_id, config.strategy_id)  # an edited file becomes a version
        with self.session() as db:
            version = self._version_row(
                db, self._strategy_row(db, user_id, config.strategy_id), config.version
            )
            pending = version.validation_status == ValidationStatus.pending.value
        if pending:  # e.g. the process stopped during validation: finish it now
            self.validate_version(user_id, config.strategy_id, version.number)
        with self.session() as db:
            strategy = self._strategy_row(db, user_id, config.strategy_id)
            version = self._version_row(db, strategy, config.version)
            if version.validation_status != ValidationStatus.passed.value:
                raise Conflict(
                    f"version {version.number} failed validation and cannot be backtested",
                    code="version_invalid",
                    validation=version.validation_report,
                )
            path = self.code.absolute(version.code_path)
            if not path.exists():
                raise NotFound(f"code file {version.code_path} is missing", code="code_missing")
            if sha256_file(path) != version.sha256:
                raise Conflict(
                    f"{version.code_path} was edited since version {version.number} "
                    "was recorded; record the edit as a new version first",
                    code="code_edited",
                )
            symbols, warmup = self._code_data_needs(path.read_text(encoding="utf-8"), version)
            benchmark = config.benchmark or self._default_benchmark(symbols)
            try:
                self.market.require(
                    [*symbols, *([benchmark] if benchmark else [])], config.start, config.end
                )
            except MarketDataError as exc:
                raise InvalidInput(exc.message, code=exc.code) from exc
            stored = config.model_dump(mode="json")
            stored.update(
                version=version.number,
                benchmark=benchmark,
                data_symbols=symbols,
                warmup_bars=warmup,
                tearsheet=self.settings.tearsheet if config.tearsheet is None else config.tearsheet,
            )
            run = BacktestRun(
                owner_id=user_id,
                strategy_id=strategy.id or 0,
                version_id=version.id or 0,
                config=stored,
            )
            db.add(run)
            db.commit()
            db.refresh(run)
            run.artifacts_dir = str(self.settings.runs_dir / f"run_{run.id}")
            db.add(run)
            db.commit()
            return self._run_view(db, run)

    def _default_benchmark(self, symbols: list[str]) -> str | None:
        available = {c.symbol for c in self.market.symbols()}
        if "SPY" in available:
            return "SPY"
        return symbols[0] if symbols else None

    def execute_backtest(self, run_id: int, on_progress: Any = None) -> RunView:
        """Run a queued backtest in a worker, recording every state change."""
        with self.session() as db:
            run = db.get(BacktestRun, run_id)
            if run is None:
                raise NotFound(f"no backtest run {run_id}", code="run_not_found")
            if run.status != RunStatus.queued.value:
                raise Conflict(f"run {run_id} is {run.status}, not queued", code="run_not_queued")
            version = db.get(StrategyVersion, run.version_id)
            assert version is not None
            run.status = RunStatus.running.value
            run.started_at = datetime.now(UTC)
            db.add(run)
            db.commit()
            request = self.worker_request(run, version, tearsheet_default=True)
            run_dir = Path(run.artifacts_dir or self.settings.runs_dir / f"run_{run.id}")

        def record_pid(pid: int) -> None:
            self._update_run(run_id, worker_pid=pid)

        def progress(fraction: float, day: str | None) -> None:
            self._update_run(run_id, progress=round(fraction, 4))
            if on_progress is not None:
                on_progress(fraction, day)

        try:
            outcome = run_backtest_worker(
                request,
                run_dir,
                self.settings.home / "cache",
                timeout_s=self.settings.backtest_timeout_s,
                memory_mb=self.settings.backtest_memory_mb,
                on_progress=progress,
                on_start=record_pid,
            )
        except Exception as exc:  # the worker could not even start
            outcome = WorkerOutcome(False, error=f"could not run the worker: {exc}")
        finished = datetime.now(UTC)
        if outcome.ok:
            result = outcome.result
            (run_dir / "summary.json").write_text(json.dumps(result, indent=2, default=str))
            self._update_run(
                run_id,
                status=RunStatus.succeeded.value,
                progress=1.0,
                metrics=result["metrics"],
                benchmark_metrics=(result.get("benchmark") or None),
                finished_at=finished,
                duration_s=outcome.duration_s,
                worker_pid=None,
            )
        else:
            self._update_run(
                run_id,
                status=RunStatus.failed.value,
                error=outcome.error,
                traceback=outcome.traceback,
                finished_at=finished,
                duration_s=outcome.duration_s,
                worker_pid=None,
            )
        log.info(
            "backtest run=%s %s in %.1fs",
            run_id,
            "succeeded" if outcome.ok else f"failed: {outcome.error}",
            outcome.duration_s,
        )
        return self.get_backtest(None, run_id)

    def worker_request(
        self, run: BacktestRun, version: StrategyVersion, *, tearsheet_default: bool
    ) -> BacktestRequest:
        """What a worker needs to run a recorded BacktestRun (its config as stored)."""
        cfg = dict(run.config)
        return BacktestRequest(
            code_path=str(self.code.absolute(version.code_path)),
            sha256=version.sha256,
            class_name=version.class_name,
            data_symbols=cfg["data_symbols"],
            start=cfg["start"],
            end=cfg["end"],
            cash=cfg["cash"],
            benchmark=cfg.get("benchmark"),
            fee_pct=cfg.get("fee_pct", 0.0),
            slippage_per_share=cfg.get("slippage_per_share", 0.0),
            parameters=cfg.get("parameters") or {},
            warmup_bars=cfg.get("warmup_bars", 0),
            risk_free_rate=self.settings.risk_free_rate,
            tearsheet=cfg.get("tearsheet", tearsheet_default),
            market_data_dir=str(self.market.root),
        )

    def submit_backtest(self, run_id: int) -> None:
        """Run in the background pool (the API's way); errors end up on the run row."""
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=self.settings.backtest_concurrency, thread_name_prefix="backtest"
                )
            self._pool.submit(self._execute_quietly, run_id)

    def _execute_quietly(self, run_id: int) -> None:
        try:
            self.execute_backtest(run_id)
        except Exception:
            log.exception("backtest run=%s crashed in the coordinator", run_id)
            self._update_run(
                run_id,
                status=RunStatus.failed.value,
                error="internal error while running the backtest",
                finished_at=datetime.now(UTC),
            )

    def _update_run(self, run_id: int, **fields: Any) -> None:
        with self.session() as db:
            run = db.get(BacktestRun, run_id)
            if run is None:
                return
            for key, value in fields.items():
                setattr(run, key, value)
            db.add(run)
            db.commit()

    def recover_interrupted_runs(self) -> int:
        """On start-up: runs left queued/running by a previous process end as failed.

        Their workers died with the old process or are stopped here, so no run stays
        'running' forever."""
        count = 0
        with self.session() as db:
            rows = db.exec(
                select(BacktestRun).where(
                    col(BacktestRun.status).in_([RunStatus.queued.value, RunStatus.running.value])
                )
            ).all()
            for run in rows:
                if run.worker_pid and _is_our_worker(run.worker_pid, run.artifacts_dir):
                    try:
                        os.killpg(run.worker_pid, 9)
                    except (ProcessLookupError, PermissionError):
                        pass
                run.status = RunStatus.failed.value
                run.error = "interrupted: the server stopped before the run finished"
                run.finished_at = datetime.now(UTC)
                run.worker_pid = None
                db.add(run)
                count += 1
            db.commit()
        return count

    def _run_view(self, db: Session, run: BacktestRun) -> RunView:
        version = db.get(StrategyVersion, run.version_id)
        artifacts: list[str] = []
        if run.artifacts_dir and Path(run.artifacts_dir).is_dir():
            artifacts = sorted(
                p.name
                for p in Path(run.artifacts_dir).iterdir()
                if p.name in ("equity.csv", "trades.json", "tearsheet.html", "summary.json")
            )
        return RunView(
            id=run.id or 0,
            strategy_id=run.strategy_id,
            version=version.number if version else 0,
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

    def _run_row(self, db: Session, user_id: int | None, run_id: int) -> BacktestRun:
        run = db.get(BacktestRun, run_id)
        if run is None or (user_id is not None and run.owner_id != user_id):
            raise NotFound(f"no backtest run {run_id}", code="run_not_found")
        return run

    def get_backtest(self, user_id: int | None, run_id: int) -> RunView:
        with self.session() as db:
            return self._run_view(db, self._run_row(db, user_id, run_id))

    def list_backtests(self, user_id: int, strategy_id: int | None = None) -> list[RunView]:
        with self.session() as db:
            query = select(BacktestRun).where(BacktestRun.owner_id == user_id)
            if strategy_id is not None:
                query = query.where(BacktestRun.strategy_id == strategy_id)
            return [self._run_view(db, r) for r in db.exec(query.order_by(col(BacktestRun.id)))]

    def _artifact(self, user_id: int, run_id: int, name: str) -> Path:
        run = self.get_backtest(user_id, run_id)
        if run.status != RunStatus.succeeded.value:
            raise Conflict(
                f"run {run_id} is {run.status}; results exist once it has succeeded",
                code="run_not_finished",
            )
        with self.session() as db:
            row = self._run_row(db, user_id, run_id)
        path = Path(row.artifacts_dir or "") / name
        if not path.exists():
            raise NotFound(f"run {run_id} has no {name}", code="artifact_missing")
        return path

    def backtest_trades(self, user_id: int, run_id: int) -> dict[str, Any]:
        summary = json.loads(self._artifact(user_id, run_id, "summary.json").read_text())
        return {
            "run_id": run_id,
            "fills": summary.get("fills", []),
            "round_trips": summary.get("round_trips", []),
        }

    def backtest_equity(self, user_id: int, run_id: int) -> list[dict[str, Any]]:
        frame = pd.read_csv(self._artifact(user_id, run_id, "equity.csv"))
        return json.loads(frame.to_json(orient="records"))

    def backtest_tearsheet(self, user_id: int, run_id: int) -> Path:
        return self._artifact(user_id, run_id, "tearsheet.html")

    def backtest_result(self, user_id: int, run_id: int) -> dict[str, Any]:
        """Everything the CLI's --json prints: the run plus its trades."""
        view = self.get_backtest(user_id, run_id).model_dump(mode="json")
        if view["status"] == RunStatus.succeeded.value:
            trades = self.backtest_trades(user_id, run_id)
            view["trades"] = trades["fills"]
            view["round_trips"] = trades["round_trips"]
        view["run_id"] = view["id"]
        return view


def declared_parameters(source: str) -> dict[str, Any]:
    """The literal `parameters = {...}` of the Strategy class in `source`, read without running
    it (values that are not plain literals are skipped)."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if (
                    isinstance(item, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "parameters" for t in item.targets)
                    and isinstance(item.value, ast.Dict)
                ):
                    out: dict[str, Any] = {}
                    for key, value in zip(item.value.keys, item.value.values, strict=True):
                        try:
                            out[ast.literal_eval(key)] = ast.literal_eval(value)  # type: ignore[arg-type]
                        except (ValueError, TypeError, SyntaxError):
                            continue
                    return out
    return {}


def _is_our_worker(pid: int, artifacts_dir: str | None) -> bool:
    """True when `pid` is still a backtest worker of this run (guards against PID reuse)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    args = [a.decode(errors="replace") for a in cmdline]
    return (
        "runtime.backtest_worker" in args
        and bool(artifacts_dir)
        and str(Path(artifacts_dir or "").resolve()) in args
    )


def indicator_series(
    app: Stratforge,
    symbol: str,
    kind: str,
    period: int | None,
    start: date | None,
    end: date | None,
) -> dict[str, Any]:
    """An indicator over a symbol's stored bars, computed by the same functions strategies use."""
    from generator.render import _FUNCTIONS
    from generator.spec import Indicator, IndicatorKind
    from runtime import strategy_base

    try:
        indicator = Indicator(kind=IndicatorKind(kind), period=period)
    except ValueError as exc:
        raise InvalidInput(str(exc), code="bad_indicator") from exc
    bars = app.market.bars(symbol)  # the whole history, so the first values are warmed up
    func_name, fields = _FUNCTIONS[indicator.kind]
    func = getattr(strategy_base, func_name)
    values = func(bars, *[getattr(indicator, f) for f in fields])
    if start is not None:
        values = values[values.index >= pd.Timestamp(start)]
    if end is not None:
        values = values[values.index <= pd.Timestamp(end)]
    values = values.dropna()
    return {
        "symbol": symbol,
        "indicator": indicator.model_dump(exclude_none=True, mode="json"),
        "values": [{"date": d.strftime("%Y-%m-%d"), "value": float(v)} for d, v in values.items()],
    }
