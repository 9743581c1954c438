"""Tests for runtime.market_data: CSV import and checks, the store, range checks, sample market,
the trading calendar, and how the package is laid out."""

from __future__ import annotations

import ast
import hashlib
import json
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from runtime.market_data import (
    BAR_COLUMNS,
    DataQualityError,
    DateRangeError,
    MarketDataError,
    MarketDataStore,
    SymbolCoverage,
    UnknownSymbolError,
    generate_sample_market,
)
from runtime.market_data.calendar import trading_days

SHARED_HEADER = "date,open,high,low,close,adj_close,volume"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


def shared_rows(days: list[str], base: float = 100.0) -> str:
    """A clean CSV in the shared format, one bar per given day, prices rising by 1."""
    lines = [SHARED_HEADER]
    for i, day in enumerate(days):
        p = base + i
        lines.append(f"{day},{p},{p + 1},{p - 1},{p + 0.5},{p + 0.4},{1000 + i}")
    return "\n".join(lines)


def business_days(start: str, periods: int) -> list[str]:
    return [d.date().isoformat() for d in pd.bdate_range(start, periods=periods)]


@pytest.fixture
def store(tmp_path: Path) -> MarketDataStore:
    return MarketDataStore(tmp_path / "store")


@pytest.fixture
def csv_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "csv"
    folder.mkdir()
    return folder


def import_text(store: MarketDataStore, csv_dir: Path, text: str, name: str = "TEST.csv"):
    """Import through import_path so the warnings come back as data."""
    report = store.import_path(write(csv_dir, name, text))
    assert len(report.imported) == 1
    return report.imported[0], report.warnings


# ---------------------------------------------------------------------------------------------
# Formats
# ---------------------------------------------------------------------------------------------


def test_import_shared_format(store: MarketDataStore, csv_dir: Path) -> None:
    path = write(csv_dir, "spy.csv", shared_rows(business_days("2024-01-02", 5)))
    cov = store.import_csv(path)
    assert cov == SymbolCoverage("SPY", date(2024, 1, 2), date(2024, 1, 8), 5, "spy.csv")
    bars = store.bars("spy")
    assert list(bars.columns) == list(BAR_COLUMNS)
    assert bars.index.name == "date"
    assert bars.index.tz is None
    assert all(bars.dtypes == "float64")
    assert bars["adj_close"].iloc[0] == pytest.approx(100.4)
    assert bars["volume"].iloc[-1] == 1004


def test_import_yahoo_format(store: MarketDataStore, csv_dir: Path) -> None:
    text = """
Date,Open,High,Low,Close,Adj Close,Volume
2024-01-02,472.16,473.67,470.49,472.65,466.69,123623700
2024-01-03,470.43,471.19,468.17,468.79,462.88,103585900
2024-01-04,468.30,470.96,467.05,467.28,461.39,84232200
"""
    cov = store.import_csv(write(csv_dir, "SPY.csv", text), symbol="spy")
    assert (cov.symbol, cov.bars, cov.start, cov.end) == (
        "SPY",
        3,
        date(2024, 1, 2),
        date(2024, 1, 4),
    )
    bars = store.bars("SPY")
    assert bars.loc["2024-01-03", "adj_close"] == pytest.approx(462.88)
    assert bars.loc["2024-01-04", "volume"] == 84232200


def test_import_alpaca_format_converts_utc_to_new_york_dates(
    store: MarketDataStore, csv_dir: Path
) -> None:
    # Alpaca stamps daily bars at New York midnight expressed in UTC (05:00Z in winter, 04:00Z
    # in summer). 2024-01-04T03:00Z is still 3 January in New York.
    text = """
timestamp,open,high,low,close,volume,trade_count,vwap
2024-01-02T05:00:00Z,187.15,188.44,183.89,185.64,82488674,1009074,185.9
2024-01-04T03:00:00Z,184.22,185.88,183.43,184.25,58414460,656853,184.5
2024-07-01T04:00:00Z,212.09,217.51,211.92,216.75,60402929,780000,215.0
2024-07-02T00:00:00-04:00,216.15,220.38,215.10,220.27,58046178,700000,218.0
"""
    cov = store.import_csv(write(csv_dir, "aapl_bars.csv", text), symbol="AAPL")
    assert cov.symbol == "AAPL"
    bars = store.bars("AAPL")
    assert [d.date().isoformat() for d in bars.index] == [
        "2024-01-02",
        "2024-01-03",
        "2024-07-01",
        "2024-07-02",
    ]
    assert bars.index.tz is None
    assert (bars.index == bars.index.normalize()).all()
    # No adj_close column in Alpaca exports: it defaults to close.
    assert (bars["adj_close"] == bars["close"]).all()


