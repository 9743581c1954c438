"""Pure parts of the venue: the calendar beyond the data, the intraday path, fill rules."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from runtime.market_data import MarketDataStore
from runtime.venue.market_clock import SimClock, TradingCalendar
from runtime.venue.matching import OrderTerms, fee_for, fill_price, find_fill
from runtime.venue.price_path import PriceBook, TouchRule

NY = ZoneInfo("America/New_York")


def _ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


@pytest.fixture(scope="module")
def book(sample_market_dir: Path) -> PriceBook:
    return PriceBook(MarketDataStore(sample_market_dir))


def test_calendar_goes_on_with_weekdays_after_the_data() -> None:
    cal = TradingCalendar([date(2024, 12, 30), date(2024, 12, 31)])
    assert cal.session_at(_ny(2024, 12, 31, 15, 59)) is not None
    assert cal.session_at(_ny(2024, 12, 31, 16, 0)) is None  # closed at the close
    after = cal.next_session(_ny(2024, 12, 31, 16, 0))
    assert after.day == date(2025, 1, 1) and not after.has_data
    friday_night = cal.next_session(_ny(2025, 1, 3, 17, 0))
    assert friday_night.day == date(2025, 1, 6)
    assert cal.default_start(1) == date(2024, 12, 31)


def test_sim_clock_never_goes_back() -> None:
    clock = SimClock(_ny(2024, 6, 3, 9, 30), speed=0)
    assert clock.advance(60) == _ny(2024, 6, 3, 9, 31)
    assert clock.advance_to(_ny(2024, 6, 3, 9, 0)) == _ny(2024, 6, 3, 9, 31)
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_path_touches_open_high_low_close(book: PriceBook, sample_market_dir: Path) -> None:
    bar = MarketDataStore(sample_market_dir).bars("SPY").loc[pd.Timestamp(2024, 6, 4)]
    day = (2024, 6, 4)
    assert book.price_at("SPY", _ny(*day, 9, 30)) == pytest.approx(bar["open"])
    assert book.price_at("SPY", _ny(*day, 16, 0)) == pytest.approx(bar["close"])
    assert book.price_at("SPY", _ny(*day, 8, 0)) == pytest.approx(
        MarketDataStore(sample_market_dir).bars("SPY").loc[pd.Timestamp(2024, 6, 3)]["close"]
    )
    prices = [book.price_at("SPY", _ny(*day, 9, 30) + pd.Timedelta(minutes=m)) for m in range(391)]
    assert max(p for p in prices if p is not None) == pytest.approx(bar["high"])
    assert min(p for p in prices if p is not None) == pytest.approx(bar["low"])


def test_limit_fill_at_gapped_open_is_the_better_price(book: PriceBook) -> None:
    # SPY gapped down from 200.79 (Jun 3 close) to 200.54 (Jun 4 open): a buy limit at 200.70
    # placed overnight fills at the open, below the limit.
    terms = OrderTerms("SPY", "buy", "limit", limit_price=200.70)
    found = find_fill(book, terms, _ny(2024, 6, 3, 17, 0), _ny(2024, 6, 4, 16, 0))
    assert found.touch is not None
    assert found.touch.time == _ny(2024, 6, 4, 9, 30)
    assert found.touch.price == pytest.approx(200.54)
    assert fill_price(terms, found.touch.price, slippage_bps=50) == pytest.approx(200.54)
    market = OrderTerms("SPY", "sell", "market")
    assert fill_price(market, 100.0, slippage_bps=50) == pytest.approx(99.5)
    assert fee_for(10, 100.0, fee_per_share=0.005, fee_bps=1.0) == pytest.approx(0.15)
    assert (
        book.first_touch("SPY", _ny(2024, 6, 4, 16, 0), _ny(2024, 6, 4, 18), TouchRule.ANY) is None
    )
