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
* :mod:`~runtime.market_data.store` — :class:`MarketDataStore`, Parquet per symbol plus an index;
* :mod:`~runtime.market_data.calendar` — NYSE trading days (regular holidays) for the sample;
* :mod:`~runtime.market_data.sample` — the seeded synthetic market, :func:`generate_sample_market`.

Data providers (Alpaca, Yahoo) are to come as a ``sources`` subpackage: one small source
interface, one module per provider, each handing its frames to ``quality`` and the store the
way ``importers`` does for CSV files. The errors are :mod:`core.errors`' market-data errors.
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
