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


def test_a_shared_calendar_keeps_its_schedules_and_hands_out_copies(
    shared: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pandas as pd
    import pytz

    nyse = mcal.get_calendar("NYSE")
    fresh = shared_calendars._ORIGINAL["get_calendar"]("NYSE")
    computed: list[tuple] = []
    compute = type(nyse).schedule

    def counting(self: object, *args: object, **kwargs: object) -> object:
        computed.append(args)
        return compute(self, *args, **kwargs)

    monkeypatch.setattr(type(nyse), "schedule", counting)
    asks = [
        {"start_date": "2024-11-25", "end_date": "2024-12-31"},
        {"start_date": pd.Timestamp(2026, 1, 1), "end_date": pd.Timestamp(2026, 12, 31),
         "tz": pytz.timezone("America/New_York")},  # Lumibot's year of trading days
        {"start_date": pd.Timestamp("2026-07-02 23:59", tz="UTC"),
         "end_date": pd.Timestamp("2026-07-09 08:00", tz="UTC")},
        {"start_date": "2026-07-02", "end_date": "2026-07-09", "market_times": "all"},
        {"start_date": "2026-07-02", "end_date": "2026-07-09", "force_special_times": None},
    ]
    for ask in asks:
        first = nyse.schedule(**ask)
        first.index = first.index + pd.Timedelta(days=1)  # callers may re-index their copy
        first.iloc[0, 0] = pd.NaT
        again = nyse.schedule(**ask)
        assert again.equals(compute(fresh, **ask))
    assert len(computed) == len(asks)  # once per schedule; the same dates with times: kept
    assert nyse.schedule("2024-11-25 15:00", "2024-12-31").equals(
        compute(fresh, "2024-11-25", "2024-12-31"))
    assert len(computed) == len(asks)
    with pytest.raises(ValueError):  # what the calendar says of bad dates is unchanged
        nyse.schedule("2024-12-31", "2024-11-25")


def test_a_year_schedule_is_the_calendar_years(shared: object) -> None:
    year = shared_calendars.year_schedule("NASDAQ", 2024)
    fresh = shared_calendars._ORIGINAL["get_calendar"]("NYSE")
    assert year.equals(fresh.schedule(start_date="2024-01-01", end_date="2024-12-31"))
    assert len(year) == 252
