"""Benchmark: a 40-run parameter sweep, three ways, in one run.

    .venv/bin/python bench/batch.py [--data ../shared/data/daily] [--no-ray] [--runs 40]

The sweep: the generated golden cross on SPY, daily bars 2015-01-02 → 2024-12-31 (10 years),
fast SMA × slow SMA = 8 × 5 = 40 combinations, $100,000, no tearsheet.

* baseline: 40 sequential runs of bare Lumibot, each a fresh `python` process that imports
  Lumibot, reads the CSV and calls `run_backtest` (what a shell loop over a script does);
* local pool: `Stratforge.create_batch` + `run_batch` on the warm pool (one process per core,
  Lumibot imported once per process, Lumibot's per-call market-input fingerprinting off — see
  runtime/pool_worker.py), pool start-up included; then again with that fingerprinting kept;
* Ray: the same batch on a real local Ray cluster (127.0.0.1, one worker slot per core),
  cluster start-up excluded, connection and data shipping included.

Prints the wall-clock times and the ratios baseline / local pool and Ray / local pool.
"""

from __future__ import annotations

import argparse
import itertools
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
sys.path.insert(0, str(ROOT / "tests"))

START, END = date(2015, 1, 2), date(2024, 12, 31)
FAST = [5, 10, 15, 20, 25, 30, 35, 40]
SLOW = [50, 100, 150, 200, 250]
TEXT = ("Buy SPY when the 50-day SMA crosses above the 200-day SMA and sell when it crosses "
        "back below")

BARE = textwrap.dedent('''
    import os, sys
    os.environ.update(IS_BACKTESTING="true", LUMIBOT_DISABLE_DOTENV="1", LUMIBOT_DISABLE_UI="1")
    from datetime import datetime
    import pandas as pd
    from lumibot.backtesting import PandasDataBacktesting
    from lumibot.entities import Asset, Data
    from lumibot.strategies import Strategy

    FAST, SLOW = int(sys.argv[2]), int(sys.argv[3])

    class Cross(Strategy):
        def initialize(self):
            self.sleeptime = "1D"

        def on_trading_iteration(self):
            bars = self.get_historical_prices("SPY", SLOW + 3, "day").df
            closes = bars[bars.index.date < self.get_datetime().date()]["close"]
            if len(closes) < SLOW + 2:
                return
            fast, slow = closes.rolling(FAST).mean(), closes.rolling(SLOW).mean()
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
    result, _ = Cross.run_backtest(
        PandasDataBacktesting, datetime(2015, 1, 2), datetime(2024, 12, 31),
        pandas_data={asset: Data(asset, df, timestep="day")}, budget=100000,
        risk_free_rate=0.0, benchmark_asset=None, show_plot=False, show_tearsheet=False,
        save_tearsheet=False, show_indicators=False, show_progress_bar=False, quiet_logs=True)
    print("total_return", result["total_return"])
''')


def combos(n: int) -> list[tuple[int, int]]:
    return list(itertools.product(FAST, SLOW))[:n]


def baseline(csv: Path, work: Path, pairs: list[tuple[int, int]]) -> tuple[float, list[float]]:
    script = work / "bare.py"
    script.write_text(BARE)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAY_", "STRATFORGE_"))}
    times = []
    started = time.perf_counter()
    for i, (fast, slow) in enumerate(pairs):
        folder = work / f"bare_{i}"
        folder.mkdir()
        t = time.perf_counter()
        subprocess.run([sys.executable, str(script), str(csv), str(fast), str(slow)],
                       cwd=folder, env=env, capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - t)
    return time.perf_counter() - started, times


