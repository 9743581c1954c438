"""The canonical daily-bar frame and the records that describe stored bars.

This module owns what every other part of :mod:`runtime.market_data` agrees on:

* the canonical frame (what :meth:`~runtime.market_data.store.MarketDataStore.bars` returns):
  index is a ``DatetimeIndex`` named ``date`` of naive midnight timestamps (exchange dates),
  columns :data:`BAR_COLUMNS` (``open, high, low, close, adj_close, volume``), all float64.
  Volume is float because Alpaca exports fractional volume for some assets and one dtype is
  simpler for every consumer;
* :class:`SymbolCoverage` (what the store holds for one symbol) and :class:`ImportReport`
  (what a bulk import did);
* symbols: normalised with ``strip().upper()`` everywhere; a symbol that is written to the
  store must also match :data:`SYMBOL_PATTERN`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from core.errors import MarketDataError

__all__ = [
    "BAR_COLUMNS",
    "PRICE_COLUMNS",
    "SYMBOL_PATTERN",
    "ImportReport",
    "SymbolCoverage",
    "canonical_frame",
    "coverage_of",
    "day_text",
    "normalise_symbol",
    "symbol_key",
]

BAR_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close", "adj_close", "volume")
PRICE_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close", "adj_close")
SYMBOL_PATTERN = re.compile(r"^[A-Z0-9^][A-Z0-9.\-_=^]{0,19}$")


@dataclass
class SymbolCoverage:
    """What the store holds for one symbol. ``source`` is the CSV file name, ``"sample"`` or
    the provider it was fetched from (``"alpaca"``, ``"yahoo"``). ``updated_at`` is when the
    bars were last written or checked against their source (UTC ISO text), ``dividends`` and
    ``splits`` count the stored corporate actions, ``versions`` the restated histories kept."""

    symbol: str
    start: date
    end: date
    bars: int
    source: str
    updated_at: str | None = field(default=None, compare=False)
    dividends: int = 0
    splits: int = 0
    versions: int = 0


@dataclass
class ImportReport:
    """Result of a bulk import: what was imported and everything worth telling the user."""

    imported: list[SymbolCoverage] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def symbol_key(symbol: str) -> str:
    """How a symbol is looked up: ``" spy"`` and ``"SPY"`` are the same symbol."""
    return str(symbol).strip().upper()


def normalise_symbol(symbol: str) -> str:
    """The key of a symbol about to be stored; raises ``MarketDataError(code="bad_symbol")``."""
    sym = symbol_key(symbol)
    if not SYMBOL_PATTERN.match(sym):
        raise MarketDataError(
            f"Invalid symbol {symbol!r}: use letters, digits and . - _ ^ = (max 20 chars).",
            code="bad_symbol",
        )
    return sym


def day_text(ts: Any) -> str:
    """A bar's date as ISO text, for messages."""
    return pd.Timestamp(ts).date().isoformat()


def canonical_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` in the canonical shape: the bar columns as float64 on a ``date`` index."""
    out = frame[list(BAR_COLUMNS)].astype("float64")
    out.index = pd.DatetimeIndex(out.index, name="date").astype("datetime64[ns]")
    out.index.name = "date"
    return out


def coverage_of(symbol: str, frame: pd.DataFrame, source: str) -> SymbolCoverage:
    """The coverage record of a non-empty canonical frame."""
    return SymbolCoverage(
        symbol=symbol,
        start=frame.index[0].date(),
        end=frame.index[-1].date(),
        bars=len(frame),
        source=source,
    )