def test_header_detection_is_case_insensitive(store: MarketDataStore, csv_dir: Path) -> None:
    text = "DATE,OPEN,HIGH,LOW,CLOSE,VOLUME\n2024-01-02,10,11,9,10.5,100\n2024-01-03,10,11,9,10,50"
    cov = store.import_csv(write(csv_dir, "x.csv", text))
    assert (cov.symbol, cov.bars) == ("X", 2)


def test_symbol_defaults_to_upper_cased_stem_and_rejects_paths(
    store: MarketDataStore, csv_dir: Path
) -> None:
    path = write(csv_dir, "brk.b.csv", shared_rows(business_days("2024-01-02", 2)))
    assert store.import_csv(path).symbol == "BRK.B"
    with pytest.raises(MarketDataError) as info:
        store.import_csv(path, symbol="../evil")
    assert info.value.code == "bad_symbol"


def test_missing_file_is_a_market_data_error(store: MarketDataStore, tmp_path: Path) -> None:
    with pytest.raises(MarketDataError) as info:
        store.import_csv(tmp_path / "nope.csv")
    assert info.value.code == "not_found"


# ---------------------------------------------------------------------------------------------
# Data checks
# ---------------------------------------------------------------------------------------------


def test_missing_column_is_reported(store: MarketDataStore, csv_dir: Path) -> None:
    text = "date,open,high,low,close\n2024-01-02,1,2,0.5,1.5"
    with pytest.raises(DataQualityError) as info:
        store.import_csv(write(csv_dir, "X.csv", text))
    assert info.value.code == "bad_csv"
    assert "missing required column(s): volume" in str(info.value)
    assert "X.csv" in str(info.value)
    assert not store.has_any()


def test_empty_and_header_only_files(store: MarketDataStore, csv_dir: Path) -> None:
    empty = csv_dir / "E.csv"
    empty.write_text("")
    with pytest.raises(DataQualityError, match="empty"):
        store.import_csv(empty)
    with pytest.raises(DataQualityError, match="no data rows"):
        store.import_csv(write(csv_dir, "H.csv", SHARED_HEADER))


def test_unparseable_date_names_line_and_value(store: MarketDataStore, csv_dir: Path) -> None:
    text = shared_rows(["2024-01-02", "2024-13-45", "2024-01-04"])
    with pytest.raises(DataQualityError) as info:
        store.import_csv(write(csv_dir, "X.csv", text))
    message = str(info.value)
    assert "unparseable date" in message
    assert "line 3" in message and "2024-13-45" in message


def test_non_numeric_price_is_an_error(store: MarketDataStore, csv_dir: Path) -> None:
    text = f"{SHARED_HEADER}\n2024-01-02,1,2,0.5,abc,1.5,10\n2024-01-03,1,2,0.5,1.5,1.5,10"
    with pytest.raises(DataQualityError, match=r"close has values that are not numbers.*'abc'"):
        store.import_csv(write(csv_dir, "X.csv", text))


def test_exact_duplicates_dropped_with_warning(store: MarketDataStore, csv_dir: Path) -> None:
    rows = shared_rows(business_days("2024-01-02", 3)).splitlines()
    text = "\n".join([*rows, rows[2]])
    cov, warnings = import_text(store, csv_dir, text)
    assert cov.bars == 3
    assert any("exact duplicate" in w and "2024-01-03" in w for w in warnings)


