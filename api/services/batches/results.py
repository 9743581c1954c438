"""Results of many runs: a batch's leaderboard by any metric, parameter → metric tables,
walk-forward in-sample vs out-of-sample, equity curves on one date axis, comparing any runs,
and CSV / JSON / self-contained HTML exports.

A sweep or walk-forward reports its search's overfitting statistics (`overfitting`: trials,
deflated Sharpe ratio of the best, PBO, and a sentence on what they mean): from the fast
screen when the fast engine searched, else from the runs' own daily returns. A run the fast
engine screened carries its fast scores beside its Lumibot metrics, and `differs` when the
fast engine, run again on that run's exact request, does not give its fills and total return.
"""

from __future__ import annotations

import io
import json
import threading
from collections import OrderedDict
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlmodel import col, select

from api.html_report import render_html_report
from api.services.backtests import BacktestService
from api.services.batches.ranking import LOWER_IS_BETTER, metric_value, rank_key
from api.services.batches.records import batch_runs, batch_view
from api.services.context import AppContext
from api.services.rows import batch_row
from api.services.screening import OVERFITTING_NOTE, ScreeningService, overfitting_statistics
from api.services.views import BatchSpec, RunView
from core.errors import InvalidInput
from core.models import BacktestRun, RunStatus, StrategyVersion

CURVES_KEPT = 256  # finished runs' equity curves kept in memory (about 20 KB each)
DIFFERS_KEPT = 4096  # finished runs' fast-vs-Lumibot verdicts kept in memory


def _plain(values: pd.Series) -> list[float | None]:
    """A float series as JSON-ready numbers, NaN as None."""
    return [None if v != v else v for v in values.astype(float).tolist()]


