"""The on-disk market-data store: daily bars per symbol, for backtests and the venue.

This module owns :class:`MarketDataStore`: one Parquet file per symbol under ``root`` plus
``root/index.json`` with each symbol's coverage, so listing symbols never opens a Parquet file.
Bars come in from CSV files (:mod:`runtime.market_data.importers`) or the sample market
(:mod:`runtime.market_data.sample`) and go out as canonical frames
(:mod:`runtime.market_data.bars`), refused by the range rules of
:mod:`runtime.market_data.ranges` when the data cannot cover what was asked. Decisions:

* Importing a symbol replaces everything stored for it (no merging of partial files), so what
  the store holds is always exactly one validated file.
* :meth:`MarketDataStore.import_path` imports every good file, reports bad files as warnings,
  and raises :class:`~core.errors.DataQualityError` only when nothing at all was imported.
* Writes are atomic (temp file + rename) and, on POSIX, serialised with a lock file; reads take
  the index fresh from disk on every call. A lost or unreadable index is rebuilt from the
  Parquet files (each carries its symbol and source in its metadata).
* Corporate actions live beside the bars in ``SYMBOL.actions.json`` (given by a provider, or
  derived from ``adj_close`` by :mod:`runtime.market_data.actions` for CSV files). A store
  written before they existed derives them on first read. The synthetic sample has none: its
  ``adj_close`` accrues a yield every day rather than paying on ex-dates.
* Fetched bars are merged (:meth:`MarketDataStore.merge`): new days are appended and
  ``adj_close`` of the kept history is rescaled on an overlapping day, so it stays one
  back-adjusted series. Overlapping days whose prices or volume disagree with what is stored
  are a *restatement*: the previous file is kept under ``versions/SYMBOL/`` and the
  disagreeing days are reported, never merged silently. See :data:`PRICE_TOLERANCE`.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd

from core.errors import (
    DataQualityError,
    DateRangeError,
    MarketDataError,
    UnknownSymbolError,
    name_list,
)
from core.logging import get_logger
from runtime.market_data.actions import (
    CorporateAction,
    dividend_column,
    dividends_from_adj_close,
)
from runtime.market_data.bars import (
    PRICE_COLUMNS,
    ImportReport,
    SymbolCoverage,
    canonical_frame,
    coverage_of,
    day_text,
    normalise_symbol,
    symbol_key,
)
from runtime.market_data.importers import read_bars_csv
from runtime.market_data.ranges import as_date, check_order, range_problem, warmup_problem
from runtime.market_data.sample import SAMPLE_SOURCE, generate_sample_market

__all__ = ["PRICE_TOLERANCE", "VOLUME_TOLERANCE", "MarketDataStore", "MergeResult", "restated_days"]

log = get_logger(__name__)

_INDEX_FILE = "index.json"
_INDEX_FORMAT = 1
_VERSIONS_DIR = "versions"

# A stored price and a fetched one agree when they differ by at most this much (absolute, or
# relative to the price, whichever is larger): providers send decimal text, and a float read
# of the same text is exact, so anything above half a 4-decimal tick is a real change.
PRICE_TOLERANCE = 5e-5
# Volume is revised by providers for a day or two after the session (late prints); a change
# beyond 1 % still counts as a restatement.
VOLUME_TOLERANCE = 0.01


@dataclass
class MergeResult:
    """What :meth:`MarketDataStore.merge` did to one symbol."""

    coverage: SymbolCoverage
    added: int  # bars that were not stored before
    restated: list[str] = field(default_factory=list)  # days whose stored bar disagreed
    version: str | None = None  # where the previous history was kept (restatements only)
    new_actions: list[CorporateAction] = field(default_factory=list)


def restated_days(old: pd.DataFrame, new: pd.DataFrame) -> list[str]:
    """Dates in both frames whose prices or volume differ beyond the tolerances."""
    common = old.index.intersection(new.index)
    if common.empty:
        return []
    a = old.loc[common]
    b = new.loc[common]
    prices = list(PRICE_COLUMNS[:4])
    pa, pb = a[prices].to_numpy(), b[prices].to_numpy()
    price_bad = (np.abs(pa - pb) > np.maximum(PRICE_TOLERANCE, PRICE_TOLERANCE * np.abs(pa))).any(
        axis=1
    )
    va, vb = a["volume"].to_numpy(), b["volume"].to_numpy()
    volume_bad = np.abs(va - vb) > VOLUME_TOLERANCE * np.maximum(np.abs(va), 1.0)
    return [day_text(d) for d in common[price_bad | volume_bad]]


def _posix_fcntl() -> ModuleType | None:
    """fcntl is POSIX-only; without it writes are still atomic, just not serialised."""
    try:
        return importlib.import_module("fcntl")
    except ImportError:  # pragma: no cover - Windows
        return None


_FCNTL = _posix_fcntl()


def _staged(path: Path, write: Callable[[Path], object]) -> Path:
    """``write`` a temp file beside ``path`` and return it; on failure nothing is left behind."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        write(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _atomic_replace(path: Path, write: Callable[[Path], object]) -> None:
    """``write`` a temp file beside ``path``, then rename it over ``path`` in one step."""
    os.replace(_staged(path, write), path)


