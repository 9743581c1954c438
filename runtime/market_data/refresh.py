"""Fetching bars into the store and keeping them fresh.

This module owns :func:`fetch_into` (one symbol, one range, through the fallback chain, merged
into the store) and :func:`update_symbol` (only the missing days, up to the last NYSE close).
Decisions:

* An update asks from the last stored day (one day of overlap) to the last closed session, so
  the overlap both checks the stored history and carries a dividend paid on the first new day.
  It asks the symbol's own source first, then the configured order.
* When the overlap disagrees (a split, a vendor correction), a partial merge would leave older
  history on the old basis: the whole stored range is fetched again and merged once, so the
  previous history is kept as one version and every restated day is reported.
* The store is only written after the checks passed; a failed fetch leaves it as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from core.logging import get_logger
from runtime.market_data.bars import normalise_symbol
from runtime.market_data.sources.base import BarSource
from runtime.market_data.sources.chain import Attempt, Fetched, fetch_first
from runtime.market_data.store import MarketDataStore, MergeResult, restated_days

__all__ = ["SymbolFetch", "fetch_into", "update_symbol"]

log = get_logger(__name__)


@dataclass
class SymbolFetch:
    """What fetching one symbol did (``error`` set when nothing was stored)."""

    symbol: str
    source: str | None = None
    added: int = 0
    bars: int = 0
    start: date | None = None
    end: date | None = None
    restated: list[str] = field(default_factory=list)
    version: str | None = None
    new_dividends: int = 0
    warnings: list[str] = field(default_factory=list)
    passed_over: list[Attempt] = field(default_factory=list)
    up_to_date: bool = False
    error: str | None = None

    @classmethod
    def of(cls, fetched: Fetched, merged: MergeResult) -> SymbolFetch:
        cov = merged.coverage
        return cls(
            symbol=cov.symbol,
            source=fetched.source,
            added=merged.added,
            bars=cov.bars,
            start=cov.start,
            end=cov.end,
            restated=merged.restated,
            version=merged.version,
            new_dividends=sum(1 for a in merged.new_actions if a.kind == "dividend"),
            warnings=fetched.warnings,
            passed_over=fetched.attempts,
        )


def _merge(store: MarketDataStore, fetched: Fetched) -> MergeResult:
    return store.merge(fetched.symbol, fetched.frame, fetched.source, fetched.actions)


def fetch_into(
    store: MarketDataStore,
    sources: Sequence[BarSource],
    symbol: str,
    start: date,
    end: date,
    passed_over: Sequence[Attempt] = (),
) -> SymbolFetch:
    """Fetch ``start..end`` of ``symbol`` from the first good source and merge it into the
    store; raises :class:`~core.errors.DataSourceFailed` (store untouched) when none is."""
    sym = normalise_symbol(symbol)
    fetched = fetch_first(sources, sym, start, end, passed_over)
    return SymbolFetch.of(fetched, _merge(store, fetched))


def _preferring(sources: Sequence[BarSource], name: str) -> list[BarSource]:
    return sorted(sources, key=lambda s: s.name != name)


def update_symbol(
    store: MarketDataStore,
    sources: Sequence[BarSource],
    symbol: str,
    last_close: date,
    passed_over: Sequence[Attempt] = (),
) -> SymbolFetch:
    """Bring ``symbol`` up to ``last_close`` (see the module docstring)."""
    coverage = store.coverage(symbol)
    sym = coverage.symbol
    if coverage.end >= last_close:
        return SymbolFetch(
            sym, coverage.source, 0, coverage.bars, coverage.start, coverage.end, up_to_date=True
        )
    ordered = _preferring(sources, coverage.source)
    fetched = fetch_first(ordered, sym, coverage.end, last_close, passed_over)
    stored = store.bars(sym, coverage.end, coverage.end)
    if restated_days(stored, fetched.frame):
        log.warning(
            "stored history disagrees with the source; fetching it all again",
            extra={"symbol": sym, "source": fetched.source},
        )
        fetched = fetch_first(
            _preferring(sources, fetched.source), sym, coverage.start, last_close, passed_over
        )
    return SymbolFetch.of(fetched, _merge(store, fetched))
