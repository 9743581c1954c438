"""The venue keeps the exchange's calendar: no session on a holiday (the data has no bar),
NYSE's early closes at 13:00 (the data cannot say; pandas_market_calendars does), in
`/v2/clock` and `/v2/calendar` as alpaca-py reads them — and a bot's risk gate, which asks
that clock, refuses a market order once the early close has passed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from alpaca.trading.client import TradingClient
from alpaca.trading.requests import GetCalendarRequest

from runtime.risk_gate import AccountView, OrderIntent, RiskGate, RiskLimits
from runtime.venue import VenueServer, market_clock
from runtime.venue.market_clock import session_close

NY = ZoneInfo("America/New_York")
THANKSGIVING, BLACK_FRIDAY = date(2024, 11, 28), date(2024, 11, 29)


def _ny(moment: datetime) -> datetime:
    return moment.astimezone(NY)


def test_early_closes_are_the_exchanges() -> None:
    assert session_close(BLACK_FRIDAY) == time(13, 0)
    assert session_close(date(2024, 12, 24)) == time(13, 0)
    assert session_close(date(2024, 7, 3)) == time(13, 0)
    assert session_close(date(2024, 11, 27)) == time(16, 0)


def test_early_closes_of_many_years_at_once_are_each_years(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The venue's calendar finds the early closes of its store's years at once, from the
    calendar's special-close rules; they are those of each year's own schedule."""
    import pandas_market_calendars as mcal

    monkeypatch.setattr(market_clock, "_EARLY_CLOSES", {})
    market_clock.warm_early_closes(range(2008, 2025))
    assert set(market_clock._EARLY_CLOSES) == set(range(2008, 2025))
    nyse = mcal.get_calendar("NYSE")
    for year in range(2008, 2025):
        early = nyse.early_closes(nyse.schedule(start_date=date(year, 1, 1),
                                                end_date=date(year, 12, 31)))
        assert market_clock._EARLY_CLOSES[year] == {
            stamp.date(): close.tz_convert(NY).time()
            for stamp, close in early["market_close"].items()}
        assert len(market_clock._EARLY_CLOSES[year]) >= 1
    monkeypatch.setattr(market_clock, "_EARLY_CLOSES", {})
    assert session_close(date(2031, 11, 28)) == time(13, 0)  # a year not warmed: found alone
    assert set(market_clock._EARLY_CLOSES) == {2031}


def test_holiday_and_early_close_on_the_venue_clock(
        start_venue: Callable[..., VenueServer],
        trading_for: Callable[[VenueServer], TradingClient]) -> None:
    venue = start_venue(start=date(2024, 11, 27))  # Wednesday, 9:30
    trading = trading_for(venue)
    days = trading.get_calendar(GetCalendarRequest(start=date(2024, 11, 25),
                                                   end=date(2024, 12, 2)))
    by_day = {d.date: d for d in days}  # type: ignore[union-attr]
    assert THANKSGIVING not in by_day
    assert by_day[BLACK_FRIDAY].close.time() == time(13, 0)
    assert by_day[date(2024, 11, 27)].close.time() == time(16, 0)

    venue.advance(until="next_close")  # Wednesday's close
    clock = trading.get_clock()
    assert not clock.is_open  # type: ignore[union-attr]
    assert _ny(clock.next_open).date() == BLACK_FRIDAY  # type: ignore[union-attr]
    assert _ny(clock.next_close) == datetime(2024, 11, 29, 13, 0, tzinfo=NY)  # type: ignore[union-attr]
    venue.advance(seconds=20 * 3600)  # Thursday noon: a holiday
    assert _ny(trading.get_clock().timestamp).date() == THANKSGIVING  # type: ignore[union-attr]
    assert not trading.get_clock().is_open  # type: ignore[union-attr]

    venue.advance(until="next_open")  # Friday 9:30 to 13:00
    assert trading.get_clock().is_open  # type: ignore[union-attr]
    venue.advance(seconds=3.5 * 3600 - 60)  # 12:59
    assert trading.get_clock().is_open  # type: ignore[union-attr]
    venue.advance(seconds=120)  # 13:01: closed early
    clock = trading.get_clock()
    assert not clock.is_open  # type: ignore[union-attr]
    assert _ny(clock.next_open).date() == date(2024, 12, 2)  # type: ignore[union-attr]

    # what a bot's gate sees at 13:01: a market order is refused, an extended-hours limit
    # order (the strategy's explicit choice) passes
    gate = RiskGate(RiskLimits())
    account = AccountView(equity=100_000, start_of_day_equity=100_000, positions={},
                          open_orders=0, market_open=bool(clock.is_open))  # type: ignore[union-attr]
    assert gate.check(OrderIntent("SPY", "buy", 1, 100.0), account).code == "market_closed"
    assert gate.check(OrderIntent("SPY", "buy", 1, 100.0, limit=True, extended_hours=True),
                      account).allowed