def test_conflicting_duplicates_are_an_error_naming_dates(
    store: MarketDataStore, csv_dir: Path
) -> None:
    text = shared_rows(business_days("2024-01-02", 4)) + "\n2024-01-03,1,2,0.5,1.5,1.5,7"
    with pytest.raises(DataQualityError) as info:
        store.import_csv(write(csv_dir, "X.csv", text))
    assert "more than once with different values (2024-01-03)" in str(info.value)


def test_small_ohlc_violation_is_fixed_with_warning(store: MarketDataStore, csv_dir: Path) -> None:
    # close 100.3 above high 100.2 (0.1 %) and low 99.95 above open 99.9: rounding noise.
    text = (
        f"{SHARED_HEADER}\n2024-01-02,99.9,100.2,99.95,100.3,100.3,10\n2024-01-03,1,2,0.5,1.5,1.5,7"
    )
    cov, warnings = import_text(store, csv_dir, text)
    assert cov.bars == 2
    bar = store.bars("TEST").loc["2024-01-02"]
    assert bar["high"] == pytest.approx(100.3)
    assert bar["low"] == pytest.approx(99.9)
    assert any("widened high/low on 1 bar" in w and "2024-01-02" in w for w in warnings)


def test_large_ohlc_violation_is_an_error_naming_up_to_five_dates(
    store: MarketDataStore, csv_dir: Path
) -> None:
    days = business_days("2024-01-02", 8)
    # high far below close on every day: 8 broken bars, only 5 named.
    lines = [SHARED_HEADER] + [f"{d},100,101,99,110,110,10" for d in days]
    with pytest.raises(DataQualityError) as info:
        store.import_csv(write(csv_dir, "X.csv", "\n".join(lines)))
    message = str(info.value)
    assert "8 bar(s) where high/low do not contain open/close" in message
    for d in days[:5]:
        assert d in message
    assert days[5] not in message
    assert "and 3 more" in message


def test_high_below_low_is_an_error(store: MarketDataStore, csv_dir: Path) -> None:
    text = f"{SHARED_HEADER}\n2024-01-02,100,90,110,100,100,10"
    with pytest.raises(DataQualityError, match="2024-01-02"):
        store.import_csv(write(csv_dir, "X.csv", text))


def test_non_positive_prices_are_an_error(store: MarketDataStore, csv_dir: Path) -> None:
    text = f"{SHARED_HEADER}\n2024-01-02,0,1,0,0.5,0.5,10\n2024-01-03,1,2,0.5,1.5,1.5,7"
    with pytest.raises(DataQualityError, match=r"zero or negative prices \(2024-01-02\)"):
        store.import_csv(write(csv_dir, "X.csv", text))


def test_nan_rows_dropped_with_warning(store: MarketDataStore, csv_dir: Path) -> None:
    # Yahoo writes "null" for days without data.
    text = """
Date,Open,High,Low,Close,Adj Close,Volume
2024-01-02,10,11,9,10.5,10.4,100
2024-01-03,null,null,null,null,null,null
2024-01-04,10,11,9,10.5,10.4,
2024-01-05,10,11,9,10.5,10.4,100
"""
    cov, warnings = import_text(store, csv_dir, text)
    assert cov.bars == 2
    assert any(
        "dropped 2 row(s) with missing values (2024-01-03, 2024-01-04)" in w for w in warnings
    )


def test_gap_longer_than_a_week_is_a_warning(store: MarketDataStore, csv_dir: Path) -> None:
    text = shared_rows(["2024-01-02", "2024-01-03", "2024-01-15", "2024-01-16"])
    cov, warnings = import_text(store, csv_dir, text)
    assert cov.bars == 4
    assert any("2024-01-03 -> 2024-01-15 (12 days)" in w for w in warnings)


def test_unsorted_input_is_sorted(store: MarketDataStore, csv_dir: Path) -> None:
    rows = shared_rows(business_days("2024-01-02", 5)).splitlines()
    text = "\n".join([rows[0], *reversed(rows[1:])])
    cov, warnings = import_text(store, csv_dir, text)
    assert cov.start == date(2024, 1, 2) and cov.end == date(2024, 1, 8)
    assert store.bars("TEST").index.is_monotonic_increasing
    assert warnings == []


