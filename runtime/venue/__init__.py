"""Local Alpaca-compatible paper venue: stratforge's own broker for offline paper trading.

``stratforge venue`` (and :class:`VenueServer` in tests and the supervisor) serves the subset of
Alpaca's Trading API v2 and Market Data v2 that alpaca-py and Lumibot use, replaying the
market-data store's daily bars on a simulated clock. Modules, one job each:

* :mod:`~runtime.venue.config` — :class:`VenueConfig`, API key pair (generated, kept 0600);
* :mod:`~runtime.venue.market_clock` — trading calendar from the data, simulated clock;
* :mod:`~runtime.venue.price_path` — daily bars as an intraday price path, bars as of now;
* :mod:`~runtime.venue.matching` — fill rules, slippage and fees;
* :mod:`~runtime.venue.state_db` — the venue's own SQLite database;
* :mod:`~runtime.venue.orders` — order validation and lifecycle, order lookups;
* :mod:`~runtime.venue.ledger` — cash, positions, fills, buying power, equity marks;
* :mod:`~runtime.venue.matching_engine` — fills, expiries and marks booked up to now;
* :mod:`~runtime.venue.reports` — read-only views: account, positions, history, activities;
* :mod:`~runtime.venue.paper_broker` — :class:`PaperBroker`, the facade composing the four;
* :mod:`~runtime.venue.market_feed` — bars, latest quotes/trades;
* :mod:`~runtime.venue.alpaca_json` — Alpaca's wire shapes;
* :mod:`~runtime.venue.app` — :func:`create_venue_app` (routes, auth, errors);
* :mod:`~runtime.venue.server` — :class:`VenueServer` (uvicorn on loopback).
"""

from __future__ import annotations

from runtime.venue.app import create_venue_app
from runtime.venue.config import VenueConfig, VenueCredentials, load_or_create_credentials
from runtime.venue.paper_broker import PaperBroker
from runtime.venue.server import VenueServer

__all__ = [
    "PaperBroker",
    "VenueConfig",
    "VenueCredentials",
    "VenueServer",
    "create_venue_app",
    "load_or_create_credentials",
]
