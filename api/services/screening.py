"""Screening on the fast engine: every variant of one strategy's sweep run on arrays over one
date range, ranked, with the search's overfitting statistics.

The planner (`api.services.batches.plan`) records a screen as a batch: the screen's summary
on the batch row, and the best `confirm_top` variants as the batch's runs, which the executor
runs on Lumibot (the runs that count). Walk-forward batches screen each training window the
same way. The batch results (`api.services.batches.results`) put both side by side and flag a
variant whose fast and Lumibot results differ.

Trials counted for the deflated Sharpe ratio: the variants screened now plus every backtest
run already recorded for the strategy, every variant earlier fast screens of it tried, and
every generation that produced or revised it (each is a variant somebody tried).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from sqlmodel import col, func, select

from api.services.backtests import BacktestService
from api.services.batches.sweeps import with_history
from api.services.context import AppContext
from api.services.fast_backtests import fast_inputs
from api.services.versions import RunTarget
from core.errors import InvalidInput
from core.models import BacktestRun, Batch, Generation
from runtime.backtest import BacktestRequest, market_frames
from runtime.dividend_policy import resolve_mode
from runtime.fast_engine import FastEngineRefused, rank, screen, simulate
from runtime.overfitting import deflated_sharpe, probability_of_backtest_overfitting

OVERFITTING_NOTE = (
    "The deflated Sharpe ratio is the probability that the best variant's Sharpe ratio beats "
    "what the best of that many skill-less trials would show by luck; PBO is how often the "
    "in-sample best variant ranks in the bottom half out of sample (high = overfit)."
)
SCREEN_METRICS = ("sharpe", "total_return")
SCREENED_KEPT = 100  # screened variants kept in a batch's summary, best first


@dataclass
class Screened:
    """One screen: the variants' scores, best first, and the search's overfitting statistics."""

    combos: list[dict[str, Any]]
    scores: list[dict[str, Any]]
    order: list[int]
    dividends: str
    seconds: float
    overfitting: dict[str, Any] = field(default_factory=dict)

    def best(self, k: int) -> list[int]:
        """The best `k` variants that were scored (refused or NaN ones never)."""
        return [i for i in self.order if "error" not in self.scores[i]
                and self.scores[i].get("sharpe") is not None][:k]

    def row(self, i: int) -> dict[str, Any]:
        return {"parameters": self.combos[i],
                "fast": {k: _finite(self.scores[i].get(k)) for k in ("total_return", "sharpe",
                                                                      "fills")}}


class ScreeningService:
    def __init__(self, ctx: AppContext, backtests: BacktestService) -> None:
        self.ctx = ctx
        self.backtests = backtests

    def refusal(self, target: RunTarget) -> str | None:
        """Why the fast engine will not run this version (None when it will)."""
        try:
            self.backtests._fast_spec(target.version_id)
        except InvalidInput as exc:
            return exc.message
        return None

    def screen(self, user_id: int, target: RunTarget, combos: list[dict[str, Any]],
               parameters: dict[str, Any], start: date, end: date, *, cash: float,
               fee_pct: float, dividends: str | None, metric: str,
               processes: int = 2, overfitting: bool = True) -> Screened:
        """Every combination (on top of `parameters`) of `target` on the fast engine."""
        if metric not in SCREEN_METRICS:
            raise InvalidInput("the fast engine ranks by sharpe or total_return",
                               code="bad_metric")
        spec = self.backtests._fast_spec(target.version_id)  # refuses with the reason
        started = time.perf_counter()
        overrides = [with_history(target.declared, {**parameters, **c}) for c in combos]
        try:
            variants = [fast_inputs(spec, o) for o in overrides]
        except FastEngineRefused as exc:
            raise InvalidInput(str(exc), code="bad_parameters") from exc
        longest = max(int(o.get("history_bars", target.warmup_bars)) for o in overrides)
        request = BacktestRequest(
            code_path="-", sha256="-", class_name="-", data_symbols=target.data_symbols,
            start=start, end=end, cash=cash, fee_pct=fee_pct,
            warmup_bars=max(longest, target.warmup_bars),
            market_data_dir=str(self.ctx.market.root),
            dividends=dividends)  # type: ignore[arg-type]
        frames = market_frames(request)
        stored = {s: self.ctx.market.dividends(s, f) for s, f in frames.items()}
        mode = resolve_mode(request.dividends, stored)
        paid = stored if mode != "off" else None
        scores = screen(variants, frames, start, end, cash=cash, fee_pct=fee_pct,
                        dividends=paid, reinvest=mode == "reinvest",
                        risk_free_rate=self.ctx.settings.risk_free_rate, processes=processes)
        order = rank(scores, metric)
        out = Screened(combos, scores, order, mode, 0.0)
        out.seconds = round(time.perf_counter() - started, 3)
        if not overfitting:
            return out

        def daily(i: int) -> np.ndarray:
            spec_i, params_i = variants[i]
            eq = simulate(spec_i, params_i, frames, start, end, cash=cash, fee_pct=fee_pct,
                          dividends=paid, reinvest=mode == "reinvest").equity.to_numpy()
            return np.asarray(eq[1:] / eq[:-1] - 1.0)

        trials = len(variants) + self.prior_trials(user_id, target.strategy_id)
        out.overfitting = overfitting_statistics(
            [s.get("sharpe", math.nan) for s in scores], order, daily, trials)
        return out

    def prior_trials(self, user_id: int, strategy_id: int) -> int:
        """Variants of the strategy already tried: its recorded runs, the variants its earlier
        fast screens tried, and the generations that made or revised it."""
        with self.ctx.session() as db:
            runs = db.exec(select(func.count()).select_from(BacktestRun).where(
                col(BacktestRun.strategy_id) == strategy_id,
                col(BacktestRun.owner_id) == user_id)).one()
            generations = db.exec(select(func.count()).select_from(Generation).where(
                col(Generation.strategy_id) == strategy_id)).one()
            screens = db.exec(select(Batch).where(col(Batch.owner_id) == user_id,
                                                  col(Batch.summary).is_not(None))).all()
        screened = sum(int(part.get("variants", 0))
                       for b in screens for part in (b.summary or {}).get("screens", [])
                       if part.get("strategy_id") == strategy_id)
        return int(runs) + int(generations) + screened


def overfitting_statistics(sharpes: list[float], order: list[int], daily: Any, trials: int
                           ) -> dict[str, Any]:
    """Trials, deflated Sharpe ratio of the best (`order[0]`) and PBO over up to 200 variants;
    `daily(i)` is variant i's daily returns, `sharpes` the annualised Sharpe ratios."""
    values = np.array(sharpes, dtype="float64")
    values = values[np.isfinite(values)] / math.sqrt(252)
    variance = float(values.var(ddof=1)) if len(values) > 1 else 0.0
    dsr = deflated_sharpe(daily(order[0]), trials, variance) if order else math.nan
    stride = max(1, len(sharpes) // 200)
    sample = sorted(set(range(0, len(sharpes), stride)) | set(order[:1]))
    pbo = (probability_of_backtest_overfitting(
        np.column_stack([daily(i) for i in sample]), blocks=10)
        if len(sample) >= 2 else math.nan)
    return {"trials": trials, "deflated_sharpe": _finite(dsr), "pbo": _finite(pbo),
            "pbo_variants": len(sample), "note": OVERFITTING_NOTE}


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return value
