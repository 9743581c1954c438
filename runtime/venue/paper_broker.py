"""The venue's book-keeping: one paper account, its orders, fills and positions.

This module owns :class:`PaperBroker`, the service behind the Trading API routes. Every call
takes the broker's lock, opens a session on the venue database, first runs the matching engine
up to the simulated "now" (so state is always caught up, whether or not the background ticker
ran), does its work and commits. Calls return JSON-ready dicts in Alpaca's shapes
(:mod:`runtime.venue.alpaca_json`); failures raise :mod:`runtime.venue.errors`.

Decisions:

* One cash account, long only, multiplier 1: buying power is cash minus what open buy orders
  have set aside; a sell may not exceed the position minus open sells (Alpaca's
  ``qty_available``); shorting is refused like on an account with shorting disabled.
* Buying power is checked at submission (Alpaca does the same) against an estimate: the limit
  price, else the stop or current price whichever is higher, plus slippage and fees. A market
  order that then fills at a gapped-up open may leave cash slightly negative; the account is not
  blocked for it.
* Matching runs event by event in simulated time: fills, day-order expiries (at the close of the
  session the order was submitted in, or the next one if submitted while closed) and equity
  marks at each session close are sorted by time and booked in that order, so the result does
  not depend on how often anyone polls.
* Orders: market, limit, stop, stop_limit; time in force day or gtc; simple order class only;
  no extended hours. ``POST`` answers ``new``; a later read shows ``filled`` (see
  :mod:`runtime.venue.matching`). Replacing an order creates a new order that ``replaces`` it,
  and the old one becomes ``replaced`` (Alpaca's behaviour).
"""

from __future__ import annotations

import logging
import secrets
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from runtime.market_data import MarketDataStore
from runtime.venue.alpaca_json import (
    OPEN_STATUSES,
    asset_id,
    asset_json,
    calendar_json,
    clock_json,
    fill_activity_json,
    money,
    num,
    order_json,
    position_json,
)
from runtime.venue.config import VenueConfig
from runtime.venue.errors import Forbidden, InvalidRequest, NotFound, Unprocessable
from runtime.venue.market_clock import NEW_YORK, SimClock, TradingCalendar, ny_date
from runtime.venue.matching import OrderTerms, fee_for, fill_price, find_fill
from runtime.venue.price_path import PriceBook
from runtime.venue.state_db import (
    SCHEMA_VERSION,
    VenueAccount,
    VenueEquityMark,
    VenueFill,
    VenueMeta,
    VenueOrder,
    VenuePosition,
    open_engine,
)

logger = logging.getLogger(__name__)

__all__ = ["OrderChanges", "OrderSubmission", "PaperBroker"]

ORDER_TYPES = ("market", "limit", "stop", "stop_limit")
TIME_IN_FORCE = ("day", "gtc")
QTY_EPSILON = 1e-9
MAX_CLIENT_ORDER_ID = 128


@dataclass(frozen=True)
class OrderSubmission:
    symbol: str
    side: str
    type: str
    time_in_force: str
    qty: float | None = None
    notional: float | None = None
    limit_price: float | None = None
    stop_price: float | None = None
    client_order_id: str | None = None
    extended_hours: bool = False
    order_class: str | None = None


@dataclass(frozen=True)
class OrderChanges:
    qty: float | None = None
    time_in_force: str | None = None
    limit_price: float | None = None
    stop_price: float | None = None
    client_order_id: str | None = None


def _terms(order: VenueOrder) -> OrderTerms:
    return OrderTerms(
        order.symbol,
        order.side,
        order.type,
        order.limit_price,
        order.stop_price,
        order.triggered_at,
    )


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