class BatchResults:
    def __init__(self, ctx: AppContext, backtests: BacktestService,
                 screening: ScreeningService) -> None:
        self.ctx = ctx
        self.backtests = backtests
        self.screening = screening
        self._curves: OrderedDict[tuple[int, str], pd.Series] = OrderedDict()
        self._curves_lock = threading.Lock()
        # a succeeded run's fills, its version's spec and the engine never change: its verdict
        # is computed once (a fast run of its request) and kept, not redone on every request
        self._differs_kept: OrderedDict[int, bool] = OrderedDict()

    def batch_results(
        self, user_id: int | None, batch_id: int, metric: str | None = None, top: int = 5
    ) -> dict[str, Any]:
        with self.ctx.session() as db:
            batch = batch_row(db, user_id=user_id, batch_id=batch_id)
            spec = BatchSpec.model_validate(batch.spec)
            metric = metric or spec.metric
            # the view (its counts and status) before the runs: SQLite reads each statement
            # apart, so runs read after a "finished" view are all finished too (read the other
            # way round, a page could say 4 succeeded and rank 3)
            view = batch_view(db, batch)
            runs = batch_runs(db, batch_id)
            summary = dict(batch.summary or {})
        rows: list[dict[str, Any]] = []
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
            if "fast" in info:  # screened on the fast engine before this Lumibot run
                rows[-1]["fast"] = info["fast"]
                if run.status == RunStatus.succeeded.value:
                    rows[-1]["differs"] = self._differs_once(run)
        ranked = sorted(
            (r for r in rows if r["status"] == RunStatus.succeeded.value and r["role"] != "test"),
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
                {
                    "value": json.loads(v),
                    "runs": len(ms),
                    "mean": sum(ms) / len(ms),
                    "best": (min(ms) if metric in LOWER_IS_BETTER else max(ms)),
                }
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
        if spec.kind != "explicit":
            out["overfitting"] = self._overfitting(summary, ranked, batch.owner_id)
        if summary:
            out["summary"] = summary
        out["differences"] = sum(1 for r in rows if r.get("differs"))
        return out

    def _differs_once(self, run: BacktestRun) -> bool:
        """`_differs`, computed once per finished run and kept (LRU)."""
        run_id = run.id or 0
        with self._curves_lock:
            if run_id in self._differs_kept:
                self._differs_kept.move_to_end(run_id)
                return self._differs_kept[run_id]
        verdict = self._differs(run)
        with self._curves_lock:
            self._differs_kept[run_id] = verdict
            while len(self._differs_kept) > DIFFERS_KEPT:
                self._differs_kept.popitem(last=False)
        return verdict

    def _differs(self, run: BacktestRun) -> bool:
        """True unless the fast engine gives this Lumibot run's fills and total return."""
        from api.services.fast_backtests import run_fast

        with self.ctx.session() as db:
            version = db.get(StrategyVersion, run.version_id)
            assert version is not None
            request = self.backtests.recorder.worker_request(run, version)
        try:
            spec = self.backtests._fast_spec(run.version_id)
        except InvalidInput:
            return True
        fast = run_fast(spec, request, None)
        trades = self.backtests.backtest_result(None, run.id or 0)["trades"]
        if not fast.ok:
            return True
        same = [(f["time"], f["side"], f["quantity"], f["price"]) for f in trades] == [
            (f["time"], f["side"], f["quantity"], f["price"]) for f in fast.result["fills"]]
        lumibot = (run.metrics or {}).get("total_return")
        total = fast.result["metrics"].get("total_return")
        return not (same and lumibot is not None and total is not None
                    and abs(lumibot - total) <= 1e-9)

    def _overfitting(self, summary: dict[str, Any], ranked: list[dict[str, Any]],
                     owner_id: int) -> dict[str, Any]:
        """The search's trials, deflated Sharpe ratio and PBO: the fast screen's when the fast
        engine searched, else computed from the Lumibot runs' daily returns."""
        screened = [s["overfitting"] for s in summary.get("screens", []) if "overfitting" in s]
        if screened:
            return {**screened[0], "source": "fast screen"}
        runs = [r for r in ranked if r["role"] in ("run", "train")]
        strategies = {r["strategy_id"] for r in runs}
        empty = {"trials": len(runs), "deflated_sharpe": None, "pbo": None,
                 "note": OVERFITTING_NOTE, "source": "runs"}
        if len(runs) < 2 or len(strategies) != 1:
            return empty
        curves = self._aligned_equity([r["run_id"] for r in runs])
        if not curves["dates"]:
            return empty
        frame = pd.DataFrame(curves["equity"], index=curves["dates"]).astype(float)
        daily = frame.pct_change().iloc[1:].fillna(0.0)
        sharpes = [(r["metrics"] or {}).get("sharpe") for r in runs]
        order = list(range(len(runs)))  # `ranked` is best first by the batch's metric
        trials = max(len(runs), self.screening.prior_trials(owner_id, strategies.pop()))
        stats = overfitting_statistics(
            [float(v) if isinstance(v, (int, float)) else float("nan") for v in sharpes], order,
            lambda i: daily[str(runs[i]["run_id"])].to_numpy(), trials)
        return {**stats, "source": "runs"}

    def _walk_forward_report(self, rows: list[dict[str, Any]], metric: str) -> list[dict[str, Any]]:
        by_id = {r["run_id"]: r for r in rows}
        report = []
        for r in rows:
            if r["role"] != "test":
                continue
            with self.ctx.session() as db:
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

    def _aligned_equity(self, run_ids: list[int]) -> dict[str, Any]:
        """Equity curves of runs on one date axis (forward-filled), plus each scaled to 1."""
        series = {}
        with self.ctx.session() as db:
            rows = db.exec(select(BacktestRun.id, BacktestRun.artifacts_dir,
                                  BacktestRun.finished_at)
                           .where(col(BacktestRun.id).in_(set(run_ids)))).all()
        found = {run_id: (folder, finished) for run_id, folder, finished in rows}
        for run_id in run_ids:
            folder, finished = found.get(run_id, (None, None))
            if not folder:
                continue
            curve = self._equity_curve(run_id, finished, Path(folder))
            if curve is not None:
                series[str(run_id)] = curve
        if not series:
            return {"dates": [], "equity": {}, "normalized": {}}
        frame = pd.DataFrame(series).sort_index().ffill()
        normalized = (frame / frame.bfill().iloc[0]).round(6)
        return {
            "dates": frame.index.strftime("%Y-%m-%d").tolist(),
            "equity": {k: _plain(frame[k]) for k in frame},
            "normalized": {k: _plain(normalized[k]) for k in normalized},
        }

    def _equity_curve(self, run_id: int, finished: datetime | None,
                      folder: Path) -> pd.Series | None:
        """A run's equity curve; a finished run's is read once (its artifacts never change)
        and kept, least recently used out, keyed by its id and finish time."""
        key = (run_id, str(finished))
        with self._curves_lock:
            kept = self._curves.get(key)
            if kept is not None:
                self._curves.move_to_end(key)
                return kept
        path = folder / "equity.csv"
        if not path.exists():
            return None
        curve = pd.read_csv(path, usecols=["date", "equity"], index_col="date",
                            parse_dates=["date"])["equity"].astype(float)
        if finished is not None:
            with self._curves_lock:
                self._curves[key] = curve
                while len(self._curves) > CURVES_KEPT:
                    self._curves.popitem(last=False)
        return curve

    def compare_backtests(self, user_id: int | None, run_ids: list[int]) -> dict[str, Any]:
        if not run_ids:
            raise InvalidInput("give run ids to compare", code="bad_ids")
        runs = self.backtests.get_backtests(user_id, run_ids)
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
            "metrics": {
                name: {str(r.id): (r.metrics or {}).get(name) for r in runs} for name in names
            },
            "equity": self._aligned_equity([r.id for r in runs]),
        }

    def export_run(self, user_id: int | None, run_id: int, fmt: str) -> tuple[str, str]:
        """(content, media type) of one run as csv (equity curve), json or html."""
        view: RunView = self.backtests.get_backtest(user_id, run_id)
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
                render_html_report(
                    f"Backtest run {run_id}",
                    rows,
                    data["equity"],
                    {"config": view.config, "error": view.error},
                ),
                "text/html",
            )
        raise InvalidInput(f"unknown export format {fmt!r} (csv, json, html)", code="bad_format")

    def export_batch(
        self, user_id: int | None, batch_id: int, fmt: str, metric: str | None = None
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
                {
                    "rank": r["rank"],
                    "run_id": r["run_id"],
                    **{f"param_{k}": v for k, v in r["parameters"].items()},
                    results["metric"]: r["metric"],
                }
                for r in results["leaderboard"]
            ]
            extra = {"counts": batch["counts"], "parameter_tables": results["parameter_tables"]}
            if "walk_forward" in results:
                extra["walk_forward"] = results["walk_forward"]
            return (
                render_html_report(
                    f"Batch {batch_id}: {batch['name']} ({batch['kind']})",
                    leaders,
                    results["best_equity"],
                    extra,
                ),
                "text/html",
            )
        raise InvalidInput(f"unknown export format {fmt!r} (csv, json, html)", code="bad_format")
