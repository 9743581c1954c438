"""Benchmark: the fast engine against Lumibot, and a 10,000-variant sweep screened on it.

    .venv/bin/python bench/screen.py [--data ../shared/data/daily] [--processes 2] [--repeat 3]

1. One SPY 2006-01-03 → 2024-12-31 golden-cross backtest (the 50/200-day SMA cross, cash
   dividends as stored, fills checked identical): Lumibot in this process
   (`runtime.backtest_worker.run` on a run folder, the code a worker runs) vs the fast engine
   (`runtime.fast_engine.simulate` on the same bars), and the fast engine including loading the
   bars and its metrics (`run_request`). Goal: ≥ 1000x.
2. 10,000 variants of that golden cross (fast period 2..101 × slow period 102..399 step 3)
   screened on `--processes` worker processes and ranked by Sharpe ratio, wall time including
   loading the bars, rendering each variant's parameters and ranking. Goal: < 10 s on 2 cores.
3. The overfitting figures of that sweep.
4. A 30-week SMA on every day's window: all days at once (`timeframe_pair`) vs one day at a
   time (`reference_pair`, what the engine did before), values checked identical.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.services.fast_backtests import fast_inputs  # noqa: E402
from generator.render import plan_strategy, render_strategy  # noqa: E402
from generator.spec import StrategySpec  # noqa: E402
from runtime.backtest import BacktestRequest, market_frames  # noqa: E402
from runtime.fast_engine import rank, run_request, screen, simulate  # noqa: E402

START, END = date(2006, 1, 3), date(2024, 12, 31)


def golden(fast: int = 50, slow: int = 200) -> StrategySpec:
    sma = lambda n: {"kind": "sma", "period": n}  # noqa: E731
    return StrategySpec.model_validate({
        "name": "Golden cross SPY", "symbols": ["SPY"],
        "entry": {"conditions": [{"left": sma(fast), "op": "crosses_above", "right": sma(slow)}]},
        "exit": {"conditions": [{"left": sma(fast), "op": "crosses_below", "right": sma(slow)}]},
    })


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "daily"))
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from runtime import backtest_worker
    from runtime.market_data import MarketDataStore

    work = Path(tempfile.mkdtemp(prefix="bench_screen_"))
    market = work / "market"
    MarketDataStore(market).import_path(Path(args.data))
    spec = golden()
    code = work / "golden.py"
    code.write_text(render_strategy(spec), encoding="utf-8")
    request = BacktestRequest(
        code_path=str(code), sha256=hashlib.sha256(code.read_bytes()).hexdigest(),
        class_name=plan_strategy(spec).class_name, data_symbols=["SPY"], start=START, end=END,
        warmup_bars=spec.lookback(), market_data_dir=str(market), dividends="cash")
    print(f"machine: {os.cpu_count()} cores (shared with other engineers while measured); "
          f"screen on {args.processes} processes")

    # 1. one backtest, Lumibot in-process vs the fast engine
    run_dir = work / "lumibot_run"
    run_dir.mkdir()
    (run_dir / "request.json").write_text(request.model_dump_json(), encoding="utf-8")
    here = os.getcwd()
    started = time.perf_counter()
    lumibot = backtest_worker.run(run_dir)
    lumibot_s = time.perf_counter() - started
    os.chdir(here)
    spec_json, params = fast_inputs(spec, {})
    frames = market_frames(request)
    store = MarketDataStore(market)
    dividends = {s: store.dividends(s, f) for s, f in frames.items()}
    times = []
    for _ in range(max(args.repeat * 10, 10)):
        started = time.perf_counter()
        result = simulate(spec_json, params, frames, START, END, dividends=dividends)
        times.append(time.perf_counter() - started)
    fast_s = statistics.median(times)
    started = time.perf_counter()
    document = run_request(spec_json, params, request)
    full_s = time.perf_counter() - started
    same = [(f["time"], f["side"], f["quantity"], f["price"]) for f in lumibot["fills"]] == [
        (f.time, f.side, f.quantity, f.price) for f in result.fills]
    print("\n1. SPY golden cross 2006-01-03 → 2024-12-31 (cash dividends)")
    print(f"   Lumibot in-process          {lumibot_s:8.3f} s   total return "
          f"{lumibot['metrics']['total_return']:.12f}")
    print(f"   fast engine (simulate)      {fast_s * 1000:8.3f} ms  total return "
          f"{document['metrics']['total_return']:.12f}   fills identical: {same}")
    print(f"   fast engine + load+metrics  {full_s * 1000:8.3f} ms")
    print(f"   speed-up: {lumibot_s / fast_s:,.0f}x (simulate), {lumibot_s / full_s:,.0f}x "
          "(with loading and metrics)")

    # 2. a 10,000-variant sweep, screened and ranked
    walls = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        frames = market_frames(request)
        dividends = {s: store.dividends(s, f) for s, f in frames.items()}
        base = spec_json
        variants = []
        for fast in range(2, 102):
            for slow in range(102, 400, 3):
                overrides = {"fast_sma_period": fast, "slow_sma_period": slow,
                             "history_bars": slow + 2}
                variant = _variant(base, params, overrides)
                variants.append(variant)
        prepared = time.perf_counter() - started
        scores = screen(variants, frames, START, END, dividends=dividends,
                        processes=args.processes)
        order = rank(scores)
        walls.append((time.perf_counter() - started, prepared))
    wall, prepared = min(walls)
    best = scores[order[0]]
    fast_p = variants[order[0]][0]["entry"]["conditions"][0]["left"]["period"]
    slow_p = variants[order[0]][0]["entry"]["conditions"][0]["right"]["period"]
    print(f"\n2. {len(variants):,} golden-cross variants, {args.processes} processes "
          f"(best of {args.repeat})")
    print(f"   wall {wall:.2f} s (of which {prepared:.2f} s loading bars and preparing variants)"
          f" = {len(variants) / wall:,.0f} variants/s")
    print(f"   best by Sharpe: fast {fast_p} / slow {slow_p}: Sharpe {best['sharpe']:.3f}, "
          f"total return {best['total_return']:.3f}, {best['fills']} fills")

    # 3. how much of that best is luck (runtime.overfitting)
    import numpy as np

    from runtime.overfitting import deflated_sharpe, probability_of_backtest_overfitting

    sharpes = np.array([r["sharpe"] for r in scores], dtype="float64")
    per_day = sharpes[np.isfinite(sharpes)] / np.sqrt(252)
    started = time.perf_counter()

    def daily(i: int) -> np.ndarray:
        spec_i, params_i = variants[i]
        curve = simulate(spec_i, params_i, frames, START, END, dividends=dividends).equity
        values = curve.to_numpy()
        return values[1:] / values[:-1] - 1.0

    dsr = deflated_sharpe(daily(order[0]), len(variants), float(per_day.var(ddof=1)))
    sample = sorted(set(range(0, len(variants), 50)) | {order[0]})  # 201 variants, the best in
    matrix = np.column_stack([daily(i) for i in sample])
    pbo = probability_of_backtest_overfitting(matrix, blocks=10)
    print(f"\n3. overfitting ({time.perf_counter() - started:.1f} s): {len(variants):,} trials; "
          f"deflated Sharpe ratio of the best {dsr:.3f}; PBO {pbo:.2f} "
          f"(CSCV, 10 blocks, {len(sample)} variants evenly spread plus the best)")
    print("   the deflated Sharpe ratio is the probability that the best variant's Sharpe ratio "
          "is above what the best of that many skill-less variants would show; PBO is how often "
          "the in-sample best ranks in the bottom half out of sample")

    # 4. weekly bars: every day's window resampled at once vs one day at a time
    from runtime.fast_engine.indicators import reference_pair, timeframe_pair

    weekly = {"kind": "sma", "period": 30, "timeframe": "weekly"}
    bars = frames["SPY"]
    window = 30 * 5 + 12  # the generated code's window for a 30-week SMA
    rows = np.arange(len(bars))
    started = time.perf_counter()
    at_once = timeframe_pair(weekly, bars, window, rows)
    at_once_s = time.perf_counter() - started
    started = time.perf_counter()
    per_day = reference_pair(weekly, bars, window, rows)
    per_day_s = time.perf_counter() - started
    equal = all(np.array_equal(a, b, equal_nan=True) for a, b in zip(at_once, per_day,
                                                                       strict=True))
    print(f"\n4. 30-week SMA of SPY on each of {len(rows):,} days' windows: every day at once "
          f"{at_once_s * 1000:.1f} ms, one day at a time (strategy_base.resample per day) "
          f"{per_day_s:.2f} s = {per_day_s / at_once_s:,.0f}x; values identical: {equal}")


def _variant(base: dict, params: dict, overrides: dict) -> tuple[dict, dict]:
    """The golden cross with its two periods replaced (what `generator.parameters` writes)."""
    import copy

    spec = copy.deepcopy(base)
    for role in ("entry", "exit"):
        cond = spec[role]["conditions"][0]
        cond["left"]["period"] = overrides["fast_sma_period"]
        cond["right"]["period"] = overrides["slow_sma_period"]
    return spec, {**params, **overrides}


if __name__ == "__main__":
    main()
