"""Reading user CSV files of daily bars into the canonical frame.

This module owns the CSV formats: the shared ``date,open,high,low,close,adj_close,volume``
header, Yahoo Finance exports (``Date,...,Adj Close,Volume``) and Alpaca bar exports
(``timestamp,open,high,low,close,volume[,trade_count,vwap]``), told apart by their header
(column aliases, case-insensitive), and the checks only a file needs: missing columns, text
that is not a number, unparseable dates, rows with missing values. The checks every source of
bars needs run in :mod:`runtime.market_data.quality`. Decisions:

* Rows with missing values (e.g. Yahoo's ``null`` rows) are dropped with a warning. Text that is
  not a number is an error: it signals a wrong file, not a missing day.
* Timestamps with a timezone (``2024-01-02T05:00:00Z``) are converted to America/New_York and
  reduced to the date; naive dates are taken as exchange dates as they are. Non-ISO dates such
  as ``01/02/2024`` are read month-first (US exports).
* ``adj_close`` is optional and defaults to ``close``.

Errors are :class:`~core.errors.DataQualityError` listing every problem found, with line
numbers as an editor shows them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.errors import DataQualityError, name_list
from core.logging import get_logger
from runtime.market_data.bars import BAR_COLUMNS, day_text
from runtime.market_data.quality import check_daily_bars

__all__ = ["read_bars_csv", "read_csv", "validate_frame"]

log = get_logger(__name__)

NEW_YORK = "America/New_York"

# A time followed by "Z" or an offset: the value carries a timezone.
_TZ_AWARE_RE = r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[zZ]|(?:UTC|GMT)?[+-]\d{2}:?\d{2})$"

# Canonical column -> accepted header spellings, after lower-casing and mapping spaces, dots
# and hyphens to "_". Earlier spellings win when a file has several.
_COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("date", "timestamp", "datetime", "time", "t"),
    "open": ("open", "o"),
    "high": ("high", "h"),
    "low": ("low", "l"),
    "close": ("close", "c"),
    "adj_close": ("adj_close", "adjclose", "adjusted_close", "adj__close"),
    "volume": ("volume", "vol", "v"),
}
_REQUIRED_COLUMNS: tuple[str, ...] = ("date", "open", "high", "low", "close", "volume")


def read_bars_csv(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """The canonical bars of one CSV file and the warnings; raises DataQualityError."""
    return validate_frame(read_csv(path), path.name)


def _header_key(name: str) -> str:
    key = str(name).strip().strip('"').strip().lower()
    return re.sub(r"[\s.\-]", "_", key)


def _map_columns(columns: Sequence[str]) -> tuple[dict[str, str], str]:
    """Return canonical -> original column names, and a name for the detected format."""
    keys: dict[str, str] = {}
    for original in columns:
        keys.setdefault(_header_key(original), original)
    mapping: dict[str, str] = {}
    for canonical, aliases in _COLUMN_ALIASES.items():
        for alias in aliases:
            if alias in keys:
                mapping[canonical] = keys[alias]
                break
    date_key = _header_key(mapping.get("date", ""))
    if date_key in ("timestamp", "t"):
        kind = "alpaca"
    elif "adj_close" in mapping and _header_key(mapping["adj_close"]) == "adj__close":
        kind = "yahoo"
    else:
        kind = "generic"
    return mapping, kind


def _parse_dates(raw: pd.Series) -> pd.Series:
    """Parse a column of date strings into naive midnight timestamps; NaT where unparseable.

    Values with a timezone are converted to New York time first and then reduced to the date
    (an Alpaca daily bar stamped 2024-01-02T05:00:00Z is the 2024-01-02 session). Naive values
    are exchange dates already.
    """
    text = raw.astype("string").str.strip()
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    present = text.notna() & (text != "")
    aware = present & text.str.contains(_TZ_AWARE_RE, regex=True, na=False)
    naive = present & ~aware
    if aware.any():
        parsed = pd.to_datetime(text[aware], utc=True, errors="coerce", format="ISO8601")
        local = parsed.dt.tz_convert(NEW_YORK).dt.tz_localize(None).dt.normalize()
        out.loc[aware] = local.astype("datetime64[ns]")
    if naive.any():
        parsed = pd.to_datetime(text[naive], errors="coerce", format="ISO8601")
        failed = parsed.isna()
        if failed.any():
            # Slow path (dateutil) only for non-ISO spellings such as 01/02/2024 (US order).
            parsed.loc[failed] = pd.to_datetime(
                text[naive][failed], errors="coerce", format="mixed"
            )
        if getattr(parsed.dt, "tz", None) is not None:  # pragma: no cover - defensive
            parsed = parsed.dt.tz_localize(None)
        out.loc[naive] = parsed.dt.normalize().astype("datetime64[ns]")
    return out


def read_csv(path: Path) -> pd.DataFrame:
    """Read a CSV with the date column as text and everything else as the C parser infers.

    Letting the parser read numbers natively is several times faster than converting text;
    a column that is not clean numbers arrives as object and is checked in validate_frame.
    """
    options: dict[str, Any] = {"encoding": "utf-8-sig", "skipinitialspace": True}
    try:
        header = pd.read_csv(path, nrows=0, **options)
        mapping, _ = _map_columns([str(c) for c in header.columns])
        dtypes = {mapping["date"]: str} if "date" in mapping else None
        return pd.read_csv(path, dtype=dtypes, **options)
    except pd.errors.EmptyDataError as exc:
        raise DataQualityError(path.name, ["the file is empty"]) from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataQualityError(path.name, [f"not a readable CSV file ({exc})"]) from exc


def validate_frame(df: pd.DataFrame, label: str) -> tuple[pd.DataFrame, list[str]]:
    """Turn a raw CSV frame into the canonical bar frame.

    Returns the frame and the list of warnings; raises DataQualityError listing every problem
    found (not only the first) so a user can fix a file in one go.
    """
    mapping, kind = _map_columns(list(df.columns))
    missing = [c for c in _REQUIRED_COLUMNS if c not in mapping]
    if missing:
        raise DataQualityError(
            label,
            [
                (
                    f"missing required column(s): {', '.join(missing)}. Found: "
                    f"{', '.join(map(str, df.columns)) or '(none)'}. Expected a header like "
                    "date,open,high,low,close,adj_close,volume (Yahoo "
                    "'Date,...,Adj Close,Volume' and Alpaca "
                    "'timestamp,open,high,low,close,volume' headers also work; "
                    "adj_close is optional)."
                )
            ],
        )
    log.debug("detected CSV format", extra={"source": label, "format": kind, "columns": mapping})
    if df.empty:
        raise DataQualityError(label, ["the file has a header but no data rows"])

    problems: list[str] = []
    warnings: list[str] = []
    # Line numbers as a user sees them in an editor: header is line 1.
    line_no = pd.Series(np.arange(len(df)) + 2, index=df.index)

    values: dict[str, pd.Series] = {}
    value_cols = [c for c in BAR_COLUMNS if c in mapping]
    for col in value_cols:
        raw = df[mapping[col]]
        num = pd.to_numeric(raw, errors="coerce")
        not_numeric = num.isna() & raw.notna()
        if not_numeric.any():
            bad = [f"line {line_no[i]}: {raw[i]!r}" for i in not_numeric[not_numeric].index]
            problems.append(f"column {col} has values that are not numbers ({name_list(bad)})")
        values[col] = num.astype("float64")

    dates = _parse_dates(df[mapping["date"]])
    raw_dates = df[mapping["date"]]
    all_values_missing = pd.concat(values.values(), axis=1).isna().all(axis=1)
    # A row with neither a date nor any value is an empty line, not a bad date.
    empty_row = raw_dates.isna() & all_values_missing
    bad_date = dates.isna() & ~empty_row
    if bad_date.any():
        bad = [f"line {line_no[i]}: {raw_dates[i]!r}" for i in bad_date[bad_date].index]
        problems.append(f"{int(bad_date.sum())} unparseable date(s) ({name_list(bad)})")

    frame = pd.DataFrame(values, index=df.index)
    if "adj_close" not in frame:
        frame["adj_close"] = frame["close"]
    frame = frame[list(BAR_COLUMNS)]
    frame.insert(0, "date", dates)

    nan_rows = frame[list(BAR_COLUMNS)].isna().any(axis=1) & ~bad_date
    if problems:
        raise DataQualityError(label, problems)
    if nan_rows.any():
        where = [
            day_text(d) if pd.notna(d) else f"line {line_no[i]}"
            for i, d in frame.loc[nan_rows, "date"].items()
        ]
        warnings.append(
            f"{label}: dropped {int(nan_rows.sum())} row(s) with missing values "
            f"({name_list(where)})"
        )
        frame = frame[~nan_rows]
    if frame.empty:
        raise DataQualityError(label, ["no usable rows (every row has missing values)"])

    frame, checked = check_daily_bars(frame, label)
    return frame, warnings + checked
