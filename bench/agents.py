"""Benchmark: what an agent costs around its model, and a cached agent backtest vs a rule-based one.

    .venv/bin/python bench/agents.py [--repeat 3] [--data ../shared/data/daily]

1. Per-decision overhead around the model (target < 5 ms): building the snapshot of three
   symbols from completed bars (263 bars each, 3 indicators + the 200-day average), its canonical
   JSON and hash, the round trip over the local socket to the decision service with a cache hit
   (one database lookup), and the decision check in the strategy. Median of many decisions.
2. A 2-year weekly backtest (SPY, TLT, GLD; 2023-01-03 → 2024-12-31) of the agent replayed from
   its decision cache vs the same rule written as a rule-based strategy (buy above the 200-day
   SMA, sell below, equal weight, checked weekly), both through the one executor on a warm
   worker (target: cached agent within 1.2x). The first agent run fills the cache (offline
   model: no key needed) and is not counted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.services.container import Services  # noqa: E402
from api.services.views import BacktestConfig  # noqa: E402
from core.config import Settings  # noqa: E402
from runtime.agents.channel import ask  # noqa: E402
from runtime.agents.decision import check_decision  # noqa: E402
from runtime.agents.snapshot import build_snapshot, snapshot_hash  # noqa: E402

AGENT_TEXT = (
    "Each week, decide how to split between SPY, TLT and GLD given the last 3 months of prices, "
    "RSI and 50/200-day trends; stay in cash when unsure"
)
RULE_TEXT = (
    "Buy SPY, TLT and GLD when the price is above the 200-day SMA and sell when it is below, "
    "equal weight, checked weekly"
)
START, END = date(2023, 1, 3), date(2024, 12, 31)


def _timed_backtest(services: Services, strategy_id: int) -> float:
    run = services.backtests.create_backtest(services.user_id, BacktestConfig(
        strategy_id=strategy_id, start=START, end=END, tearsheet=False))
    started = time.perf_counter()
    done = services.backtests.execute_backtest(run.id)
    elapsed = time.perf_counter() - started
    if done.status != "succeeded":
        raise SystemExit(f"run {run.id} {done.status}: {done.error}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "daily")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="sf-bench-agents-"))
    settings = Settings(home=home, generated_dir=home / "generated", tearsheet=False,
                        smoke_backtest_days=0, executor={"workers": 1})  # type: ignore[arg-type]
    services = Services.open(settings)
    try:
        if args.data.is_dir():
            services.ctx.market.import_path(args.data)
        else:
            services.ctx.market.load_sample()
        user = services.user_id
        agent = services.agents.create_agent(user, AGENT_TEXT, "offline")
        rule = services.strategies.create_strategy(user, RULE_TEXT, "offline")

        # -- 1. per-decision overhead around the model -------------------------------------------
        _timed_backtest(services, agent.id)  # fills the cache
        with services.ctx.session() as db:
            from core.models import BacktestRun, StrategyVersion

            run = db.get(BacktestRun, 1)
            version = db.get(StrategyVersion, run.version_id) if run else None
        assert run is not None and version is not None
        spec = services.agents.agent_spec(user, agent.id)[0]
        frames = {s: services.ctx.market.bars(s, date(2021, 1, 4), END) for s in spec.symbols}
        days = [d.date() for d in frames["SPY"].index if START <= d.date() <= END][::5]
        indicators = [{"kind": i.kind.value, "period": i.period} for i in spec.indicators]
        parts: dict[str, list[float]] = {}
        hits = 0
        for replay in (False, True):  # the first pass fills the cache, the second replays it
            address = services.decisions.open_run(run, version)  # a run registers, preloads
            assert address is not None
            parts = {"snapshot": [], "hash": [], "channel+cache": [], "check": [], "total": []}
            for day in days:
                t0 = time.perf_counter()
                history = {s: f[f.index.date < day].tail(spec.lookback())
                           for s, f in frames.items()}
                snap = build_snapshot(history, day, symbols=spec.symbols,
                                      lookback=spec.lookback_days, indicators=indicators,
                                      cash=100_000.0)
                t1 = time.perf_counter()
                assert snap is not None
                snapshot_hash(snap)
                t2 = time.perf_counter()
                reply = ask(address, {"day": day.isoformat(),
                                      "snapshot": snap.model_dump(mode="json")})
                t3 = time.perf_counter()
                check_decision({"target_weights": reply.get("target_weights"), "rationale": "-"},
                               spec.symbols)
                t4 = time.perf_counter()
                for key, value in (("snapshot", t1 - t0), ("hash", t2 - t1),
                                   ("channel+cache", t3 - t2), ("check", t4 - t3),
                                   ("total", t4 - t0)):
                    parts[key].append(value * 1000)
            stats = services.decisions.close_run(run.id or 0) or {}
            hits = int(stats.get("cache_hits", 0)) if replay else hits
        print(f"per-decision overhead around the model ({len(days)} decisions replayed, "
              f"{hits} cache hits; medians; 'snapshot' includes slicing the bars):")
        for key, values in parts.items():
            print(f"  {key:14s} {statistics.median(values):7.3f} ms")

        # -- 2. cached agent backtest vs the rule-based strategy ---------------------------------
        agent_times, rule_times = [], []
        for _ in range(args.repeat):
            agent_times.append(_timed_backtest(services, agent.id))
            rule_times.append(_timed_backtest(services, rule.id))
        a, r = statistics.median(agent_times), statistics.median(rule_times)
        print(f"2-year weekly backtest, median of {args.repeat} (warm worker):")
        print(f"  agent, replayed from cache  {a:6.2f} s")
        print(f"  rule-based, same rule       {r:6.2f} s")
        print(f"  ratio                       {a / r:6.2f}x  (target <= 1.2x)")
    finally:
        services.close()


if __name__ == "__main__":
    main()
