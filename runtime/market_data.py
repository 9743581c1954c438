"""Market-data store: daily OHLCV bars per symbol, for backtests.

This module owns:

* parsing and validating user CSV files (the shared ``date,open,...`` format, Yahoo Finance
  exports and Alpaca bar exports) into one canonical daily-bar frame;
* the on-disk store: one Parquet file per symbol under ``root`` plus ``root/index.json`` with
  each symbol's coverage, so listing symbols never opens a Parquet file;
* range checks that refuse a backtest rather than let it silently run on less data than asked;
* a seeded synthetic market (:func:`generate_sample_market`) so a demo needs no files.

Canonical frame (what :meth:`MarketDataStore.bars` returns): index is a ``DatetimeIndex`` named
``date`` of naive midnight timestamps (exchange dates), columns ``open, high, low, close,
adj_close, volume``, all float64. Volume is float because Alpaca exports fractional volume for
some assets and one dtype is simpler for every consumer.

Decisions (each is also documented where it is implemented):

* ``import_path`` imports every good file, reports bad files as warnings, and raises
  :class:`DataQualityError` only when nothing at all was imported.
* Duplicate dates: exact duplicate rows are dropped with a warning (a harmless export glitch);
  the same date with different values is an error naming the dates, because we cannot know
  which bar is right (it is also how an intraday file shows up once reduced to dates).
* OHLC sanity violations of at most 0.5 % of the price are rounding noise: high/low are widened
  and a warning is emitted. Anything larger is an error naming up to 5 dates.
* Rows with missing values (e.g. Yahoo's ``null`` rows) are dropped with a warning. Text that is
  not a number is an error: it signals a wrong file, not a missing day.
* Gaps longer than 7 calendar days are warnings, not errors: data vendors do drop stretches,
  and a warning lets the user decide (the 9/11 closure, Sep 10 -> Sep 17, stays below it).
* Timestamps with a timezone (``2024-01-02T05:00:00Z``) are converted to America/New_York and
  reduced to the date; naive dates are taken as exchange dates as they are. Non-ISO dates such
  as ``01/02/2024`` are read month-first (US exports).
* Importing a symbol replaces everything stored for it (no merging of partial files), so what
  the store holds is always exactly one validated file.
* :meth:`MarketDataStore.bars` and :meth:`MarketDataStore.require` raise
  :class:`DateRangeError` when the requested range does not overlap the data, or starts more
  than 7 days before the first bar, or ends more than 7 days after the last bar. The 7-day
  slack lets "start on 1 January" work when the first bar is the first trading day; anything
  more would mean the backtest runs on a shorter range than the user asked for.
* Symbols are normalised with ``strip().upper()`` everywhere.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pandas.tseries.holiday import (
    AbstractHolidayCalendar,
    GoodFriday,
    Holiday,
    USLaborDay,
    USMartinLutherKingJr,
    USMemorialDay,
    USPresidentsDay,
    USThanksgivingDay,
    nearest_workday,
    sunday_to_monday,
)
from pandas.tseries.offsets import CustomBusinessDay

from core.errors import (
    DataQualityError,
    DateRangeError,
    MarketDataError,
    UnknownSymbolError,
    name_list,
)

try:  # fcntl is POSIX-only; without it writes are still atomic, just not serialised.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

__all__ = [
    "BAR_COLUMNS",
    "SAMPLE_SOURCE",
    "DataQualityError",
    "DateRangeError",
    "ImportReport",
    "MarketDataError",
    "MarketDataStore",
    "SymbolCoverage",
    "UnknownSymbolError",
    "generate_sample_market",
]

BAR_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close", "adj_close", "volume")
PRICE_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close", "adj_close")
SAMPLE_SOURCE = "sample"
NEW_YORK = "America/New_York"

# Slack between a requested range and the data we have; see the module docstring.
RANGE_SLACK_DAYS = 7
# Gaps longer than this many calendar days are reported as warnings.
GAP_WARN_DAYS = 7
# Relative OHLC violation treated as rounding noise and fixed instead of rejected.
OHLC_TOLERANCE = 0.005
# How many offending dates/values an error or warning names before summarising.
NAME_LIMIT = 5

_INDEX_FILE = "index.json"
_INDEX_FORMAT = 1
_SYMBOL_RE = re.compile(r"^[A-Z0-9^][A-Z0-9.\-_=^]{0,19}$")
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


# --------------------------------------------------------------------------------------------
# Errors and data classes
# --------------------------------------------------------------------------------------------


@dataclass
class SymbolCoverage:
    """What the store holds for one symbol. ``source`` is the CSV file name or ``"sample"``."""

    symbol: str
    start: date
    end: date
    bars: int
    source: str


@dataclass
class ImportReport:
    """Result of a bulk import: what was imported and everything worth telling the user."""

    imported: list[SymbolCoverage] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _as_date(value: date | str | pd.Timestamp | None) -> date | None:
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


def _normalise_symbol(symbol: str) -> str:
    sym = str(symbol).strip().upper()
    if not _SYMBOL_RE.match(sym):
        raise MarketDataError(
            f"Invalid symbol {symbol!r}: use letters, digits and . - _ ^ = (max 20 chars).",
            code="bad_symbol",
        )
    return sym


def _header_key(name: str) -> str:
    key = str(name).strip().strip('"').strip().lower()
    return re.sub(r"[\s.\-]", "_", key)


def _fmt_date(ts: Any) -> str:
    return pd.Timestamp(ts).date().isoformat()


# --------------------------------------------------------------------------------------------
# CSV parsing and validation
# --------------------------------------------------------------------------------------------


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


def _read_csv(path: Path) -> pd.DataFrame:
    """Read a CSV with the date column as text and everything else as the C parser infers.

    Letting the parser read numbers natively is several times faster than converting text;
    a column that is not clean numbers arrives as object and is checked in _validate_frame.
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


