"""Orders of the venue: what an order may ask for, and how it moves through its life.

This module owns the order side of the book:

* :class:`OrderSubmission` and :class:`OrderChanges`, requests as the routes parsed them, and
  :func:`validate`, the refusals that need no account state (Alpaca's 422s);
* the lifecycle of a :class:`~runtime.venue.state_db.VenueOrder` row: created ``new``
  (:func:`new_order`), then ``filled`` (:func:`mark_filled`), ``canceled`` (:func:`cancel`),
  ``expired`` (:func:`expire`) or ``replaced`` (:func:`mark_replaced`); each transition stamps
  its time and releases the cash an open buy had set aside;
* looking orders up: by id, by client order id, listings (:func:`listing`).

Whether the account can afford an order is the ledger's question
(:mod:`runtime.venue.ledger`); when an order fills is matching's (:mod:`runtime.venue.matching`,
:mod:`runtime.venue.matching_engine`). Decisions:

* market, limit, stop, stop_limit; time in force day or gtc; simple order class only; no
  extended hours. ``POST`` answers ``new``; a later read shows ``filled``.
* A day order expires at the close of the session it was submitted in, or of the next one if
  submitted while the market is closed.
* Replacing an order creates a new order that ``replaces`` it, and the old one becomes
  ``replaced`` (Alpaca's behaviour).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from core.logging import get_logger
from runtime.venue.alpaca_json import OPEN_STATUSES
from runtime.venue.errors import InvalidRequest, NotFound, Unprocessable
from runtime.venue.market_clock import TradingCalendar
from runtime.venue.matching import OrderTerms
from runtime.venue.state_db import VenueFill, VenueOrder, VenuePosition

__all__ = [
    "MAX_CLIENT_ORDER_ID",
    "ORDER_TYPES",
    "TIME_IN_FORCE",
    "OrderChanges",
    "OrderSubmission",
    "cancel",
    "client_id_taken",
    "closing_submission",
    "ensure_replaceable",
    "expire",
    "expiry",
    "find_by_client_id",
    "find_order",
    "listing",
    "mark_filled",
    "mark_replaced",
    "new_order",
    "open_orders",
    "order_terms",
    "replacement",
    "validate",
    "with_symbol",
]

log = get_logger(__name__)

ORDER_TYPES = ("market", "limit", "stop", "stop_limit")
TIME_IN_FORCE = ("day", "gtc")
MAX_CLIENT_ORDER_ID = 128
MAX_LISTING = 500


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


# ---- requests --------------------------------------------------------------------------------


def validate(sub: OrderSubmission) -> None:
    """Raise InvalidRequest for an order the venue does not take, whatever the account holds."""
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


def with_symbol(sub: OrderSubmission, symbol: str) -> OrderSubmission:
    """``sub`` for the symbol as the venue spells it."""
    return replace(sub, symbol=symbol)


def replacement(old: VenueOrder, changes: OrderChanges) -> OrderSubmission:
    """The submission that replaces ``old``: its terms with ``changes`` applied."""
    if changes.qty is not None and old.notional is not None:
        raise InvalidRequest("qty cannot replace a notional order's amount")
    return OrderSubmission(
        symbol=old.symbol,
        side=old.side,
        type=old.type,
        time_in_force=changes.time_in_force or old.time_in_force,
        qty=changes.qty if changes.qty is not None else old.qty,
        notional=old.notional,
        limit_price=changes.limit_price if changes.limit_price is not None else old.limit_price,
        stop_price=changes.stop_price if changes.stop_price is not None else old.stop_price,
        client_order_id=changes.client_order_id,
    )


def closing_submission(
    position: VenuePosition, qty: float | None = None, percentage: float | None = None
) -> OrderSubmission:
    """The market sell that closes ``position``: all of it, ``qty`` or ``percentage`` of it."""
    if qty is not None and percentage is not None:
        raise InvalidRequest("give qty or percentage, not both")
    amount = position.qty
    if qty is not None:
        amount = qty
    elif percentage is not None:
        if not 0 < percentage <= 100:
            raise InvalidRequest("percentage must be in (0, 100]")
        amount = round(position.qty * percentage / 100.0, 9)
    return OrderSubmission(
        symbol=position.symbol, side="sell", type="market", time_in_force="day", qty=amount
    )


def order_terms(order: VenueOrder) -> OrderTerms:
    """What matching needs to know of an order."""
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


# ---- lookups ---------------------------------------------------------------------------------


def open_orders() -> Select[VenueOrder]:
    """Every open order (add ``order_by`` where the order matters)."""
    return select(VenueOrder).where(VenueOrder.status.in_(OPEN_STATUSES))


def find_order(session: Session, order_id: str) -> VenueOrder:
    """The order with this id; raises NotFound (also for an id that is not a UUID)."""
    order = None
    if _is_uuid(order_id):
        order = session.scalar(select(VenueOrder).where(VenueOrder.id == order_id.lower()))
    if order is None:
        raise NotFound("order not found")
    return order


def _by_client_id(account_id: str, client_order_id: str) -> Select[VenueOrder]:
    return select(VenueOrder).where(
        VenueOrder.account_id == account_id,
        VenueOrder.client_order_id == client_order_id,
    )


def find_by_client_id(session: Session, account_id: str, client_order_id: str) -> VenueOrder:
    """The account's order with this client order id; raises NotFound."""
    order = session.scalar(_by_client_id(account_id, client_order_id))
    if order is None:
        raise NotFound("order not found")
    return order


