"""The venue's broker: one paper account behind the Trading API routes.

This module owns :class:`PaperBroker`, the facade the routes call. It holds the venue's state
(the database, the simulated clock, the calendar and prices) and composes the parts that do
the work: :mod:`runtime.venue.orders` (validation and the order lifecycle),
:mod:`runtime.venue.ledger` (cash, positions, fills, buying power),
:mod:`runtime.venue.matching_engine` (fills, expiries and equity marks up to now) and
:mod:`runtime.venue.reports` (the read-only views). Every call takes the broker's lock, opens a
session on the venue database, first runs the matching engine up to the simulated "now" (so
state is always caught up, whether or not the background ticker ran) unless the last pass
already reached it (a frozen clock: nothing can have happened since, and most calls are reads
that then cost no matching pass), does its work and commits. Calls return JSON-ready dicts in
Alpaca's shapes (:mod:`runtime.venue.alpaca_json`); failures raise :mod:`runtime.venue.errors`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import runtime.venue.orders as orders
import runtime.venue.reports as reports
from core.logging import get_logger
from runtime.market_data import MarketDataStore
from runtime.venue.alpaca_json import (
    account_configurations_json,
    asset_id,
    asset_json,
    cancel_result_json,
    close_refused_json,
    close_result_json,
    order_json,
)
from runtime.venue.config import VenueConfig
from runtime.venue.errors import Forbidden, InvalidRequest, NotFound, Unprocessable
from runtime.venue.ledger import Ledger
from runtime.venue.market_clock import SimClock, TradingCalendar
from runtime.venue.matching_engine import MatchingEngine
from runtime.venue.orders import OrderChanges, OrderSubmission
from runtime.venue.price_path import PriceBook
from runtime.venue.state_db import SCHEMA_VERSION, VenueMeta, VenueOrder, VenuePosition, open_engine

__all__ = ["OrderChanges", "OrderSubmission", "PaperBroker"]

log = get_logger(__name__)


class PaperBroker:
    """One paper account on replayed market data; thread-safe, state in ``config.root``."""

    def __init__(self, config: VenueConfig, book: PriceBook | None = None) -> None:
        self.config = config
        self.book = book if book is not None else PriceBook(MarketDataStore(config.market_dir))
        self.calendar = TradingCalendar(self.book.all_days())
        self.ledger = Ledger(self.book, config)
        self.matching = MatchingEngine(self.book, self.calendar, self.ledger)
        self.engine = open_engine(config.database_path)
        self._lock = threading.RLock()
        with Session(self.engine, expire_on_commit=False) as session:
            meta = session.get(VenueMeta, 1)
            if meta is None:
                meta = self._create_state(session)
                session.commit()
            elif config.start is not None and config.start != meta.start_day:
                log.warning(
                    "venue start ignored: state exists",
                    extra={
                        "start_day": meta.start_day.isoformat(),
                        "requested": config.start.isoformat(),
                        "root": str(config.root),
                    },
                )
            self.account_id = self.ledger.account(session).id
            sim_time = meta.sim_time
            # the simulated moment up to which the committed book is matched (`_txn`)
            self._matched_until: datetime = meta.matched_until
        self.sim_clock = SimClock(sim_time, config.speed)
        log.info(
            "venue broker ready",
            extra={
                "root": str(config.root),
                "sim_time": sim_time.isoformat(),
                "speed": config.speed,
            },
        )

    # ---- state creation and sessions ---------------------------------------------------

    def _create_state(self, session: Session) -> VenueMeta:
        cal = self.calendar
        wanted = self.config.start or cal.default_start(self.config.lookback_days)
        days = cal.days_between(wanted, None)
        if not days:
            raise ValueError(
                f"start {wanted} is after the market data ends ({cal.last_day}): nothing to replay"
            )
        start_day = days[0]
        session_of_day = cal.session_for(start_day)
        assert session_of_day is not None
        start = session_of_day.open
        meta = VenueMeta(
            id=1,
            schema_version=SCHEMA_VERSION,
            start_day=start_day,
            sim_time=start,
            matched_until=start,
        )
        session.add_all([meta, self.ledger.open_account(start)])
        log.info(
            "venue state created", extra={"root": str(self.config.root), "start": start.isoformat()}
        )
        return meta

    @contextmanager
    def _txn(self) -> Iterator[tuple[Session, datetime]]:
        """Lock, open a session, catch up matching to now; commit on success."""
        with self._lock, Session(self.engine, expire_on_commit=False) as session:
            now = self.sim_clock.now()
            # Matched up to `now` already: every open order was looked at up to it, and one
            # placed since at `now` may fill only after it; no close or open lies between.
            matching = now > self._matched_until
            if matching:
                self.matching.run(session, now)
            yield session, now
            session.commit()
            if matching:
                self._matched_until = now

    def sync(self) -> datetime:
        """Run the matching engine up to now and save the clock; returns now."""
        with self._txn() as (_session, now):
            return now

    def now(self) -> datetime:
        return self.sim_clock.now()

    # ---- clock and calendar ------------------------------------------------------------

    def clock(self) -> dict[str, Any]:
        with self._txn() as (_session, now):
            return reports.clock_view(self.calendar, now)

    def advance(
        self, seconds: float | None = None, to: datetime | None = None, until: str | None = None
    ) -> dict[str, Any]:
        """Venue-only: move the simulated clock forward, then match up to the new time."""
        with self._lock:
            now = self.sim_clock.now()
            if seconds is not None:
                self.sim_clock.advance(seconds)
            elif to is not None:
                if to.tzinfo is None:
                    raise InvalidRequest("'to' must carry a timezone")
                if to < now:
                    raise Unprocessable("the clock cannot go backwards")
                self.sim_clock.advance_to(to)
            elif until in ("next_open", "next_close"):
                current = self.calendar.session_at(now)
                nxt = self.calendar.next_session(now)
                if until == "next_open":
                    target = nxt.open
                else:
                    target = current.close if current is not None else nxt.close
                self.sim_clock.advance_to(target)
            else:
                raise InvalidRequest("give seconds, to, or until=next_open|next_close")
            with self._txn() as (_session, new_now):
                log.info(
                    "venue clock advanced",
                    extra={"from": now.isoformat(), "to": new_now.isoformat()},
                )
                return reports.clock_view(self.calendar, new_now)

    def set_speed(self, speed: float) -> dict[str, Any]:
        if speed < 0:
            raise InvalidRequest("speed must be >= 0")
        with self._lock:
            self.sync()
            self.sim_clock.set_speed(speed)
            return self.status()

    def status(self) -> dict[str, Any]:
        with self._txn() as (session, now):
            meta = session.get(VenueMeta, 1)
            assert meta is not None
            return {
                "now": now.isoformat(),
                "speed": self.sim_clock.speed,
                "start_day": meta.start_day.isoformat(),
                "data_first_day": self.calendar.first_day.isoformat(),
                "data_last_day": self.calendar.last_day.isoformat(),
                "symbols": self.book.symbols(),
                "clock": reports.clock_view(self.calendar, now),
            }

    def calendar_days(self, start: date | None, end: date | None) -> list[dict[str, str]]:
        return reports.calendar_days(self.calendar, start, end)

    # ---- assets --------------------------------------------------------------------------

    def assets(self, status: str | None = None, asset_class: str | None = None) -> list[dict]:
        if status not in (None, "", "active") or asset_class not in (None, "", "us_equity"):
            return []
        return [asset_json(symbol) for symbol in self.book.symbols()]

    def _resolve_symbol(self, symbol_or_id: str) -> str | None:
        wanted = symbol_or_id.strip()
        if self.book.has(wanted.upper()):
            return wanted.upper()
        for symbol in self.book.symbols():
            if asset_id(symbol) == wanted.lower():
                return symbol
        return None

    def asset(self, symbol_or_id: str) -> dict[str, Any]:
        symbol = self._resolve_symbol(symbol_or_id)
        if symbol is None:
            raise NotFound("asset not found")
        return asset_json(symbol)

    # ---- account -----------------------------------------------------------------------

    def account(self) -> dict[str, Any]:
        with self._txn() as (session, now):
            return reports.account_view(self.ledger, session, now)

    def account_configurations(self) -> dict[str, Any]:
        return account_configurations_json()

    # ---- orders --------------------------------------------------------------------------

    def _ensure_client_id_free(self, session: Session, client_order_id: str | None) -> None:
        if client_order_id and orders.client_id_taken(session, self.account_id, client_order_id):
            raise InvalidRequest("client_order_id must be unique")

    def _place(
        self,
        session: Session,
        sub: OrderSubmission,
        now: datetime,
        reference: float,
        exclude: str | None = None,
    ) -> VenueOrder:
        """Check ``sub`` against the account and add it as a new order."""
        reserve = self.ledger.check_funds(session, sub, reference, exclude=exclude)
        expires_at = orders.expiry(self.calendar, sub.time_in_force, now)
        return orders.new_order(session, self.account_id, sub, now, reserve, expires_at)

    def submit_order(self, sub: OrderSubmission) -> dict[str, Any]:
        symbol = self._resolve_symbol(sub.symbol)
        if symbol is None:
            raise InvalidRequest(f'asset "{sub.symbol}" not found')
        sub = orders.with_symbol(sub, symbol)
        orders.validate(sub)
        with self._txn() as (session, now):
            self._ensure_client_id_free(session, sub.client_order_id)
            reference = self.ledger.reference_price(symbol, now)
            order = self._place(session, sub, now, reference)
            log.info(
                "venue order new",
                extra={
                    "order": order.id,
                    "client_order_id": order.client_order_id,
                    "symbol": order.symbol,
                    "side": order.side,
                    "type": order.type,
                },
            )
            return order_json(order)

    def get_order(self, order_id: str) -> dict[str, Any]:
        with self._txn() as (session, _now):
            return order_json(orders.find_order(session, order_id))

    def get_order_by_client_id(self, client_order_id: str) -> dict[str, Any]:
        with self._txn() as (session, _now):
            return order_json(orders.find_by_client_id(session, self.account_id, client_order_id))

    def list_orders(
        self,
        status: str = "open",
        limit: int = 50,
        after: datetime | None = None,
        until: datetime | None = None,
        direction: str = "desc",
        symbols: list[str] | None = None,
        side: str | None = None,
    ) -> list[dict[str, Any]]:
        query = orders.listing(status, limit, after, until, direction, symbols, side)
        with self._txn() as (session, _now):
            return [order_json(o) for o in session.scalars(query).all()]

    def cancel_order(self, order_id: str) -> None:
        with self._txn() as (session, now):
            orders.cancel(orders.find_order(session, order_id), now)

    def cancel_all(self) -> list[dict[str, Any]]:
        with self._txn() as (session, now):
            out = []
            for order in session.scalars(orders.open_orders()).all():
                orders.cancel(order, now)
                out.append(cancel_result_json(order))
            return out

    def replace_order(self, order_id: str, changes: OrderChanges) -> dict[str, Any]:
        with self._txn() as (session, now):
            old = orders.find_order(session, order_id)
            orders.ensure_replaceable(old)
            self._ensure_client_id_free(session, changes.client_order_id)
            sub = orders.replacement(old, changes)
            orders.validate(sub)
            reference = self.ledger.reference_price(old.symbol, now)
            new = self._place(session, sub, now, reference, exclude=old.id)
            orders.mark_replaced(old, new, now)
            return order_json(new)

    # ---- positions ---------------------------------------------------------------------

    def positions(self) -> list[dict[str, Any]]:
        with self._txn() as (session, now):
            return reports.positions_view(self.ledger, session, now)

    def _find_position(self, session: Session, symbol_or_id: str) -> VenuePosition:
        symbol = self._resolve_symbol(symbol_or_id)
        position = session.get(VenuePosition, symbol) if symbol is not None else None
        if position is None:
            raise NotFound("position does not exist")
        return position

    def position(self, symbol_or_id: str) -> dict[str, Any]:
        with self._txn() as (session, now):
            position = self._find_position(session, symbol_or_id)
            return reports.position_view(self.ledger, session, position, now)

    def _close(
        self,
        session: Session,
        position: VenuePosition,
        now: datetime,
        qty: float | None = None,
        percentage: float | None = None,
    ) -> VenueOrder:
        sub = orders.closing_submission(position, qty, percentage)
        orders.validate(sub)
        reference = self.ledger.price(position.symbol, now, position.avg_entry_price)
        self.ledger.check_funds(session, sub, reference)
        expires_at = orders.expiry(self.calendar, sub.time_in_force, now)
        return orders.new_order(session, self.account_id, sub, now, 0.0, expires_at)

    def close_position(
        self, symbol_or_id: str, qty: float | None = None, percentage: float | None = None
    ) -> dict[str, Any]:
        with self._txn() as (session, now):
            position = self._find_position(session, symbol_or_id)
            return order_json(self._close(session, position, now, qty, percentage))

    def close_all_positions(self, cancel_orders: bool = False) -> list[dict[str, Any]]:
        with self._txn() as (session, now):
            if cancel_orders:
                for order in session.scalars(orders.open_orders()).all():
                    orders.cancel(order, now)
                session.flush()
            out: list[dict[str, Any]] = []
            for position in session.scalars(
                select(VenuePosition).order_by(VenuePosition.symbol)
            ).all():
                try:
                    order = self._close(session, position, now)
                except Forbidden as exc:
                    out.append(close_refused_json(position.symbol, exc))
                    continue
                out.append(close_result_json(position.symbol, order))
            return out

    # ---- history and activities --------------------------------------------------------

    def portfolio_history(
        self, period: str | None = None, timeframe: str | None = None
    ) -> dict[str, Any]:
        """Daily equity at each session close (whatever ``timeframe`` asks), plus now."""
        with self._txn() as (session, now):
            return reports.portfolio_history(self.ledger, session, now, period, timeframe)

    def activities(
        self,
        activity_types: list[str] | None = None,
        after: datetime | None = None,
        until: datetime | None = None,
        direction: str = "desc",
        page_size: int = 100,
    ) -> list[dict[str, Any]]:
        """FILL activities only: the venue has no deposits, dividends or fees as activities."""
        if not reports.lists_fills(activity_types):
            return []
        with self._txn() as (session, _now):
            return reports.activities(session, self.account_id, after, until, direction, page_size)
