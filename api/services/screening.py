"""Sweeps screened on the fast engine: every variant run on arrays, ranked, the top K re-run
on Lumibot (the runs that count, recorded as ordinary backtest runs) with any fast/Lumibot
difference flagged, and the search's overfitting statistics beside the leaderboard.

Trials counted for the deflated Sharpe ratio: the variants screened now plus every backtest
run already recorded for the strategy and every generation that produced or revised it (each
is a variant somebody tried).
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlmodel import col, func, select

from api.services.backtests import BacktestService
from api.services.batches.sweeps import _pairs_ordered, parameter_values, with_history
from api.services.context import AppContext
from api.services.fast_backtests import fast_inputs, run_fast
from api.services.views import BacktestConfig, SweepParameter
from core.errors import InvalidInput
from core.models import BacktestRun, Generation, StrategyVersion
from runtime.backtest import BacktestRequest
from runtime.dividend_policy import resolve_mode
from runtime.fast_engine import load_frames, rank, screen, simulate
from runtime.overfitting import deflated_sharpe, probability_of_backtest_overfitting

OVERFITTING_NOTE = (
    "The deflated Sharpe ratio is the probability that the best variant's Sharpe ratio beats "
    "what the best of that many skill-less trials would show by luck; PBO is how often the "
    "in-sample best variant ranks in the bottom half out of sample (high = overfit)."
)


@dataclass
class ScreenRequest:
    strategy_id: int
    version: int | None
    start: date
    end: date
    sweep: list[SweepParameter]
    parameters: dict[str, Any]
    confirm_top: int = 10
    cash: float = 100_000.0
    fee_pct: float = 0.0
    dividends: str | None = None
    metric: str = "sharpe"
    processes: int = 2


class ScreeningService:
    def __init__(self, ctx: AppContext, backtests: BacktestService) -> None:
        self.ctx = ctx
        self.backtests = backtests

    def screen_sweep(self, user_id: int, req: ScreenRequest) -> dict[str, Any]:
        if req.metric not in ("sharpe", "total_return"):
            raise InvalidInput("the fast screen ranks by sharpe or total_return",
                               code="bad_metric")
        target = self.backtests.versions.runnable(user_id, req.strategy_id, req.version,
                                                  purpose="backtested")
        spec = self.backtests._fast_spec(target.version_id)  # refuses with the reason
        self.ctx.market.require(target.data_symbols, req.start, req.end)
        names = [p.name for p in req.sweep]
        lists = [parameter_values(p, target.declared.get(p.name), self.ctx.settings.max_lookback)
                 for p in req.sweep]
        combos = [dict(zip(names, c, strict=True)) for c in itertools.product(*lists)]
        combos = [c for c in combos if _pairs_ordered({**target.declared, **req.parameters, **c})]
        if not combos:
            raise InvalidInput("the sweep has no valid combination", code="bad_sweep")
        started = time.perf_counter()
        overrides = [with_history(target.declared, {**req.parameters, **c}) for c in combos]
        variants = [fast_inputs(spec, o) for o in overrides]
        longest = max(int(o.get("history_bars", target.warmup_bars)) for o in overrides)
        request = BacktestRequest(
            code_path="-", sha256="-", class_name="-", data_symbols=target.data_symbols,
            start=req.start, end=req.end, cash=req.cash, fee_pct=req.fee_pct,
            warmup_bars=max(longest, target.warmup_bars),
            market_data_dir=str(self.ctx.market.root),
            dividends=req.dividends)  # type: ignore[arg-type]
        frames = load_frames(request)
        stored = {s: self.ctx.market.dividends(s, f) for s, f in frames.items()}
        mode = resolve_mode(request.dividends, stored)
        if mode == "reinvest":
            raise InvalidInput("the fast engine does not implement reinvested dividends yet",
                               code="fast_engine_refused")
        dividends = stored if mode == "cash" else None
        scores = screen(variants, frames, req.start, req.end, cash=req.cash,
                        fee_pct=req.fee_pct, dividends=dividends,
                        risk_free_rate=self.ctx.settings.risk_free_rate,
                        processes=req.processes)
        order = rank(scores, req.metric)
        screen_s = time.perf_counter() - started

        def daily(i: int) -> np.ndarray:
            spec_i, params_i = variants[i]
            eq = simulate(spec_i, params_i, frames, req.start, req.end, cash=req.cash,
                          fee_pct=req.fee_pct, dividends=dividends).equity.to_numpy()
            return np.asarray(eq[1:] / eq[:-1] - 1.0)

        trials = len(variants) + self._prior_trials(user_id, req.strategy_id)
        sharpes = np.array([s.get("sharpe", math.nan) for s in scores], dtype="float64")
        sharpes = sharpes[np.isfinite(sharpes)] / math.sqrt(252)
        variance = float(sharpes.var(ddof=1)) if len(sharpes) > 1 else 0.0
        dsr = deflated_sharpe(daily(order[0]), trials, variance)
        stride = max(1, len(variants) // 200)
        sample = sorted(set(range(0, len(variants), stride)) | {order[0]})
        pbo = (probability_of_backtest_overfitting(
            np.column_stack([daily(i) for i in sample]), blocks=10)
            if len(sample) >= 2 else math.nan)

        board = []
        for place, i in enumerate(order[: max(req.confirm_top, 10)], start=1):
            row: dict[str, Any] = {"rank": place, "parameters": combos[i],
                                   "fast": {k: scores[i].get(k)
                                            for k in ("total_return", "sharpe", "fills")}}
            if place <= req.confirm_top:
                row.update(self._confirm(user_id, req, target.version, overrides[i], spec))
            board.append(row)
        return {
            "strategy_id": req.strategy_id, "version": target.version, "engine": "fast",
            "variants": len(variants), "screen_seconds": round(screen_s, 3),
            "dividends": mode, "metric": req.metric, "leaderboard": board,
            "overfitting": {"trials": trials, "deflated_sharpe": _finite(dsr),
                            "pbo": _finite(pbo), "pbo_variants": len(sample),
                            "note": OVERFITTING_NOTE},
            "differences": sum(1 for r in board if r.get("differs")),
        }

    def _confirm(self, user_id: int, req: ScreenRequest, version: int,
                 overrides: dict[str, Any], spec: Any) -> dict[str, Any]:
        """The variant on Lumibot (a recorded run) and on the fast engine's full path, compared
        fill for fill."""
        run = self.backtests.create_backtest(user_id, BacktestConfig(
            strategy_id=req.strategy_id, version=version, start=req.start, end=req.end,
            cash=req.cash, fee_pct=req.fee_pct, parameters=overrides, tearsheet=False,
            dividends=req.dividends))  # type: ignore[arg-type]
        done = self.backtests.execute_backtest(run.id)
        if done.status != "succeeded":
            return {"lumibot": {"run_id": run.id, "status": done.status, "error": done.error},
                    "differs": True}
        lumibot = self.backtests.backtest_result(user_id, run.id)
        with self.ctx.session() as db:
            row = db.get(BacktestRun, run.id)
            version_row = db.get(StrategyVersion, row.version_id) if row else None
            assert row is not None and version_row is not None
            request = self.backtests.recorder.worker_request(row, version_row)
        fast = run_fast(spec, request, None)
        fills = [(f["time"], f["side"], f["quantity"], f["price"]) for f in lumibot["trades"]]
        same = fast.ok and fills == [(f["time"], f["side"], f["quantity"], f["price"])
                                     for f in fast.result["fills"]]
        lm, fm = lumibot["metrics"] or {}, fast.result.get("metrics", {}) if fast.ok else {}
        total_l, total_f = lm.get("total_return"), fm.get("total_return")
        same = bool(same and total_l is not None and total_f is not None
                    and abs(total_l - total_f) <= 1e-9)
        return {"lumibot": {"run_id": run.id, "total_return": total_l,
                            "sharpe": lm.get("sharpe")},
                "differs": not same}

    def _prior_trials(self, user_id: int, strategy_id: int) -> int:
        with self.ctx.session() as db:
            runs = db.exec(select(func.count()).select_from(BacktestRun).where(
                col(BacktestRun.strategy_id) == strategy_id,
                col(BacktestRun.owner_id) == user_id)).one()
            generations = db.exec(select(func.count()).select_from(Generation).where(
                col(Generation.strategy_id) == strategy_id)).one()
        return int(runs) + int(generations)


def _finite(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None
