"""Alpaca's JSON shapes: the venue's rows rendered the way Alpaca's Trading API v2 answers.

This module owns the wire format, checked field by field against alpaca-py 0.44's models
(``alpaca.trading.models.Order/Position/TradeAccount/Asset/Clock/Calendar/PortfolioHistory``,
``alpaca.trading.requests.CancelOrderResponse``, ``alpaca.data.models``). Conventions copied from
Alpaca: amounts and quantities are decimal strings, timestamps RFC 3339 in UTC with ``Z`` (the
clock answers in New York time with an offset, as Alpaca's does), ids are UUIDs. An asset's id
is a UUID derived from its symbol, so it is stable across restarts and venues.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Any

from runtime.venue.errors import VenueError
from runtime.venue.market_clock import NEW_YORK
from runtime.venue.state_db import VenueAccount, VenueFill, VenueOrder

__all__ = [
    "OPEN_STATUSES",
    "account_configurations_json",
    "account_json",
    "asset_id",
    "asset_json",
    "calendar_json",
    "cancel_result_json",
    "clock_json",
    "close_refused_json",
    "close_result_json",
    "fill_activity_json",
    "money",
    "num",
    "order_json",
    "portfolio_history_json",
    "position_json",
    "ts",
]

OPEN_STATUSES = frozenset(
    {
        "new",
        "accepted",
        "pending_new",
        "partially_filled",
        "accepted_for_bidding",
        "pending_cancel",
        "pending_replace",
        "held",
    }
)
_ASSET_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://stratforge.local/venue/assets")


def asset_id(symbol: str) -> str:
    return str(uuid.uuid5(_ASSET_NAMESPACE, symbol))


def ts(moment: datetime | None) -> str | None:
    """RFC 3339 UTC with microseconds and ``Z``, as Alpaca writes order timestamps."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def ny_ts(moment: datetime) -> str:
    return moment.astimezone(NEW_YORK).isoformat()


def num(value: float | None, decimals: int = 9) -> str | None:
    """A decimal string without float noise or trailing zeros (``"10"``, ``"101.25"``)."""
    if value is None:
        return None
    text = f"{round(float(value), decimals):.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def money(value: float) -> str:
    return num(value, 2) or "0"


def asset_json(symbol: str, tradable: bool = True) -> dict[str, Any]:
    return {
        "id": asset_id(symbol),
        "class": "us_equity",
        "exchange": "ARCA",
        "symbol": symbol,
        "name": f"{symbol} (stratforge local venue)",
        "status": "active",
        "tradable": tradable,
        "marginable": False,
        "shortable": False,
        "easy_to_borrow": False,
        "fractionable": True,
        "maintenance_margin_requirement": 100,
        "attributes": [],
    }


def order_json(order: VenueOrder) -> dict[str, Any]:
    intent = "buy_to_open" if order.side == "buy" else "sell_to_close"
    return {
        "id": order.id,
        "client_order_id": order.client_order_id,
        "created_at": ts(order.created_at),
        "updated_at": ts(order.updated_at),
        "submitted_at": ts(order.submitted_at),
        "filled_at": ts(order.filled_at),
        "expired_at": ts(order.expired_at),
        "expires_at": ts(order.expires_at),
        "canceled_at": ts(order.canceled_at),
        "failed_at": None,
        "replaced_at": ts(order.replaced_at),
        "replaced_by": order.replaced_by,
        "replaces": order.replaces,
        "asset_id": asset_id(order.symbol),
        "symbol": order.symbol,
        "asset_class": "us_equity",
        "notional": num(order.notional),
        "qty": num(order.qty),
        "filled_qty": num(order.filled_qty) or "0",
        "filled_avg_price": num(order.filled_avg_price),
        "order_class": "simple",
        "order_type": order.type,
        "type": order.type,
        "side": order.side,
        "position_intent": intent,
        "time_in_force": order.time_in_force,
        "limit_price": num(order.limit_price),
        "stop_price": num(order.stop_price),
        "status": order.status,
        "extended_hours": bool(order.extended_hours),
        "legs": None,
        "trail_percent": None,
        "trail_price": None,
        "hwm": None,
    }


