"""Planning a batch: from a `BatchSpec` to queued `BacktestRun` rows.

Kinds: explicit (versions × date ranges × symbol sets), sweep (a grid or seeded random sample
over a version's Lumibot `parameters`; `history_bars` is recomputed per combination so it always
covers the longest period), and walk-forward (rolling train/test windows: each window's train
runs sweep the parameters, the best set by the batch's metric then runs on the test window —
`next_phase` makes those test runs as training ends).

The fast engine (`api.services.screening`) takes over the searches when asked: a sweep with
`engine: fast` screens every combination on arrays and queues only the best `confirm_top` for
Lumibot; a walk-forward screens each training window the same way unless told `engine:
lumibot`, and falls back to training every combination on Lumibot, with the reason in the
batch's summary, when the fast engine refuses the strategy (edited code, an agent, a construct
it does not implement). What the screens found is the batch's `summary`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from api.services.backtests import default_benchmark
from api.services.batches.ranking import metric_value, rank_key
from api.services.batches.records import batch_runs, batch_view
from api.services.batches.sweeps import combinations, walk_windows, with_history
from api.services.code_facts import check_parameters
from api.services.context import AppContext
from api.services.rows import batch_row
from api.services.versions import RunTarget, VersionService
from api.services.views import BatchSpec, BatchView, DateRange, Target
from core.errors import InvalidInput, MarketDataError
from core.logging import get_logger
from core.models import BacktestRun, Batch, RunStatus, Strategy

SCREENED_KEPT = 100  # screened variants a batch's summary keeps, best first

if TYPE_CHECKING:
    from api.services.screening import ScreeningService

log = get_logger(__name__)


class BatchPlanner:
    def __init__(self, ctx: AppContext, versions: VersionService, executor_name: str,
                 screening: ScreeningService | None = None) -> None:
        self.ctx = ctx
        self.versions = versions
        self.executor_name = executor_name
        self.screening = screening

    def _fast_search(self, spec: BatchSpec, base: RunTarget) -> str | None:
        """None when this target's search runs on the fast engine, else why it does not."""
        engine = spec.engine or ("fast" if spec.kind == "walk_forward" else "lumibot")
        if engine != "fast" or spec.kind == "explicit":
            if spec.engine == "fast":
                raise InvalidInput("--engine fast screens a sweep or a walk-forward's training",
                                   code="bad_engine")
            return "the batch asked for the Lumibot engine"
        if self.screening is None:
            return "no fast engine in this process"
        if spec.symbols:
            reason: str | None = "the fast engine screens a strategy on its own symbols"
        elif spec.metric not in ("sharpe", "total_return"):
            reason = f"the fast engine ranks by sharpe or total_return, not {spec.metric}"
        else:
            reason = self.screening.refusal(base)
        if reason is not None and spec.engine == "fast":
            raise InvalidInput(reason, code="fast_engine_refused")
        return reason

    def _screened(self, user_id: int, spec: BatchSpec, base: RunTarget,
                  combos: list[dict[str, Any]], window: DateRange, summary: dict[str, Any],
                  role: dict[str, Any]) -> list[dict[str, Any]]:
        """The best `confirm_top` combinations of a fast screen over `window`; the screen's
        findings go into `summary["screens"]`."""
        assert self.screening is not None
        try:
            self.ctx.market.require(base.data_symbols, window.start, window.end)
        except MarketDataError as exc:
            raise InvalidInput(exc.message, code=exc.code) from exc
        found = self.screening.screen(
            user_id, base, combos, spec.parameters, window.start, window.end, cash=spec.cash,
            fee_pct=spec.fee_pct, dividends=spec.dividends,
            metric=spec.metric,
            overfitting=role.get("role") == "run")
        best = found.best(spec.confirm_top)
        summary.setdefault("screens", []).append({
            "strategy_id": base.strategy_id, "version": base.version, **role,
            "start": window.start.isoformat(), "end": window.end.isoformat(),
            "variants": len(combos), "seconds": found.seconds, "dividends": found.dividends,
            "confirmed": len(best),
            "leaderboard": [{"rank": place, **found.row(i)}
                            for place, i in enumerate(found.order[:SCREENED_KEPT], 1)],
            **({"overfitting": found.overfitting} if found.overfitting else {}),
        })
        return [{**combos[i], "__fast__": found.row(i)["fast"]} for i in best]

    def _targets(self, db: Session, user_id: int, spec: BatchSpec) -> list[Target]:
        if not spec.all_strategies:
            return spec.targets
        rows = db.exec(
            select(Strategy)
            .where(Strategy.owner_id == user_id, col(Strategy.deleted_at).is_(None))
            .order_by(col(Strategy.id))
        ).all()
        return [Target(strategy_id=r.id or 0) for r in rows] + spec.targets

    def create_batch(
        self, user_id: int, spec: BatchSpec, schedule_id: int | None = None
    ) -> BatchView:
        """Expand the spec into queued runs (walk-forward test runs come later) and record it."""
        with self.ctx.session() as db:
            targets = self._targets(db, user_id, spec)
        if not targets:
            raise InvalidInput("the batch has no strategies to run", code="empty_batch")
        bases = [
            self.versions.runnable(user_id, t.strategy_id, t.version, purpose="backtested")
            for t in targets
        ]
        planned: list[
            tuple[RunTarget, DateRange, dict[str, Any], list[str] | None, dict[str, Any]]
        ] = []
        summary: dict[str, Any] = {}
        for base in bases:
            combos = combinations(spec, base.declared, self.ctx.settings.max_lookback)
            refused = self._fast_search(spec, base)
            if refused is None:
                summary["engine"] = "fast"
                if spec.kind == "walk_forward":
                    assert spec.walk_forward is not None
                    for r in spec.date_ranges:
                        for i, (train, _test) in enumerate(
                                walk_windows(r.start, r.end, spec.walk_forward)):
                            role = {"role": "train", "window": i}
                            for combo in self._screened(user_id, spec, base, combos, train,
                                                        summary, role):
                                planned.append((base, train, combo, None, role))
                    if not planned:
                        raise InvalidInput(
                            "the date range holds no complete train + test window",
                            code="bad_walk_forward",
                        )
                    continue
                for r in spec.date_ranges:
                    for combo in self._screened(user_id, spec, base, combos, r, summary,
                                                {"role": "run"}):
                        planned.append((base, r, combo, None, {"role": "run"}))
                continue
            if spec.kind != "explicit" and spec.engine is None and spec.kind == "walk_forward":
                summary.setdefault("fast_refused", {})[str(base.strategy_id)] = refused
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
                            planned.append(
                                (base, train, combo, None, {"role": "train", "window": i})
                            )
                continue
            symbol_sets: list[list[str] | None] = [*(spec.symbols or []), None][
                : max(len(spec.symbols or []), 1)
            ]
            for r in spec.date_ranges:
                for symbols in symbol_sets:
                    for combo in combos:
                        planned.append((base, r, combo, symbols, {"role": "run"}))
        if not planned:
            raise InvalidInput("the sweep left no parameter combination to run", code="empty_batch")
        if len(planned) > spec.max_runs:
            raise InvalidInput(
                f"the batch would make {len(planned)} runs, more than max_runs={spec.max_runs}",
                code="batch_too_big",
            )
        with self.ctx.session() as db:
            batch = Batch(
                owner_id=user_id,
                name=spec.name,
                kind=spec.kind,
                spec=spec.model_dump(mode="json"),
                schedule_id=schedule_id,
                executor=self.executor_name,
                summary=summary or None,
            )
            db.add(batch)
            db.flush()
            available = self.ctx.known_symbols()
            for base, r, combo, symbols, role in planned:
                db.add(
                    self._run_row(user_id, batch, spec, base, r, combo, symbols, role, available)
                )
            db.commit()
            db.refresh(batch)
            self._set_run_dirs(db, batch.id or 0)
            log.info(
                "batch created",
                extra={"user": user_id, "batch": batch.id, "kind": spec.kind, "runs": len(planned)},
            )
            return batch_view(db, batch)

    def _run_row(
        self,
        user_id: int,
        batch: Batch,
        spec: BatchSpec,
        base: RunTarget,
        window: DateRange,
        combo: dict[str, Any],
        symbols: list[str] | None,
        role: dict[str, Any],
        available: set[str],
    ) -> BacktestRun:
        """One queued run; `available` is the store's symbols, read once per batch."""
        combo = dict(combo)
        fast = combo.pop("__fast__", None)  # the variant's fast-engine scores, when screened
        if fast is not None:
            role = {**role, "fast": fast}
        params = {**spec.parameters, **combo}
        if base.declared:  # walk-forward test runs reuse their best train run's checked set
            params = check_parameters(base.declared, params, self.ctx.settings.max_lookback)
        data_symbols = list(base.data_symbols)
        if symbols:
            params.update(symbols=list(symbols), data_symbols=list(symbols))
            data_symbols = list(symbols)
        params = with_history(base.declared, params)
        warmup = int(params.get("history_bars", base.warmup_bars))
        benchmark = spec.benchmark or default_benchmark(available, data_symbols)
        try:
            self.ctx.market.require(
                [*data_symbols, *([benchmark] if benchmark else [])], window.start, window.end
            )
        except MarketDataError as exc:
            raise InvalidInput(exc.message, code=exc.code) from exc
        config = {
            "strategy_id": base.strategy_id,
            "version": base.version,
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
        if spec.dividends is not None:
            config["dividends"] = spec.dividends
        return BacktestRun(
            owner_id=user_id,
            strategy_id=base.strategy_id,
            version_id=base.version_id,
            config=config,
            batch_id=batch.id,
        )

    def _set_run_dirs(self, db: Session, batch_id: int) -> None:
        rows = db.exec(
            select(BacktestRun).where(
                BacktestRun.batch_id == batch_id, col(BacktestRun.artifacts_dir).is_(None)
            )
        ).all()
        for run in rows:
            run.artifacts_dir = str(self.ctx.settings.runs_dir / f"run_{run.id}")
            db.add(run)
        db.commit()

    def next_phase(self, batch_id: int) -> bool:
        """Walk-forward: a test run for each window whose training is over. True if any."""
        with self.ctx.session() as db:
            batch = batch_row(db, user_id=None, batch_id=batch_id)
            if batch.kind != "walk_forward":
                return False
            spec = BatchSpec.model_validate(batch.spec)
            runs = batch_runs(db, batch_id)
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
            available = self.ctx.known_symbols()
            for (strategy_id, window), train_runs in sorted(groups.items()):
                if (strategy_id, window) in tested:
                    continue
                unfinished = (RunStatus.queued.value, RunStatus.running.value)
                if any(r.status in unfinished for r in train_runs):
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
                base = RunTarget(
                    strategy_id=best.strategy_id,
                    version_id=best.version_id,
                    version=best.config["version"],
                    declared={},
                    data_symbols=best.config["data_symbols"],
                    warmup_bars=best.config["warmup_bars"],
                )
                swept = best.config["batch"]["swept"]
                test_spec = spec.model_copy(update={"parameters": best.config["parameters"]})
                db.add(
                    self._run_row(
                        batch.owner_id,
                        batch,
                        test_spec,
                        base,
                        test_range,
                        {},
                        None,
                        {
                            "role": "test",
                            "window": window,
                            "best_train_run": best_id,
                            "chosen": swept,
                        },
                        available,
                    )
                )
                made += 1
            db.commit()
            if made:
                self._set_run_dirs(db, batch_id)
            return made > 0
