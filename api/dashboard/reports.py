"""Dashboard pages for results: one backtest's report (equity vs benchmark, drawdown, monthly
returns, rolling Sharpe, metrics, trades, tearsheet, CSV/JSON/HTML export), a comparison of up
to five runs on one chart, and batches (progress, leaderboard, a two-parameter heatmap,
walk-forward in/out of sample, a sweep form, cancel)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query
from fastapi.responses import FileResponse, Response

from api.dashboard import charts
from api.dashboard.session import UiDep, parse, require_confirmation, see_other
from api.services.views import BatchSpec, DateRange, DbId, SweepParameter, Target
from core.errors import InvalidInput

router = APIRouter()
MAX_COMPARED = 5
BATCHES_SHOWN = 25  # the newest; each batch view reads its runs (see the bench)
METRIC_ROWS = [
    ("total_return", "total return", "pct"), ("cagr", "CAGR", "pct"),
    ("volatility", "volatility", "pct"), ("sharpe", "Sharpe", "num"),
    ("sortino", "Sortino", "num"), ("max_drawdown", "max drawdown", "pct"),
    ("calmar", "Calmar", "num"), ("win_rate", "win rate", "pct"),
    ("trades", "trades (round trips)", "int"), ("exposure", "exposure", "pct"),
]
FIGURES_KEPT = 64  # finished runs whose report figures are kept in memory


class FinishedFigures:
    """The report figures of finished runs, kept (least recently used out) because a finished
    run's artifacts never change: the second view of a report reads no CSV and builds no
    figure. Looked up only after the run was read as the viewer (`get_backtest`), so a run the
    viewer may not see never reaches it; keyed by the run's id and finish time, so a run
    finished again (a restored database) is built afresh."""

    def __init__(self, size: int = FIGURES_KEPT) -> None:
        self._size = size
        self._kept: OrderedDict[tuple[int, str], dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[int, str]) -> dict[str, Any] | None:
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def put(self, key: tuple[int, str], figures: dict[str, Any]) -> None:
        with self._lock:
            self._kept[key] = figures
            self._kept.move_to_end(key)
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)


_finished_figures = FinishedFigures()


@router.get("/ui/backtests/{run_id}")
def backtest_page(run_id: DbId, ui: UiDep) -> Response:
    app = ui.app
    run = app.backtests.get_backtest(ui.user, run_id)
    strategy = app.strategies.get_strategy(ui.user, run.strategy_id)
    figures: dict[str, Any] = {}
    fills: list[dict[str, Any]] = []
    round_trips: list[dict[str, Any]] = []
    if run.status == "succeeded":
        trades = app.backtests.backtest_trades(ui.user, run_id)
        fills, round_trips = trades["fills"], trades["round_trips"]
        key = (run_id, str(run.finished_at))
        kept = _finished_figures.get(key)
        if kept is not None:
            figures = kept
        else:
            frame = charts.equity_frame(app.backtests.backtest_equity(ui.user, run_id))
            if len(frame) >= 2:
                symbol = (run.benchmark or {}).get("symbol", "benchmark")
                figures = {
                    "equity": charts.equity_figure(frame, symbol),
                    "drawdown": charts.drawdown_figure(frame),
                    "monthly": charts.monthly_figure(frame),
                    "sharpe": charts.rolling_sharpe_figure(frame, app.settings.risk_free_rate),
                }
            _finished_figures.put(key, figures)
    return ui.page(
        "backtest.html", nav="strategies", run=run, strategy=strategy,
        bench=(run.benchmark or {}).get("metrics") or {},
        bench_symbol=(run.benchmark or {}).get("symbol", "benchmark"), rows=METRIC_ROWS,
        fills=fills, round_trips=round_trips, figures=figures, charts=bool(figures),
        refresh=2 if run.status in ("queued", "running") else None,
    )


@router.get("/ui/backtests/{run_id}/tearsheet")
def tearsheet(run_id: DbId, ui: UiDep) -> FileResponse:
    return FileResponse(ui.app.backtests.backtest_tearsheet(ui.user, run_id),
                        media_type="text/html")


@router.get("/ui/backtests/{run_id}/export.{fmt}")
def export_run(run_id: DbId, fmt: Literal["csv", "json", "html"], ui: UiDep) -> Response:
    content, media = ui.app.results.export_run(ui.user, run_id, fmt)
    return Response(content, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="run_{run_id}.{fmt}"'})


@router.get("/ui/compare")
def compare(ui: UiDep, runs: Annotated[list[int], Query(max_length=50)]) -> Response:
    """Up to five runs' growth of $1 on one chart, and their metrics side by side."""
    ids = list(dict.fromkeys(runs))
    if not 1 <= len(ids) <= MAX_COMPARED:
        raise InvalidInput(f"choose 1 to {MAX_COMPARED} runs to compare (got {len(ids)})",
                           code="bad_ids")
    data = ui.app.results.compare_backtests(ui.user, ids)
    strategies = ui.app.strategies.names(ui.user, {row["strategy_id"] for row in data["runs"]})
    names = {str(row["run_id"]): f"#{row['run_id']} "
             f"{strategies.get(row['strategy_id'], 'a deleted strategy')} v{row['version']}"
             for row in data["runs"]}
    figure = charts.compare_figure(data["equity"], names)
    return ui.page("compare.html", nav="strategies", data=data, names=names, figure=figure,
                   charts=bool(figure["data"]), rows=METRIC_ROWS)


