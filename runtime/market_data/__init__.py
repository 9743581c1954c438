"""Market data: daily OHLCV bars per symbol, for backtests and the local venue.

The package re-exports the names the rest of stratforge imports from ``runtime.market_data``;
inside the package, modules import each other by full path, never through this file. Modules,
one job each:

* :mod:`~runtime.market_data.bars` — the canonical daily-bar frame, :class:`SymbolCoverage`,
  :class:`ImportReport`, symbol normalisation;
* :mod:`~runtime.market_data.importers` — user CSV files (shared, Yahoo and Alpaca headers)
  read into that frame;
* :mod:`~runtime.market_data.quality` — checks every source of bars goes through (duplicates,
  prices, OHLC, gaps);
* :mod:`~runtime.market_data.ranges` — range and warm-up checks that refuse a backtest rather
  than let it run on less data than asked;
* :mod:`~runtime.market_data.store` — :class:`MarketDataStore`, Parquet per symbol plus an index,
  corporate actions beside each symbol, merges of fetched bars with restatements versioned;
* :mod:`~runtime.market_data.actions` — dividends and splits, and how they relate to ``adj_close``;
* :mod:`~runtime.market_data.calendar` — NYSE trading days (regular holidays) for the sample, and
  the exchange's real sessions (``pandas_market_calendars``) for fetched data;
* :mod:`~runtime.market_data.sample` — the seeded synthetic market, :func:`generate_sample_market`;
* :mod:`~runtime.market_data.sources` — the provider interface, one module per provider (Alpaca,
  Yahoo, CSV files) and the fallback chain that runs ``quality`` on every answer;
* :mod:`~runtime.market_data.refresh` — fetching into the store and incremental updates.

The errors are :mod:`core.errors`' market-data errors.
"""

from __future__ import annotations

from core.errors import DataQualityError, DateRangeError, MarketDataError, UnknownSymbolError
from runtime.market_data.bars import BAR_COLUMNS, ImportReport, SymbolCoverage
from runtime.market_data.sample import SAMPLE_SOURCE, generate_sample_market
from runtime.market_data.store import MarketDataStore

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
