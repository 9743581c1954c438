"""Lumibot's own Alpaca broker, given alpaca-py clients pointed at the venue (the injection
described in LUMIBOT_NOTES.md), reads the account, positions, clock and prices from it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from alpaca.trading.enums import OrderSide, OrderStatus, TimeInForce
from alpaca.trading.requests import MarketOrderRequest

from runtime.venue import VenueServer


def test_lumibot_alpaca_broker_reads_the_venue(
    venue: VenueServer,
    trading_for: Callable[[VenueServer], object],
    data_for: Callable[[VenueServer], object],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LUMIBOT_DISABLE_DOTENV", "1")
    monkeypatch.setenv("IS_BACKTESTING", "false")
    for name in ("ALPACA_API_KEY", "ALPACA_API_SECRET", "LUMIWEALTH_API_KEY", "DB_CONNECTION_STR"):
        monkeypatch.delenv(name, raising=False)
    from lumibot.brokers import Alpaca
    from lumibot.data_sources import AlpacaData
    from lumibot.entities import Asset

    trading = trading_for(venue)
    config = {"API_KEY": venue.key_id, "API_SECRET": venue.secret_key, "PAPER": True}
    data_source = AlpacaData(config, stock_client=data_for(venue))
    broker = Alpaca(
        config,
        trading_client=trading,
        data_source=data_source,
        connect_stream=False,
        start_orders_thread=False,
        polling_interval=1.0,
    )
    try:
        order = trading.submit_order(  # type: ignore[attr-defined]
            MarketOrderRequest(
                symbol="SPY", qty=4, side=OrderSide.BUY, time_in_force=TimeInForce.DAY
            )
        )
        venue.advance(seconds=120)
        assert trading.get_order_by_id(order.id).status == OrderStatus.FILLED  # type: ignore[attr-defined]

        cash, positions_value, total = broker._get_balances_at_broker(Asset("USD", "forex"), None)
        account = trading.get_account()  # type: ignore[attr-defined]
        assert cash == pytest.approx(float(account.cash))
        assert total == pytest.approx(cash + positions_value)
        assert positions_value > 0

        positions = broker._pull_positions(None)
        assert [(p.asset.symbol, float(p.quantity)) for p in positions] == [("SPY", 4.0)]
        # Lumibot asks the venue's clock for the time to the next open (9:32 -> 9:30 tomorrow).
        # (is_market_open() uses the real wall clock when a market calendar is set.)
        assert broker.get_time_to_open() == pytest.approx(24 * 3600 - 120, abs=1)
        price = broker.get_last_price(Asset("SPY"))
        assert price == pytest.approx(
            float(trading.get_open_position("SPY").current_price), abs=0.01
        )  # type: ignore[attr-defined]
    finally:
        if hasattr(data_source, "shutdown"):
            data_source.shutdown()
