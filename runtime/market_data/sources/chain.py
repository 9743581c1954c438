"""Fallback over sources: ask each in order, keep the first answer that passes the checks.

This module owns :func:`fetch_first` and :class:`Fetched`. A source that fails (unreachable,
timed out, rate limited beyond what we wait, keys refused), answers nothing for the range, or
answers garbage (the checks of :mod:`runtime.market_data.quality`: non-numbers, non-positive
prices, OHLC violations, conflicting duplicates) is recorded with its reason and the next one
is asked; when none answers, :class:`~core.errors.DataSourceFailed` lists every reason. Bars
that pass get warnings for NYSE sessions missing between their first and last day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from core.errors import DataQualityError, DataSourceFailed, name_list
from core.logging import get_logger
from runtime.market_data.actions import CorporateAction
from runtime.market_data.bars import BAR_COLUMNS, canonical_frame, day_text
from runtime.market_data.calendar import nyse_sessions
from runtime.market_data.quality import check_daily_bars
from runtime.market_data.sources.base import BarSource, SourceBars, SourceFailure

__all__ = ["Attempt", "Fetched", "check_source_bars", "fetch_first"]

log = get_logger(__name__)


@dataclass(frozen=True)
class Attempt:
    """One source asked and why it was passed over."""

    source: str
    reason: str


@dataclass
class Fetched:
    """Checked, canonical bars of one symbol and how they were obtained."""

    symbol: str
    source: str
    frame: pd.DataFrame
    actions: list[CorporateAction] | None
    warnings: list[str] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)


def check_source_bars(got: SourceBars, start: date, end: date) -> tuple[pd.DataFrame, list[str]]:
    """The quality checks every fetch goes through; raises DataQualityError on garbage."""
    label = f"{got.symbol} from {got.source}"
    raw = got.frame
    missing = [c for c in ("date", *BAR_COLUMNS) if c not in raw.columns]
    if missing:
        raise DataQualityError(label, [f"answer lacks column(s) {', '.join(missing)}"])
    frame = raw[["date", *BAR_COLUMNS]].copy()
    try:
        values = frame[list(BAR_COLUMNS)].apply(pd.to_numeric, errors="raise").astype("float64")
    except (ValueError, TypeError) as exc:
        raise DataQualityError(label, [f"values that are not numbers ({exc})"]) from None
    bad = ~np.isfinite(values.to_numpy()).all(axis=1)
    if bad.any():
        days = [day_text(d) for d in frame.loc[bad, "date"]]
        raise DataQualityError(
            label, [f"{int(bad.sum())} bar(s) with missing values ({name_list(days)})"]
        )
    frame[list(BAR_COLUMNS)] = values
    frame["date"] = pd.to_datetime(frame["date"]).dt.normalize()
    inside = (frame["date"] >= pd.Timestamp(start)) & (frame["date"] <= pd.Timestamp(end))
    frame = frame[inside]
    if frame.empty:
        raise DataQualityError(label, [f"no bars dated {start}..{end}"])
    checked, warnings = check_daily_bars(frame, label)
    sessions = nyse_sessions(checked.index[0].date(), checked.index[-1].date())
    absent = sessions.difference(checked.index)
    if len(absent):
        days = [day_text(d) for d in absent]
        warnings.append(f"{label}: {len(days)} NYSE session(s) missing ({name_list(days)})")
    extra = checked.index.difference(sessions)
    if len(extra):
        days = [day_text(d) for d in extra]
        warnings.append(f"{label}: {len(days)} bar(s) on days NYSE was closed ({name_list(days)})")
    return canonical_frame(checked), list(got.notes) + warnings


def fetch_first(
    sources: Sequence[BarSource],
    symbol: str,
    start: date,
    end: date,
    passed_over: Sequence[Attempt] = (),
) -> Fetched:
    """Bars of ``symbol`` for ``start..end`` from the first source that gives good ones.

    ``passed_over`` are sources that could not even be built (no keys...), reported with the
    rest when every source fails."""
    attempts = list(passed_over)
    for source in sources:
        try:
            got = source.fetch(symbol, start, end)
            if got.frame.empty:
                raise SourceFailure(source.name, f"no bars for {symbol} in {start}..{end}")
            frame, warnings = check_source_bars(got, start, end)
        except SourceFailure as exc:
            attempts.append(Attempt(source.name, exc.reason))
        except DataQualityError as exc:
            attempts.append(Attempt(source.name, f"bad data: {exc.message}"))
        else:
            if attempts:
                log.info(
                    "data source fell back",
                    extra={
                        "symbol": symbol,
                        "source": source.name,
                        "passed_over": [f"{a.source}: {a.reason}" for a in attempts],
                    },
                )
            return Fetched(symbol, source.name, frame, got.actions, warnings, attempts)
        log.warning(
            "data source failed",
            extra={"symbol": symbol, "source": source.name, "reason": attempts[-1].reason},
        )
    reasons = "; ".join(f"{a.source}: {a.reason}" for a in attempts) or "no source configured"
    raise DataSourceFailed(
        f"No data source could give {symbol} for {start}..{end} ({reasons}).",
        symbol=symbol,
        attempts=[{"source": a.source, "reason": a.reason} for a in attempts],
    )