def test_naive_dates_with_time_and_us_format_are_exchange_dates(
    store: MarketDataStore, csv_dir: Path
) -> None:
    text = f"{SHARED_HEADER}\n2024-01-02 00:00:00,1,2,0.5,1.5,1.5,7\n01/03/2024,1,2,0.5,1.5,1.5,7"
    import_text(store, csv_dir, text)
    assert list(store.bars("TEST").index) == [
        pd.Timestamp("2024-01-02"),
        pd.Timestamp("2024-01-03"),
    ]


# ---------------------------------------------------------------------------------------------
# Directory import
# ---------------------------------------------------------------------------------------------


def test_directory_import_keeps_good_files_and_reports_bad_ones(
    store: MarketDataStore, csv_dir: Path
) -> None:
    write(csv_dir, "AAA.csv", shared_rows(business_days("2024-01-02", 3)))
    write(csv_dir, "BBB.csv", "date,open,close\n2024-01-02,1,2")
    write(csv_dir, "CCC.csv", shared_rows(business_days("2024-01-02", 4)))
    write(csv_dir, "notes.txt", "not a csv")
    calls: list[tuple[str, int, int]] = []
    report = store.import_path(csv_dir, progress=lambda n, i, t: calls.append((n, i, t)))
    assert [c.symbol for c in report.imported] == ["AAA", "CCC"]
    assert any(
        w.startswith("skipped BBB.csv: missing required column(s): high, low, volume")
        for w in report.warnings
    )
    assert calls == [("AAA.csv", 1, 3), ("BBB.csv", 2, 3), ("CCC.csv", 3, 3)]
    assert [c.symbol for c in store.symbols()] == ["AAA", "CCC"]


def test_directory_import_raises_when_nothing_imported(
    store: MarketDataStore, csv_dir: Path
) -> None:
    write(csv_dir, "BAD1.csv", "date,open\n2024-01-02,1")
    write(csv_dir, "BAD2.csv", f"{SHARED_HEADER}\nnot-a-date,1,2,0.5,1.5,1.5,7")
    with pytest.raises(DataQualityError) as info:
        store.import_path(csv_dir)
    assert len(info.value.problems) == 2
    assert "BAD1.csv" in str(info.value) and "BAD2.csv" in str(info.value)
    empty = csv_dir / "empty"
    empty.mkdir()
    with pytest.raises(DataQualityError, match=r"no \.csv files"):
        store.import_path(empty)


# ---------------------------------------------------------------------------------------------
# Store queries
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def filled(store: MarketDataStore, csv_dir: Path) -> MarketDataStore:
    days = [d.date().isoformat() for d in pd.bdate_range("2020-01-02", "2020-12-31")]
    for sym in ("SPY", "QQQ", "SPYG", "IWM"):
        store.import_csv(write(csv_dir, f"{sym}.csv", shared_rows(days)))
    return store


def test_symbols_sorted_and_query(filled: MarketDataStore) -> None:
    assert [c.symbol for c in filled.symbols()] == ["IWM", "QQQ", "SPY", "SPYG"]
    assert [c.symbol for c in filled.symbols("sp")] == ["SPY", "SPYG"]
    assert [c.symbol for c in filled.symbols("Q")] == ["QQQ"]
    assert filled.symbols("zzz") == []
    assert filled.has_any()


def test_index_persists_and_is_rebuilt_when_lost(filled: MarketDataStore) -> None:
    index_path = filled.root / "index.json"
    assert set(json.loads(index_path.read_text())["symbols"]) == {"IWM", "QQQ", "SPY", "SPYG"}
    again = MarketDataStore(filled.root)
    assert again.coverage("SPY") == filled.coverage("SPY")
    index_path.unlink()
    rebuilt = MarketDataStore(filled.root)
    assert rebuilt.coverage("QQQ").source == "QQQ.csv"
    assert len(rebuilt.symbols()) == 4
    index_path.write_text("{not json")
    assert len(MarketDataStore(filled.root).symbols()) == 4