def fresh_process_cost_s(repeat: int = 3) -> float:
    """Wall time of a fresh `python` that only does the bare script's imports: what every
    fresh-process run pays before its backtest starts, and what a warm worker pays once."""
    code = ("import os;os.environ.update(IS_BACKTESTING='true',LUMIBOT_DISABLE_DOTENV='1');"
            "from lumibot.backtesting import PandasDataBacktesting;"
            "from lumibot.entities import Asset, Data;from lumibot.strategies import Strategy")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run_sweep(home: Path, data: Path, executor: str, ray_address: str | None,
              pairs: list[tuple[int, int]], input_evidence: bool = False,
              ) -> tuple[float, dict[str, float], list[float]]:
    from api.services.container import Services
    from api.services.views import BatchSpec
    from core.config import ExecutorSettings, Settings
    from core.db import dispose_engines

    settings = Settings(home=home, generated_dir=home / "gen", smoke_backtest_days=0,
                        tearsheet=False,
                        executor=ExecutorSettings(executor=executor,  # type: ignore[arg-type]
                                                  ray_address=ray_address,
                                                  input_evidence=input_evidence))
    app = Services.open(settings)
    app.market.import_path(data)
    strategy = app.strategies.create_strategy(app.user_id, TEXT)
    fast = sorted({f for f, _ in pairs})
    slow = sorted({s for _, s in pairs})
    spec = BatchSpec.model_validate({
        "name": f"bench-{executor}", "kind": "sweep",
        "targets": [{"strategy_id": strategy.id}],
        "date_ranges": [{"start": START.isoformat(), "end": END.isoformat()}],
        "sweep": [{"name": "fast_sma_period", "values": fast},
                  {"name": "slow_sma_period", "values": slow}],
        "max_runs": len(pairs),
    })
    batch = app.planner.create_batch(app.user_id, spec)
    assert batch.counts.total == len(pairs), batch.counts
    started = time.perf_counter()
    view = app.batches.run_batch(batch.id)
    elapsed = time.perf_counter() - started
    assert view.counts.succeeded == len(pairs), view.counts
    results = app.results.batch_results(None, batch.id)
    returns = {
        f"{r['parameters']['fast_sma_period']}/{r['parameters']['slow_sma_period']}":
            r["metrics"]["total_return"]
        for r in results["leaderboard"]
    }
    durations = [app.backtests.get_backtest(None, i).duration_s or 0.0 for i in view.run_ids]
    app.close()
    dispose_engines()
    return elapsed, returns, durations


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "daily")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--no-ray", action="store_true")
    args = parser.parse_args()
    pairs = combos(args.runs)
    cores = os.cpu_count() or 1
    print(f"sweep: golden cross SPY {START} → {END}, {len(pairs)} runs, os.cpu_count()={cores}",
          flush=True)
    print(f"  (load average at start {_load()}: other work on this machine skews the figures)",
          flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        imp = fresh_process_cost_s()
        base_total, base_times = baseline(args.data / "SPY.csv", tmp_path, pairs)
        print(f"  baseline: {len(pairs)} sequential fresh-process bare Lumibot runs "
              f"{base_total:7.1f} s (median {statistics.median(base_times):.2f} s/run; "
              f"of which python + Lumibot imports {imp:.2f} s) load {_load()}", flush=True)
        pool_total, pool_returns, pool_durations = run_sweep(
            tmp_path / "local", args.data, "local", None, pairs)
        print(f"  local pool ({cores} warm workers):                     {pool_total:7.1f} s "
              f"(median {statistics.median(pool_durations):.2f} s/run inside a warm worker) "
              f"load {_load()}", flush=True)
        kept_total, kept_returns, kept_durations = run_sweep(
            tmp_path / "local_kept", args.data, "local", None, pairs, input_evidence=True)
        print(f"  local pool, Lumibot's market-input evidence kept:  {kept_total:7.1f} s "
              f"(median {statistics.median(kept_durations):.2f} s/run) load {_load()}; "
              f"same results: {kept_returns == pool_returns}", flush=True)
        ray_total = None
        if not args.no_ray:
            from ray_cluster import local_ray_cluster, ray_importable

            if not ray_importable():
                print("  ray: not installed (pip install -e '.[ray]'); skipped")
            else:
                with local_ray_cluster(num_cpus=cores) as address:
                    ray_total, ray_returns, _ = run_sweep(
                        tmp_path / "ray", args.data, "ray", address, pairs)
                print(f"  Ray (local cluster, {cores} worker slots):              "
                      f"{ray_total:7.1f} s load {_load()}", flush=True)
                same = ray_returns == pool_returns
                print(f"  Ray results identical to the local pool: {same}")
    print(f"  ratio baseline / local pool: {base_total / pool_total:.2f}x (goal ≥ 2.5x); "
          f"with Lumibot's evidence kept: {base_total / kept_total:.2f}x")
    if ray_total is not None:
        print(f"  ratio Ray / local pool: {ray_total / pool_total:.2f}x "
              f"(local pool / Ray: {pool_total / ray_total:.2f}x)")


if __name__ == "__main__":
    main()
