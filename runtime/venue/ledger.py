"""The venue's ledger: the one paper account's cash, positions, fills and equity marks.

This module owns :class:`Ledger`, the accounting: what a fill does to cash and the position
(:meth:`Ledger.book_fill`), what the account can still afford (:meth:`Ledger.check_funds`), what
it is worth (:meth:`Ledger.market_value`, :meth:`Ledger.mark_equity` at each session close) and
the prices it is valued at. Decisions:

* One cash account, long only, multiplier 1: buying power is cash minus what open buy orders
  have set aside; a sell may not exceed the position minus open sells (Alpaca's
  ``qty_available``); shorting is refused like on an account with shorting disabled.
* Buying power is checked at submission (Alpaca does the same) against an estimate: the limit
  price, else the stop or current price whichever is higher, plus slippage and fees. A market
  order that then fills at a gapped-up open may leave cash slightly negative; the account is not
  blocked for it.
* A position is valued at the path's price now, or its average entry price while the symbol has
  no price yet; an equity mark values it at the day's close.
* Dividends (the store's corporate actions) are credited in cash at the ex-date's open to the
  shares held before it (:meth:`Ledger.pay_dividends`), as backtests pay them.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.logging import get_logger
from runtime.venue.alpaca_json import OPEN_STATUSES, num
from runtime.venue.config import VenueConfig
from runtime.venue.errors import Forbidden, Unprocessable
from runtime.venue.market_clock import ny_date
from runtime.venue.matching import fee_for, fill_price
from runtime.venue.orders import OrderSubmission, order_terms
from runtime.venue.price_path import PriceBook
from runtime.venue.state_db import (
    VenueAccount,
    VenueEquityMark,
    VenueFill,
    VenueOrder,
    VenuePosition,
)

__all__ = ["QTY_EPSILON", "Ledger"]

QTY_EPSILON = 1e-9
# Rounding slack of the buying-power check, in dollars.
CASH_EPSILON = 1e-6

log = get_logger(__name__)


class Ledger:
    """Accounting of the one account on ``book``'s prices, with ``config``'s slippage and fees.

    Every method works inside the caller's session; none commits.
    """

    def __init__(self, book: PriceBook, config: VenueConfig) -> None:
        self.book = book
        self.config = config

    # ---- the account row -----------------------------------------------------------------

    def open_account(self, created_at: datetime) -> VenueAccount:
        """A new account holding the configured initial cash (the caller adds it)."""
        return VenueAccount(
            id=str(uuid.uuid4()),
            account_number="PA" + "".join(secrets.choice("0123456789") for _ in range(10)),
            cash=self.config.initial_cash,
            initial_cash=self.config.initial_cash,
            fees_paid=0.0,
            created_at=created_at,
        )

    @staticmethod
    def account(session: Session) -> VenueAccount:
        account = session.scalars(select(VenueAccount)).first()
        if account is None:  # pragma: no cover - created with the meta row
            raise RuntimeError("venue database has no account")
        return account

    # ---- prices --------------------------------------------------------------------------

    def price(self, symbol: str, now: datetime, fallback: float) -> float:
        """The path's price now, else ``fallback``."""
        price = self.book.price_at(symbol, now)
        return price if price is not None else fallback

    def lastday_price(self, symbol: str, now: datetime, fallback: float) -> float:
        """The close before today (New York), else ``fallback``."""
        price = self.book.previous_close(symbol, ny_date(now))
        return price if price is not None else fallback

    def reference_price(self, symbol: str, now: datetime) -> float:
        """The price an order is checked against; raises Unprocessable before the first bar."""
        price = self.book.price_at(symbol, now)
        if price is None:
            raise Unprocessable(f"no price for {symbol} yet at {now.isoformat()}")
        return price

    # ---- what is committed to open orders ------------------------------------------------

    def reserved(self, session: Session, exclude: str | None = None) -> float:
        """Cash set aside by open buys (but the order ``exclude``)."""
        query = select(func.coalesce(func.sum(VenueOrder.reserve), 0.0)).where(
            VenueOrder.status.in_(OPEN_STATUSES)
        )
        if exclude is not None:
            query = query.where(VenueOrder.id != exclude)
        return float(session.scalar(query) or 0.0)

    def held_for_sells(self, session: Session, symbol: str, exclude: str | None = None) -> float:
        """Quantity of ``symbol`` that open sells (but the order ``exclude``) will take."""
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

    def estimate_cost(self, sub: OrderSubmission, reference: float) -> float:
        """What a buy may cost at most, fees included: the cash it sets aside."""
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

    def check_funds(
        self,
        session: Session,
        sub: OrderSubmission,
        reference: float,
        exclude: str | None = None,
    ) -> float:
        """Raise Forbidden if the account cannot take the order; returns the buy reserve."""
        if sub.side == "buy":
            cost = self.estimate_cost(sub, reference)
            available = self.account(session).cash - self.reserved(session, exclude)
            if cost > available + CASH_EPSILON:
                raise Forbidden("insufficient buying power")
            return cost
        position = session.get(VenuePosition, sub.symbol)
        held = position.qty if position is not None else 0.0
        available_qty = held - self.held_for_sells(session, sub.symbol, exclude)
        wanted = sub.qty if sub.qty is not None else (sub.notional or 0.0) / reference
        if wanted > available_qty + QTY_EPSILON:
            raise Forbidden(
                f"insufficient qty available for order (requested: {num(wanted)}, "
                f"available: {num(max(available_qty, 0.0))})"
            )
        return 0.0

    def qty_available(self, session: Session, position: VenuePosition) -> float:
        """What of ``position`` is not yet promised to open sells (never below 0)."""
        return max(0.0, position.qty - self.held_for_sells(session, position.symbol))

    # ---- booking -------------------------------------------------------------------------

    def pay_dividends(self, session: Session, account: VenueAccount, day: date) -> float:
        """Credit the dividends with ex-date ``day`` to the positions held before its open;
        returns the cash paid."""
        total = 0.0
        for position in session.scalars(select(VenuePosition)).all():
            per_share = self.book.dividend(position.symbol, day)
            if not per_share:
                continue
            amount = position.qty * per_share
            account.cash += amount
            total += amount
            log.info(
                "venue dividend",
                extra={
                    "symbol": position.symbol,
                    "qty": position.qty,
                    "per_share": per_share,
                    "amount": round(amount, 6),
                    "day": day.isoformat(),
                },
            )
        return total

    def book_fill(
        self,
        session: Session,
        account: VenueAccount,
        order: VenueOrder,
        moment: datetime,
        raw_price: float,
    ) -> VenueFill:
        """Book ``order`` filled in one piece at ``raw_price`` (before slippage) at ``moment``:
        cash, position and fees; returns the fill row (added to the session). Marking the
        order filled is :func:`runtime.venue.orders.mark_filled`'s job."""
        cfg = self.config
        price = fill_price(order_terms(order), raw_price, cfg.slippage_bps)
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
        fill = VenueFill(
            id=str(uuid.uuid4()),
            order_id=order.id,
            symbol=order.symbol,
            side=order.side,
            qty=qty,
            price=price,
            fee=fee,
            time=moment,
        )
        session.add(fill)
        return fill

    # ---- value ---------------------------------------------------------------------------

    def _value(
        self, session: Session, start: float, price_of: Callable[[VenuePosition], float]
    ) -> float:
        """``start`` plus every position at ``price_of`` (added one by one, in table order)."""
        total = start
        for position in session.scalars(select(VenuePosition)).all():
            total += position.qty * price_of(position)
        return total

    def market_value(self, session: Session, now: datetime) -> float:
        """The positions at the path's price ``now`` (the long market value)."""
        return self._value(session, 0.0, lambda p: self.price(p.symbol, now, p.avg_entry_price))

    def mark_equity(
        self, session: Session, account: VenueAccount, day: date, moment: datetime
    ) -> None:
        """Record the account's equity at ``day``'s close (``moment``), positions at the close."""
        session.flush()

        def close_of(position: VenuePosition) -> float:
            close = self.book.close_on(position.symbol, day)
            return close if close is not None else position.avg_entry_price

        equity = self._value(session, account.cash, close_of)
        mark = session.get(VenueEquityMark, day)
        if mark is None:
            session.add(VenueEquityMark(day=day, time=moment, equity=equity, cash=account.cash))
        else:
            mark.time, mark.equity, mark.cash = moment, equity, account.cash