def test_bars_slicing_is_inclusive_and_returns_a_copy(filled: MarketDataStore) -> None:
    bars = filled.bars("SPY", date(2020, 3, 2), date(2020, 3, 6))
    assert list(bars.index.strftime("%Y-%m-%d")) == [
        "2020-03-02",
        "2020-03-03",
        "2020-03-04",
        "2020-03-05",
        "2020-03-06",
    ]
    bars.loc[:, "close"] = -1.0
    assert (filled.bars("SPY", date(2020, 3, 2), date(2020, 3, 6))["close"] > 0).all()
    assert len(filled.bars("SPY")) == filled.coverage("SPY").bars
    # ISO strings work too (the CLI passes them through).
    assert len(filled.bars("SPY", "2020-12-28", None)) == 4  # type: ignore[arg-type]


def test_unknown_symbol_lists_available(filled: MarketDataStore) -> None:
    with pytest.raises(UnknownSymbolError) as info:
        filled.bars("XYZ")
    err = info.value
    assert err.code == "unknown_symbol"
    assert str(err).startswith("No data for XYZ. Available: IWM, QQQ, SPY, SPYG.")
    assert err.available == ["IWM", "QQQ", "SPY", "SPYG"]
    with pytest.raises(UnknownSymbolError, match=r"Did you mean: SPX -> SPY\?"):
        filled.coverage("spx")


def test_unknown_symbol_in_empty_store_says_how_to_fix(store: MarketDataStore) -> None:
    with pytest.raises(UnknownSymbolError, match="store is empty"):
        store.bars("SPY")
    assert not store.has_any()


def test_date_range_errors(filled: MarketDataStore) -> None:
    with pytest.raises(DateRangeError) as info:
        filled.bars("SPY", date(2021, 2, 1), date(2021, 3, 1))
    err = info.value
    assert err.code == "out_of_range"
    assert str(err).startswith(
        "SPY: requested 2021-02-01..2021-03-01; we have data for 2020-01-02..2020-12-31."
    )
    assert "does not overlap" in str(err)
    with pytest.raises(DateRangeError, match="starts 32 days before the first bar"):
        filled.bars("SPY", date(2019, 12, 1), date(2020, 6, 1))
    with pytest.raises(DateRangeError, match="ends 31 days after the last bar"):
        filled.bars("SPY", date(2020, 6, 1), date(2021, 1, 31))
    # Within 7 days of either end is fine: 1 January is not a trading day.
    assert len(filled.bars("SPY", date(2019, 12, 27), date(2021, 1, 5))) == 261
    with pytest.raises(MarketDataError) as order:
        filled.bars("SPY", date(2020, 6, 1), date(2020, 5, 1))
    assert order.value.code == "bad_range"


def test_require_lists_all_missing_symbols(filled: MarketDataStore) -> None:
    with pytest.raises(UnknownSymbolError) as info:
        filled.require(["SPY", "tlt", "GLD", "QQQ"], date(2020, 2, 1), date(2020, 6, 1))
    assert info.value.symbols == ["TLT", "GLD"]
    assert str(info.value).startswith("No data for TLT, GLD. Available: IWM, QQQ, SPY, SPYG.")


def test_require_range_and_warmup(filled: MarketDataStore) -> None:
    filled.require(["SPY", "QQQ"], date(2020, 1, 1), date(2020, 12, 31))
    filled.require(["SPY"], date(2020, 11, 2), date(2020, 12, 31), warmup_bars=200)
    with pytest.raises(DateRangeError) as info:
        filled.require(["SPY", "QQQ"], date(2019, 1, 1), date(2020, 6, 1))
    assert info.value.symbol == "SPY"
    assert "Also short of data: QQQ (has 2020-01-02..2020-12-31)" in str(info.value)
    with pytest.raises(DateRangeError) as warm:
        filled.require(["SPY"], date(2020, 3, 2), date(2020, 12, 31), warmup_bars=200)
    message = str(warm.value)
    assert "needs 200 warm-up bars before 2020-03-02, but SPY has only 42" in message
    assert "Earliest start with warm-up: 2020-10-08" in message


