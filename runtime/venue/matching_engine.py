"""The matching engine: bringing the venue's book up to the simulated "now".

This module owns :class:`MatchingEngine`, which the broker runs at the start of every call.
It looks at each open order's window since it was last checked (the fill rules are
:mod:`runtime.venue.matching`'s), collects what happened up to now — fills, day-order expiries,
dividends at each ex-date's open and an equity mark at each session close — sorts those events
by time and books them in that
order (the ledger books fills and marks, :mod:`runtime.venue.orders` moves the orders on). So
the result does not depend on how often anyone polls. At the same moment, fills come before
expiries and expiries before marks; orders go in submission order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from core.logging import get_logger
from runtime.venue.ledger import Ledger
from runtime.venue.market_clock import TradingCalendar
from runtime.venue.matching import find_fill
from runtime.venue.orders import expire, mark_filled, open_orders, order_terms
from runtime.venue.price_path import PriceBook
from runtime.venue.state_db import VenueAccount, VenueMeta, VenueOrder

__all__ = ["MatchingEngine"]

log = get_logger(__name__)

# Ranks of events at the same moment: a dividend is paid at the ex-date's open to the shares
# held before it, so it comes before the fills of that open.
_DIVIDEND, _FILL, _EXPIRY, _MARK = -1, 0, 1, 2


@dataclass(frozen=True)
class _Event:
    moment: datetime
    rank: int
    seq: int  # the order's submission order (0 for a mark)
    order: VenueOrder | None = None
    raw_price: float = 0.0  # a fill's price before slippage
    day: date | None = None  # the session a mark closes


class MatchingEngine:
    """Fills, expiries and equity marks from the last matched moment up to now."""

    def __init__(self, book: PriceBook, calendar: TradingCalendar, ledger: Ledger) -> None:
        self.book = book
        self.calendar = calendar
        self.ledger = ledger

    def run(self, session: Session, now: datetime) -> None:
        """Book everything that happened up to ``now`` (in the caller's session)."""
        meta = session.get(VenueMeta, 1)
        assert meta is not None
        events = self._order_events(session, now)
        for s in self.calendar.closes_between(meta.matched_until, now):
            events.append(_Event(s.close, _MARK, 0, day=s.day))
        for s in self.calendar.opens_between(meta.matched_until, now):
            events.append(_Event(s.open, _DIVIDEND, 0, day=s.day))
        events.sort(key=lambda e: (e.moment, e.rank, e.seq))
        account = self.ledger.account(session) if events else None
        for event in events:
            assert account is not None
            self._book(session, account, event)
        meta.matched_until = max(meta.matched_until, now)
        meta.sim_time = max(meta.sim_time, now)

    def _order_events(self, session: Session, now: datetime) -> list[_Event]:
        """Each open order's fill or expiry up to ``now``; the others are checked up to now."""
        events: list[_Event] = []
        for order in session.scalars(open_orders().order_by(VenueOrder.seq)).all():
            if order.submitted_at >= now:
                continue  # eligible only strictly after its submission
            start = order.checked_until or order.submitted_at
            end = now if order.expires_at is None else min(now, order.expires_at)
            finding = find_fill(self.book, order_terms(order), start, end) if start <= end else None
            if finding is not None and finding.triggered_at is not None:
                order.triggered_at = finding.triggered_at
            if finding is not None and finding.touch is not None:
                touch = finding.touch
                events.append(_Event(touch.time, _FILL, order.seq, order, raw_price=touch.price))
            elif order.expires_at is not None and order.expires_at <= now:
                events.append(_Event(order.expires_at, _EXPIRY, order.seq, order))
            else:
                order.checked_until = now
        return events

    def _book(self, session: Session, account: VenueAccount, event: _Event) -> None:
        if event.rank == _MARK:
            assert event.day is not None
            self.ledger.mark_equity(session, account, event.day, event.moment)
            return
        if event.rank == _DIVIDEND:
            assert event.day is not None
            self.ledger.pay_dividends(session, account, event.day)
            return
        order = event.order
        assert order is not None
        if event.rank == _EXPIRY:
            expire(order, event.moment)
            return
        fill = self.ledger.book_fill(session, account, order, event.moment, event.raw_price)
        mark_filled(order, fill)
        session.flush()
        log.info(
            "venue fill",
            extra={
                "order": order.id,
                "symbol": order.symbol,
                "side": order.side,
                "qty": fill.qty,
                "price": fill.price,
                "fee": fill.fee,
                "at": event.moment.isoformat(),
            },
        )
