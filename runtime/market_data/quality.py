"""Quality checks on daily bars, whatever file or provider they came from.

This module owns the checks that run on a frame of dated bars once its values are numbers
(:func:`check_daily_bars`); reading a CSV into such a frame is :mod:`runtime.market_data.importers`'
job. Decisions:

* Rows out of date order are sorted (logged, not a warning).
* Duplicate dates: exact duplicate rows are dropped with a warning (a harmless export glitch);
  the same date with different values is an error naming the dates, because we cannot know
  which bar is right (it is also how an intraday file shows up once reduced to dates).
* Zero or negative prices and negative volume are errors naming the dates.
* OHLC sanity violations of at most :data:`OHLC_TOLERANCE` (0.5 %) of the price are rounding
  noise: high/low are widened and a warning is emitted. Anything larger is an error naming up
  to 5 dates.
* Gaps longer than :data:`GAP_WARN_DAYS` (7) calendar days are warnings, not errors: data
  vendors do drop stretches, and a warning lets the user decide (the 9/11 closure, Sep 10 ->
  Sep 17, stays below it).

Every error is a :class:`~core.errors.DataQualityError` listing every problem found, not only
the first, so a user can fix a file in one go.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.errors import DataQualityError, name_list
from core.logging import get_logger
from runtime.market_data.bars import PRICE_COLUMNS, day_text

__all__ = ["GAP_WARN_DAYS", "OHLC_TOLERANCE", "check_daily_bars", "check_ohlc", "find_gaps"]

log = get_logger(__name__)

# Gaps longer than this many calendar days are reported as warnings.
GAP_WARN_DAYS = 7
# Relative OHLC violation treated as rounding noise and fixed instead of rejected.
OHLC_TOLERANCE = 0.005


def check_daily_bars(frame: pd.DataFrame, label: str) -> tuple[pd.DataFrame, list[str]]:
    """Check and tidy bars given as a ``date`` column plus the bar columns, with no missing
    values; ``label`` (a file name, a symbol) starts every message.

    Returns the frame indexed by ``date`` and the warnings; raises DataQualityError.
    """
    warnings: list[str] = []
    if not frame["date"].is_monotonic_increasing:
        log.info("rows were not in date order; sorted", extra={"source": label})
        frame = frame.sort_values("date", kind="mergesort")

    dup_mask = frame["date"].duplicated(keep=False)
    if dup_mask.any():
        exact = frame.duplicated(keep="first")
        frame_wo_exact = frame[~exact]
        conflicting = frame_wo_exact["date"][frame_wo_exact["date"].duplicated(keep=False)]
        if not conflicting.empty:
            days = sorted({day_text(d) for d in conflicting})
            hint = ""
            if len(days) > len(frame_wo_exact) // 4:
                hint = " This looks like intraday data; only daily bars are supported."
            raise DataQualityError(
                label,
                [
                    (
                        f"{len(days)} date(s) appear more than once with different values "
                        f"({name_list(days)}).{hint}"
                    )
                ],
            )
        days = sorted({day_text(d) for d in frame.loc[exact, "date"]})
        warnings.append(
            f"{label}: dropped {int(exact.sum())} exact duplicate row(s) ({name_list(days)})"
        )
        frame = frame_wo_exact

    frame = frame.set_index("date")
    frame.index = pd.DatetimeIndex(frame.index, name="date")

    problems: list[str] = []
    prices = frame[list(PRICE_COLUMNS)]
    non_positive = (prices <= 0).any(axis=1)
    if non_positive.any():
        days = [day_text(d) for d in frame.index[non_positive]]
        problems.append(f"{len(days)} row(s) with zero or negative prices ({name_list(days)})")
    negative_volume = frame["volume"] < 0
    if negative_volume.any():
        days = [day_text(d) for d in frame.index[negative_volume]]
        problems.append(f"{len(days)} row(s) with negative volume ({name_list(days)})")
    if problems:
        raise DataQualityError(label, problems)

    frame, ohlc_warning, ohlc_problem = check_ohlc(frame, label)
    if ohlc_problem:
        raise DataQualityError(label, [ohlc_problem])
    if ohlc_warning:
        warnings.append(ohlc_warning)

    gaps = find_gaps(frame.index)
    if gaps:
        warnings.append(
            f"{label}: {len(gaps)} gap(s) longer than {GAP_WARN_DAYS} days ({name_list(gaps)})"
        )
    return frame, warnings


def check_ohlc(frame: pd.DataFrame, label: str) -> tuple[pd.DataFrame, str | None, str | None]:
    """Check high >= max(open, close), low <= min(open, close), high >= low.

    Returns (frame, warning, problem). Violations within OHLC_TOLERANCE of the price are
    rounding noise in the source (prices rounded to a few significant digits), so high/low
    are widened to contain open and close; larger ones mean broken data and are rejected.
    """
    o = frame["open"].to_numpy()
    h = frame["high"].to_numpy()
    lo = frame["low"].to_numpy()
    c = frame["close"].to_numpy()
    top = np.maximum(o, c)
    bottom = np.minimum(o, c)
    rel = np.maximum.reduce(
        [
            np.clip((top - h) / top, 0.0, None),
            np.clip((lo - bottom) / bottom, 0.0, None),
            np.clip((lo - h) / lo, 0.0, None),
        ]
    )
    bad = rel > 0
    if not bad.any():
        return frame, None, None
    large = rel > OHLC_TOLERANCE
    if large.any():
        idx = np.flatnonzero(large)
        shown = [
            f"{day_text(frame.index[i])} (o={o[i]:g} h={h[i]:g} l={lo[i]:g} c={c[i]:g})"
            for i in idx
        ]
        return (
            frame,
            None,
            (
                f"{len(idx)} bar(s) where high/low do not contain open/close by more than "
                f"{OHLC_TOLERANCE:.1%}: {name_list(shown)}"
            ),
        )
    fixed = frame.copy()
    fixed["high"] = np.maximum.reduce([h, o, c, lo])
    fixed["low"] = np.minimum.reduce([lo, o, c, h])
    days = [day_text(d) for d in frame.index[bad]]
    warning = (
        f"{label}: widened high/low on {len(days)} bar(s) with small OHLC inconsistencies "
        f"(<= {OHLC_TOLERANCE:.1%}, rounding) ({name_list(days)})"
    )
    return fixed, warning, None


def find_gaps(index: pd.DatetimeIndex) -> list[str]:
    """``"2024-01-03 -> 2024-01-20 (17 days)"`` for every step longer than GAP_WARN_DAYS."""
    if len(index) < 2:
        return []
    steps = np.diff(index.to_numpy()).astype("timedelta64[D]").astype(np.int64)
    where = np.flatnonzero(steps > GAP_WARN_DAYS)
    return [
        f"{day_text(index[i])} -> {day_text(index[i + 1])} ({int(steps[i])} days)" for i in where
    ]