def test_delete(filled: MarketDataStore) -> None:
    filled.delete("spyg")
    assert [c.symbol for c in filled.symbols("SP")] == ["SPY"]
    assert not (filled.root / "SPYG.parquet").exists()
    with pytest.raises(UnknownSymbolError):
        filled.delete("SPYG")


# ---------------------------------------------------------------------------------------------
# Sample market
# ---------------------------------------------------------------------------------------------


def frame_digest(frames: dict[str, pd.DataFrame]) -> str:
    digest = hashlib.sha256()
    for sym, frame in sorted(frames.items()):
        digest.update(sym.encode())
        digest.update(frame.index.asi8.tobytes())
        digest.update(frame.to_numpy().tobytes())
    return digest.hexdigest()


def test_sample_market_is_deterministic() -> None:
    first, second = generate_sample_market(), generate_sample_market()
    assert first.keys() == second.keys()
    for sym in first:
        pd.testing.assert_frame_equal(first[sym], second[sym])
    assert frame_digest(first) == frame_digest(second)
    assert frame_digest(generate_sample_market(seed=8)) != frame_digest(first)


def test_sample_market_is_sane() -> None:
    market = generate_sample_market()
    assert {"SPY", "QQQ", "IWM", "EFA", "TLT", "AGG", "GLD", "BIL"} <= set(market)
    for sym, f in market.items():
        assert list(f.columns) == list(BAR_COLUMNS), sym
        assert len(f) > 3000, sym
        assert (f[["open", "high", "low", "close", "adj_close", "volume"]] > 0).all().all(), sym
        assert (f["high"] >= f[["open", "close"]].max(axis=1)).all(), sym
        assert (f["low"] <= f[["open", "close"]].min(axis=1)).all(), sym
        assert f.index.is_monotonic_increasing and f.index.is_unique, sym
        assert (f.index.dayofweek < 5).all(), sym
        for holiday in ("2024-12-25", "2024-07-04", "2023-11-23", "2022-06-20", "2019-04-19"):
            assert pd.Timestamp(holiday) not in f.index, (sym, holiday)
        # Daily moves are daily-sized, not random noise of any size.
        assert f["close"].pct_change().abs().max() < 0.25, sym
    spy = market["SPY"]["close"]
    fast, slow = spy.rolling(50).mean(), spy.rolling(200).mean()
    above = (fast > slow)[slow.notna()].astype(int).diff().dropna()
    assert (above == 1).sum() >= 1, "no golden cross"
    assert (above == -1).sum() >= 1, "no death cross"
    # Bonds hedge stocks: negative daily correlation; cash is nearly flat.
    returns = pd.DataFrame({s: f["close"].pct_change() for s, f in market.items()})
    assert returns["SPY"].corr(returns["TLT"]) < 0
    assert returns["SPY"].corr(returns["QQQ"]) > 0.7
    assert returns["BIL"].std() < 0.001


def test_load_sample_marks_source_and_respects_real_data(
    store: MarketDataStore, csv_dir: Path
) -> None:
    days = [d.date().isoformat() for d in pd.bdate_range("2015-01-02", periods=30)]
    store.import_csv(write(csv_dir, "SPY.csv", shared_rows(days)))
    report = store.load_sample()
    assert "SPY" not in {c.symbol for c in report.imported}
    assert any("SPY: kept data imported from SPY.csv" in w for w in report.warnings)
    assert store.coverage("SPY").source == "SPY.csv"
    assert store.coverage("QQQ").source == "sample"
    assert store.coverage("QQQ").start == date(2010, 1, 4)
    store.load_sample(overwrite=True)
    assert store.coverage("SPY").source == "sample"
    pd.testing.assert_frame_equal(
        store.bars("TLT"), generate_sample_market()["TLT"], check_freq=False
    )
    # A real import over sample data says so.
    report = store.import_path(write(csv_dir, "QQQ.csv", shared_rows(days)))
    assert report.warnings == ["QQQ: replaced sample data with QQQ.csv"]