def client_id_taken(session: Session, account_id: str, client_order_id: str) -> bool:
    existing = session.scalar(
        _by_client_id(account_id, client_order_id).with_only_columns(VenueOrder.id)
    )
    return existing is not None


def listing(
    status: str = "open",
    limit: int = 50,
    after: datetime | None = None,
    until: datetime | None = None,
    direction: str = "desc",
    symbols: list[str] | None = None,
    side: str | None = None,
) -> Select[VenueOrder]:
    """``GET /v2/orders``' query; raises InvalidRequest for an unknown status or direction."""
    if status not in ("open", "closed", "all"):
        raise InvalidRequest("status must be open, closed or all")
    if direction not in ("asc", "desc"):
        raise InvalidRequest("direction must be asc or desc")
    limit = max(1, min(int(limit), MAX_LISTING))
    query = open_orders() if status == "open" else select(VenueOrder)
    if status == "closed":
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
    return query.order_by(order_by).limit(limit)


# ---- lifecycle -------------------------------------------------------------------------------


def expiry(calendar: TradingCalendar, time_in_force: str, now: datetime) -> datetime | None:
    """When an order submitted ``now`` expires: a day order at its session's close."""
    if time_in_force != "day":
        return None
    return calendar.current_or_next_session(now).close


def new_order(
    session: Session,
    account_id: str,
    sub: OrderSubmission,
    now: datetime,
    reserve: float,
    expires_at: datetime | None,
) -> VenueOrder:
    """Add a ``new`` order for ``sub`` (``reserve``: the cash an open buy sets aside)."""
    order = VenueOrder(
        id=str(uuid.uuid4()),
        account_id=account_id,
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
        expires_at=expires_at,
    )
    session.add(order)
    session.flush()
    return order


def _close_out(order: VenueOrder, status: str, moment: datetime) -> None:
    """The part of every transition out of ``new``: status, time, no more cash set aside."""
    order.status = status
    order.updated_at = moment
    order.reserve = 0.0


def mark_filled(order: VenueOrder, fill: VenueFill) -> None:
    """``order`` filled in one piece by ``fill``."""
    _close_out(order, "filled", fill.time)
    order.filled_qty = fill.qty
    order.filled_avg_price = fill.price
    order.filled_at = fill.time
    order.checked_until = fill.time


def expire(order: VenueOrder, moment: datetime) -> None:
    _close_out(order, "expired", moment)
    order.expired_at = moment
    log.info("venue order expired", extra={"order": order.id})


def cancel(order: VenueOrder, now: datetime) -> None:
    """Cancel an open order; raises Unprocessable for one that is no longer open."""
    if order.status not in OPEN_STATUSES:
        raise Unprocessable(f"order is not cancelable (status {order.status})")
    _close_out(order, "canceled", now)
    order.canceled_at = now
    log.info("venue order canceled", extra={"order": order.id})


def ensure_replaceable(order: VenueOrder) -> None:
    """Raise Unprocessable for an order that is no longer open."""
    if order.status not in OPEN_STATUSES:
        raise Unprocessable(f"order is not replaceable (status {order.status})")


def mark_replaced(old: VenueOrder, new: VenueOrder, now: datetime) -> None:
    """``new`` replaces ``old``."""
    new.replaces = old.id
    _close_out(old, "replaced", now)
    old.replaced_at = now
    old.replaced_by = new.id
    log.info("venue order replaced", extra={"order": old.id, "by": new.id})
