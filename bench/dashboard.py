"""Dashboard pages at 1,000 strategies and 10,000 backtest runs, on a live server over loopback.

    .venv/bin/python bench/dashboard.py [--strategies 1000] [--runs 10000] [--requests 40]

One strategy is generated and backtested for real (so the report page reads real artifacts);
the rest are recorded like them straight into the server's database: 999 more strategies,
runs spread over them (every 10th failed), and 20 batches of 25 runs each. Then each page is
requested N times in turn; the time from request to the last byte over loopback (an upper
bound of the server's time) is printed as p50/p95 per page, with the body size. Target: every
page under 100 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import httpx
from live_server import live_server  # bench/ is the script's folder, first on sys.path
from sqlmodel import Session, select

from core.config import Settings
from core.db import get_engine
from core.models import BacktestRun, Batch, Strategy, StrategyVersion

GOLDEN = ("Buy SPY when the 50-day SMA crosses above the 200-day SMA and sell when it crosses "
          "back below")
BATCHES = 20
PER_BATCH = 25


def seed(home: Path, strategy_id: int, run_id: int, strategies: int, runs: int) -> int:
    """Copies of the real strategy and run; returns a batch id."""
    engine = get_engine(Settings(home=home))
    with Session(engine) as db:
        source = db.get(Strategy, strategy_id)
        version = db.exec(select(StrategyVersion).where(
            StrategyVersion.strategy_id == strategy_id)).one()
        run = db.get(BacktestRun, run_id)
        assert source is not None and run is not None
        targets: list[tuple[int, int]] = [(strategy_id, version.id or 0)]
        for n in range(strategies - 1):
            row = Strategy(owner_id=source.owner_id, name=f"{source.name} {n}",
                           slug=f"{source.slug}_copy_{n}", text=source.text, latest_version=1)
            db.add(row)
            db.flush()
            assert row.id is not None
            copy = StrategyVersion(**version.model_dump(exclude={"id", "strategy_id"}),
                                   strategy_id=row.id)
            db.add(copy)
            db.flush()
            targets.append((row.id or 0, copy.id or 0))
        batch_ids = []
        for b in range(BATCHES):
            batch = Batch(owner_id=source.owner_id, name=f"sweep {b}", kind="explicit",
                          status="succeeded", executor="local",
                          spec={"name": f"sweep {b}", "date_ranges": [
                              {"start": "2015-01-02", "end": "2019-12-31"}],
                              "targets": [{"strategy_id": strategy_id}]})
            db.add(batch)
            db.flush()
            batch_ids.append(batch.id or 0)
        template = run.model_dump(exclude={"id", "strategy_id", "version_id", "batch_id"})
        for n in range(runs - 1):
            sid, vid = targets[n % len(targets)]
            in_batch = batch_ids[n // PER_BATCH] if n < BATCHES * PER_BATCH else None
            values = dict(template)
            if n % 10 == 9:
                values.update(status="failed", metrics=None, error="seeded failure")
            db.add(BacktestRun(**values, strategy_id=sid, version_id=vid, batch_id=in_batch))
            if n % 2000 == 0:
                db.flush()
        db.commit()
    engine.dispose()
    return batch_ids[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--strategies", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    with live_server() as server, httpx.Client(base_url=server.base, timeout=120) as client:
        created = client.post("/strategies", json={"text": GOLDEN})
        created.raise_for_status()
        strategy_id = created.json()["id"]
        run = client.post("/backtests", json={"strategy_id": strategy_id,
                                              "start": "2015-01-02", "end": "2019-12-31"})
        run.raise_for_status()
        run_id = run.json()["id"]
        while client.get(f"/backtests/{run_id}").json()["status"] not in ("succeeded",
                                                                          "failed"):
            time.sleep(0.5)
        started = time.perf_counter()
        batch_id = seed(Path(server.env["STRATFORGE_HOME"]), strategy_id, run_id,
                        args.strategies, args.runs)
        total = client.get("/strategies", params={"limit": 1}).headers["X-Total-Count"]
        runs_total = client.get("/backtests", params={"limit": 1}).headers["X-Total-Count"]
        print(f"seeded in {time.perf_counter() - started:.1f} s: {total} strategies, "
              f"{runs_total} runs ({os.cpu_count()} cores, load {os.getloadavg()[0]:.2f})")
        pages = {
            "overview": "/ui",
            "strategies": "/ui/strategies",
            "strategies search": "/ui/strategies?q=golden&symbol=SPY&status=passed&sort=name",
            "strategies p40": "/ui/strategies?page=40",
            "strategy": f"/ui/strategies/{strategy_id}",
            "backtest report": f"/ui/backtests/{run_id}",
            "compare 5": "/ui/compare?" + "&".join(f"runs={run_id + i}" for i in range(5)),
            "batches": "/ui/batches",
            "batch": f"/ui/batches/{batch_id}",
            "bot builder": "/ui/builder?text=" + GOLDEN.replace(" ", "+"),
            "agents": "/ui/agents",
            "live": "/ui/live",
            "account": "/ui/account",
            "market data": "/ui/market-data",
        }
        for path in pages.values():  # warm up, and every page answers
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code,
                                                  response.text[:300])
        print(f"{'page':<18} {'p50':>8} {'p95':>8} {'max':>8} {'body':>8}")
        for label, path in pages.items():
            latencies = []
            size = 0
            for _ in range(args.requests):
                began = time.perf_counter()
                response = client.get(path)
                latencies.append(time.perf_counter() - began)
                size = len(response.content)
            q = statistics.quantiles(latencies, n=100)
            print(f"{label:<18} {q[49] * 1000:6.1f}ms {q[94] * 1000:6.1f}ms "
                  f"{max(latencies) * 1000:6.1f}ms {size / 1024:6.0f}KB")


if __name__ == "__main__":
    main()