# ---------------------------------------------------------------------------------------------
# Real shared data
# ---------------------------------------------------------------------------------------------

REAL_SYMBOLS = [
    "AGG",
    "BIL",
    "DBC",
    "EEM",
    "EFA",
    "EWJ",
    "GLD",
    "HYG",
    "IEF",
    "IEV",
    "IWM",
    "IYR",
    "LQD",
    "MDY",
    "QQQ",
    "SHY",
    "SPY",
    "TIP",
    "TLT",
    "VNQ",
    "VTI",
]


def test_import_real_shared_data(shared_data_dir: Path, tmp_path: Path) -> None:
    store = MarketDataStore(tmp_path / "real")
    started = time.perf_counter()
    report = store.import_path(shared_data_dir)
    elapsed = time.perf_counter() - started
    assert sorted(c.symbol for c in report.imported) == REAL_SYMBOLS
    assert [c.symbol for c in store.symbols()] == REAL_SYMBOLS
    assert report.warnings == []
    spy = store.coverage("SPY")
    assert spy.source == "SPY.csv"
    assert spy.start <= date(2006, 1, 3) and spy.end >= date(2024, 12, 31)
    bars = store.bars("SPY", date(2006, 1, 3), date(2024, 12, 31))
    assert bars.index[0] == pd.Timestamp("2006-01-03")
    assert bars.index[-1] == pd.Timestamp("2024-12-31")
    assert len(bars) == 4781  # trading days 2006-01-03..2024-12-31
    store.require(REAL_SYMBOLS, date(2008, 1, 2), date(2024, 12, 31), warmup_bars=120)
    assert np.isfinite(bars.to_numpy()).all()
    # Budget is 5 s on a developer machine; the assertion leaves room for slow CI runners.
    assert elapsed < 15, f"importing the 21 real CSVs took {elapsed:.2f}s"


# ---------------------------------------------------------------------------------------------
# Trading calendar and package layout
# ---------------------------------------------------------------------------------------------


def test_sample_calendar_differs_from_nyse_library_only_on_one_off_closures() -> None:
    """The decision in runtime/market_data/calendar.py: the maintained NYSE calendar drops three
    more days over the sample range (one-off closures), so switching would change the sample."""
    pmc = pytest.importorskip("pandas_market_calendars")
    start, end = date(2010, 1, 4), date(2024, 12, 31)
    ours = set(trading_days(start, end).date)
    library = set(pmc.get_calendar("NYSE").valid_days(start, end).tz_localize(None).date)
    assert library <= ours
    assert sorted(ours - library) == [date(2012, 10, 29), date(2012, 10, 30), date(2018, 12, 5)]
    assert set(generate_sample_market()["SPY"].index.date) == ours


def test_trading_days_follow_regular_holiday_rules() -> None:
    days = set(trading_days(date(2021, 12, 20), date(2022, 7, 8)).date)
    assert date(2021, 12, 24) not in days  # Christmas on a Saturday, observed on Friday
    assert date(2021, 12, 31) in days  # New Year on a Saturday is not observed on Friday
    assert date(2022, 1, 17) not in days  # Martin Luther King Jr. Day
    assert date(2022, 4, 15) not in days  # Good Friday
    assert date(2022, 6, 20) not in days  # Juneteenth on a Sunday, observed on Monday
    assert date(2022, 7, 4) not in days
    assert all(d.weekday() < 5 for d in days)


def test_package_modules_import_siblings_by_full_path() -> None:
    """Inside runtime/market_data, no module imports through the package __init__ (nor
    relatively): each names the sibling module it needs."""
    package = Path(__file__).resolve().parents[2] / "runtime" / "market_data"
    wrong = []
    for path in sorted(package.glob("*.py")):
        if path.name == "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (
                node.level or node.module == "runtime.market_data"
            ):
                wrong.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.Import) and any(
                a.name == "runtime.market_data" for a in node.names
            ):
                wrong.append(f"{path.name}:{node.lineno}")
    assert not wrong, wrong
