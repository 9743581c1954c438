"""The venue's Market Data v2 through alpaca-py's StockHistoricalDataClient: bars as of the
simulated now (never from its future), intraday bars from the path, latest quote and trade."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

import httpx
import pandas as pd
import pytest
from alpaca.data.enums import Adjustment
from alpaca.data.historical import StockHistoricalDataClient
from alpaca.data.requests import (
    StockBarsRequest,
    StockLatestQuoteRequest,
    StockLatestTradeRequest,
)
from alpaca.data.timeframe import TimeFrame, TimeFrameUnit

from runtime.venue import VenueServer

NY = ZoneInfo("America/New_York")


def _daily(data: StockHistoricalDataClient, symbols: list[str], **extra: object) -> pd.DataFrame:
    request = StockBarsRequest(
        symbol_or_symbols=symbols,
        timeframe=TimeFrame.Day,
        start=datetime(2024, 5, 1, tzinfo=UTC),
        end=datetime(2025, 6, 30, tzinfo=UTC),  # far in the simulated future
        **extra,
    )
    return data.get_stock_bars(request).df


def _last_day(frame: pd.DataFrame, symbol: str) -> date:
    stamps = frame.xs(symbol, level="symbol").index
    return stamps.max().astimezone(NY).date()


def test_daily_bars_never_come_from_the_simulated_future(
    venue: VenueServer,
    data: StockHistoricalDataClient,
    sample_bars: Callable[[str], pd.DataFrame],
) -> None:
    # 2024-06-03 9:30: the newest complete daily bar is Friday's.
    frame = _daily(data, ["SPY", "QQQ"])
    assert _last_day(frame, "SPY") == _last_day(frame, "QQQ") == date(2024, 5, 31)

    venue.advance(seconds=3 * 3600)  # mid-session: today's bar is not complete yet
    assert _last_day(_daily(data, ["SPY"]), "SPY") == date(2024, 5, 31)

    venue.advance(until="next_close")
    frame = _daily(data, ["SPY"])
    assert _last_day(frame, "SPY") == date(2024, 6, 3)
    bar = frame.xs("SPY", level="symbol").iloc[-1]
    stored = sample_bars("SPY").loc[pd.Timestamp(2024, 6, 3)]
    for column in ("open", "high", "low", "close", "volume"):
        assert bar[column] == pytest.approx(stored[column])
    # Alpaca stamps daily bars at midnight New York.
    stamp = frame.xs("SPY", level="symbol").index[-1]
    assert stamp == pd.Timestamp(datetime(2024, 6, 3, tzinfo=NY))


def test_adjusted_daily_bars_are_point_in_time(
    venue: VenueServer,
    data: StockHistoricalDataClient,
    sample_bars: Callable[[str], pd.DataFrame],
) -> None:
    raw = _daily(data, ["AGG"], adjustment=Adjustment.RAW).xs("AGG", level="symbol")
    adjusted = _daily(data, ["AGG"], adjustment=Adjustment.ALL).xs("AGG", level="symbol")
    assert adjusted["close"].iloc[-1] == pytest.approx(raw["close"].iloc[-1])
    stored = sample_bars("AGG").loc["2024-05-01":"2024-05-31"]
    ratio = (stored["adj_close"] / stored["close"]).to_numpy()
    expected = stored["close"].to_numpy() * ratio / ratio[-1]
    assert adjusted["close"].to_numpy() == pytest.approx(expected, abs=1e-3)
    assert adjusted["close"].iloc[0] < raw["close"].iloc[0]  # dividends lower older prices


def test_intraday_bars_follow_the_path_and_stop_at_now(
    venue: VenueServer,
    data: StockHistoricalDataClient,
    sample_bars: Callable[[str], pd.DataFrame],
) -> None:
    venue.advance(seconds=30 * 60 + 30)  # 10:00:30
    request = StockBarsRequest(
        symbol_or_symbols="SPY",
        timeframe=TimeFrame(1, TimeFrameUnit.Minute),
        start=datetime(2024, 6, 3, 9, 0, tzinfo=NY),
        end=datetime(2024, 6, 3, 16, 0, tzinfo=NY),
    )
    bars = data.get_stock_bars(request)["SPY"]
    assert len(bars) == 30
    assert bars[0].timestamp == datetime(2024, 6, 3, 9, 30, tzinfo=NY)
    assert bars[-1].timestamp == datetime(2024, 6, 3, 9, 59, tzinfo=NY)
    stored = sample_bars("SPY").loc[pd.Timestamp(2024, 6, 3)]
    assert bars[0].open == pytest.approx(stored["open"])
    assert all(stored["low"] - 1e-6 <= b.low <= b.high <= stored["high"] + 1e-6 for b in bars)
    for before, after in pairwise(bars):
        assert after.open == pytest.approx(before.close)


def test_latest_quote_and_trade_follow_the_clock(
    start_venue: Callable[..., VenueServer],
    data_for: Callable[[VenueServer], StockHistoricalDataClient],
    sample_bars: Callable[[str], pd.DataFrame],
) -> None:
    venue = start_venue(spread_bps=10.0)
    data = data_for(venue)
    stored = sample_bars("GLD").loc[pd.Timestamp(2024, 6, 3)]

    quote = data.get_stock_latest_quote(StockLatestQuoteRequest(symbol_or_symbols=["GLD"]))["GLD"]
    mid = (quote.bid_price + quote.ask_price) / 2
    assert mid == pytest.approx(stored["open"], abs=1e-3)
    assert quote.ask_price - quote.bid_price == pytest.approx(stored["open"] * 0.001, abs=2e-4)
    assert quote.timestamp == datetime(2024, 6, 3, 9, 30, tzinfo=NY)

    venue.advance(seconds=2 * 3600)
    trade = data.get_stock_latest_trade(StockLatestTradeRequest(symbol_or_symbols="GLD"))["GLD"]
    assert stored["low"] <= trade.price <= stored["high"]
    assert trade.timestamp == datetime(2024, 6, 3, 11, 30, tzinfo=NY)

    venue.advance(until="next_close")
    venue.advance(seconds=3600)
    trade = data.get_stock_latest_trade(StockLatestTradeRequest(symbol_or_symbols="GLD"))["GLD"]
    assert trade.price == pytest.approx(stored["close"])
    assert trade.timestamp == datetime(2024, 6, 3, 16, 0, tzinfo=NY)


def test_bar_pages_chain_with_page_token(
    venue: VenueServer, data: StockHistoricalDataClient
) -> None:
    headers = {"APCA-API-KEY-ID": venue.key_id, "APCA-API-SECRET-KEY": venue.secret_key}
    params = {
        "symbols": "SPY,QQQ",
        "timeframe": "1Day",
        "start": "2024-01-01",
        "limit": "40",
    }
    pages: list[dict[str, list[dict[str, object]]]] = []
    with httpx.Client(base_url=venue.base_url, headers=headers) as client:
        while True:
            body = client.get("/v2/stocks/bars", params=params).json()
            pages.append(body["bars"])
            if not body["next_page_token"]:
                break
            params["page_token"] = body["next_page_token"]
    assert len(pages) > 2
    got = {sym: [bar["t"] for page in pages for bar in page.get(sym, [])] for sym in ("SPY", "QQQ")}
    full = data.get_stock_bars(
        StockBarsRequest(
            symbol_or_symbols=["SPY", "QQQ"],
            timeframe=TimeFrame.Day,
            start=datetime(2024, 1, 1, tzinfo=NY),
        )
    )
    for symbol in ("SPY", "QQQ"):
        assert len(got[symbol]) == len(full[symbol]) == len(set(got[symbol]))


def test_unsupported_timeframe_is_an_alpaca_error(venue: VenueServer) -> None:
    headers = {"APCA-API-KEY-ID": venue.key_id, "APCA-API-SECRET-KEY": venue.secret_key}
    response = httpx.get(
        f"{venue.base_url}/v2/stocks/bars",
        params={"symbols": "SPY", "timeframe": "1Week"},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["code"] == 40010001
    unauthorized = httpx.get(f"{venue.base_url}/v2/clock")
    assert unauthorized.status_code == 401
    assert unauthorized.json() == {"code": 40110000, "message": "request is not authorized"}
