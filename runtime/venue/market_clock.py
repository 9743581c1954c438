"""The venue's market calendar and its simulated clock.

This module owns time:

* :class:`TradingCalendar`: the trading days are the dates present in the market-data store's
  bars (the union over symbols). Every trading day has one regular session, 9:30-16:00
  America/New_York, or 9:30-13:00 on NYSE's early closes (the day before Independence Day,
  the day after Thanksgiving, Christmas Eve: daily bars do not say which days closed early, so
  `session_close` asks pandas_market_calendars' NYSE calendar, as Lumibot does). After the
  store's last day the calendar goes on with plain weekdays so ``next_open``/``next_close``
  always have an answer, but those sessions have no prices: orders then stay open.
* :class:`SimClock`: simulated time runs at ``speed`` x real time from an anchor (``speed`` 0
  freezes it) and can be pushed forward by hand (``advance``); it never goes backwards. Time
  passes at the same rate at night and on weekends as during a session, as on a real exchange,
  so a bot that sleeps until the next open sees the same clock Alpaca would give it.

All datetimes are timezone-aware UTC inside the venue; conversion to New York time happens only
where a session boundary or a date is needed.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "NEW_YORK",
    "SESSION_CLOSE",
    "SESSION_OPEN",
    "Session",
    "SimClock",
    "TradingCalendar",
    "ny_date",
    "session_close",
]

NEW_YORK = ZoneInfo("America/New_York")
SESSION_OPEN = dtime(9, 30)
SESSION_CLOSE = dtime(16, 0)


def ny_date(moment: datetime) -> date:
    """The New York calendar date of an aware datetime."""
    return moment.astimezone(NEW_YORK).date()


def session_close(day: date) -> dtime:
    """New York closing time of ``day``'s regular session: 16:00, or NYSE's early close."""
    closes = _EARLY_CLOSES.get(day.year)
    if closes is None:
        warm_early_closes([day.year])
        closes = _EARLY_CLOSES[day.year]
    return closes.get(day, SESSION_CLOSE)


_EARLY_CLOSES: dict[int, dict[date, dtime]] = {}  # year -> {day: New York close}
_EARLY_LOCK = threading.Lock()


def warm_early_closes(years: Iterable[int]) -> None:
    """Find NYSE's early closes of `years` from the calendar's special-close rules over their
    span (`special_dates`, ~0.03 s for 19 years; a schedule over the span, filtered with
    `early_closes`, evaluated every rule and built every session: ~0.4 s, most of the venue's
    start-up CPU, on the path of a cold supervisor's first bot). The dates kept are the
    calendar's early closes; only trading days of the store are ever asked about."""
    missing = sorted(set(years) - set(_EARLY_CLOSES))
    if not missing:
        return
    import pandas as pd

    first, last = missing[0], missing[-1]
    special = _nyse().special_dates("market_close", pd.Timestamp(year=first, month=1, day=1),
                                    pd.Timestamp(year=last, month=12, day=31),
                                    filter_holidays=False)
    found: dict[int, dict[date, dtime]] = {year: {} for year in range(first, last + 1)}
    for stamp in special:
        local = stamp.tz_convert(NEW_YORK)
        if local.time() < SESSION_CLOSE and local.year in found:
            found[local.year][local.date()] = local.time().replace(tzinfo=None)
    with _EARLY_LOCK:
        for year, closes in found.items():
            _EARLY_CLOSES.setdefault(year, closes)


def _nyse() -> Any:
    """The process's one NYSE calendar (~1.5 s to build), shared with the bots' hooks."""
    from runtime.shared_calendars import shared_calendar

    return shared_calendar("NYSE")


def _at(day: date, clock_time: dtime) -> datetime:
    return datetime.combine(day, clock_time, tzinfo=NEW_YORK).astimezone(UTC)


@dataclass(frozen=True)
class Session:
    """One regular trading session; ``has_data`` is False for days after the store ends."""

    day: date
    open: datetime
    close: datetime
    has_data: bool = True

    @classmethod
    def of(cls, day: date, has_data: bool = True) -> Session:
        return cls(day, _at(day, SESSION_OPEN), _at(day, session_close(day)), has_data)

    def contains(self, moment: datetime) -> bool:
        """Open at ``moment``: the open is inside the session, the close is not (as Alpaca)."""
        return self.open <= moment < self.close


class TradingCalendar:
    """Trading days taken from the data, plus weekdays after the data ends."""

    def __init__(self, days: Iterable[date]) -> None:
        self.days: list[date] = sorted(set(days))
        if not self.days:
            raise ValueError("the market-data store holds no bars: nothing to replay")
        warm_early_closes({d.year for d in self.days})
        self._sessions = [Session.of(d) for d in self.days]
        self._opens = [s.open for s in self._sessions]

    @property
    def first_day(self) -> date:
        return self.days[0]

    @property
    def last_day(self) -> date:
        return self.days[-1]

    def is_trading_day(self, day: date) -> bool:
        i = bisect.bisect_left(self.days, day)
        return i < len(self.days) and self.days[i] == day

    def session_for(self, day: date) -> Session | None:
        i = bisect.bisect_left(self.days, day)
        if i < len(self.days) and self.days[i] == day:
            return self._sessions[i]
        return None

    def _synthetic_after(self, day: date) -> Session:
        nxt = day + timedelta(days=1)
        while nxt.weekday() >= 5:
            nxt += timedelta(days=1)
        return Session.of(nxt, has_data=False)

    def session_at(self, moment: datetime) -> Session | None:
        """The session open at ``moment``, if any."""
        session = self.session_for(ny_date(moment))
        if session is not None and session.contains(moment):
            return session
        return None

    def next_session(self, moment: datetime) -> Session:
        """The first session whose open is strictly after ``moment``."""
        i = bisect.bisect_right(self._opens, moment)
        if i < len(self._sessions):
            return self._sessions[i]
        # Past the data: weekdays, starting from the day before ``moment`` (a few steps at most).
        session = self._synthetic_after(max(self.last_day, ny_date(moment) - timedelta(days=1)))
        while session.open <= moment:
            session = self._synthetic_after(session.day)
        return session

    def current_or_next_session(self, moment: datetime) -> Session:
        """The session open at ``moment``, else the next one."""
        return self.session_at(moment) or self.next_session(moment)

    def sessions_between(self, start: datetime, end: datetime) -> list[Session]:
        """Sessions with data that overlap ``[start, end]``, in order."""
        lo = bisect.bisect_left(self.days, ny_date(start))
        hi = bisect.bisect_right(self.days, ny_date(end))
        return [s for s in self._sessions[lo:hi] if s.close >= start and s.open <= end]

    def closes_between(self, after: datetime, until: datetime) -> list[Session]:
        """Sessions with data whose close is in ``(after, until]``."""
        return [s for s in self.sessions_between(after, until) if after < s.close <= until]

    def opens_between(self, after: datetime, until: datetime) -> list[Session]:
        """Sessions with data whose open is in ``(after, until]``."""
        return [s for s in self.sessions_between(after, until) if after < s.open <= until]

    def days_between(self, start: date | None, end: date | None) -> list[date]:
        lo = 0 if start is None else bisect.bisect_left(self.days, start)
        hi = len(self.days) if end is None else bisect.bisect_right(self.days, end)
        return self.days[lo:hi]

    def default_start(self, lookback_days: int) -> date:
        """The trading day ``lookback_days`` days before the last one (or the first day)."""
        return self.days[max(0, len(self.days) - lookback_days)]


class SimClock:
    """Simulated time: ``anchor_sim + (monotonic() - anchor_real) * speed``, thread-safe."""

    def __init__(self, start: datetime, speed: float) -> None:
        if start.tzinfo is None:
            raise ValueError("SimClock needs an aware datetime")
        self._lock = threading.Lock()
        self._anchor_sim = start.astimezone(UTC)
        self._anchor_real = time.monotonic()
        self._speed = float(speed)

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> datetime:
        with self._lock:
            return self._now_locked()

    def _now_locked(self) -> datetime:
        elapsed = (time.monotonic() - self._anchor_real) * self._speed
        return self._anchor_sim + timedelta(seconds=elapsed)

    def _reanchor(self, moment: datetime) -> None:
        self._anchor_sim = moment
        self._anchor_real = time.monotonic()

    def advance(self, seconds: float) -> datetime:
        """Move forward by ``seconds`` of simulated time (never backwards)."""
        if seconds < 0:
            raise ValueError("the clock cannot go backwards")
        with self._lock:
            self._reanchor(self._now_locked() + timedelta(seconds=seconds))
            return self._anchor_sim

    def advance_to(self, moment: datetime) -> datetime:
        """Move forward to ``moment``; a moment in the past leaves the clock where it is."""
        with self._lock:
            now = self._now_locked()
            self._reanchor(max(now, moment.astimezone(UTC)))
            return self._anchor_sim

    def set_speed(self, speed: float) -> None:
        if speed < 0:
            raise ValueError("speed must be >= 0")
        with self._lock:
            self._reanchor(self._now_locked())
            self._speed = float(speed)