def position_json(
    symbol: str,
    qty: float,
    avg_entry_price: float,
    current_price: float,
    lastday_price: float,
    qty_available: float,
) -> dict[str, Any]:
    market_value = qty * current_price
    cost_basis = qty * avg_entry_price
    unrealized = market_value - cost_basis
    intraday = qty * (current_price - lastday_price)
    lastday_value = qty * lastday_price
    return {
        "asset_id": asset_id(symbol),
        "symbol": symbol,
        "exchange": "ARCA",
        "asset_class": "us_equity",
        "asset_marginable": False,
        "avg_entry_price": num(avg_entry_price, 4),
        "qty": num(qty),
        "side": "long" if qty >= 0 else "short",
        "market_value": money(market_value),
        "cost_basis": money(cost_basis),
        "unrealized_pl": money(unrealized),
        "unrealized_plpc": num(unrealized / cost_basis if cost_basis else 0.0, 6),
        "unrealized_intraday_pl": money(intraday),
        "unrealized_intraday_plpc": num(intraday / lastday_value if lastday_value else 0.0, 6),
        "current_price": num(current_price, 4),
        "lastday_price": num(lastday_price, 4),
        "change_today": num(current_price / lastday_price - 1.0 if lastday_price else 0.0, 6),
        "qty_available": num(qty_available),
    }


def clock_json(now: datetime, is_open: bool, next_open: datetime, next_close: datetime) -> dict:
    return {
        "timestamp": ny_ts(now),
        "is_open": is_open,
        "next_open": ny_ts(next_open),
        "next_close": ny_ts(next_close),
    }


def calendar_json(day: date, open_at: datetime, close_at: datetime) -> dict[str, str]:
    return {
        "date": day.isoformat(),
        "open": open_at.astimezone(NEW_YORK).strftime("%H:%M"),
        "close": close_at.astimezone(NEW_YORK).strftime("%H:%M"),
        "session_open": "0400",
        "session_close": "2000",
        "settlement_date": day.isoformat(),
    }


def fill_activity_json(fill: VenueFill, account_id: str, order: VenueOrder) -> dict[str, Any]:
    stamp = fill.time.astimezone(UTC)
    return {
        "id": f"{stamp.strftime('%Y%m%d%H%M%S')}{stamp.microsecond // 1000:03d}::{fill.id}",
        "account_id": account_id,
        "activity_type": "FILL",
        "transaction_time": ts(fill.time),
        "type": "fill",
        "price": num(fill.price, 4),
        "qty": num(fill.qty),
        "side": fill.side,
        "symbol": fill.symbol,
        "leaves_qty": "0",
        "order_id": fill.order_id,
        "cum_qty": num(fill.qty),
        "order_status": order.status,
    }


def account_json(
    account: VenueAccount,
    equity: float,
    last_equity: float,
    long_value: float,
    buying_power: float,
) -> dict[str, Any]:
    """``GET /v2/account``: a cash account (multiplier 1, no shorting, no day trading)."""
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
        "created_at": ts(account.created_at),
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


def account_configurations_json() -> dict[str, Any]:
    """``GET /v2/account/configurations``: fixed, the venue has no settings to change."""
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


def portfolio_history_json(
    points: list[tuple[date, float]], base: float, timeframe: str | None
) -> dict[str, Any]:
    """``GET /v2/account/portfolio/history`` from (day, equity) points; each point is stamped
    New York midnight of its day."""
    stamps = [int(datetime.combine(d, time(0, 0), tzinfo=NEW_YORK).timestamp()) for d, _ in points]
    equity_values = [round(e, 2) for _, e in points]
    return {
        "timestamp": stamps,
        "equity": equity_values,
        "profit_loss": [round(e - base, 2) for e in equity_values],
        "profit_loss_pct": [round((e - base) / base, 6) if base else 0.0 for e in equity_values],
        "base_value": round(base, 2),
        "timeframe": timeframe or "1D",
        "cashflow": {},
    }


def cancel_result_json(order: VenueOrder) -> dict[str, Any]:
    """One entry of ``DELETE /v2/orders``' multi-status answer."""
    return {"id": order.id, "status": 200, "body": order_json(order)}


def close_result_json(symbol: str, order: VenueOrder) -> dict[str, Any]:
    """One entry of ``DELETE /v2/positions``: the order that closes ``symbol``."""
    return {"symbol": symbol, "status": 200, "order_id": order.id, "body": order_json(order)}


def close_refused_json(symbol: str, error: VenueError) -> dict[str, Any]:
    """One entry of ``DELETE /v2/positions``: why ``symbol`` could not be closed."""
    return {"symbol": symbol, "status": error.status, "body": {**error.body(), "symbol": symbol}}