def _known(index: dict[str, SymbolCoverage], symbol: str) -> str:
    """The key of ``symbol`` in ``index``; raises :class:`UnknownSymbolError`."""
    sym = symbol_key(symbol)
    if sym not in index:
        raise UnknownSymbolError(sym, sorted(index))
    return sym


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
                if _FCNTL is not None:
                    _FCNTL.flock(handle.fileno(), _FCNTL.LOCK_EX)
                self._lock_depth = 1
                try:
                    yield
                finally:
                    self._lock_depth = 0
                    if _FCNTL is not None:
                        _FCNTL.flock(handle.fileno(), _FCNTL.LOCK_UN)

    def _read_index(self) -> dict[str, SymbolCoverage]:
        path = self._index_path
        if not path.exists():
            if self.root.is_dir() and any(self.root.glob("*.parquet")):
                log.warning(
                    "store index missing; rebuilding it from the Parquet files",
                    extra={"path": str(path)},
                )
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
                    updated_at=entry.get("updated_at"),
                    dividends=int(entry.get("dividends", 0)),
                    splits=int(entry.get("splits", 0)),
                    versions=int(entry.get("versions", 0)),
                )
                for sym, entry in raw["symbols"].items()
            }
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning(
                "store index unreadable; rebuilding it from the Parquet files",
                extra={"path": str(path), "error": str(exc)},
            )
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
                    "updated_at": cov.updated_at,
                    "dividends": cov.dividends,
                    "splits": cov.splits,
                    "versions": cov.versions,
                }
                for sym, cov in sorted(index.items())
            },
        }
        text = json.dumps(payload, indent=1)
        _atomic_replace(self._index_path, lambda tmp: tmp.write_text(text, encoding="utf-8"))

    def _rebuild_index(self) -> dict[str, SymbolCoverage]:
        index: dict[str, SymbolCoverage] = {}
        for path in sorted(self.root.glob("*.parquet")):
            try:
                frame = pd.read_parquet(path)
            except Exception as exc:
                log.warning(
                    "skipping unreadable Parquet file", extra={"path": str(path), "error": str(exc)}
                )
                continue
            if frame.empty:
                continue
            source = str(frame.attrs.get("stratforge_source", "unknown"))
            actions = self._read_actions(path.stem, frame, source)
            index[path.stem] = self._described(
                coverage_of(path.stem, frame, source), actions, path.stem
            )
        with self._lock():
            self._write_index(index)
        return index

    def _actions_path(self, symbol: str) -> Path:
        return self.root / f"{symbol}.actions.json"

    def _versions_dir(self, symbol: str) -> Path:
        return self.root / _VERSIONS_DIR / symbol

    def _read_actions(
        self, symbol: str, frame: pd.DataFrame | None = None, source: str | None = None
    ) -> list[CorporateAction]:
        """The stored actions; without a file, derived from ``frame`` (else the stored bars)
        unless the bars are the synthetic sample. ``source``: the bars' source when the caller
        knows it (an index rebuild, where the index cannot be read)."""
        path = self._actions_path(symbol)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return [CorporateAction.from_dict(item) for item in raw["actions"]]
        except FileNotFoundError:
            pass
        except (ValueError, KeyError, TypeError) as exc:
            log.warning(
                "corporate actions unreadable; deriving them from adj_close",
                extra={"symbol": symbol, "path": str(path), "error": str(exc)},
            )
        if source is None or frame is None:
            index = self._read_index()
            source = index[symbol].source if symbol in index else source
            if frame is None:
                frame = self._load(symbol, index)
        if source == SAMPLE_SOURCE:
            return []  # synthetic bars carry no corporate actions (see load_sample)
        return dividends_from_adj_close(frame, source="adj_close")

    def _described(
        self, coverage: SymbolCoverage, actions: list[CorporateAction], symbol: str
    ) -> SymbolCoverage:
        versions_dir = self._versions_dir(symbol)
        versions = len(list(versions_dir.glob("*.parquet"))) if versions_dir.is_dir() else 0
        return replace(
            coverage,
            updated_at=datetime.now(UTC).isoformat(timespec="seconds"),
            dividends=sum(1 for a in actions if a.kind == "dividend"),
            splits=sum(1 for a in actions if a.kind == "split"),
            versions=versions,
        )

    def _save(
        self,
        symbol: str,
        frame: pd.DataFrame,
        source: str,
        actions: list[CorporateAction] | None = None,
    ) -> SymbolCoverage:
        frame = canonical_frame(frame)
        if actions is None:
            actions = dividends_from_adj_close(frame, source="adj_close")
        actions = sorted(actions, key=lambda a: (a.date, a.kind))
        # attrs travel inside the Parquet metadata, so a lost index can be rebuilt with sources.
        frame.attrs = {"stratforge_symbol": symbol, "stratforge_source": source}
        payload = json.dumps(
            {"symbol": symbol, "actions": [a.as_dict() for a in actions]}, indent=0
        )
        with self._lock():
            # Index first: reading it after the new Parquet exists would mistake a fresh store
            # for one whose index was lost.
            index = self._read_index()
            coverage = self._described(coverage_of(symbol, frame, source), actions, symbol)
            # Both files are written in full before either replaces anything: a failure while
            # writing leaves the store exactly as it was.
            bars_tmp = _staged(
                self._parquet_path(symbol),
                lambda tmp: frame.to_parquet(tmp, engine="pyarrow", index=True),
            )
            try:
                actions_tmp = _staged(
                    self._actions_path(symbol),
                    lambda tmp: tmp.write_text(payload, encoding="utf-8"),
                )
            except BaseException:
                bars_tmp.unlink(missing_ok=True)
                raise
            os.replace(actions_tmp, self._actions_path(symbol))
            os.replace(bars_tmp, self._parquet_path(symbol))
            index[symbol] = coverage
            self._write_index(index)
        self._cache.pop(symbol, None)
        return coverage

    def _archive(self, symbol: str) -> str:
        """Copy the stored bars and actions of ``symbol`` to ``versions/SYMBOL/`` (atomically);
        returns the kept file's path relative to the store."""
        folder = self._versions_dir(symbol)
        folder.mkdir(parents=True, exist_ok=True)
        number = len(list(folder.glob("*.parquet"))) + 1
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = folder / f"{number:04d}-{stamp}.parquet"
        data = self._parquet_path(symbol).read_bytes()
        _atomic_replace(target, lambda tmp: tmp.write_bytes(data))
        actions = self._actions_path(symbol)
        if actions.exists():
            text = actions.read_text(encoding="utf-8")
            _atomic_replace(
                target.with_suffix(".actions.json"),
                lambda tmp: tmp.write_text(text, encoding="utf-8"),
            )
        return str(target.relative_to(self.root))

    # ---- fetched bars ----------------------------------------------------------------------

    def merge(
        self,
        symbol: str,
        frame: pd.DataFrame,
        source: str,
        actions: list[CorporateAction] | None = None,
    ) -> MergeResult:
        """Merge checked, canonical bars fetched from ``source`` into what is stored.

        New days are added; a day already stored whose prices or volume differ is a
        restatement: the previous history is archived (``versions/``), the fetched bars win,
        and the days are listed in the result. ``actions`` are the source's for the fetched
        range (None: derived from the fetched ``adj_close``); stored actions outside that
        range are kept. The fetched frame must not be empty.
        """
        sym = normalise_symbol(symbol)
        fetched = canonical_frame(frame)
        if fetched.empty:
            raise MarketDataError(f"No bars to store for {sym}.", code="no_bars")
        if actions is None:
            actions = dividends_from_adj_close(fetched, source=source)
        first, last = fetched.index[0].date(), fetched.index[-1].date()
        with self._lock():
            index = self._read_index()
            if sym not in index:
                coverage = self._save(sym, fetched, source, actions)
                return MergeResult(coverage, added=len(fetched), new_actions=list(actions))
            old = self._load(sym, index)
            old_actions = self._read_actions(sym, old)
            restated = restated_days(old, fetched)
            added = len(fetched.index.difference(old.index))
            known = {(a.date, a.kind) for a in old_actions}
            new_actions = [a for a in actions if (a.date, a.kind) not in known]
            version = self._archive(sym) if restated else None
            combined = _combine(old, fetched)
            kept = [a for a in old_actions if not first <= a.date <= last]
            coverage = self._save(sym, combined, source, kept + list(actions))
        if restated:
            log.warning(
                "restated bars: the source disagrees with stored days; previous history kept",
                extra={"symbol": sym, "source": source, "days": len(restated), "version": version},
            )
        return MergeResult(coverage, added, restated, version, new_actions)

    def actions(self, symbol: str) -> list[CorporateAction]:
        """Stored corporate actions of ``symbol``, oldest first; raises UnknownSymbolError."""
        index = self._read_index()
        sym = _known(index, symbol)
        return self._read_actions(sym)

    def dividends(self, symbol: str, bars: pd.DataFrame) -> pd.Series:
        """Cash per share paid on each of ``bars``' dates (0 where none): the ``dividend``
        column a backtest and the venue pay from."""
        return dividend_column(pd.DatetimeIndex(bars.index), self.actions(symbol))

    def versions(self, symbol: str) -> list[str]:
        """Kept histories of ``symbol`` (restatements), oldest first, relative to the store."""
        sym = symbol_key(symbol)
        folder = self._versions_dir(sym)
        if not folder.is_dir():
            return []
        return [str(p.relative_to(self.root)) for p in sorted(folder.glob("*.parquet"))]

    # ---- importing -----------------------------------------------------------------------

    def _import_one(self, path: Path, symbol: str | None) -> tuple[SymbolCoverage, list[str]]:
        path = Path(path)
        if not path.is_file():
            raise MarketDataError(f"No such file: {path}", code="not_found")
        sym = normalise_symbol(symbol if symbol is not None else path.stem)
        frame, warnings = read_bars_csv(path)
        coverage = self._save(sym, frame, path.name)
        log.info(
            "imported bars",
            extra={
                "symbol": sym,
                "file": path.name,
                "bars": coverage.bars,
                "start": coverage.start.isoformat(),
                "end": coverage.end.isoformat(),
            },
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
            log.warning(
                "import warning",
                extra={"symbol": coverage.symbol, "file": Path(path).name, "warning": message},
            )
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
            # Synthetic: its adj_close is a smooth yield, not dividends paid on ex-dates.
            report.imported.append(self._save(symbol, frame, SAMPLE_SOURCE, actions=[]))
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
        return index[_known(index, symbol)]

    def has_any(self) -> bool:
        return bool(self._read_index())

    def delete(self, symbol: str) -> None:
        """Remove a symbol's bars and index entry; raises :class:`UnknownSymbolError`."""
        with self._lock():
            index = self._read_index()
            sym = _known(index, symbol)
            del index[sym]
            self._write_index(index)
            self._parquet_path(sym).unlink(missing_ok=True)
            self._actions_path(sym).unlink(missing_ok=True)
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
        sym = _known(index, symbol)
        start_d, end_d = as_date(start), as_date(end)
        check_order(start_d, end_d)
        cov = index[sym]
        problem = range_problem(cov, start_d, end_d)
        if problem:
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
        wanted = list(dict.fromkeys(symbol_key(s) for s in symbols))
        missing = [s for s in wanted if s not in index]
        if missing:
            raise UnknownSymbolError(missing, sorted(index))
        start_d, end_d = as_date(start), as_date(end)
        check_order(start_d, end_d)
        if warmup_bars < 0:
            raise MarketDataError("warmup_bars must be >= 0", code="bad_range")
        failures: list[tuple[str, str]] = []
        for sym in wanted:
            problem = range_problem(index[sym], start_d, end_d)
            if problem is None and warmup_bars and start_d is not None:
                dates = self._load(sym, index).index
                problem = warmup_problem(sym, dates, start_d, warmup_bars)
            if problem:
                failures.append((sym, problem))
        if failures:
            sym, problem = failures[0]
            if len(failures) > 1:
                others = [f"{s} (has {index[s].start}..{index[s].end})" for s, _ in failures[1:]]
                problem += f" Also short of data: {name_list(others)}."
            cov = index[sym]
            raise DateRangeError(sym, start_d, end_d, cov.start, cov.end, problem)


def _combine(old: pd.DataFrame, fetched: pd.DataFrame) -> pd.DataFrame:
    """Stored bars outside the fetched range plus the fetched bars (which win), with one
    back-adjusted ``adj_close``: the side that is not the newest is rescaled on the latest
    day both hold (without one, on the ``adj_close / close`` ratios at the seam)."""
    outside = old[~old.index.isin(fetched.index)]
    if outside.empty:
        return fetched
    fetched = fetched.copy()
    outside = outside.copy()
    common = old.index.intersection(fetched.index)
    newest_is_fetched = fetched.index[-1] >= old.index[-1]
    if not common.empty:
        day = common[-1]
        factor = float(fetched.at[day, "adj_close"] / old.at[day, "adj_close"])
    elif newest_is_fetched:
        factor = _ratio(fetched.iloc[0]) / _ratio(old.iloc[-1])
    else:
        factor = _ratio(fetched.iloc[-1]) / _ratio(old.iloc[0])
    if newest_is_fetched:
        outside["adj_close"] = outside["adj_close"] * factor
    else:
        fetched["adj_close"] = fetched["adj_close"] / factor
    return pd.concat([outside, fetched]).sort_index()


def _ratio(bar: pd.Series) -> float:
    return float(bar["adj_close"] / bar["close"])