def _validate_frame(df: pd.DataFrame, label: str) -> tuple[pd.DataFrame, list[str]]:
    """Turn a raw CSV frame (all strings) into the canonical bar frame.

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
    logger.debug("%s: detected %s CSV format, columns %s", label, kind, mapping)
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
            _fmt_date(d) if pd.notna(d) else f"line {line_no[i]}"
            for i, d in frame.loc[nan_rows, "date"].items()
        ]
        warnings.append(
            f"{label}: dropped {int(nan_rows.sum())} row(s) with missing values "
            f"({name_list(where)})"
        )
        frame = frame[~nan_rows]
    if frame.empty:
        raise DataQualityError(label, ["no usable rows (every row has missing values)"])

    if not frame["date"].is_monotonic_increasing:
        logger.info("%s: rows were not in date order; sorted", label)
        frame = frame.sort_values("date", kind="mergesort")

    dup_mask = frame["date"].duplicated(keep=False)
    if dup_mask.any():
        exact = frame.duplicated(keep="first")
        frame_wo_exact = frame[~exact]
        conflicting = frame_wo_exact["date"][frame_wo_exact["date"].duplicated(keep=False)]
        if not conflicting.empty:
            days = sorted({_fmt_date(d) for d in conflicting})
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
        days = sorted({_fmt_date(d) for d in frame.loc[exact, "date"]})
        warnings.append(
            f"{label}: dropped {int(exact.sum())} exact duplicate row(s) ({name_list(days)})"
        )
        frame = frame_wo_exact

    frame = frame.set_index("date")
    frame.index = pd.DatetimeIndex(frame.index, name="date")

    prices = frame[list(PRICE_COLUMNS)]
    non_positive = (prices <= 0).any(axis=1)
    if non_positive.any():
        days = [_fmt_date(d) for d in frame.index[non_positive]]
        problems.append(f"{len(days)} row(s) with zero or negative prices ({name_list(days)})")
    negative_volume = frame["volume"] < 0
    if negative_volume.any():
        days = [_fmt_date(d) for d in frame.index[negative_volume]]
        problems.append(f"{len(days)} row(s) with negative volume ({name_list(days)})")
    if problems:
        raise DataQualityError(label, problems)

    frame, ohlc_warning, ohlc_problem = _check_ohlc(frame, label)
    if ohlc_problem:
        raise DataQualityError(label, [ohlc_problem])
    if ohlc_warning:
        warnings.append(ohlc_warning)

    gaps = _find_gaps(frame.index)
    if gaps:
        warnings.append(
            f"{label}: {len(gaps)} gap(s) longer than {GAP_WARN_DAYS} days ({name_list(gaps)})"
        )
    return frame, warnings


def _check_ohlc(frame: pd.DataFrame, label: str) -> tuple[pd.DataFrame, str | None, str | None]:
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
            f"{_fmt_date(frame.index[i])} (o={o[i]:g} h={h[i]:g} l={lo[i]:g} c={c[i]:g})"
            for i in idx[:NAME_LIMIT]
        ]
        more = f" and {len(idx) - NAME_LIMIT} more" if len(idx) > NAME_LIMIT else ""
        return (
            frame,
            None,
            (
                f"{len(idx)} bar(s) where high/low do not contain open/close by more than "
                f"{OHLC_TOLERANCE:.1%}: {', '.join(shown)}{more}"
            ),
        )
    fixed = frame.copy()
    fixed["high"] = np.maximum.reduce([h, o, c, lo])
    fixed["low"] = np.minimum.reduce([lo, o, c, h])
    days = [_fmt_date(d) for d in frame.index[bad]]
    warning = (
        f"{label}: widened high/low on {len(days)} bar(s) with small OHLC inconsistencies "
        f"(<= {OHLC_TOLERANCE:.1%}, rounding) ({name_list(days)})"
    )
    return fixed, warning, None


def _find_gaps(index: pd.DatetimeIndex) -> list[str]:
    if len(index) < 2:
        return []
    steps = np.diff(index.to_numpy()).astype("timedelta64[D]").astype(np.int64)
    where = np.flatnonzero(steps > GAP_WARN_DAYS)
    return [
        f"{_fmt_date(index[i])} -> {_fmt_date(index[i + 1])} ({int(steps[i])} days)" for i in where
    ]


def _coverage_of(symbol: str, frame: pd.DataFrame, source: str) -> SymbolCoverage:
    return SymbolCoverage(
        symbol=symbol,
        start=frame.index[0].date(),
        end=frame.index[-1].date(),
        bars=len(frame),
        source=source,
    )


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[list(BAR_COLUMNS)].astype("float64")
    out.index = pd.DatetimeIndex(out.index, name="date").astype("datetime64[ns]")
    out.index.name = "date"
    return out


# --------------------------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------------------------


class MarketDataStore:
    """Daily bars per symbol under ``root``: ``SYMBOL.parquet`` files plus ``index.json``.

    Writes are atomic (temp file + rename) and, on POSIX, serialised with a lock file so the
    API and a CLI import can run at the same time. Reads take the index fresh from disk on
    every call (it is tiny), so several processes sharing a store see each other's imports.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        # symbol -> (mtime_ns, size, frame): avoids re-reading Parquet for repeated bars() calls.
        self._cache: dict[str, tuple[int, int, pd.DataFrame]] = {}
        self._thread_lock = threading.RLock()
        self._lock_depth = 0

    # ---- paths, lock and index ---------------------------------------------------------

    def _parquet_path(self, symbol: str) -> Path:
        return self.root / f"{symbol}.parquet"

    @property
    def _index_path(self) -> Path:
        return self.root / _INDEX_FILE

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Exclusive write lock: across threads (RLock) and processes (flock).

        Re-entrant because a write may trigger an index rebuild, which writes too; a second
        flock on a new descriptor of the same file would deadlock against ourselves.
        """
        with self._thread_lock:
            if self._lock_depth:
                self._lock_depth += 1
                try:
                    yield
                finally:
                    self._lock_depth -= 1
                return
            self.root.mkdir(parents=True, exist_ok=True)
            with open(self.root / ".lock", "a+") as handle:
                if fcntl is not None:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
                self._lock_depth = 1
                try:
                    yield
                finally:
                    self._lock_depth = 0
                    if fcntl is not None:
                        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _read_index(self) -> dict[str, SymbolCoverage]:
        path = self._index_path
        if not path.exists():
            if self.root.is_dir() and any(self.root.glob("*.parquet")):
                logger.warning("%s missing; rebuilding it from the Parquet files", path)
                return self._rebuild_index()
            return {}
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return {
                sym: SymbolCoverage(
                    symbol=sym,
                    start=date.fromisoformat(entry["start"]),
                    end=date.fromisoformat(entry["end"]),
                    bars=int(entry["bars"]),
                    source=str(entry["source"]),
                )
                for sym, entry in raw["symbols"].items()
            }
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            logger.warning("%s is unreadable (%s); rebuilding it from the Parquet files", path, exc)
            return self._rebuild_index()

    def _write_index(self, index: dict[str, SymbolCoverage]) -> None:
        payload = {
            "format": _INDEX_FORMAT,
            "updated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "symbols": {
                sym: {
                    "start": cov.start.isoformat(),
                    "end": cov.end.isoformat(),
                    "bars": cov.bars,
                    "source": cov.source,
                }
                for sym, cov in sorted(index.items())
            },
        }
        self._atomic_write_text(self._index_path, json.dumps(payload, indent=1))

    def _atomic_write_text(self, path: Path, text: str) -> None:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)

    def _rebuild_index(self) -> dict[str, SymbolCoverage]:
        index: dict[str, SymbolCoverage] = {}
        for path in sorted(self.root.glob("*.parquet")):
            try:
                frame = pd.read_parquet(path)
            except Exception as exc:
                logger.warning("skipping unreadable %s: %s", path, exc)
                continue
            if frame.empty:
                continue
            source = str(frame.attrs.get("stratforge_source", "unknown"))
            index[path.stem] = _coverage_of(path.stem, frame, source)
        with self._lock():
            self._write_index(index)
        return index

    def _save(self, symbol: str, frame: pd.DataFrame, source: str) -> SymbolCoverage:
        frame = _canonical(frame)
        # attrs travel inside the Parquet metadata, so a lost index can be rebuilt with sources.
        frame.attrs = {"stratforge_symbol": symbol, "stratforge_source": source}
        coverage = _coverage_of(symbol, frame, source)
        with self._lock():
            # Index first: reading it after the new Parquet exists would mistake a fresh store
            # for one whose index was lost.
            index = self._read_index()
            path = self._parquet_path(symbol)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            frame.to_parquet(tmp, engine="pyarrow", index=True)
            os.replace(tmp, path)
            index[symbol] = coverage
            self._write_index(index)
        self._cache.pop(symbol, None)
        return coverage

    # ---- importing -----------------------------------------------------------------------

    def _import_one(self, path: Path, symbol: str | None) -> tuple[SymbolCoverage, list[str]]:
        path = Path(path)
        if not path.is_file():
            raise MarketDataError(f"No such file: {path}", code="not_found")
        sym = _normalise_symbol(symbol if symbol is not None else path.stem)
        frame, warnings = _validate_frame(_read_csv(path), path.name)
        coverage = self._save(sym, frame, path.name)
        logger.info(
            "imported %s from %s: %d bars %s..%s",
            sym,
            path.name,
            coverage.bars,
            coverage.start,
            coverage.end,
        )
        return coverage, warnings

    def import_csv(self, path: Path, symbol: str | None = None) -> SymbolCoverage:
        """Import one CSV of daily bars, replacing any data stored for the symbol.

        ``symbol`` defaults to the file stem, upper-cased. The header decides the format
        (case-insensitive): ``date,open,high,low,close,adj_close,volume``; Yahoo's
        ``Date,Open,High,Low,Close,Adj Close,Volume``; Alpaca's
        ``timestamp,open,high,low,close,volume[,trade_count,vwap]``. ``adj_close`` is optional
        and defaults to ``close``. Raises :class:`DataQualityError` listing every problem.
        Warnings (dropped rows, gaps, widened bars) are logged; use :meth:`import_path` to get
        them back as data.
        """
        coverage, warnings = self._import_one(path, symbol)
        for message in warnings:
            logger.warning("%s", message)
        return coverage

    def import_path(
        self, path: Path, progress: Callable[[str, int, int], None] | None = None
    ) -> ImportReport:
        """Import a CSV file or every ``*.csv`` in a directory (not recursive, sorted by name).

        Decision: every good file is imported; a bad file becomes a warning naming the file and
        its problems; :class:`DataQualityError` is raised only when nothing was imported (its
        ``problems`` then list every file's error). ``progress(file_name, done, total)`` is
        called after each file.
        """
        path = Path(path)
        if path.is_dir():
            files = sorted(
                (p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".csv"),
                key=lambda p: p.name,
            )
            if not files:
                raise DataQualityError(path, ["no .csv files in this directory"])
        elif path.is_file():
            files = [path]
        else:
            raise MarketDataError(f"No such file or directory: {path}", code="not_found")

        report = ImportReport()
        failures: list[str] = []
        seen: dict[str, str] = {}
        existing = self._read_index()
        for done, file in enumerate(files, start=1):
            try:
                coverage, warnings = self._import_one(file, None)
            except (MarketDataError, OSError) as exc:
                # DataQualityError messages already start with the file name.
                if isinstance(exc, DataQualityError):
                    message = exc.message
                else:
                    message = f"{file.name}: {exc}"
                failures.append(message)
                report.warnings.append(f"skipped {message}")
            else:
                previous = existing.get(coverage.symbol)
                if coverage.symbol in seen:
                    report.warnings.append(
                        f"{coverage.symbol} came from both {seen[coverage.symbol]} and "
                        f"{file.name}; kept {file.name}"
                    )
                    report.imported = [c for c in report.imported if c.symbol != coverage.symbol]
                elif previous is not None and previous.source == SAMPLE_SOURCE:
                    report.warnings.append(
                        f"{coverage.symbol}: replaced sample data with {file.name}"
                    )
                seen[coverage.symbol] = file.name
                report.imported.append(coverage)
                report.warnings.extend(warnings)
            if progress is not None:
                progress(file.name, done, len(files))
        if not report.imported:
            raise DataQualityError(path, failures)
        return report

    def load_sample(self, seed: int = 7, overwrite: bool = False) -> ImportReport:
        """Write the synthetic market of :func:`generate_sample_market` (source ``"sample"``).

        Symbols already imported from real files are kept unless ``overwrite=True``; earlier
        sample data is always replaced.
        """
        report = ImportReport()
        existing = self._read_index()
        for symbol, frame in generate_sample_market(seed=seed).items():
            previous = existing.get(symbol)
            if previous is not None and previous.source != SAMPLE_SOURCE and not overwrite:
                report.warnings.append(
                    f"{symbol}: kept data imported from {previous.source}; "
                    "sample not loaded (use overwrite=True to replace it)"
                )
                continue
            report.imported.append(self._save(symbol, frame, SAMPLE_SOURCE))
        return report

    # ---- queries -------------------------------------------------------------------------

    def symbols(self, query: str | None = None) -> list[SymbolCoverage]:
        """All stored symbols sorted by name; ``query`` keeps those containing it (any case)."""
        index = self._read_index()
        needle = (query or "").strip().upper()
        return [index[s] for s in sorted(index) if needle in s]

    def coverage(self, symbol: str) -> SymbolCoverage:
        """Coverage of one symbol; raises :class:`UnknownSymbolError`."""
        index = self._read_index()
        sym = str(symbol).strip().upper()
        if sym not in index:
            raise UnknownSymbolError(sym, sorted(index))
        return index[sym]

    def has_any(self) -> bool:
        return bool(self._read_index())

    def delete(self, symbol: str) -> None:
        """Remove a symbol's bars and index entry; raises :class:`UnknownSymbolError`."""
        sym = str(symbol).strip().upper()
        with self._lock():
            index = self._read_index()
            if sym not in index:
                raise UnknownSymbolError(sym, sorted(index))
            del index[sym]
            self._write_index(index)
            self._parquet_path(sym).unlink(missing_ok=True)
        self._cache.pop(sym, None)

    def _load(self, symbol: str, index: dict[str, SymbolCoverage]) -> pd.DataFrame:
        path = self._parquet_path(symbol)
        try:
            stat = path.stat()
        except FileNotFoundError as exc:
            raise UnknownSymbolError(symbol, sorted(s for s in index if s != symbol)) from exc
        cached = self._cache.get(symbol)
        if cached is not None and cached[0] == stat.st_mtime_ns and cached[1] == stat.st_size:
            return cached[2]
        frame = pd.read_parquet(path)
        frame.attrs = {}
        self._cache[symbol] = (stat.st_mtime_ns, stat.st_size, frame)
        return frame

    def bars(self, symbol: str, start: date | None = None, end: date | None = None) -> pd.DataFrame:
        """Daily bars of ``symbol`` from ``start`` to ``end`` inclusive (None = open-ended).

        Raises :class:`UnknownSymbolError`, or :class:`DateRangeError` when the range does not
        overlap the data or overshoots it by more than 7 days at either end (so a backtest
        never silently runs on a shorter range than requested). Returns a copy.
        """
        index = self._read_index()
        sym = str(symbol).strip().upper()
        if sym not in index:
            raise UnknownSymbolError(sym, sorted(index))
        start_d, end_d = _as_date(start), _as_date(end)
        _check_order(start_d, end_d)
        problem = _range_problem(index[sym], start_d, end_d)
        if problem:
            cov = index[sym]
            raise DateRangeError(sym, start_d, end_d, cov.start, cov.end, problem)
        frame = self._load(sym, index)
        lo = pd.Timestamp(start_d) if start_d else None
        hi = pd.Timestamp(end_d) if end_d else None
        return frame.loc[lo:hi].copy()

    def require(self, symbols: list[str], start: date, end: date, warmup_bars: int = 0) -> None:
        """Check that every symbol exists and covers ``start..end`` plus ``warmup_bars`` bars
        before ``start`` (e.g. 200 for a 200-day moving average).

        Raises :class:`UnknownSymbolError` naming ALL missing symbols, else
        :class:`DateRangeError` for the first symbol out of range (its message also lists the
        other symbols out of range, so one error tells the whole story).
        """
        index = self._read_index()
        wanted = list(dict.fromkeys(str(s).strip().upper() for s in symbols))
        missing = [s for s in wanted if s not in index]
        if missing:
            raise UnknownSymbolError(missing, sorted(index))
        start_d, end_d = _as_date(start), _as_date(end)
        _check_order(start_d, end_d)
        if warmup_bars < 0:
            raise MarketDataError("warmup_bars must be >= 0", code="bad_range")
        failures: list[tuple[str, str]] = []
        for sym in wanted:
            cov = index[sym]
            problem = _range_problem(cov, start_d, end_d)
            if problem is None and warmup_bars and start_d is not None:
                problem = self._warmup_problem(sym, index, start_d, warmup_bars)
            if problem:
                failures.append((sym, problem))
        if failures:
            sym, problem = failures[0]
            if len(failures) > 1:
                others = [f"{s} (has {index[s].start}..{index[s].end})" for s, _ in failures[1:]]
                problem += f" Also short of data: {name_list(others)}."
            cov = index[sym]
            raise DateRangeError(sym, start_d, end_d, cov.start, cov.end, problem)

    def _warmup_problem(
        self, symbol: str, index: dict[str, SymbolCoverage], start: date, warmup_bars: int
    ) -> str | None:
        dates = self._load(symbol, index).index
        have = int(dates.searchsorted(pd.Timestamp(start), side="left"))
        if have >= warmup_bars:
            return None
        if len(dates) > warmup_bars:
            earliest = f"Earliest start with warm-up: {_fmt_date(dates[warmup_bars])}."
        else:
            earliest = f"{symbol} has only {len(dates)} bars in total."
        return (
            f"The strategy needs {warmup_bars} warm-up bars before {start}, but {symbol} has "
            f"only {have}. {earliest}"
        )


def _check_order(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and start > end:
        raise MarketDataError(f"Start {start} is after end {end}.", code="bad_range")


def _range_problem(cov: SymbolCoverage, start: date | None, end: date | None) -> str | None:
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


# --------------------------------------------------------------------------------------------
# Synthetic sample market
# --------------------------------------------------------------------------------------------


class _NyseHolidays(AbstractHolidayCalendar):
    """NYSE's regular holiday rules (no one-off closures such as Hurricane Sandy in 2012)."""

    rules: ClassVar[list[Holiday]] = [
        Holiday("New Year's Day", month=1, day=1, observance=sunday_to_monday),
        USMartinLutherKingJr,
        USPresidentsDay,
        GoodFriday,
        USMemorialDay,
        Holiday("Juneteenth", month=6, day=19, start_date="2022-01-01", observance=nearest_workday),
        Holiday("Independence Day", month=7, day=4, observance=nearest_workday),
        USLaborDay,
        USThanksgivingDay,
        Holiday("Christmas", month=12, day=25, observance=nearest_workday),
    ]


def _trading_days(start: date, end: date) -> pd.DatetimeIndex:
    days = pd.date_range(start, end, freq=CustomBusinessDay(calendar=_NyseHolidays()))
    return pd.DatetimeIndex(days.astype("datetime64[ns]"), name="date", freq=None)


@dataclass(frozen=True)
class _SampleSpec:
    symbol: str
    price: float  # first close
    beta_bull: float  # exposure to the equity factor in calm markets
    beta_bear: float  # ... and in stress (negative = flight to safety)
    alpha: float  # annual drift on top of the factors
    idio_vol: float  # annual idiosyncratic volatility
    bond: float  # exposure to the rates factor
    gold: float  # exposure to the gold factor
    dividend_yield: float  # annual, drives adj_close
    volume: float  # typical daily shares


# Annualised parameters; prices start near the real funds' January-2010 levels so the demo looks
# familiar, but the paths are synthetic and stored with source="sample".
_SAMPLE_SPECS: tuple[_SampleSpec, ...] = (
    _SampleSpec("SPY", 113.0, 1.00, 1.00, 0.00, 0.02, 0.0, 0.0, 0.018, 120e6),
    _SampleSpec("QQQ", 46.0, 1.15, 1.20, 0.05, 0.09, 0.0, 0.0, 0.007, 60e6),
    _SampleSpec("IWM", 63.0, 1.15, 1.25, -0.01, 0.11, 0.0, 0.0, 0.013, 35e6),
    _SampleSpec("EFA", 55.0, 0.85, 0.95, -0.04, 0.09, 0.0, 0.0, 0.028, 25e6),
    _SampleSpec("TLT", 92.0, 0.05, -0.35, 0.00, 0.02, 1.0, 0.0, 0.025, 10e6),
    _SampleSpec("AGG", 104.0, 0.01, -0.08, 0.00, 0.01, 0.28, 0.0, 0.025, 5e6),
    _SampleSpec("GLD", 110.0, 0.05, -0.10, 0.00, 0.03, 0.0, 1.0, 0.0, 9e6),
    _SampleSpec("BIL", 45.8, 0.0, 0.0, 0.00, 0.002, 0.0, 0.0, 0.012, 3e6),
)

_BULL_DRIFT, _BULL_VOL = 0.16, 0.13
_BEAR_VOL = 0.30
_BOND_DRIFT, _BOND_VOL = 0.005, 0.14
_GOLD_DRIFT, _GOLD_VOL = 0.04, 0.16
_DAYS_PER_YEAR = 252


def _regimes(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Alternate bull and bear phases; returns (is_bear flags, daily equity drift).

    Phases alternate (bull 350-1100 days, bear 30-180 days losing 10-30 %), so with any seed a
    range longer than about 4.5 years contains a bear phase, and the default 15 years contain
    several: a 50/200-day golden/death cross strategy has something to trade (seeds 1-14 all
    give 5-11 crosses each way).
    """
    bear = np.zeros(n, dtype=bool)
    drift = np.full(n, _BULL_DRIFT / _DAYS_PER_YEAR)
    pos = 0
    in_bear = False
    while pos < n:
        if in_bear:
            length = int(rng.integers(30, 181))
            loss = float(rng.uniform(0.10, 0.30))
            stop = min(n, pos + length)
            bear[pos:stop] = True
            drift[pos:stop] = np.log(1.0 - loss) / length
        else:
            length = int(rng.integers(350, 1101))
            stop = min(n, pos + length)
        pos = stop
        in_bear = not in_bear
    return bear, drift


def _student_t(rng: np.random.Generator, n: int, dof: float = 5.0) -> np.ndarray:
    """Unit-variance fat-tailed shocks: daily returns are not normal and crashes happen."""
    return rng.standard_t(dof, size=n) / np.sqrt(dof / (dof - 2.0))


def generate_sample_market(
    seed: int = 7, start: date = date(2010, 1, 4), end: date = date(2024, 12, 31)
) -> dict[str, pd.DataFrame]:
    """A deterministic synthetic market of daily bars: SPY QQQ IWM EFA TLT AGG GLD BIL.

    The tickers are real so demo sentences read naturally ("buy SPY when..."), but the data is
    synthetic; the store marks it ``source="sample"``. Trading days follow NYSE's regular
    holiday rules (weekdays minus New Year, MLK, Presidents, Good Friday, Memorial, Juneteenth
    from 2022, Independence, Labor, Thanksgiving, Christmas). Model: an equity factor with
    alternating bull/bear regimes and fat-tailed shocks; rates and gold factors; bonds rally in
    stress (TLT/AGG negatively correlated with stocks in bear phases); BIL is cash (flat price,
    its return comes through adj_close). Same seed -> identical frames.
    """
    dates = _trading_days(start, end)
    n = len(dates)
    if n < 2:
        raise MarketDataError(
            f"Sample range {start}..{end} has fewer than 2 trading days.", code="bad_range"
        )
    rng = np.random.default_rng(seed)
    day = 1.0 / _DAYS_PER_YEAR
    bear, eq_drift = _regimes(n, rng)
    eq_vol = np.where(bear, _BEAR_VOL, _BULL_VOL) * np.sqrt(day)
    equity = eq_drift + eq_vol * _student_t(rng, n)
    # Rates rally when stocks sell off hard: that is what makes bonds a hedge in the sample.
    rates = _BOND_DRIFT * day + _BOND_VOL * np.sqrt(day) * _student_t(rng, n)
    gold = _GOLD_DRIFT * day + _GOLD_VOL * np.sqrt(day) * _student_t(rng, n)

    out: dict[str, pd.DataFrame] = {}
    for spec in _SAMPLE_SPECS:
        beta = np.where(bear, spec.beta_bear, spec.beta_bull)
        idio = spec.idio_vol * np.sqrt(day) * _student_t(rng, n)
        ret = spec.alpha * day + beta * equity + spec.bond * rates + spec.gold * gold + idio
        # Close-to-close volatility estimate, used to scale gaps and intraday ranges.
        sigma = np.sqrt(
            (beta * eq_vol) ** 2
            + (spec.bond * _BOND_VOL) ** 2 * day
            + (spec.gold * _GOLD_VOL) ** 2 * day
            + spec.idio_vol**2 * day
        )
        ret[0] = 0.0
        close = spec.price * np.exp(np.cumsum(ret))
        prev_close = np.concatenate(([spec.price], close[:-1]))
        # Part of each day's move happens overnight, as in real markets.
        gap = 0.3 * ret + 0.25 * sigma * rng.standard_normal(n)
        open_ = prev_close * np.exp(gap)
        high = np.maximum(open_, close) * np.exp(np.abs(0.5 * sigma * rng.standard_normal(n)))
        low = np.minimum(open_, close) * np.exp(-np.abs(0.5 * sigma * rng.standard_normal(n)))
        # Volume rises on big moves and in bear markets.
        shock = np.abs(ret) / np.maximum(sigma, 1e-9)
        volume = spec.volume * np.exp(0.25 * rng.standard_normal(n)) * (0.7 + 0.3 * shock)
        volume *= np.where(bear, 1.5, 1.0)
        # Dividends reinvested: adj_close equals close on the last day, like Yahoo's.
        steps = np.arange(n) - (n - 1)
        adj = close * np.exp(spec.dividend_yield * day * steps)
        # Rounding is monotone, so high >= max(open, close) >= min(open, close) >= low survives.
        frame = pd.DataFrame(
            {
                "open": np.round(open_, 2),
                "high": np.round(high, 2),
                "low": np.round(low, 2),
                "close": np.round(close, 2),
                "adj_close": np.round(adj, 4),
                "volume": np.round(volume).astype(np.float64),
            },
            index=dates.copy(),
        )
        out[spec.symbol] = frame
    return out
