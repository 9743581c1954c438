"""The venue pays the store's dividends as backtests do: cash at the ex-date's open for the
shares held before it; shares bought on the ex-date earn nothing that day. Real TLT bars."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from alpaca.trading.client import TradingClient
from alpaca.trading.enums import OrderSide, TimeInForce
from alpaca.trading.requests import MarketOrderRequest

from runtime.market_data import MarketDataStore
from runtime.venue import VenueConfig, VenueServer

EX_DATE = date(2024, 6, 3)  # TLT's June 2024 ex-date


def _buy(trading: TradingClient, qty: int) -> None:
    trading.submit_order(
        MarketOrderRequest(symbol="TLT", qty=qty, side=OrderSide.BUY, time_in_force=TimeInForce.DAY)
    )


def test_dividends_are_paid_at_the_ex_dates_open_to_the_shares_held_before_it(
    tmp_path: Path, shared_data_dir: Path
) -> None:
    store = MarketDataStore(tmp_path / "market")
    store.import_csv(shared_data_dir / "TLT.csv")
    per_share = next(a.value for a in store.actions("TLT") if a.date == EX_DATE)
    server = VenueServer(
        VenueConfig(
            root=tmp_path / "venue",
            market_dir=store.root,
            speed=0.0,
            start=date(2024, 5, 29),
            slippage_bps=0.0,
            tick_interval_s=0.05,
        )
    ).start()
    try:
        trading = TradingClient(
            server.key_id, server.secret_key, paper=True, url_override=server.base_url
        )
        _buy(trading, 100)
        server.advance(until="next_close")  # filled during the session of 2024-05-29
        cash_before = float(trading.get_account().cash)
        server.advance(until="next_close")  # 05-30
        server.advance(until="next_close")  # 05-31
        server.advance(until="next_open")  # 06-03 9:30, the ex-date's open: paid
        assert float(trading.get_account().cash) == pytest.approx(cash_before + 100 * per_share)
        _buy(trading, 50)  # bought on the ex-date: not entitled
        server.advance(until="next_close")
        after_fill = float(trading.get_account().cash)
        server.advance(until="next_open")  # 06-04: no dividend
        assert float(trading.get_account().cash) == pytest.approx(after_fill)
        assert float(trading.get_open_position("TLT").qty) == 150
    finally:
        server.stop()
