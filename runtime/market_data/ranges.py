"""Range checks: is a requested date range (and warm-up) covered by a symbol's data?

This module owns the rule that refuses a backtest rather than let it silently run on less data
than asked. A range is refused (:class:`~core.errors.DateRangeError`, raised by the store) when
it does not overlap the data, starts more than :data:`RANGE_SLACK_DAYS` days before the first
bar, or ends more than :data:`RANGE_SLACK_DAYS` days after the last bar. The 7-day slack lets
"start on 1 January" work when the first bar is the first trading day; anything more would mean
the backtest runs on a shorter range than the user asked for. A warm-up of N bars needs N bars
dated before the start.

Everything here is pure (no store access): the store passes in what it holds.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd

from core.errors import MarketDataError
from runtime.market_data.bars import SymbolCoverage, day_text

__all__ = ["RANGE_SLACK_DAYS", "as_date", "check_order", "range_problem", "warmup_problem"]

RANGE_SLACK_DAYS = 7


def as_date(value: date | str | pd.Timestamp | None) -> date | None:
    """Accept date, datetime, Timestamp or ISO string (the CLI passes strings)."""
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError) as exc:
        raise MarketDataError(f"Not a date: {value!r}", code="bad_date") from exc


def check_order(start: date | None, end: date | None) -> None:
    """Raise ``MarketDataError(code="bad_range")`` when ``start`` is after ``end``."""
    if start is not None and end is not None and start > end:
        raise MarketDataError(f"Start {start} is after end {end}.", code="bad_range")


def range_problem(cov: SymbolCoverage, start: date | None, end: date | None) -> str | None:
    """Why ``start..end`` is not acceptable for ``cov``, or None. See RANGE_SLACK_DAYS."""
    slack = timedelta(days=RANGE_SLACK_DAYS)
    if (start is not None and start > cov.end) or (end is not None and end < cov.start):
        return "The requested range does not overlap the data at all."
    if start is not None and start < cov.start - slack:
        return (
            f"It starts {(cov.start - start).days} days before the first bar; "
            f"pick a start on or after {cov.start}."
        )
    if end is not None and end > cov.end + slack:
        return (
            f"It ends {(end - cov.end).days} days after the last bar; "
            f"pick an end on or before {cov.end} (or import newer data)."
        )
    return None


def warmup_problem(
    symbol: str, dates: pd.DatetimeIndex, start: date, warmup_bars: int
) -> str | None:
    """Why ``symbol``'s bars (``dates``) hold fewer than ``warmup_bars`` bars before ``start``,
    or None when they hold enough."""
    have = int(dates.searchsorted(pd.Timestamp(start), side="left"))
    if have >= warmup_bars:
        return None
    if len(dates) > warmup_bars:
        earliest = f"Earliest start with warm-up: {day_text(dates[warmup_bars])}."
    else:
        earliest = f"{symbol} has only {len(dates)} bars in total."
    return (
        f"The strategy needs {warmup_bars} warm-up bars before {start}, but {symbol} has "
        f"only {have}. {earliest}"
    )
