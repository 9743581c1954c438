"""The venue's Trading API through alpaca-py's real TradingClient: orders, fills, positions,
cash, errors, and state surviving a restart."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from alpaca.common.exceptions import APIError
from alpaca.data.historical import StockHistoricalDataClient
from alpaca.data.requests import StockLatestTradeRequest
from alpaca.trading.client import TradingClient
from alpaca.trading.enums import OrderSide, OrderStatus, QueryOrderStatus, TimeInForce
from alpaca.trading.models import TradeActivity
from alpaca.trading.requests import (
    GetCalendarRequest,
    GetOrdersRequest,
    LimitOrderRequest,
    MarketOrderRequest,
    ReplaceOrderRequest,
    StopLimitOrderRequest,
    StopOrderRequest,
)

from runtime.venue import VenueServer

NY = ZoneInfo("America/New_York")
NEXT_DAY = date(2024, 6, 4)  # the trading day after the venue's first day


def _bar(sample_bars: Callable[[str], pd.DataFrame], symbol: str, day: date) -> pd.Series:
    return sample_bars(symbol).loc[pd.Timestamp(day)]


def _last_price(data: StockHistoricalDataClient, symbol: str) -> float:
    trade = data.get_stock_latest_trade(StockLatestTradeRequest(symbol_or_symbols=symbol))
    return float(trade[symbol].price)


def _buy(symbol: str, qty: float, **extra: Any) -> MarketOrderRequest:
    return MarketOrderRequest(
        symbol=symbol, qty=qty, side=OrderSide.BUY, time_in_force=TimeInForce.DAY, **extra
    )


def test_account_clock_assets_and_calendar_parse(trading: TradingClient) -> None:
    account = trading.get_account()
    assert account.status.value == "ACTIVE"
    assert account.currency == "USD"
    assert float(account.cash) == float(account.buying_power) == 100_000.0
    assert float(account.equity) == float(account.portfolio_value) == 100_000.0

    clock = trading.get_clock()
    assert clock.is_open
    assert clock.timestamp == datetime(2024, 6, 3, 9, 30, tzinfo=NY)
    assert clock.next_close == datetime(2024, 6, 3, 16, 0, tzinfo=NY)
    assert clock.next_open == datetime(2024, 6, 4, 9, 30, tzinfo=NY)

    symbols = {asset.symbol for asset in trading.get_all_assets()}
    assert symbols == {"SPY", "QQQ", "IWM", "EFA", "TLT", "AGG", "GLD", "BIL"}
    spy = trading.get_asset("SPY")
    assert spy.tradable and spy.symbol == "SPY"
    assert trading.get_asset(spy.id).symbol == "SPY"
    with pytest.raises(APIError) as missing:
        trading.get_asset("NOPE")
    assert missing.value.status_code == 404

    days = trading.get_calendar(GetCalendarRequest(start=date(2024, 6, 1), end=date(2024, 6, 30)))
    assert days[0].date == date(2024, 6, 3)
    assert days[0].open == datetime(2024, 6, 3, 9, 30)
    assert date(2024, 6, 19) not in {d.date for d in days}  # Juneteenth


def test_market_order_accepted_then_filled_with_slippage_and_fee(
    start_venue: Callable[..., VenueServer],
    trading_for: Callable[[VenueServer], TradingClient],
    data_for: Callable[[VenueServer], StockHistoricalDataClient],
) -> None:
    venue = start_venue(slippage_bps=10.0, fee_per_share=0.01)
    trading, data = trading_for(venue), data_for(venue)
    venue.advance(seconds=1800)
    price = _last_price(data, "SPY")

    order = trading.submit_order(_buy("SPY", 10, client_order_id="dep-1"))
    assert order.status in (OrderStatus.NEW, OrderStatus.ACCEPTED)
    assert order.filled_at is None
    # The clock is frozen: nothing may happen until simulated time passes.
    assert trading.get_order_by_id(order.id).status == OrderStatus.NEW

    venue.advance(seconds=60)
    filled = trading.get_order_by_id(order.id)
    assert filled.status == OrderStatus.FILLED
    expected = price * 1.001
    assert float(filled.filled_avg_price) == pytest.approx(expected, abs=1e-3)
    assert float(filled.filled_qty) == 10

    position = trading.get_open_position("SPY")
    assert float(position.qty) == 10
    assert float(position.avg_entry_price) == pytest.approx(expected, abs=1e-3)
    account = trading.get_account()
    fill = float(filled.filled_avg_price)
    assert float(account.cash) == pytest.approx(100_000 - 10 * fill - 0.10, abs=0.01)
    assert float(account.accrued_fees) == pytest.approx(0.10)
    assert float(account.long_market_value) == pytest.approx(float(position.market_value))


def test_order_while_closed_fills_at_next_open(
    start_venue: Callable[..., VenueServer],
    trading_for: Callable[[VenueServer], TradingClient],
    sample_bars: Callable[[str], pd.DataFrame],
) -> None:
    venue = start_venue(slippage_bps=5.0)
    trading = trading_for(venue)
    venue.advance(until="next_close")
    assert not trading.get_clock().is_open
    order = trading.submit_order(_buy("QQQ", 3))
    venue.advance(seconds=3600)  # still night
    assert trading.get_order_by_id(order.id).status == OrderStatus.NEW
    venue.advance(until="next_open")
    filled = trading.get_order_by_id(order.id)
    assert filled.status == OrderStatus.FILLED
    open_price = float(_bar(sample_bars, "QQQ", NEXT_DAY)["open"])
    assert float(filled.filled_avg_price) == pytest.approx(open_price * 1.0005, abs=1e-4)
    assert filled.filled_at == datetime(2024, 6, 4, 9, 30, tzinfo=NY)


def test_limit_order_fills_only_when_price_crosses(
    venue: VenueServer, trading: TradingClient, sample_bars: Callable[[str], pd.DataFrame]
) -> None:
    bar = _bar(sample_bars, "SPY", NEXT_DAY)
    assert bar["low"] < bar["open"] - 1
    level = round((bar["open"] + bar["low"]) / 2, 2)
    venue.advance(until="next_close")  # submit overnight, judged on NEXT_DAY's path

    def limit(price: float, tif: TimeInForce) -> Any:
        return trading.submit_order(
            LimitOrderRequest(
                symbol="SPY", qty=5, side=OrderSide.BUY, time_in_force=tif, limit_price=price
            )
        )

    crossing = limit(level, TimeInForce.GTC)
    never_gtc = limit(round(bar["low"] - 1, 2), TimeInForce.GTC)
    never_day = limit(round(bar["low"] - 1, 2), TimeInForce.DAY)

    venue.advance(until="next_open")  # price is the open, above the limit
    assert trading.get_order_by_id(crossing.id).status == OrderStatus.NEW

    venue.advance(until="next_close")
    filled = trading.get_order_by_id(crossing.id)
    assert filled.status == OrderStatus.FILLED
    assert float(filled.filled_avg_price) == pytest.approx(level)  # the limit, no slippage
    assert datetime(2024, 6, 4, 9, 30, tzinfo=NY) < filled.filled_at
    assert filled.filled_at < datetime(2024, 6, 4, 16, 0, tzinfo=NY)
    assert trading.get_order_by_id(never_gtc.id).status == OrderStatus.NEW
    expired = trading.get_order_by_id(never_day.id)
    assert expired.status == OrderStatus.EXPIRED
    assert expired.expired_at == datetime(2024, 6, 4, 16, 0, tzinfo=NY)

    assert float(trading.get_open_position("SPY").qty) == 5
    assert float(trading.get_account().cash) == pytest.approx(100_000 - 5 * level, abs=0.01)


def test_stop_orders_trigger_at_the_stop(
    start_venue: Callable[..., VenueServer],
    trading_for: Callable[[VenueServer], TradingClient],
    sample_bars: Callable[[str], pd.DataFrame],
) -> None:
    venue = start_venue(slippage_bps=10.0)
    trading = trading_for(venue)
    bar = _bar(sample_bars, "SPY", NEXT_DAY)
    assert bar["high"] > bar["open"] + 0.2
    stop = round((bar["open"] + bar["high"]) / 2, 2)
    venue.advance(until="next_close")
    triggered = trading.submit_order(
        StopOrderRequest(
            symbol="SPY", qty=2, side=OrderSide.BUY, time_in_force=TimeInForce.DAY, stop_price=stop
        )
    )
    untouched = trading.submit_order(
        StopOrderRequest(
            symbol="SPY",
            qty=2,
            side=OrderSide.BUY,
            time_in_force=TimeInForce.GTC,
            stop_price=round(bar["high"] + 1, 2),
        )
    )
    stop_limit = trading.submit_order(
        StopLimitOrderRequest(
            symbol="SPY",
            qty=1,
            side=OrderSide.BUY,
            time_in_force=TimeInForce.DAY,
            stop_price=stop,
            limit_price=round(bar["low"] + 0.5, 2),
        )
    )
    venue.advance(until="next_close")
    filled = trading.get_order_by_id(triggered.id)
    assert filled.status == OrderStatus.FILLED
    assert float(filled.filled_avg_price) == pytest.approx(stop * 1.001, abs=1e-4)
    assert trading.get_order_by_id(untouched.id).status == OrderStatus.NEW
    # Triggered on the way up to the high, then the path came down through its limit.
    sl = trading.get_order_by_id(stop_limit.id)
    assert sl.status == OrderStatus.FILLED
    assert float(sl.filled_avg_price) == pytest.approx(round(bar["low"] + 0.5, 2))


def test_cancel_and_replace(venue: VenueServer, trading: TradingClient) -> None:
    def low_limit(price: float) -> Any:
        return trading.submit_order(
            LimitOrderRequest(
                symbol="TLT",
                qty=4,
                side=OrderSide.BUY,
                time_in_force=TimeInForce.GTC,
                limit_price=price,
            )
        )

    first = low_limit(10.0)
    trading.cancel_order_by_id(first.id)
    canceled = trading.get_order_by_id(first.id)
    assert canceled.status == OrderStatus.CANCELED
    assert canceled.canceled_at is not None
    with pytest.raises(APIError) as again:
        trading.cancel_order_by_id(first.id)
    assert again.value.status_code == 422

    second = low_limit(11.0)
    replacement = trading.replace_order_by_id(
        second.id, ReplaceOrderRequest(qty=6, limit_price=12.5, client_order_id="repl-1")
    )
    assert replacement.id != second.id
    assert str(replacement.replaces) == str(second.id)
    assert float(replacement.qty) == 6 and float(replacement.limit_price) == 12.5
    old = trading.get_order_by_id(second.id)
    assert old.status == OrderStatus.REPLACED
    assert str(old.replaced_by) == str(replacement.id)

    open_ids = {o.id for o in trading.get_orders(GetOrdersRequest(status=QueryOrderStatus.OPEN))}
    assert open_ids == {replacement.id}
    closed = trading.get_orders(GetOrdersRequest(status=QueryOrderStatus.CLOSED))
    assert {o.id for o in closed} == {first.id, second.id}

    third = low_limit(9.0)
    results = trading.cancel_orders()
    assert {r.id for r in results} == {replacement.id, third.id}
    assert all(r.status == 200 for r in results)
    assert trading.get_orders() == []


def test_duplicate_client_order_id_refused_and_lookup_by_it(
    venue: VenueServer, trading: TradingClient
) -> None:
    first = trading.submit_order(_buy("GLD", 1, client_order_id="dep7-1"))
    with pytest.raises(APIError) as dup:
        trading.submit_order(_buy("GLD", 2, client_order_id="dep7-1"))
    assert dup.value.status_code == 422
    assert "client_order_id" in dup.value.message
    found = trading.get_order_by_client_id("dep7-1")
    assert found.id == first.id and float(found.qty) == 1
    with pytest.raises(APIError) as missing:
        trading.get_order_by_client_id("nope")
    assert missing.value.status_code == 404


def test_wrong_keys_are_refused(venue: VenueServer) -> None:
    for key, secret in ((venue.key_id, "wrong"), ("PKWRONG", venue.secret_key)):
        client = TradingClient(key, secret, paper=True, url_override=venue.base_url)
        with pytest.raises(APIError) as refused:
            client.get_account()
        assert refused.value.status_code in (401, 403)
        assert refused.value.code == 40110000
    data = StockHistoricalDataClient(venue.key_id, "wrong", url_override=venue.base_url)
    with pytest.raises(APIError) as refused_data:
        data.get_stock_latest_trade(StockLatestTradeRequest(symbol_or_symbols="SPY"))
    assert refused_data.value.status_code in (401, 403)


def test_buying_power_and_quantity_checks(venue: VenueServer, trading: TradingClient) -> None:
    with pytest.raises(APIError) as too_big:
        trading.submit_order(_buy("SPY", 100_000))
    assert too_big.value.status_code == 403
    assert "buying power" in too_big.value.message
    with pytest.raises(APIError) as naked_sell:
        trading.submit_order(
            MarketOrderRequest(
                symbol="SPY", qty=1, side=OrderSide.SELL, time_in_force=TimeInForce.DAY
            )
        )
    assert naked_sell.value.status_code == 403
    with pytest.raises(APIError) as unknown:
        trading.submit_order(_buy("NOPE", 1))
    assert unknown.value.status_code == 422


def test_notional_order_and_closing_positions(venue: VenueServer, trading: TradingClient) -> None:
    notional = trading.submit_order(
        MarketOrderRequest(
            symbol="IWM", notional=1000, side=OrderSide.BUY, time_in_force=TimeInForce.DAY
        )
    )
    trading.submit_order(_buy("AGG", 7))
    venue.advance(seconds=60)
    filled = trading.get_order_by_id(notional.id)
    assert filled.status == OrderStatus.FILLED
    assert float(filled.filled_qty) * float(filled.filled_avg_price) == pytest.approx(1000)
    assert {p.symbol for p in trading.get_all_positions()} == {"AGG", "IWM"}

    half = trading.close_position("AGG", close_options=None)
    assert half.side == OrderSide.SELL and float(half.qty) == 7
    results = trading.close_all_positions(cancel_orders=True)
    assert {r.symbol for r in results} == {"AGG", "IWM"}
    venue.advance(seconds=60)
    assert trading.get_all_positions() == []
    account = trading.get_account()
    assert float(account.equity) == pytest.approx(float(account.cash))
    assert float(account.cash) == pytest.approx(100_000, abs=5)


def test_restart_keeps_orders_positions_cash_and_clock(
    start_venue: Callable[..., VenueServer],
    trading_for: Callable[[VenueServer], TradingClient],
    venue_root: Any,
) -> None:
    first = start_venue(fee_per_share=0.005)
    trading = trading_for(first)
    bought = trading.submit_order(_buy("EFA", 20, client_order_id="keep-1"))
    resting = trading.submit_order(
        LimitOrderRequest(
            symbol="EFA",
            qty=1,
            side=OrderSide.BUY,
            time_in_force=TimeInForce.GTC,
            limit_price=1.0,
            client_order_id="keep-2",
        )
    )
    first.advance(seconds=120)
    before_account = trading.get_account()
    before_clock = trading.get_clock()
    before_position = trading.get_open_position("EFA")
    keys = (first.key_id, first.secret_key)
    first.stop()

    assert (venue_root / "credentials.json").stat().st_mode & 0o777 == 0o600
    second = start_venue(start=date(2020, 1, 2))  # state exists: the start is ignored
    assert (second.key_id, second.secret_key) == keys
    trading2 = trading_for(second)
    account = trading2.get_account()
    assert account.id == before_account.id
    assert account.cash == before_account.cash
    assert trading2.get_clock().timestamp >= before_clock.timestamp
    position = trading2.get_open_position("EFA")
    assert position.qty == before_position.qty
    assert position.avg_entry_price == before_position.avg_entry_price
    assert trading2.get_order_by_id(bought.id).status == OrderStatus.FILLED
    assert trading2.get_order_by_client_id("keep-2").id == resting.id
    assert trading2.get_order_by_client_id("keep-2").status == OrderStatus.NEW
    with pytest.raises(APIError):
        trading2.submit_order(_buy("EFA", 1, client_order_id="keep-1"))


def test_portfolio_history_and_activities(venue: VenueServer, trading: TradingClient) -> None:
    trading.submit_order(_buy("SPY", 10))
    venue.advance(seconds=60)
    venue.advance(until="next_close")
    venue.advance(until="next_close")
    history = trading.get_portfolio_history()
    assert len(history.equity) >= 2
    assert history.base_value == 100_000
    activities = trading.get("/account/activities", {"activity_types": "FILL"})
    assert isinstance(activities, list) and len(activities) == 1
    activity = TradeActivity(**activities[0])
    assert activity.symbol == "SPY" and activity.qty == 10


def test_running_clock_fills_without_manual_advance(
    start_venue: Callable[..., VenueServer],
    trading_for: Callable[[VenueServer], TradingClient],
) -> None:
    venue = start_venue(speed=600.0)  # ten simulated minutes per real second
    trading = trading_for(venue)
    start = trading.get_clock().timestamp
    order = trading.submit_order(_buy("BIL", 10))
    deadline = time.monotonic() + 20
    while trading.get_order_by_id(order.id).status != OrderStatus.FILLED:
        assert time.monotonic() < deadline, "order never filled on a running clock"
    assert trading.get_clock().timestamp > start