@router.get("/ui/batches")
def batches(ui: UiDep) -> Response:
    found = ui.app.batches.list_batches(ui.user, latest=BATCHES_SHOWN)
    strategies = ui.app.strategies.newest_names(ui.user, 200)
    return ui.page("batches.html", nav="batches", batches=found, strategies=strategies,
                   live=5 if any(b.status in ("queued", "running") for b in found) else None)


def _values(text: str) -> list[Any]:
    out: list[Any] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            number = float(part)
        except ValueError:
            out.append(part)
            continue
        out.append(int(number) if number.is_integer() else number)
    return out


@router.post("/ui/batches")
def create_batch(
    ui: UiDep, strategy_id: Annotated[int, Form(ge=1)], start: Annotated[date, Form()],
    end: Annotated[date, Form()], x_name: Annotated[str, Form()] = "",
    x_values: Annotated[str, Form()] = "", y_name: Annotated[str, Form()] = "",
    y_values: Annotated[str, Form()] = "", metric: Annotated[str, Form()] = "sharpe",
    name: Annotated[str, Form()] = "sweep",
) -> Response:
    """A parameter sweep (one or two parameters, comma-separated values) of one strategy."""
    ui.check("POST", "/batches")
    sweep = [parse(SweepParameter, name=n.strip(), values=_values(v))
             for n, v in ((x_name, x_values), (y_name, y_values)) if n.strip()]
    spec = parse(BatchSpec, name=name or "sweep", kind="sweep" if sweep else "explicit",
                 targets=[Target(strategy_id=strategy_id)],
                 date_ranges=[DateRange(start=start, end=end)], sweep=sweep, metric=metric)
    batch = ui.app.planner.create_batch(ui.user, spec)
    ui.app.batches.submit_batch(batch.id)
    return see_other(f"/ui/batches/{batch.id}")


@router.get("/ui/batches/{batch_id}")
def batch_page(batch_id: DbId, ui: UiDep) -> Response:
    results = ui.app.results.batch_results(ui.user, batch_id)
    batch = ui.app.batches.get_batch(ui.user, batch_id)
    swept = [p["name"] for p in batch.spec.get("sweep") or []]
    figures: dict[str, Any] = {}
    if len(swept) >= 2:
        figures["heatmap"] = charts.sweep_heatmap(results["runs"], swept[0], swept[1],
                                                  results["metric"])
    if results.get("walk_forward"):
        figures["walk_forward"] = charts.walk_forward_figure(results["walk_forward"],
                                                             results["metric"])
    if results["best_equity"]["dates"]:
        figures["best"] = charts.compare_figure(
            results["best_equity"], {k: f"run #{k}" for k in results["best_equity"]["equity"]})
    unfinished = batch.status in ("queued", "running")
    return ui.page("batch.html", nav="batches", batch=batch, results=results, swept=swept,
                   figures=figures, charts=bool(figures), live=3 if unfinished else None,
                   overfitting=results.get("overfitting"))


@router.post("/ui/batches/{batch_id}/cancel")
def cancel_batch(batch_id: DbId, ui: UiDep, confirmed: Annotated[str, Form()] = "") -> Response:
    ui.check("DELETE", "/batches")
    require_confirmation(confirmed)
    ui.app.batches.cancel_batch(ui.user, batch_id)
    return see_other(f"/ui/batches/{batch_id}")
