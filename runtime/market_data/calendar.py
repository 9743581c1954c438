"""NYSE trading days: the rules the synthetic sample market is laid on, and the exchange's
real sessions that fetched data is checked against and updated up to.

This module owns :func:`trading_days`: weekdays minus NYSE's regular holidays (New Year,
Martin Luther King Jr., Presidents, Good Friday, Memorial, Juneteenth from 2022, Independence,
Labor, Thanksgiving, Christmas, with their weekend observance rules). It has no one-off
closures (9/11, Hurricane Sandy on 2012-10-29/30, presidential funerals such as 2018-12-05 and
2025-01-09) and no early closes. Imported files keep the dates they have, and the venue takes its
trading days from the stored bars; bars fetched from a provider are checked against the real
sessions (:func:`nyse_sessions`) and ``data update`` fetches up to :func:`last_closed_session`.

Why not a maintained calendar (decision, measured on pandas_market_calendars 5.5 / NYSE and
exchange_calendars 4.13 / XNYS, both installed with Lumibot): those libraries know the one-off
closures and match the 21 real ETFs in ``../shared/data`` day for day (8,222 SPY sessions,
1993-01-29..2025-09-26, no difference), while these rules differ there on 15 days. But over
the sample market's default range 2010-01-04..2024-12-31 the libraries give 3,774 days and
these rules 3,777 (2012-10-29, 2012-10-30 and 2018-12-05 are the difference). The sample's
prices are drawn day by day from a seeded generator, so three fewer days change every price of
every symbol after October 2012 for every seed: stored sample data, its digests in the tests
and every result computed on it would change. Behaviour must not, so the rules stay ours until
a change of the sample market is wanted for itself; then ``pandas_market_calendars``'s NYSE
``valid_days`` is the drop-in replacement (and should then be declared in pyproject, not taken
as Lumibot's transitive dependency).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import ClassVar

import pandas as pd
from pandas.tseries.holiday import (
    AbstractHolidayCalendar,
    GoodFriday,
    Holiday,
    USLaborDay,
    USMartinLutherKingJr,
    USMemorialDay,
    USPresidentsDay,
    USThanksgivingDay,
    nearest_workday,
    sunday_to_monday,
)
from pandas.tseries.offsets import CustomBusinessDay

__all__ = ["NyseHolidays", "last_closed_session", "nyse_sessions", "trading_days"]


class NyseHolidays(AbstractHolidayCalendar):
    """NYSE's regular holiday rules (no one-off closures such as Hurricane Sandy in 2012)."""

    rules: ClassVar[list[Holiday]] = [
        Holiday("New Year's Day", month=1, day=1, observance=sunday_to_monday),
        USMartinLutherKingJr,
        USPresidentsDay,
        GoodFriday,
        USMemorialDay,
        Holiday("Juneteenth", month=6, day=19, start_date="2022-01-01", observance=nearest_workday),
        Holiday("Independence Day", month=7, day=4, observance=nearest_workday),
        USLaborDay,
        USThanksgivingDay,
        Holiday("Christmas", month=12, day=25, observance=nearest_workday),
    ]


def trading_days(start: date, end: date) -> pd.DatetimeIndex:
    """Trading days in ``start..end`` inclusive, as a ``date``-named index without a freq."""
    days = pd.date_range(start, end, freq=CustomBusinessDay(calendar=NyseHolidays()))
    return pd.DatetimeIndex(days.astype("datetime64[ns]"), name="date", freq=None)


def nyse_sessions(start: date, end: date) -> pd.DatetimeIndex:
    """NYSE sessions in ``start..end`` from ``pandas_market_calendars`` (one-off closures
    included): what real data is checked against, unlike :func:`trading_days`."""
    days = _nyse_years(start.year, end.year)
    return days[(days >= pd.Timestamp(start)) & (days <= pd.Timestamp(end))]


@lru_cache(maxsize=16)
def _nyse_years(first: int, last: int) -> pd.DatetimeIndex:
    """Whole calendar years of NYSE sessions (building the calendar takes ~1 s: kept)."""
    import pandas_market_calendars as mcal

    days = mcal.get_calendar("NYSE").valid_days(date(first, 1, 1), date(last, 12, 31))
    return pd.DatetimeIndex(days.tz_localize(None).astype("datetime64[ns]"), name="date")


def last_closed_session(now: datetime) -> date:
    """The latest NYSE session whose close is at or before ``now`` (an aware datetime)."""
    import pandas_market_calendars as mcal

    schedule = mcal.get_calendar("NYSE").schedule(
        start_date=(now - timedelta(days=14)).date(), end_date=now.date()
    )
    closed = schedule[schedule["market_close"] <= pd.Timestamp(now).tz_convert("UTC")]
    return closed.index[-1].date()
