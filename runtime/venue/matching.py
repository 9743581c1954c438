"""Fill rules of the venue: when and at what price an open order fills.

This module owns the pure part of matching (no database): given an order's terms and a window
of simulated time, :func:`find_fill` says whether and when it fills and at which raw price, and
:func:`fill_price` / :func:`fee_for` apply slippage and fees. The matching engine
(:mod:`runtime.venue.matching_engine`) decides which windows to look at and books the result.

Rules (prices come from the intraday path of :mod:`runtime.venue.price_path`; only regular
sessions of days with a bar count):

* market: fills at the first price of the window, i.e. the price at submission while the market
  is open, else the next session's open (where the symbol has a bar). Slippage applies.
* limit: fills the first time the price is at or better than the limit; the fill price is the
  limit, or the better price when the window starts (or the session gaps open) through it.
  No slippage: a limit is a promise about the price.
* stop: triggers the first time the price reaches the stop (at/above for a buy, at/below for a
  sell) and fills then at that price, which is the stop or worse on a gap. Slippage applies.
* stop_limit: the stop triggers as above; from then on it is a limit order.
* An order fills in one piece (no partial fills: daily bars carry no depth) and only strictly
  after the moment it was submitted, so the answer to ``POST /v2/orders`` is never ``filled``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from runtime.venue.price_path import PriceBook, Touch, TouchRule

__all__ = ["FillFinding", "OrderTerms", "fee_for", "fill_price", "find_fill"]

PRICE_DECIMALS = 4


@dataclass(frozen=True)
class OrderTerms:
    symbol: str
    side: str  # "buy" | "sell"
    type: str  # "market" | "limit" | "stop" | "stop_limit"
    limit_price: float | None = None
    stop_price: float | None = None
    triggered_at: datetime | None = None


@dataclass(frozen=True)
class FillFinding:
    """``touch`` is the raw fill (None: no fill in the window); ``triggered_at`` is set when a
    stop-limit's stop was hit in the window."""

    touch: Touch | None
    triggered_at: datetime | None = None


def _limit_rule(side: str) -> TouchRule:
    return TouchRule.AT_OR_BELOW if side == "buy" else TouchRule.AT_OR_ABOVE


def _stop_rule(side: str) -> TouchRule:
    return TouchRule.AT_OR_ABOVE if side == "buy" else TouchRule.AT_OR_BELOW


def find_fill(book: PriceBook, terms: OrderTerms, start: datetime, end: datetime) -> FillFinding:
    """Whether the order fills within ``[start, end]``, and when and at what raw price."""
    if terms.type == "market":
        return FillFinding(book.first_touch(terms.symbol, start, end, TouchRule.ANY))
    if terms.type == "limit":
        assert terms.limit_price is not None
        rule = _limit_rule(terms.side)
        return FillFinding(book.first_touch(terms.symbol, start, end, rule, terms.limit_price))
    if terms.type == "stop":
        assert terms.stop_price is not None
        rule = _stop_rule(terms.side)
        return FillFinding(book.first_touch(terms.symbol, start, end, rule, terms.stop_price))
    if terms.type == "stop_limit":
        assert terms.stop_price is not None and terms.limit_price is not None
        triggered = terms.triggered_at
        new_trigger: datetime | None = None
        if triggered is None:
            hit = book.first_touch(
                terms.symbol, start, end, _stop_rule(terms.side), terms.stop_price
            )
            if hit is None:
                return FillFinding(None)
            triggered = new_trigger = hit.time
        touch = book.first_touch(
            terms.symbol, max(start, triggered), end, _limit_rule(terms.side), terms.limit_price
        )
        return FillFinding(touch, new_trigger)
    raise ValueError(f"unsupported order type {terms.type!r}")


def fill_price(terms: OrderTerms, raw: float, slippage_bps: float) -> float:
    """The booked price: slippage against the trader for market and stop orders only."""
    if terms.type in ("market", "stop"):
        factor = 1.0 + slippage_bps / 10_000.0 if terms.side == "buy" else 1.0 - slippage_bps / 1e4
        raw *= factor
    return round(raw, PRICE_DECIMALS)


def fee_for(qty: float, price: float, fee_per_share: float, fee_bps: float) -> float:
    """Commission of one fill, in dollars rounded to the cent."""
    return round(abs(qty) * fee_per_share + abs(qty) * price * fee_bps / 10_000.0, 2)
