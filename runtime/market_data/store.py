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
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType

import pandas as pd

from core.errors import (
    DataQualityError,
    DateRangeError,
    MarketDataError,
    UnknownSymbolError,
    name_list,
)
from core.logging import get_logger
from runtime.market_data.bars import (
    ImportReport,
    SymbolCoverage,
    canonical_frame,
    coverage_of,
    normalise_symbol,
    symbol_key,
)
from runtime.market_data.importers import read_bars_csv
from runtime.market_data.ranges import as_date, check_order, range_problem, warmup_problem
from runtime.market_data.sample import SAMPLE_SOURCE, generate_sample_market

__all__ = ["MarketDataStore"]

log = get_logger(__name__)

_INDEX_FILE = "index.json"
_INDEX_FORMAT = 1


def _posix_fcntl() -> ModuleType | None:
    """fcntl is POSIX-only; without it writes are still atomic, just not serialised."""
    try:
        return importlib.import_module("fcntl")
    except ImportError:  # pragma: no cover - Windows
        return None


_FCNTL = _posix_fcntl()


def _atomic_replace(path: Path, write: Callable[[Path], object]) -> None:
    """``write`` a temp file beside ``path``, then rename it over ``path`` in one step."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write(tmp)
    os.replace(tmp, path)


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
            index[path.stem] = coverage_of(path.stem, frame, source)
        with self._lock():
            self._write_index(index)
        return index

    def _save(self, symbol: str, frame: pd.DataFrame, source: str) -> SymbolCoverage:
        frame = canonical_frame(frame)
        # attrs travel inside the Parquet metadata, so a lost index can be rebuilt with sources.
        frame.attrs = {"stratforge_symbol": symbol, "stratforge_source": source}
        coverage = coverage_of(symbol, frame, source)
        with self._lock():
            # Index first: reading it after the new Parquet exists would mistake a fresh store
            # for one whose index was lost.
            index = self._read_index()
            _atomic_replace(
                self._parquet_path(symbol),
                lambda tmp: frame.to_parquet(tmp, engine="pyarrow", index=True),
            )
            index[symbol] = coverage
            self._write_index(index)
        self._cache.pop(symbol, None)
        return coverage

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
