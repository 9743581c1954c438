"""Market-data sources against servers speaking their protocols: Alpaca through alpaca-py
against the local paper venue (one home's store fetched into a fresh one, bars compared
exactly) and against a scripted server with Alpaca's error shapes; Yahoo through yfinance
against a local chart-API server; the fallback order; CSV files as a source."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from market_servers import alpaca_bar, serve, yahoo_answer

from core.errors import DataSourceFailed
from runtime.market_data import MarketDataStore
from runtime.market_data.actions import dividends_from_adj_close
from runtime.market_data.refresh import fetch_into
from runtime.market_data.sources.alpaca import AlpacaSource
from runtime.market_data.sources.base import MAX_RETRY_AFTER_S, SourceFailure
from runtime.market_data.sources.chain import fetch_first
from runtime.market_data.sources.csv_files import CsvSource
from runtime.market_data.sources.yahoo import YahooSource
from runtime.venue import VenueConfig, VenueServer

KEY, SECRET = "AKTESTKEY123", "s3cret-never-shown"


@pytest.fixture(scope="module")
def venue(real_market_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[VenueServer]:
    """A venue over the real ETFs whose simulated clock stands at the close of their last day."""
    root = tmp_path_factory.mktemp("venue")
    last = MarketDataStore(real_market_dir).coverage("SPY").end
    server = VenueServer(
        VenueConfig(root=root, market_dir=real_market_dir, speed=0.0, start=last)
    ).start()
    server.advance(until="next_close")
    yield server
    server.stop()


def _alpaca(url: str, **kwargs: Any) -> AlpacaSource:
    return AlpacaSource(KEY, SECRET, data_url=url, **kwargs)


# ---- Alpaca through the venue ---------------------------------------------------------------


def test_alpaca_fetch_from_a_venue_reproduces_its_store_exactly(
    venue: VenueServer, real_market_dir: Path, tmp_path: Path
) -> None:
    home = MarketDataStore(real_market_dir)
    fresh = MarketDataStore(tmp_path / "fresh")
    source = AlpacaSource(venue.key_id, venue.secret_key, data_url=venue.base_url)
    report = fetch_into(fresh, [source], "tlt", date(2005, 1, 1), date(2024, 12, 31))
    assert report.source == "alpaca" and report.error is None
    theirs = home.bars("TLT", date(2005, 1, 1), date(2024, 12, 31))
    ours = fresh.bars("TLT")
    assert len(ours) == len(theirs) > 5000  # paginated: the venue pages at 1,000 bars
    for column in ("open", "high", "low", "close", "volume"):
        assert (ours[column].to_numpy() == theirs[column].to_numpy()).all(), column
    # adj_close came from adjustment=all: the same back-adjusted series, so the same dividends.
    ratio = ours["adj_close"] / theirs["adj_close"]
    assert ratio.to_numpy() == pytest.approx(ratio.iloc[-1], rel=1e-4)
    theirs_divs = {a.date: a.value for a in home.actions("TLT") if 2005 <= a.date.year <= 2024}
    theirs_divs.pop(date(2005, 1, 3), None)  # the first fetched day has no day before it
    ours_divs = {a.date: a.value for a in fresh.actions("TLT")}
    assert len(ours_divs) == len(theirs_divs) > 200
    for day, value in theirs_divs.items():
        assert ours_divs[day] == pytest.approx(value, abs=0.002), day
    assert fresh.coverage("TLT").source == "alpaca"


def test_alpaca_refused_keys_fail_without_showing_them(venue: VenueServer) -> None:
    source = AlpacaSource(KEY, SECRET, data_url=venue.base_url)
    with pytest.raises(SourceFailure) as caught:
        source.fetch("SPY", date(2024, 1, 2), date(2024, 1, 31))
    assert "HTTP 401" in caught.value.reason
    assert KEY not in str(caught.value) and SECRET not in str(caught.value)


def test_alpaca_without_keys_is_a_clear_failure() -> None:
    with pytest.raises(SourceFailure, match="no Alpaca keys"):
        AlpacaSource(None, None)


# ---- Alpaca's error shapes ------------------------------------------------------------------


def _bars_for(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [alpaca_bar(day, row) for day, row in frame.iterrows()]


def test_alpaca_429_waits_as_asked_then_pages_through(sample_market_dir: Path) -> None:
    bars = MarketDataStore(sample_market_dir).bars("QQQ", date(2024, 1, 2), date(2024, 3, 28))
    pages = [_bars_for(bars.iloc[:30]), _bars_for(bars.iloc[30:])]
    calls = {"n": 0}

    def answer(path: str, query: dict[str, str], headers: dict[str, str]):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            return 429, {"Retry-After": "7"}, {"code": 42910000, "message": "rate limit exceeded"}
        token = query.get("page_token")
        page = 1 if token == "next-1" else 0
        next_token = "next-1" if page == 0 else None
        return 200, {}, {"bars": {"QQQ": pages[page]}, "next_page_token": next_token}

    waits: list[float] = []
    with serve(answer) as server:
        got = _alpaca(server.url, sleep=waits.append).fetch(
            "QQQ", date(2024, 1, 2), date(2024, 3, 28)
        )
    assert waits == [7.0]
    assert list(got.frame["close"]) == list(bars["close"])
    tokens = [q.get("page_token") for p, q, _ in server.requests if p.endswith("/bars")]
    assert "next-1" in tokens


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (401, {"code": 40110000, "message": "request is not authorized"}, "keys refused"),
        (500, {"message": "internal server error"}, "HTTP 500"),
        (429, {"code": 42910000, "message": "rate limit exceeded"}, "rate limited"),
    ],
)
def test_alpaca_errors_become_reasons(status: int, body: dict[str, Any], expected: str) -> None:
    headers = {"Retry-After": str(int(MAX_RETRY_AFTER_S) + 1)} if status == 429 else {}
    with (
        serve(lambda *_: (status, dict(headers), body)) as server,
        pytest.raises(SourceFailure) as caught,
    ):
        _alpaca(server.url, sleep=lambda s: None).fetch("SPY", date(2024, 1, 2), date(2024, 1, 5))
    assert expected in caught.value.reason
    assert SECRET not in str(caught.value)


def test_a_source_that_hangs_times_out() -> None:
    import threading

    release = threading.Event()

    def answer(*_: object):  # type: ignore[no-untyped-def]
        release.wait(5)
        return 200, {}, {"bars": {}, "next_page_token": None}

    with serve(answer) as server:
        try:
            with pytest.raises(SourceFailure, match="timed out"):
                _alpaca(server.url, timeout_s=0.3).fetch("SPY", date(2024, 1, 2), date(2024, 1, 5))
        finally:
            release.set()


# ---- Yahoo through yfinance -------------------------------------------------------------------


def test_yahoo_fetch_keeps_bars_and_yahoos_own_actions(
    shared_data_dir: Path, tmp_path: Path
) -> None:
    tlt = CsvSource(shared_data_dir).fetch("TLT", date(2023, 1, 3), date(2024, 12, 31)).frame
    tlt = tlt.set_index("date")
    dividends = {a.date.isoformat(): a.value for a in dividends_from_adj_close(tlt)}
    with serve(yahoo_answer({"TLT": tlt}, {"TLT": dividends})) as server:
        source = YahooSource(base_url=server.url, cache_dir=tmp_path / "yf")
        store = MarketDataStore(tmp_path / "store")
        report = fetch_into(store, [source], "TLT", date(2023, 1, 3), date(2024, 12, 31))
    assert report.source == "yahoo" and report.bars == len(tlt)
    stored = store.bars("TLT")
    assert (stored["close"].to_numpy() == tlt["close"].to_numpy()).all()
    assert {a.date.isoformat(): a.value for a in store.actions("TLT")} == dividends
    assert all(a.source == "yahoo" for a in store.actions("TLT"))
    # every request went to the local server (yfinance's crumb and cookie calls included)
    assert any(p.startswith("/v8/finance/chart/TLT") for p, _, _ in server.requests)


def test_yahoo_unknown_symbol_is_a_failure(tmp_path: Path) -> None:
    with serve(yahoo_answer({})) as server, pytest.raises(SourceFailure):
        YahooSource(base_url=server.url, cache_dir=tmp_path).fetch(
            "NOPE", date(2024, 1, 2), date(2024, 1, 31)
        )


# ---- the fallback order -----------------------------------------------------------------------


def test_garbage_from_the_first_source_fails_over_with_the_reason(
    sample_market_dir: Path, tmp_path: Path
) -> None:
    bars = MarketDataStore(sample_market_dir).bars("SPY", date(2024, 1, 2), date(2024, 2, 29))
    broken = bars.copy()
    broken.iloc[5, broken.columns.get_loc("high")] = broken["low"].iloc[5] * 0.5  # high << low
    with (
        serve(
            lambda *_: (200, {}, {"bars": {"SPY": _bars_for(broken)}, "next_page_token": None})
        ) as bad,
        serve(yahoo_answer({"SPY": bars})) as yahoo,
    ):
        sources = [_alpaca(bad.url), YahooSource(base_url=yahoo.url, cache_dir=tmp_path)]
        got = fetch_first(sources, "SPY", date(2024, 1, 2), date(2024, 2, 29))
    assert got.source == "yahoo"
    assert [a.source for a in got.attempts] == ["alpaca"]
    assert "high/low" in got.attempts[0].reason


def test_when_every_source_fails_the_error_lists_each_reason_and_stores_nothing(
    tmp_path: Path,
) -> None:
    store = MarketDataStore(tmp_path / "store")
    with (
        serve(lambda *_: (500, {}, {"message": "internal server error"})) as alpaca,
        serve(yahoo_answer({})) as yahoo,
    ):
        sources = [_alpaca(alpaca.url), YahooSource(base_url=yahoo.url, cache_dir=tmp_path)]
        with pytest.raises(DataSourceFailed) as caught:
            fetch_into(store, sources, "SPY", date(2024, 1, 2), date(2024, 1, 31))
    attempts = caught.value.details["attempts"]
    assert [a["source"] for a in attempts] == ["alpaca", "yahoo"]
    assert "HTTP 500" in attempts[0]["reason"]
    assert not store.has_any()


def test_csv_folder_as_a_source(shared_data_dir: Path) -> None:
    got = CsvSource(shared_data_dir).fetch("gld", date(2020, 1, 2), date(2020, 12, 31))
    assert got.frame["date"].min() >= pd.Timestamp(2020, 1, 2)
    with pytest.raises(SourceFailure, match=r"no NOPE\.csv"):
        CsvSource(shared_data_dir).fetch("NOPE", date(2020, 1, 2), date(2020, 12, 31))


def test_yahoo_429_waits_as_asked(sample_market_dir: Path, tmp_path: Path) -> None:
    bars = MarketDataStore(sample_market_dir).bars("SPY", date(2024, 1, 2), date(2024, 2, 29))
    answer = yahoo_answer({"SPY": bars})
    charts = {"n": 0}

    def limited(path: str, query: dict[str, str], headers: dict[str, str]):  # type: ignore[no-untyped-def]
        if path.startswith("/v8/finance/chart/") and "period1" in query:
            charts["n"] += 1
            if charts["n"] <= 2:  # yfinance retries once itself (other cookie strategy)
                return 429, {"Retry-After": "4", "Content-Type": "text/plain"}, b"Too Many Requests"
        return answer(path, query, headers)

    waits: list[float] = []
    with serve(limited) as server:
        source = YahooSource(base_url=server.url, cache_dir=tmp_path, sleep=waits.append)
        got = source.fetch("SPY", date(2024, 1, 2), date(2024, 2, 29))
    assert waits == [4.0]
    assert list(got.frame["close"]) == list(bars["close"])
