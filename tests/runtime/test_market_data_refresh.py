"""Keeping stored bars fresh: incremental updates ask only for the missing days, a source
that disagrees with stored days (a restatement) is reported and the previous history kept as
a version, and a failed write leaves the store as it was. Bars come from a local server that
speaks Yahoo's chart API, through yfinance."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from market_servers import serve, yahoo_answer

from runtime.market_data import MarketDataStore
from runtime.market_data.actions import dividends_from_adj_close
from runtime.market_data.refresh import fetch_into, update_symbol
from runtime.market_data.sources.csv_files import CsvSource
from runtime.market_data.sources.yahoo import YahooSource

NY = ZoneInfo("America/New_York")


@pytest.fixture(scope="module")
def tlt(shared_data_dir: Path) -> pd.DataFrame:
    frame = CsvSource(shared_data_dir).fetch("TLT", date(2023, 1, 3), date(2024, 12, 31)).frame
    return frame.set_index("date")


def _dividends(frame: pd.DataFrame) -> dict[str, float]:
    return {a.date.isoformat(): a.value for a in dividends_from_adj_close(frame)}


def _chart_requests(server) -> list[tuple[date, date]]:  # type: ignore[no-untyped-def]
    out = []
    for path, query, _ in server.requests:
        if path.startswith("/v8/finance/chart/") and "period1" in query:
            lo = datetime.fromtimestamp(int(query["period1"]), UTC).astimezone(NY).date()
            hi = datetime.fromtimestamp(int(query["period2"]), UTC).astimezone(NY).date()
            out.append((lo, hi))
    return out


def test_update_fetches_only_the_missing_days(tlt: pd.DataFrame, tmp_path: Path) -> None:
    store = MarketDataStore(tmp_path / "store")
    store.merge("TLT", tlt.loc[:"2024-06-28"], "yahoo")
    before = store.bars("TLT")
    with serve(yahoo_answer({"TLT": tlt}, {"TLT": _dividends(tlt)})) as server:
        source = YahooSource(base_url=server.url, cache_dir=tmp_path / "yf")
        report = update_symbol(store, [source], "TLT", last_close=date(2024, 12, 31))
        asked = _chart_requests(server)
        again = update_symbol(store, [source], "TLT", last_close=date(2024, 12, 31))
        assert _chart_requests(server) == asked  # up to date: nothing asked
    assert asked == [(date(2024, 6, 28), date(2025, 1, 1))]  # one day of overlap, then new days
    assert report.added == len(tlt.loc["2024-07-01":]) and not report.restated
    assert again.up_to_date and again.added == 0
    stored = store.bars("TLT")
    assert (stored["close"].to_numpy() == tlt["close"].to_numpy()).all()
    # The kept history was rescaled on the overlap day: one back-adjusted series again.
    ratio = (stored["adj_close"] / tlt["adj_close"]).to_numpy()
    assert ratio == pytest.approx(1.0, rel=1e-5)
    assert len(store.actions("TLT")) == len(dividends_from_adj_close(tlt))
    assert (before.index == stored.index[: len(before)]).all()


def test_a_restatement_is_reported_and_the_previous_history_kept(
    tlt: pd.DataFrame, tmp_path: Path
) -> None:
    store = MarketDataStore(tmp_path / "store")
    store.merge("TLT", tlt.loc[:"2024-06-28"], "yahoo")
    original = store.bars("TLT")
    corrected = tlt.copy()
    corrected.loc["2024-03-15", ["close", "adj_close"]] *= 1.01
    corrected.loc["2024-03-15", "high"] = corrected.loc["2024-03-15", ["high", "close"]].max()
    with serve(yahoo_answer({"TLT": corrected})) as server:
        source = YahooSource(base_url=server.url, cache_dir=tmp_path / "yf")
        report = fetch_into(store, [source], "TLT", date(2024, 1, 2), date(2024, 12, 31))
    assert report.restated == ["2024-03-15"]
    assert report.version is not None and store.versions("TLT") == [report.version]
    kept = pd.read_parquet(store.root / report.version)
    assert (kept["close"].to_numpy() == original["close"].to_numpy()).all()
    assert store.coverage("TLT").versions == 1
    assert store.bars("TLT").loc["2024-03-15", "close"] == corrected.loc["2024-03-15", "close"]


def test_a_split_seen_on_update_refetches_the_whole_history(
    tlt: pd.DataFrame, tmp_path: Path
) -> None:
    store = MarketDataStore(tmp_path / "store")
    store.merge("TLT", tlt.loc[:"2024-06-28"], "yahoo")
    split = tlt.copy()  # a 2-for-1 split on 2024-07-01: the source's whole history halves
    before = split.index < pd.Timestamp(2024, 7, 1)
    split.loc[before, ["open", "high", "low", "close", "adj_close"]] /= 2
    split.loc[before, "volume"] *= 2
    with serve(yahoo_answer({"TLT": split}, splits={"TLT": {"2024-07-01": (2, 1)}})) as server:
        source = YahooSource(base_url=server.url, cache_dir=tmp_path / "yf")
        report = update_symbol(store, [source], "TLT", last_close=date(2024, 12, 31))
        asked = _chart_requests(server)
    assert asked[0][0] == date(2024, 6, 28) and asked[-1][0] == date(2023, 1, 3)
    assert len(report.restated) == int(before.sum())
    stored = store.bars("TLT")
    assert stored["close"].to_numpy() == pytest.approx(split["close"].to_numpy())
    assert any(a.kind == "split" and a.value == 2.0 for a in store.actions("TLT"))
    assert len(store.versions("TLT")) == 1


def test_a_failed_write_leaves_the_store_as_it_was(
    tlt: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = MarketDataStore(tmp_path / "store")
    store.merge("TLT", tlt.loc[:"2024-06-28"], "yahoo")
    files = {p.name: p.read_bytes() for p in store.root.iterdir() if p.is_file()}

    def half_written(self: pd.DataFrame, path: Path, **kwargs: object) -> None:
        Path(path).write_bytes(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", half_written)
    with pytest.raises(OSError, match="disk full"):
        store.merge("TLT", tlt, "yahoo")
    monkeypatch.undo()
    after = {p.name: p.read_bytes() for p in store.root.iterdir() if p.is_file()}
    assert after == files  # no temp file left, nothing replaced
    assert store.bars("TLT").index[-1] == pd.Timestamp(2024, 6, 28)


def test_stored_csv_imports_carry_dividends_derived_from_adj_close(real_market_dir: Path) -> None:
    store = MarketDataStore(real_market_dir)
    tlt = store.actions("TLT")
    assert store.coverage("TLT").dividends == len(tlt) > 250  # monthly since 2002
    assert store.coverage("GLD").dividends == 0  # gold pays none
    paid = store.dividends("TLT", store.bars("TLT", date(2024, 1, 1), date(2024, 12, 31)))
    assert int((paid > 0).sum()) == 12
