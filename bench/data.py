"""Benchmark: fetching and storing 20 years of daily bars, and loading them into a backtest.

    .venv/bin/python bench/data.py [--repeat 5] [--data ../shared/data/daily]

* fetch + store: the 21 real ETFs of ``--data`` are imported into a "home" store and served by
  the local paper venue (Alpaca Market Data v2); 20 of them, 2005-01-03 → 2024-12-31, are
  fetched with alpaca-py (``runtime.market_data.sources.alpaca``: split- and all-adjusted
  requests, paginated by the venue at 1,000 bars) through the fallback chain's checks into a
  fresh store (merge, corporate actions, atomic writes). Prints the wall time and bars/s.
* load: one symbol's 20 years (TLT) from the store into what a backtest hands Lumibot, as the
  worker does it for every run (``runtime.backtest.market_frames`` with a new store object:
  index, Parquet and corporate actions read from disk; the dividend column; Lumibot's
  ``Data``). Target: < 20 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("IS_BACKTESTING", "true")
os.environ.setdefault("LUMIBOT_DISABLE_DOTENV", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from runtime.backtest import BacktestRequest, market_frames  # noqa: E402
from runtime.backtest_worker import _dividend_columns, _lumibot_data  # noqa: E402
from runtime.market_data import MarketDataStore  # noqa: E402
from runtime.market_data.refresh import fetch_into  # noqa: E402
from runtime.market_data.sources.alpaca import AlpacaSource  # noqa: E402
from runtime.venue import VenueConfig, VenueServer  # noqa: E402

START, END = date(2005, 1, 3), date(2024, 12, 31)


def _ms(seconds: list[float]) -> str:
    return f"median {statistics.median(seconds) * 1000:.1f} ms (min {min(seconds) * 1000:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "daily")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_data_"))
    home = MarketDataStore(work / "home")
    home.import_path(args.data)
    symbols = sorted(c.symbol for c in home.symbols())[:20]
    server = VenueServer(
        VenueConfig(root=work / "venue", market_dir=home.root, speed=0.0, start=END)
    ).start()
    try:
        server.advance(until="next_close")
        times, bars = [], 0
        for run in range(args.repeat):
            fresh = MarketDataStore(work / f"fresh{run}")
            source = AlpacaSource(server.key_id, server.secret_key, data_url=server.base_url)
            started = time.perf_counter()
            bars = sum(
                fetch_into(fresh, [source], symbol, START, END).bars for symbol in symbols
            )
            times.append(time.perf_counter() - started)
        best = min(times)
        print(
            f"fetch+store {len(symbols)} symbols x 20 years ({bars:,} bars) from the venue: "
            f"median {statistics.median(times):.2f} s, min {best:.2f} s ({bars / best:,.0f} bars/s)"
        )
    finally:
        server.stop()

    request = BacktestRequest(
        code_path="-", sha256="-", class_name="-", data_symbols=["TLT"], start=START, end=END,
        warmup_bars=200, market_data_dir=str(work / "fresh0"),
    )
    _lumibot_data(market_frames(request))  # import Lumibot's entities once, outside the timing

    def read() -> tuple[dict, dict]:
        frames = market_frames(request)
        return frames, _dividend_columns(request, frames)

    store_times, total_times = [], []
    for _ in range(args.repeat * 4):
        started = time.perf_counter()
        frames, dividends = read()
        read_done = time.perf_counter()
        _lumibot_data(frames, dividends)
        finished = time.perf_counter()
        store_times.append(read_done - started)
        total_times.append(finished - started)
    print(f"load TLT 20 years from the store (bars + dividends): {_ms(store_times)}")
    print(f"  ... and into Lumibot's Data, as a backtest gets it: {_ms(total_times)} "
          "(target < 20 ms)")

if __name__ == "__main__":
    main()