class PaperBroker:
    """One paper account on replayed market data; thread-safe, state in ``config.root``."""

    def __init__(self, config: VenueConfig, book: PriceBook | None = None) -> None:
        self.config = config
        self.book = book if book is not None else PriceBook(MarketDataStore(config.market_dir))
        self.calendar = TradingCalendar(self.book.all_days())
        self.engine = open_engine(config.database_path)
        self._lock = threading.RLock()
        with Session(self.engine, expire_on_commit=False) as session:
            meta = session.get(VenueMeta, 1)
            if meta is None:
                meta = self._create_state(session)
                session.commit()
            elif config.start is not None and config.start != meta.start_day:
                logger.warning(
                    "venue start ignored: state exists start_day=%s requested=%s root=%s",
                    meta.start_day,
                    config.start,
                    config.root,
                )
            self.account_id = self._account(session).id
            sim_time = meta.sim_time
        self.sim_clock = SimClock(sim_time, config.speed)
        logger.info(
            "venue broker ready root=%s sim_time=%s speed=%s", config.root, sim_time, config.speed
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
        account = VenueAccount(
            id=str(uuid.uuid4()),
            account_number="PA" + "".join(secrets.choice("0123456789") for _ in range(10)),
            cash=self.config.initial_cash,
            initial_cash=self.config.initial_cash,
            fees_paid=0.0,
            created_at=start,
        )
        session.add_all([meta, account])
        logger.info("venue state created root=%s start=%s", self.config.root, start)
        return meta

    @staticmethod
    def _account(session: Session) -> VenueAccount:
        account = session.scalars(select(VenueAccount)).first()
        if account is None:  # pragma: no cover - created with the meta row
            raise RuntimeError("venue database has no account")
        return account

    @contextmanager
    def _txn(self) -> Iterator[tuple[Session, datetime]]:
        """Lock, open a session, catch up matching to now; commit on success."""
        with self._lock, Session(self.engine, expire_on_commit=False) as session:
            now = self.sim_clock.now()
            self._match(session, now)
            yield session, now
            session.commit()

    def sync(self) -> datetime:
        """Run the matching engine up to now and save the clock; returns now."""
        with self._txn() as (_session, now):
            return now

    def now(self) -> datetime:
        return self.sim_clock.now()

    # ---- matching ----------------------------------------------------------------------

    def _match(self, session: Session, now: datetime) -> None:
        meta = session.get(VenueMeta, 1)
        assert meta is not None
        events: list[tuple[datetime, int, int, str, Any]] = []
        open_orders = session.scalars(
            select(VenueOrder).where(VenueOrder.status.in_(OPEN_STATUSES)).order_by(VenueOrder.seq)
        ).all()
        for order in open_orders:
            if order.submitted_at >= now:
                continue  # eligible only strictly after its submission
            start = order.checked_until or order.submitted_at
            end = now if order.expires_at is None else min(now, order.expires_at)
            finding = find_fill(self.book, _terms(order), start, end) if start <= end else None
            if finding is not None and finding.triggered_at is not None:
                order.triggered_at = finding.triggered_at
            if finding is not None and finding.touch is not None:
                events.append((finding.touch.time, 0, order.seq, "fill", (order, finding.touch)))
            elif order.expires_at is not None and order.expires_at <= now:
                events.append((order.expires_at, 1, order.seq, "expire", order))
            else:
                order.checked_until = now
        for s in self.calendar.closes_between(meta.matched_until, now):
            events.append((s.close, 2, 0, "mark", s.day))
        events.sort(key=lambda e: (e[0], e[1], e[2]))
        account = self._account(session) if events else None
        for moment, _rank, _seq, kind, payload in events:
            assert account is not None
            if kind == "fill":
                order, touch = payload
                self._book_fill(session, account, order, moment, touch.price)
            elif kind == "expire":
                payload.status = "expired"
                payload.expired_at = moment
                payload.updated_at = moment
                payload.reserve = 0.0
                logger.info("venue order expired id=%s", payload.id)
            else:
                self._mark_equity(session, account, payload, moment)
        meta.matched_until = max(meta.matched_until, now)
        meta.sim_time = max(meta.sim_time, now)

    def _book_fill(
        self,
        session: Session,
        account: VenueAccount,
        order: VenueOrder,
        moment: datetime,
        raw_price: float,
    ) -> None:
        cfg = self.config
        price = fill_price(_terms(order), raw_price, cfg.slippage_bps)
        qty = order.qty if order.qty is not None else round((order.notional or 0.0) / price, 9)
        fee = fee_for(qty, price, cfg.fee_per_share, cfg.fee_bps)
        position = session.get(VenuePosition, order.symbol)
        held = position.qty if position is not None else 0.0
        if order.side == "buy":
            account.cash -= qty * price + fee
            new_qty = held + qty
            avg = ((held * position.avg_entry_price) if position else 0.0) + qty * price
            if position is None:
                position = VenuePosition(symbol=order.symbol, qty=new_qty, avg_entry_price=price)
                session.add(position)
            else:
                position.avg_entry_price = avg / new_qty
                position.qty = new_qty
        else:
            account.cash += qty * price - fee
            new_qty = held - qty
            if position is not None:
                if abs(new_qty) < QTY_EPSILON:
                    session.delete(position)
                else:
                    position.qty = new_qty
        account.fees_paid += fee
        order.status = "filled"
        order.filled_qty = qty
        order.filled_avg_price = price
        order.filled_at = moment
        order.updated_at = moment
        order.reserve = 0.0
        order.checked_until = moment
        session.add(
            VenueFill(
                id=str(uuid.uuid4()),
                order_id=order.id,
                symbol=order.symbol,
                side=order.side,
                qty=qty,
                price=price,
                fee=fee,
                time=moment,
            )
        )
        session.flush()
        logger.info(
            "venue fill order=%s symbol=%s side=%s qty=%s price=%s fee=%s at=%s",
            order.id,
            order.symbol,
            order.side,
            qty,
            price,
            fee,
            moment.isoformat(),
        )

    def _mark_equity(
        self, session: Session, account: VenueAccount, day: date, moment: datetime
    ) -> None:
        session.flush()
        equity = account.cash
        for position in session.scalars(select(VenuePosition)).all():
            close = self.book.close_on(position.symbol, day)
            equity += position.qty * (close if close is not None else position.avg_entry_price)
        mark = session.get(VenueEquityMark, day)
        if mark is None:
            session.add(VenueEquityMark(day=day, time=moment, equity=equity, cash=account.cash))
        else:
            mark.time, mark.equity, mark.cash = moment, equity, account.cash

    # ---- prices used by the account ----------------------------------------------------

    def _price(self, symbol: str, now: datetime, fallback: float) -> float:
        price = self.book.price_at(symbol, now)
        return price if price is not None else fallback

    def _lastday_price(self, symbol: str, now: datetime, fallback: float) -> float:
        price = self.book.previous_close(symbol, ny_date(now))
        return price if price is not None else fallback

    def _reserved(self, session: Session, exclude: str | None = None) -> float:
        query = select(func.coalesce(func.sum(VenueOrder.reserve), 0.0)).where(
            VenueOrder.status.in_(OPEN_STATUSES)
        )
        if exclude is not None:
            query = query.where(VenueOrder.id != exclude)
        return float(session.scalar(query) or 0.0)

    def _held_for_sells(self, session: Session, symbol: str, exclude: str | None = None) -> float:
        query = select(VenueOrder).where(
            VenueOrder.status.in_(OPEN_STATUSES),
            VenueOrder.symbol == symbol,
            VenueOrder.side == "sell",
        )
        held = 0.0
        for order in session.scalars(query).all():
            if order.id == exclude:
                continue
            if order.qty is not None:
                held += order.qty
            elif order.notional is not None:
                ref = self.book.price_at(symbol, order.submitted_at) or 1.0
                held += order.notional / ref
        return held

    # ---- clock and calendar ------------------------------------------------------------

    def _clock_view(self, now: datetime) -> dict[str, Any]:
        session_now = self.calendar.session_at(now)
        nxt = self.calendar.next_session(now)
        next_close = session_now.close if session_now is not None else nxt.close
        return clock_json(now, session_now is not None, nxt.open, next_close)

    def clock(self) -> dict[str, Any]:
        with self._txn() as (_session, now):
            return self._clock_view(now)

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
                logger.info("venue clock advanced from=%s to=%s", now, new_now)
                return self._clock_view(new_now)

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
                "clock": self._clock_view(now),
            }

    def calendar_days(self, start: date | None, end: date | None) -> list[dict[str, str]]:
        out = []
        for day in self.calendar.days_between(start, end):
            s = self.calendar.session_for(day)
            assert s is not None
            out.append(calendar_json(day, s.open, s.close))
        return out

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

    def _account_view(self, session: Session, now: datetime) -> dict[str, Any]:
        account = self._account(session)
        long_value = 0.0
        for position in session.scalars(select(VenuePosition)).all():
            long_value += position.qty * self._price(position.symbol, now, position.avg_entry_price)
        equity = account.cash + long_value
        last_mark = session.scalars(
            select(VenueEquityMark)
            .where(VenueEquityMark.day < ny_date(now))
            .order_by(VenueEquityMark.day.desc())
        ).first()
        last_equity = last_mark.equity if last_mark is not None else account.initial_cash
        buying_power = max(0.0, account.cash - self._reserved(session))
        return {
            "id": account.id,
            "account_number": account.account_number,
            "status": "ACTIVE",
            "crypto_status": "INACTIVE",
            "currency": "USD",
            "buying_power": money(buying_power),
            "regt_buying_power": money(buying_power),
            "daytrading_buying_power": "0",
            "non_marginable_buying_power": money(buying_power),
            "options_buying_power": "0",
            "cash": money(account.cash),
            "accrued_fees": money(account.fees_paid),
            "pending_transfer_out": "0",
            "pending_transfer_in": "0",
            "portfolio_value": money(equity),
            "pattern_day_trader": False,
            "trading_blocked": False,
            "transfers_blocked": False,
            "account_blocked": False,
            "created_at": account.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "trade_suspended_by_user": False,
            "multiplier": "1",
            "shorting_enabled": False,
            "equity": money(equity),
            "last_equity": money(last_equity),
            "long_market_value": money(long_value),
            "short_market_value": "0",
            "position_market_value": money(long_value),
            "initial_margin": money(long_value),
            "maintenance_margin": money(long_value),
            "last_maintenance_margin": "0",
            "sma": "0",
            "daytrade_count": 0,
            "options_approved_level": 0,
            "options_trading_level": 0,
        }

    def account(self) -> dict[str, Any]:
        with self._txn() as (session, now):
            return self._account_view(session, now)

    def account_configurations(self) -> dict[str, Any]:
        return {
            "dtbp_check": "entry",
            "fractional_trading": True,
            "max_margin_multiplier": "1",
            "no_shorting": True,
            "pdt_check": "entry",
            "suspend_trade": False,
            "trade_confirm_email": "none",
            "ptp_no_exception_entry": False,
            "max_options_trading_level": 0,
        }

    # ---- orders --------------------------------------------------------------------------

    def _validate(self, sub: OrderSubmission) -> None:
        if sub.order_class not in (None, "", "simple"):
            raise InvalidRequest(f"order_class {sub.order_class!r} is not supported by the venue")
        if sub.side not in ("buy", "sell"):
            raise InvalidRequest("side must be buy or sell")
        if sub.type not in ORDER_TYPES:
            raise InvalidRequest(f"order type {sub.type!r} is not supported by the venue")
        if sub.time_in_force not in TIME_IN_FORCE:
            raise InvalidRequest(f"time_in_force {sub.time_in_force!r} is not supported")
        if sub.extended_hours:
            raise InvalidRequest("extended hours trading is not simulated by the venue")
        if (sub.qty is None) == (sub.notional is None):
            raise InvalidRequest("qty or notional is required, not both")
        if sub.qty is not None and sub.qty <= 0:
            raise InvalidRequest("qty must be > 0")
        if sub.notional is not None:
            if sub.notional <= 0:
                raise InvalidRequest("notional must be > 0")
            if sub.type != "market":
                raise InvalidRequest("notional orders must be market orders")
        if sub.type in ("limit", "stop_limit") and (sub.limit_price or 0) <= 0:
            raise InvalidRequest("limit_price is required and must be > 0")
        if sub.type in ("stop", "stop_limit") and (sub.stop_price or 0) <= 0:
            raise InvalidRequest("stop_price is required and must be > 0")
        if sub.type in ("market", "stop") and sub.limit_price is not None:
            raise InvalidRequest(f"limit_price is not allowed for {sub.type} orders")
        if sub.type in ("market", "limit") and sub.stop_price is not None:
            raise InvalidRequest(f"stop_price is not allowed for {sub.type} orders")
        if sub.client_order_id is not None and len(sub.client_order_id) > MAX_CLIENT_ORDER_ID:
            raise InvalidRequest("client_order_id must be at most 128 characters")

    def _estimate_cost(self, sub: OrderSubmission, reference: float) -> float:
        cfg = self.config
        if sub.type in ("limit", "stop_limit"):
            est = float(sub.limit_price or reference)
        elif sub.type == "stop":
            est = max(float(sub.stop_price or reference), reference)
            est *= 1.0 + cfg.slippage_bps / 10_000.0
        else:
            est = reference * (1.0 + cfg.slippage_bps / 10_000.0)
        if sub.notional is not None:
            qty = sub.notional / est
            return sub.notional + fee_for(qty, est, cfg.fee_per_share, cfg.fee_bps)
        qty = float(sub.qty or 0.0)
        return qty * est + fee_for(qty, est, cfg.fee_per_share, cfg.fee_bps)

    def _check_funds(
        self,
        session: Session,
        sub: OrderSubmission,
        reference: float,
        exclude: str | None = None,
    ) -> float:
        """Raise Forbidden if the account cannot take the order; returns the buy reserve."""
        if sub.side == "buy":
            cost = self._estimate_cost(sub, reference)
            available = self._account(session).cash - self._reserved(session, exclude)
            if cost > available + 1e-6:
                raise Forbidden("insufficient buying power")
            return cost
        position = session.get(VenuePosition, sub.symbol)
        held = position.qty if position is not None else 0.0
        available_qty = held - self._held_for_sells(session, sub.symbol, exclude)
        wanted = sub.qty if sub.qty is not None else (sub.notional or 0.0) / reference
        if wanted > available_qty + QTY_EPSILON:
            raise Forbidden(
                f"insufficient qty available for order (requested: {num(wanted)}, "
                f"available: {num(max(available_qty, 0.0))})"
            )
        return 0.0

    def _expiry(self, time_in_force: str, now: datetime) -> datetime | None:
        if time_in_force != "day":
            return None
        return self.calendar.current_or_next_session(now).close

    def _client_id_taken(self, session: Session, client_order_id: str) -> bool:
        existing = session.scalar(
            select(VenueOrder.id).where(
                VenueOrder.account_id == self.account_id,
                VenueOrder.client_order_id == client_order_id,
            )
        )
        return existing is not None

    def _new_order(
        self, session: Session, sub: OrderSubmission, now: datetime, reserve: float
    ) -> VenueOrder:
        order = VenueOrder(
            id=str(uuid.uuid4()),
            account_id=self.account_id,
            client_order_id=sub.client_order_id or str(uuid.uuid4()),
            symbol=sub.symbol,
            side=sub.side,
            type=sub.type,
            time_in_force=sub.time_in_force,
            qty=sub.qty,
            notional=sub.notional,
            limit_price=sub.limit_price,
            stop_price=sub.stop_price,
            extended_hours=False,
            status="new",
            filled_qty=0.0,
            reserve=reserve,
            created_at=now,
            updated_at=now,
            submitted_at=now,
            expires_at=self._expiry(sub.time_in_force, now),
        )
        session.add(order)
        session.flush()
        return order

    def _reference_price(self, symbol: str, now: datetime) -> float:
        price = self.book.price_at(symbol, now)
        if price is None:
            raise Unprocessable(f"no price for {symbol} yet at {now.isoformat()}")
        return price

    def submit_order(self, sub: OrderSubmission) -> dict[str, Any]:
        symbol = self._resolve_symbol(sub.symbol)
        if symbol is None:
            raise InvalidRequest(f'asset "{sub.symbol}" not found')
        sub = OrderSubmission(**{**sub.__dict__, "symbol": symbol})
        self._validate(sub)
        with self._txn() as (session, now):
            if sub.client_order_id and self._client_id_taken(session, sub.client_order_id):
                raise InvalidRequest("client_order_id must be unique")
            reference = self._reference_price(symbol, now)
            reserve = self._check_funds(session, sub, reference)
            order = self._new_order(session, sub, now, reserve)
            logger.info(
                "venue order new id=%s client_order_id=%s symbol=%s side=%s type=%s",
                order.id,
                order.client_order_id,
                order.symbol,
                order.side,
                order.type,
            )
            return order_json(order)

    def _find_order(self, session: Session, order_id: str) -> VenueOrder:
        order = None
        if _is_uuid(order_id):
            order = session.scalar(select(VenueOrder).where(VenueOrder.id == order_id.lower()))
        if order is None:
            raise NotFound("order not found")
        return order

    def get_order(self, order_id: str) -> dict[str, Any]:
        with self._txn() as (session, _now):
            return order_json(self._find_order(session, order_id))

    def get_order_by_client_id(self, client_order_id: str) -> dict[str, Any]:
        with self._txn() as (session, _now):
            order = session.scalar(
                select(VenueOrder).where(
                    VenueOrder.account_id == self.account_id,
                    VenueOrder.client_order_id == client_order_id,
                )
            )
            if order is None:
                raise NotFound("order not found")
            return order_json(order)

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
        if status not in ("open", "closed", "all"):
            raise InvalidRequest("status must be open, closed or all")
        if direction not in ("asc", "desc"):
            raise InvalidRequest("direction must be asc or desc")
        limit = max(1, min(int(limit), 500))
        with self._txn() as (session, _now):
            query = select(VenueOrder)
            if status == "open":
                query = query.where(VenueOrder.status.in_(OPEN_STATUSES))
            elif status == "closed":
                query = query.where(VenueOrder.status.not_in(OPEN_STATUSES))
            if after is not None:
                query = query.where(VenueOrder.submitted_at > after)
            if until is not None:
                query = query.where(VenueOrder.submitted_at < until)
            if symbols:
                query = query.where(VenueOrder.symbol.in_([s.upper() for s in symbols]))
            if side:
                query = query.where(VenueOrder.side == side)
            order_by = VenueOrder.seq.asc() if direction == "asc" else VenueOrder.seq.desc()
            rows = session.scalars(query.order_by(order_by).limit(limit)).all()
            return [order_json(o) for o in rows]

    def _cancel(self, order: VenueOrder, now: datetime) -> None:
        if order.status not in OPEN_STATUSES:
            raise Unprocessable(f"order is not cancelable (status {order.status})")
        order.status = "canceled"
        order.canceled_at = now
        order.updated_at = now
        order.reserve = 0.0
        logger.info("venue order canceled id=%s", order.id)

    def cancel_order(self, order_id: str) -> None:
        with self._txn() as (session, now):
            self._cancel(self._find_order(session, order_id), now)

    def cancel_all(self) -> list[dict[str, Any]]:
        with self._txn() as (session, now):
            rows = session.scalars(
                select(VenueOrder).where(VenueOrder.status.in_(OPEN_STATUSES))
            ).all()
            out = []
            for order in rows:
                self._cancel(order, now)
                out.append({"id": order.id, "status": 200, "body": order_json(order)})
            return out

    def replace_order(self, order_id: str, changes: OrderChanges) -> dict[str, Any]:
        with self._txn() as (session, now):
            old = self._find_order(session, order_id)
            if old.status not in OPEN_STATUSES:
                raise Unprocessable(f"order is not replaceable (status {old.status})")
            if changes.client_order_id and self._client_id_taken(session, changes.client_order_id):
                raise InvalidRequest("client_order_id must be unique")
            if changes.qty is not None and old.notional is not None:
                raise InvalidRequest("qty cannot replace a notional order's amount")
            sub = OrderSubmission(
                symbol=old.symbol,
                side=old.side,
                type=old.type,
                time_in_force=changes.time_in_force or old.time_in_force,
                qty=changes.qty if changes.qty is not None else old.qty,
                notional=old.notional,
                limit_price=(
                    changes.limit_price if changes.limit_price is not None else old.limit_price
                ),
                stop_price=changes.stop_price if changes.stop_price is not None else old.stop_price,
                client_order_id=changes.client_order_id,
            )
            self._validate(sub)
            reference = self._reference_price(old.symbol, now)
            reserve = self._check_funds(session, sub, reference, exclude=old.id)
            new = self._new_order(session, sub, now, reserve)
            new.replaces = old.id
            old.status = "replaced"
            old.replaced_at = now
            old.replaced_by = new.id
            old.updated_at = now
            old.reserve = 0.0
            logger.info("venue order replaced id=%s by=%s", old.id, new.id)
            return order_json(new)

    # ---- positions ---------------------------------------------------------------------

    def _position_view(self, session: Session, position: VenuePosition, now: datetime) -> dict:
        current = self._price(position.symbol, now, position.avg_entry_price)
        lastday = self._lastday_price(position.symbol, now, current)
        available = position.qty - self._held_for_sells(session, position.symbol)
        return position_json(
            position.symbol,
            position.qty,
            position.avg_entry_price,
            current,
            lastday,
            max(0.0, available),
        )

    def positions(self) -> list[dict[str, Any]]:
        with self._txn() as (session, now):
            rows = session.scalars(select(VenuePosition).order_by(VenuePosition.symbol)).all()
            return [self._position_view(session, p, now) for p in rows]

    def _find_position(self, session: Session, symbol_or_id: str) -> VenuePosition:
        symbol = self._resolve_symbol(symbol_or_id)
        position = session.get(VenuePosition, symbol) if symbol is not None else None
        if position is None:
            raise NotFound("position does not exist")
        return position

    def position(self, symbol_or_id: str) -> dict[str, Any]:
        with self._txn() as (session, now):
            return self._position_view(session, self._find_position(session, symbol_or_id), now)

    def _close(
        self,
        session: Session,
        position: VenuePosition,
        now: datetime,
        qty: float | None = None,
        percentage: float | None = None,
    ) -> VenueOrder:
        if qty is not None and percentage is not None:
            raise InvalidRequest("give qty or percentage, not both")
        amount = position.qty
        if qty is not None:
            amount = qty
        elif percentage is not None:
            if not 0 < percentage <= 100:
                raise InvalidRequest("percentage must be in (0, 100]")
            amount = round(position.qty * percentage / 100.0, 9)
        sub = OrderSubmission(
            symbol=position.symbol, side="sell", type="market", time_in_force="day", qty=amount
        )
        self._validate(sub)
        reference = self._price(position.symbol, now, position.avg_entry_price)
        self._check_funds(session, sub, reference)
        return self._new_order(session, sub, now, 0.0)

    def close_position(
        self, symbol_or_id: str, qty: float | None = None, percentage: float | None = None
    ) -> dict[str, Any]:
        with self._txn() as (session, now):
            position = self._find_position(session, symbol_or_id)
            return order_json(self._close(session, position, now, qty, percentage))

    def close_all_positions(self, cancel_orders: bool = False) -> list[dict[str, Any]]:
        with self._txn() as (session, now):
            if cancel_orders:
                for order in session.scalars(
                    select(VenueOrder).where(VenueOrder.status.in_(OPEN_STATUSES))
                ).all():
                    self._cancel(order, now)
                session.flush()
            out: list[dict[str, Any]] = []
            for position in session.scalars(
                select(VenuePosition).order_by(VenuePosition.symbol)
            ).all():
                try:
                    order = self._close(session, position, now)
                except Forbidden as exc:
                    out.append(
                        {
                            "symbol": position.symbol,
                            "status": 403,
                            "body": {
                                "code": exc.code,
                                "message": exc.message,
                                "symbol": position.symbol,
                            },
                        }
                    )
                    continue
                out.append(
                    {
                        "symbol": position.symbol,
                        "status": 200,
                        "order_id": order.id,
                        "body": order_json(order),
                    }
                )
            return out

    # ---- history and activities --------------------------------------------------------

    def portfolio_history(
        self, period: str | None = None, timeframe: str | None = None
    ) -> dict[str, Any]:
        """Daily equity at each session close (whatever ``timeframe`` asks), plus now."""
        with self._txn() as (session, now):
            account = self._account(session)
            marks = session.scalars(select(VenueEquityMark).order_by(VenueEquityMark.day)).all()
            since = _period_start(period, now)
            points = [(m.day, m.equity) for m in marks if since is None or m.day >= since]
            today = ny_date(now)
            if not points or points[-1][0] != today:
                equity = float(self._account_view(session, now)["equity"])
                points.append((today, equity))
            base = account.initial_cash
            stamps = [
                int(datetime.combine(d, time(0, 0), tzinfo=NEW_YORK).timestamp()) for d, _ in points
            ]
            equity_values = [round(e, 2) for _, e in points]
            return {
                "timestamp": stamps,
                "equity": equity_values,
                "profit_loss": [round(e - base, 2) for e in equity_values],
                "profit_loss_pct": [
                    round((e - base) / base, 6) if base else 0.0 for e in equity_values
                ],
                "base_value": round(base, 2),
                "timeframe": timeframe or "1D",
                "cashflow": {},
            }

    def activities(
        self,
        activity_types: list[str] | None = None,
        after: datetime | None = None,
        until: datetime | None = None,
        direction: str = "desc",
        page_size: int = 100,
    ) -> list[dict[str, Any]]:
        """FILL activities only: the venue has no deposits, dividends or fees as activities."""
        if activity_types and "FILL" not in [t.upper() for t in activity_types]:
            return []
        with self._txn() as (session, _now):
            query = select(VenueFill)
            if after is not None:
                query = query.where(VenueFill.time > after)
            if until is not None:
                query = query.where(VenueFill.time < until)
            order_by = VenueFill.seq.asc() if direction == "asc" else VenueFill.seq.desc()
            fills = session.scalars(query.order_by(order_by).limit(max(1, min(page_size, 100))))
            out = []
            for fill in fills.all():
                order = session.scalar(select(VenueOrder).where(VenueOrder.id == fill.order_id))
                assert order is not None
                out.append(fill_activity_json(fill, self.account_id, order))
            return out


def _period_start(period: str | None, now: datetime) -> date | None:
    """``1D``, ``7D``, ``1W``, ``1M``, ``12M``, ``1A`` → the first day to include."""
    if not period:
        return None
    text = period.strip().upper()
    try:
        amount, unit = int(text[:-1]), text[-1]
    except ValueError as exc:
        raise InvalidRequest(f"invalid period {period!r}") from exc
    days = {"D": 1, "W": 7, "M": 30, "A": 365}.get(unit)
    if days is None:
        raise InvalidRequest(f"invalid period {period!r}")
    return ny_date(now) - timedelta(days=amount * days)
