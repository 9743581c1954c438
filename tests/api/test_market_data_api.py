"""The market-data API: quotes (the store, or Alpaca's live quote through the local venue when
the user has keys), adjusted history, search over stored symbols and the broker's assets, and
a background fetch from a local server speaking Yahoo's chart API."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import make_settings
from fastapi.testclient import TestClient
from market_servers import serve, yahoo_answer

from api.app import create_app
from core.db import dispose_engines
from runtime.market_data import MarketDataStore
from runtime.market_data.actions import dividends_from_adj_close
from runtime.venue import VenueConfig, VenueServer


@pytest.fixture
def market(tmp_path: Path, shared_data_dir: Path) -> Path:
    root = tmp_path / "market"
    store = MarketDataStore(root)
    for symbol in ("TLT", "SPY"):
        store.import_csv(shared_data_dir / f"{symbol}.csv")
    return root


def _client(tmp_path: Path, market: Path, **settings: Any) -> TestClient:
    return TestClient(
        create_app(make_settings(tmp_path, market, smoke_backtest_days=0, **settings))
    )


def _until_done(client: TestClient, job_id: str) -> dict[str, Any]:
    for _ in range(600):
        job = client.get(f"/market-data/fetch/{job_id}").json()
        if job["status"] != "running":
            return job
        time.sleep(0.05)
    raise AssertionError("the fetch job never ended")


def test_quote_history_and_search_from_the_store(tmp_path: Path, market: Path) -> None:
    with _client(tmp_path, market) as client:
        quote = client.get("/market-data/quote/tlt").json()
        last = MarketDataStore(market).bars("TLT").iloc[-1]
        assert quote["source"] == "store" and quote["price"] == last["close"]
        raw = client.get("/market-data/TLT/history", params={"start": "2024-01-02"}).json()
        adj = client.get(
            "/market-data/TLT/history", params={"start": "2024-01-02", "adjusted": "true"}
        ).json()
        assert adj["adjusted"] and not raw["adjusted"]
        first_raw, first_adj = raw["bars"][0], adj["bars"][0]
        assert first_adj["close"] == pytest.approx(first_raw["adj_close"], abs=1e-5)
        assert first_adj["open"] < first_raw["open"]  # dividends since lower older prices
        assert raw["bars"][-1]["close"] == adj["bars"][-1]["close"] == last["close"]
        found = client.get("/market-data/search", params={"query": "tl"}).json()
        assert [row["symbol"] for row in found] == ["TLT"] and found[0]["stored"]
        shown = client.get("/market-data/TLT").json()
        assert shown["dividends"] > 250 and shown["actions"][-1]["kind"] == "dividend"
        assert client.get("/market-data/NOPE/history").status_code == 404
        assert client.get("/market-data/search", params={"query": ""}).status_code == 422
        # the router's own words are no symbols: a GET of the fetch path is a method it lacks
        for method in ("GET", "OPTIONS"):
            answer = client.request(method, "/market-data/fetch")
            assert answer.status_code == 405 and answer.headers["allow"] == "POST", answer.text
        assert client.get("/market-data/fetchx").status_code == 404  # a symbol again
    dispose_engines()


def test_live_quote_and_asset_search_through_alpaca_when_the_user_has_keys(
    tmp_path: Path, market: Path
) -> None:
    last = MarketDataStore(market).coverage("SPY").end
    venue = VenueServer(
        VenueConfig(root=tmp_path / "venue", market_dir=market, speed=0.0, start=last)
    ).start()
    try:
        settings = {
            "alpaca_api_key": venue.key_id,
            "alpaca_api_secret": venue.secret_key,
            "alpaca_data_url": venue.base_url,
            "alpaca_trading_url": venue.base_url,
        }
        with _client(tmp_path, market, **settings) as client:
            quote = client.get("/market-data/quote/SPY").json()
            assert quote["source"] == "alpaca" and quote["bid"] and quote["ask"]
            assert quote["bid"] <= quote["price"] <= quote["ask"]
            found = client.get("/market-data/search", params={"query": "SP"}).json()
            assert found[0] == {
                "symbol": "SPY",
                "name": None,
                "stored": True,
                "source": found[0]["source"],
            }
            assert venue.secret_key not in str(found) + str(quote)
    finally:
        venue.stop()
        dispose_engines()


def test_background_fetch_reports_progress_and_stores_the_bars(
    tmp_path: Path, market: Path, shared_data_dir: Path
) -> None:
    qqq = MarketDataStore(tmp_path / "src")
    qqq.import_csv(shared_data_dir / "QQQ.csv")
    frame = qqq.bars("QQQ", date(2022, 1, 3), date(2024, 12, 31))
    dividends = {a.date.isoformat(): a.value for a in dividends_from_adj_close(frame)}
    with (
        serve(yahoo_answer({"QQQ": frame}, {"QQQ": dividends})) as yahoo,
        _client(tmp_path, market, yahoo_url=yahoo.url) as client,
    ):
        answer = client.post(
            "/market-data/fetch",
            json={
                "symbols": ["QQQ", "NOPE"],
                "sources": ["yahoo"],
                "start": "2022-01-03",
                "end": "2024-12-31",
            },
        )
        assert answer.status_code == 202
        job = _until_done(client, answer.json()["id"])
        assert job["status"] == "succeeded" and job["done"] == job["total"] == 2
        rows = {row["symbol"]: row for row in job["report"]["symbols"]}
        assert rows["QQQ"]["bars"] == len(frame) and rows["QQQ"]["error"] is None
        assert rows["NOPE"]["error"] and rows["NOPE"]["passed_over"][0]["source"] == "yahoo"
        assert "QQQ" in {r["symbol"] for r in client.get("/market-data/symbols").json()}
        bad = client.post("/market-data/fetch", json={"symbols": ["QQQ"], "sources": ["ftp"]})
        assert bad.status_code == 422
        # a number, digits or a datetime is not a day (pydantic alone reads the first two as
        # Unix seconds, 1970-01-01, and the last as its day)
        for start in (1.6e-99, 1_700_000_000, "0", "2024-01-02T00:00:00"):
            bad = client.post("/market-data/fetch", json={"update": True, "start": start})
            assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text, bad.text
            bad = client.get("/market-data/QQQ/bars", params={"start": str(start)})
            assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text, bad.text
        bars = client.get("/market-data/QQQ/bars", params={"start": "2024-12-02"}).json()
        assert [b["date"] for b in bars["bars"]][:2] == ["2024-12-02", "2024-12-03"]
        parameters = client.get("/openapi.json").json()["paths"]["/market-data/{symbol}/bars"][
            "get"]["parameters"]
        start_schema = next(p for p in parameters if p["name"] == "start")["schema"]
        assert {"type": "string", "format": "date"} in start_schema["anyOf"]
        assert client.get("/market-data/fetch/nope").status_code == 404
    dispose_engines()


def test_a_data_update_schedule_brings_stored_symbols_up_to_date(
    tmp_path: Path, shared_data_dir: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    from api.services.container import Services
    from api.services.views import ScheduleIn

    source = MarketDataStore(tmp_path / "src")
    source.import_csv(shared_data_dir / "SPY.csv")
    spy = source.bars("SPY", date(2023, 1, 3))
    market = MarketDataStore(tmp_path / "market")
    market.merge("SPY", spy.loc[:"2024-06-28"], "yahoo")
    with serve(yahoo_answer({"SPY": spy})) as yahoo:
        settings = make_settings(tmp_path, market.root, yahoo_url=yahoo.url, data_sources="yahoo")
        service = Services.open(settings)
        try:
            view = service.schedules.create_schedule(
                service.user_id,
                ScheduleIn(cron="30 17 * * 1-5", timezone="America/New_York", data_update=True),
            )
            assert view.batch == {"kind": "data_update"}
            won = service.schedules.make_scheduler("test").tick(
                datetime.now(UTC) + timedelta(days=3)
            )
            assert [w[0] for w in won] == [view.id]
        finally:
            service.close()
            dispose_engines()
    assert market.coverage("SPY").end == spy.index[-1].date()
    assert not service.batches.list_batches(service.user_id)  # an update is not a batch
    with pytest.raises(ValueError, match="either a batch or the market-data update"):
        ScheduleIn(cron="30 17 * * 1-5")


@pytest.mark.slow
def test_a_run_records_the_dividend_mode_it_used(tmp_path: Path, market: Path) -> None:
    from api.services.container import Services
    from api.services.views import BacktestConfig

    service = Services.open(make_settings(tmp_path, market, smoke_backtest_days=0))
    try:
        user = service.user_id
        sid = service.strategies.create_strategy(
            user,
            "Buy TLT when its 20-day SMA crosses above the 50-day SMA and sell when it "
            "crosses back below",
        ).id
        modes = {}
        for asked in (None, "off", "reinvest"):
            run = service.backtests.create_backtest(
                user,
                BacktestConfig(
                    strategy_id=sid,
                    start=date(2022, 1, 3),
                    end=date(2023, 12, 29),
                    benchmark="TLT",
                    dividends=asked,
                ),  # type: ignore[arg-type]
            )
            done = service.backtests.execute_backtest(run.id)
            assert done.status == "succeeded", done.error
            modes[asked] = (done.config["dividends"], done.benchmark)
    finally:
        service.close()
        dispose_engines()
    assert [m for m, _ in modes.values()] == ["cash", "off", "reinvest"]
    bench = {asked: b["metrics"]["total_return"] for asked, (_, b) in modes.items()}
    # the benchmark follows the mode: dividends add to the price return (TLT fell in 2022-23,
    # so buying more with them did worse than keeping the cash)
    assert bench["off"] < bench["reinvest"] < bench[None]
