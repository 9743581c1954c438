"""Read-only views of the venue: the account, positions, history, activities, clock, calendar.

This module owns what the read routes answer: it gathers the numbers from the ledger
(:mod:`runtime.venue.ledger`), the order and fill rows and the calendar, and renders them in
Alpaca's shapes (:mod:`runtime.venue.alpaca_json`). Nothing here changes state. Decisions:

* ``last_equity`` is the equity marked at the last session close before today (the initial
  cash before the first close).
* Portfolio history is daily equity at each session close, whatever ``timeframe`` asks, plus
  a point for today when today has no mark yet.
* Activities are FILL activities only: the venue has no deposits, dividends or fees as
  activities.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from runtime.venue.alpaca_json import (
    account_json,
    calendar_json,
    clock_json,
    fill_activity_json,
    money,
    portfolio_history_json,
    position_json,
)
from runtime.venue.errors import InvalidRequest
from runtime.venue.ledger import Ledger
from runtime.venue.market_clock import TradingCalendar, ny_date
from runtime.venue.state_db import (
    VenueAccount,
    VenueEquityMark,
    VenueFill,
    VenueOrder,
    VenuePosition,
)

__all__ = [
    "MAX_ACTIVITIES",
    "account_view",
    "activities",
    "calendar_days",
    "clock_view",
    "lists_fills",
    "period_start",
    "portfolio_history",
    "position_view",
    "positions_view",
]

MAX_ACTIVITIES = 100
_PERIOD_DAYS = {"D": 1, "W": 7, "M": 30, "A": 365}


# ---- clock and calendar ----------------------------------------------------------------------


def clock_view(calendar: TradingCalendar, now: datetime) -> dict[str, Any]:
    """``GET /v2/clock`` at ``now``."""
    session_now = calendar.session_at(now)
    nxt = calendar.next_session(now)
    next_close = session_now.close if session_now is not None else nxt.close
    return clock_json(now, session_now is not None, nxt.open, next_close)


def calendar_days(
    calendar: TradingCalendar, start: date | None, end: date | None
) -> list[dict[str, str]]:
    """``GET /v2/calendar``: the trading days with data in ``start..end``."""
    out = []
    for day in calendar.days_between(start, end):
        s = calendar.session_for(day)
        assert s is not None
        out.append(calendar_json(day, s.open, s.close))
    return out


# ---- account and positions -------------------------------------------------------------------


def _equity(
    ledger: Ledger, session: Session, account: VenueAccount, now: datetime
) -> tuple[float, float]:
    """(equity, long market value) at ``now``."""
    long_value = ledger.market_value(session, now)
    return account.cash + long_value, long_value


def account_view(ledger: Ledger, session: Session, now: datetime) -> dict[str, Any]:
    """``GET /v2/account`` at ``now``."""
    account = ledger.account(session)
    equity, long_value = _equity(ledger, session, account, now)
    last_mark = session.scalars(
        select(VenueEquityMark)
        .where(VenueEquityMark.day < ny_date(now))
        .order_by(VenueEquityMark.day.desc())
    ).first()
    last_equity = last_mark.equity if last_mark is not None else account.initial_cash
    buying_power = max(0.0, account.cash - ledger.reserved(session))
    return account_json(account, equity, last_equity, long_value, buying_power)


def position_view(
    ledger: Ledger, session: Session, position: VenuePosition, now: datetime
) -> dict[str, Any]:
    """One entry of ``GET /v2/positions`` at ``now``."""
    current = ledger.price(position.symbol, now, position.avg_entry_price)
    lastday = ledger.lastday_price(position.symbol, now, current)
    return position_json(
        position.symbol,
        position.qty,
        position.avg_entry_price,
        current,
        lastday,
        ledger.qty_available(session, position),
    )


def positions_view(ledger: Ledger, session: Session, now: datetime) -> list[dict[str, Any]]:
    """``GET /v2/positions`` at ``now``, by symbol."""
    rows = session.scalars(select(VenuePosition).order_by(VenuePosition.symbol)).all()
    return [position_view(ledger, session, p, now) for p in rows]


# ---- history and activities ------------------------------------------------------------------


def period_start(period: str | None, now: datetime) -> date | None:
    """``1D``, ``7D``, ``1W``, ``1M``, ``12M``, ``1A`` → the first day to include."""
    if not period:
        return None
    text = period.strip().upper()
    try:
        amount, unit = int(text[:-1]), text[-1]
    except ValueError as exc:
        raise InvalidRequest(f"invalid period {period!r}") from exc
    days = _PERIOD_DAYS.get(unit)
    if days is None:
        raise InvalidRequest(f"invalid period {period!r}")
    return ny_date(now) - timedelta(days=amount * days)


def portfolio_history(
    ledger: Ledger, session: Session, now: datetime, period: str | None, timeframe: str | None
) -> dict[str, Any]:
    """Daily equity at each session close (whatever ``timeframe`` asks), plus now."""
    account = ledger.account(session)
    marks = session.scalars(select(VenueEquityMark).order_by(VenueEquityMark.day)).all()
    since = period_start(period, now)
    points = [(m.day, m.equity) for m in marks if since is None or m.day >= since]
    today = ny_date(now)
    if not points or points[-1][0] != today:
        equity, _long_value = _equity(ledger, session, account, now)
        points.append((today, float(money(equity))))
    return portfolio_history_json(points, account.initial_cash, timeframe)


def lists_fills(activity_types: list[str] | None) -> bool:
    """Whether an activities request asks for FILL activities (none asked: all kinds)."""
    return not activity_types or "FILL" in [t.upper() for t in activity_types]


def activities(
    session: Session,
    account_id: str,
    after: datetime | None = None,
    until: datetime | None = None,
    direction: str = "desc",
    page_size: int = 100,
) -> list[dict[str, Any]]:
    """``GET /v2/account/activities``' FILL activities, at most MAX_ACTIVITIES a page."""
    query = select(VenueFill)
    if after is not None:
        query = query.where(VenueFill.time > after)
    if until is not None:
        query = query.where(VenueFill.time < until)
    order_by = VenueFill.seq.asc() if direction == "asc" else VenueFill.seq.desc()
    fills = session.scalars(query.order_by(order_by).limit(max(1, min(page_size, MAX_ACTIVITIES))))
    out = []
    for fill in fills.all():
        order = session.scalar(select(VenueOrder).where(VenueOrder.id == fill.order_id))
        assert order is not None
        out.append(fill_activity_json(fill, account_id, order))
    return out
