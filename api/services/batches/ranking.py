"""Ranking runs by a metric: which metrics are better lower, and the sort key every leaderboard
and the walk-forward choice use."""

from __future__ import annotations

import math
from typing import Any

LOWER_IS_BETTER = {"max_drawdown", "volatility", "fees"}


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
