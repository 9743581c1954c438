"""Benchmark: a stratforge backtest vs bare Lumibot on the same strategy and data, in one run.

    .venv/bin/python bench/backtest.py [--repeat 3] [--data ../shared/data/daily]

Both sides run the golden cross on SPY 2006-01-03 → 2024-12-31 with $100,000 in a fresh
process each time:

* bare Lumibot: a hand-written strategy reading the CSV directly, `run_backtest` with the
  offline knobs (risk-free rate given, no benchmark download), nothing else;
* stratforge: `Stratforge.create_backtest` + `execute_backtest` on the generated code — the
  worker subprocess with a scrubbed environment, hash check, Parquet bars, metrics, trades,
  equity curve and benchmark (tearsheet off, then on).

Prints wall-clock medians and the ratios stratforge / bare.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BARE = textwrap.dedent('''
    import os, sys
    os.environ.update(IS_BACKTESTING="true", LUMIBOT_DISABLE_DOTENV="1", LUMIBOT_DISABLE_UI="1")
    from datetime import datetime
    import pandas as pd
    from lumibot.backtesting import PandasDataBacktesting
    from lumibot.entities import Asset, Data
    from lumibot.strategies import Strategy

    class GoldenCross(Strategy):
        def initialize(self):
            self.sleeptime = "1D"

        def on_trading_iteration(self):
            history = self.get_historical_prices("SPY", 203, "day").df
            closes = history[history.index.date < self.get_datetime().date()]["close"]
            if len(closes) < 202:
                return
            fast, slow = closes.rolling(50).mean(), closes.rolling(200).mean()
            position = self.get_position("SPY")
            if fast.iloc[-2] <= slow.iloc[-2] and fast.iloc[-1] > slow.iloc[-1] and not position:
                qty = int(self.portfolio_value // closes.iloc[-1])
                self.submit_order(self.create_order("SPY", qty, "buy"))
            elif fast.iloc[-2] >= slow.iloc[-2] and fast.iloc[-1] < slow.iloc[-1] and position:
                self.submit_order(self.create_order("SPY", position.quantity, "sell"))

    df = pd.read_csv(sys.argv[1], parse_dates=["date"], index_col="date")
    df = df[["open", "high", "low", "close", "volume"]]
    df.index = df.index.tz_localize("America/New_York")
    asset = Asset("SPY", "stock")
    result, _ = GoldenCross.run_backtest(
        PandasDataBacktesting, datetime(2006, 1, 3), datetime(2024, 12, 31),
        pandas_data={asset: Data(asset, df, timestep="day")}, budget=100000,
        risk_free_rate=0.0, benchmark_asset=None, show_plot=False, show_tearsheet=False,
        save_tearsheet=False, show_indicators=False, show_progress_bar=False, quiet_logs=True)
    print("total_return", result["total_return"])
''')

TEXT = ("Buy SPY when the 50-day SMA crosses above the 200-day SMA and sell when it crosses "
        "back below")


def bare_run(csv: Path, workdir: Path) -> tuple[float, str]:
    script = workdir / "bare.py"
    script.write_text(BARE)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(script), str(csv)], cwd=workdir,
                          capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - started
    line = [ln for ln in done.stdout.splitlines() if ln.startswith("total_return")][-1]
    return elapsed, line.split()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "daily")
    args = parser.parse_args()

    from api.services.container import Services
    from api.services.views import BacktestConfig
    from core.config import Settings

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        settings = Settings(home=tmp_path / "home", generated_dir=tmp_path / "gen",
                            smoke_backtest_days=0, tearsheet=False)
        service = Services.open(settings)
        service.market.import_path(args.data)
        strategy = service.strategies.create_strategy(service.user_id, TEXT)
        bare_times, plain_times, sheet_times = [], [], []
        bare_return = ours_return = ""
        for i in range(args.repeat):
            workdir = tmp_path / f"bare{i}"
            workdir.mkdir()
            elapsed, bare_return = bare_run(args.data / "SPY.csv", workdir)
            bare_times.append(elapsed)
            for tearsheet, bucket in ((False, plain_times), (True, sheet_times)):
                config = BacktestConfig(strategy_id=strategy.id, start=date(2006, 1, 3),
                                        end=date(2024, 12, 31), cash=100_000,
                                        tearsheet=tearsheet)
                started = time.perf_counter()
                run = service.backtests.create_backtest(service.user_id, config)
                result = service.backtests.execute_backtest(run.id)
                bucket.append(time.perf_counter() - started)
                assert result.status == "succeeded", result.error
                ours_return = str(result.metrics["total_return"] if result.metrics else "")
        service.close()

    bare, plain, sheet = (statistics.median(x) for x in (bare_times, plain_times, sheet_times))
    print(f"golden cross SPY 2006-01-03 → 2024-12-31, {args.repeat} runs each, "
          f"os.cpu_count()={os.cpu_count()}")
    print(f"  total return: bare {float(bare_return):.4f}, stratforge {float(ours_return):.4f}")
    print(f"  bare Lumibot (fresh process)        median {bare:6.2f} s  runs {_fmt(bare_times)}")
    print(f"  stratforge, no tearsheet            median {plain:6.2f} s  runs {_fmt(plain_times)}")
    print(f"  stratforge, with tearsheet          median {sheet:6.2f} s  runs {_fmt(sheet_times)}")
    print(f"  ratio stratforge/bare: {plain / bare:.2f}x (no tearsheet), "
          f"{sheet / bare:.2f}x (with tearsheet)")


def _fmt(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    main()
