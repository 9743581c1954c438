"""Pure planning functions: the values a swept parameter takes, their combinations (grid or
seeded random), the warm-up a combination needs, and walk-forward windows."""

from __future__ import annotations

import itertools
import math
import random
from datetime import date, timedelta
from typing import Any

from api.services.code_facts import is_period
from api.services.views import BatchSpec, DateRange, SweepParameter, WalkForward
from core.errors import InvalidInput


def parameter_values(
    param: SweepParameter, default: Any, max_lookback: int, samples: int | None = None
) -> list[Any]:
    """The values a sweep tries for one parameter."""
    if param.values:
        return list(param.values)
    integer = (isinstance(default, int) and not isinstance(default, bool)) or (
        default is None and is_period(param.name)
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
        if is_period(param.name):  # the spec's bounds: 1..max_lookback
            low, high = max(2, round(default / 2)), min(max_lookback, round(default * 2))
        elif 0 < default <= 1:  # a weight or fraction
            low, high = max(0.1, default / 2), 1.0
        else:
            low, high = default / 2, default * 2
    else:
        low, high = param.min, param.max
    if high < low:
        raise InvalidInput(f"{param.name}: max is below min", code="bad_sweep")
    if is_period(param.name):
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
            if is_period(k) and isinstance(v, (int, float)) and not isinstance(v, bool)
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
