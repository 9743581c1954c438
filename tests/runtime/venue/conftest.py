"""Fixtures for the local paper venue: a VenueServer on loopback over the sample market, and
alpaca-py's own clients pointed at it. The clock is frozen (speed 0) so that tests move time
explicitly with the venue-only ``POST /venue/clock/advance``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from alpaca.data.historical import StockHistoricalDataClient
from alpaca.trading.client import TradingClient

from runtime.market_data import MarketDataStore
from runtime.venue import VenueConfig, VenueServer

VENUE_START = date(2024, 6, 3)  # a Monday; the clock starts at its 9:30 open


@pytest.fixture
def venue_root(tmp_path: Path) -> Path:
    return tmp_path / "venue"


@pytest.fixture
def start_venue(venue_root: Path, sample_market_dir: Path) -> Iterator[Callable[..., VenueServer]]:
    """Start a venue (stopped at teardown); keyword arguments override VenueConfig fields."""
    started: list[VenueServer] = []

    def start(**overrides: Any) -> VenueServer:
        values: dict[str, Any] = {
            "root": venue_root,
            "market_dir": sample_market_dir,
            "speed": 0.0,
            "start": VENUE_START,
            "slippage_bps": 0.0,
            "tick_interval_s": 0.05,
        }
        values.update(overrides)
        server = VenueServer(VenueConfig(**values)).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def venue(start_venue: Callable[..., VenueServer]) -> VenueServer:
    return start_venue()


def _trading_client(server: VenueServer) -> TradingClient:
    return TradingClient(server.key_id, server.secret_key, paper=True, url_override=server.base_url)


def _data_client(server: VenueServer) -> StockHistoricalDataClient:
    return StockHistoricalDataClient(server.key_id, server.secret_key, url_override=server.base_url)


@pytest.fixture
def trading_for() -> Callable[[VenueServer], TradingClient]:
    """alpaca-py's TradingClient for a given venue (e.g. after a restart)."""
    return _trading_client


@pytest.fixture
def data_for() -> Callable[[VenueServer], StockHistoricalDataClient]:
    return _data_client


@pytest.fixture
def trading(venue: VenueServer) -> TradingClient:
    return _trading_client(venue)


@pytest.fixture
def data(venue: VenueServer) -> StockHistoricalDataClient:
    return _data_client(venue)


@pytest.fixture
def sample_bars(sample_market_dir: Path) -> Callable[[str], pd.DataFrame]:
    """The store's own bars, to know what the venue should replay."""
    store = MarketDataStore(sample_market_dir)
    return lambda symbol: store.bars(symbol)
