"""Shared exchange calendars: one instance per market, holidays computed once; a calendar
with its hours overridden is never shared."""

from __future__ import annotations

from datetime import time

import pandas_market_calendars as mcal
import pytest

from runtime import shared_calendars


@pytest.fixture
def shared() -> object:
    original = mcal.get_calendar
    shared_calendars._ORIGINAL.clear()
    shared_calendars._SHARED.clear()
    shared_calendars.share_calendars(warm=("NYSE",))
    yield shared_calendars
    mcal.get_calendar = original
    shared_calendars._ORIGINAL.clear()
    shared_calendars._SHARED.clear()


def test_one_warm_calendar_per_market_and_the_same_schedule(shared: object) -> None:
    nyse = mcal.get_calendar("NYSE")
    assert "_holidays" in vars(nyse)  # built by share_calendars(warm=...)
    assert mcal.get_calendar("NYSE") is nyse
    assert mcal.get_calendar("NASDAQ") is nyse  # an alias: Lumibot's default market
    fresh = shared_calendars._ORIGINAL["get_calendar"]("NYSE")
    kept = nyse.schedule(start_date="2024-11-25", end_date="2024-12-31")
    assert kept.equals(fresh.schedule(start_date="2024-11-25", end_date="2024-12-31"))
    days = {stamp.date().isoformat() for stamp in kept.index}
    assert "2024-11-28" not in days and "2024-12-25" not in days  # Thanksgiving, Christmas
    assert kept["market_close"].dt.hour.min() < kept["market_close"].dt.hour.max()


def test_overridden_hours_get_their_own_calendar(shared: object) -> None:
    late = mcal.get_calendar("NYSE", open_time=time(10, 0))
    assert late is not mcal.get_calendar("NYSE")
    assert late.schedule(start_date="2024-12-02", end_date="2024-12-02")[
        "market_open"].iloc[0].hour == 15  # 10:00 New York in UTC
