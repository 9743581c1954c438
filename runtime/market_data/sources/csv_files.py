"""CSV files as a source: ``DIR/SYMBOL.csv`` read by today's importer.

This module owns :class:`CsvSource`, so that a folder of exports (the shared ``date,...`` header,
Yahoo's, Alpaca's) can stand in the fallback order like any provider; bulk imports of a folder
stay :meth:`~runtime.market_data.store.MarketDataStore.import_path`'s job.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from core.errors import DataQualityError
from runtime.market_data.importers import read_bars_csv
from runtime.market_data.sources.base import SourceBars, SourceFailure

__all__ = ["CsvSource"]


class CsvSource:
    """Bars of ``SYMBOL`` from ``directory/SYMBOL.csv`` (any case of the file name)."""

    name = "csv"

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def _file(self, symbol: str) -> Path:
        wanted = f"{symbol}.csv".lower()
        if self.directory.is_dir():
            for path in self.directory.iterdir():
                if path.name.lower() == wanted and path.is_file():
                    return path
        raise SourceFailure(self.name, f"no {symbol}.csv in {self.directory}")

    def fetch(self, symbol: str, start: date, end: date) -> SourceBars:
        path = self._file(symbol)
        try:
            frame, warnings = read_bars_csv(path)
        except DataQualityError as exc:
            raise SourceFailure(self.name, exc.message) from None
        frame = frame.loc[pd.Timestamp(start) : pd.Timestamp(end)]
        return SourceBars(symbol, self.name, frame.reset_index(), None, warnings)
