"""Screening: many variants of one strategy on the fast engine, split over worker processes,
each variant scored for ranking (total return, Sharpe ratio, number of fills).

The variants share the bars, the days and every indicator array they have in common (one
cache per process), so a sweep of two moving-average periods computes each average once. The
scores use `runtime.metrics`' conventions (daily returns, 252 days, the annual risk-free rate
compounded daily) on numpy arrays; the variants a user confirms get the full metrics from a
real run.
"""

from __future__ import annotations

import math
import multiprocessing
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from runtime.fast_engine.simulate import FastEngineRefused, simulate
from runtime.metrics import TRADING_DAYS

Variant = tuple[dict[str, Any], dict[str, Any]]  # (spec JSON, rendered parameters)

_SHARED: dict[str, Any] = {}


def score(equity: np.ndarray, risk_free_rate: float = 0.0) -> tuple[float, float]:
    """(total return, Sharpe ratio) of an equity curve, as `runtime.metrics.equity_metrics`."""
    if len(equity) < 2 or not equity[0] > 0:
        return math.nan, math.nan
    returns = equity[1:] / equity[:-1] - 1.0
    daily_rf = (1 + risk_free_rate) ** (1 / TRADING_DAYS) - 1.0
    std = returns.std(ddof=1)
    sharpe = (returns - daily_rf).mean() / std * math.sqrt(TRADING_DAYS) if std > 0 else math.nan
    return float(equity[-1] / equity[0] - 1.0), float(sharpe)


def _run_chunk(indices: list[int]) -> list[dict[str, Any]]:
    shared = _SHARED
    cache: dict[Any, Any] = shared.setdefault("cache", {})
    out = []
    for i in indices:
        spec, params = shared["variants"][i]
        try:
            result = simulate(spec, params, shared["frames"], shared["start"], shared["end"],
                              cash=shared["cash"], fee_pct=shared["fee_pct"],
                              dividends=shared["dividends"], cache=cache,
                              reinvest=shared["reinvest"])
        except FastEngineRefused as exc:
            out.append({"index": i, "error": str(exc)})
            continue
        total, sharpe = score(result.equity.to_numpy(), shared["rf"])
        out.append({"index": i, "total_return": total, "sharpe": sharpe,
                    "fills": len(result.fills)})
    return out


def screen(
    variants: list[Variant],
    frames: dict[str, pd.DataFrame],
    start: date,
    end: date,
    *,
    cash: float = 100_000.0,
    fee_pct: float = 0.0,
    dividends: dict[str, pd.Series] | None = None,
    reinvest: bool = False,
    risk_free_rate: float = 0.0,
    processes: int = 1,
) -> list[dict[str, Any]]:
    """One score per variant, in the variants' order (`error` instead when refused)."""
    _SHARED.clear()
    _SHARED.update(variants=variants, frames=frames, start=start, end=end, cash=cash,
                   fee_pct=fee_pct, dividends=dividends, rf=risk_free_rate, reinvest=reinvest)
    indices = list(range(len(variants)))
    if processes <= 1 or len(variants) < 2 * processes:
        results = _run_chunk(indices)
    else:
        # contiguous chunks: neighbouring variants share most indicators
        size = math.ceil(len(indices) / (processes * 4))
        chunks = [indices[i:i + size] for i in range(0, len(indices), size)]
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            results = [r for part in pool.map(_run_chunk, chunks) for r in part]
    _SHARED.clear()
    results.sort(key=lambda r: r["index"])
    return results


def rank(results: list[dict[str, Any]], key: str = "sharpe") -> list[int]:
    """Variant indices, best first by `key` (NaN and refused variants last)."""
    values = np.array([r.get(key, math.nan) for r in results], dtype="float64")
    values = np.where(np.isnan(values), -np.inf, values)
    return [int(i) for i in np.argsort(-values, kind="stable")]
