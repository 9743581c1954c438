"""`GET /strategies` at 1,000 strategies on a live server over loopback: one strategy generated
for real, 999 more recorded like it straight into the server's database, then N sequential
requests of the default page (and of the last page). Prints p50/p95/p99 and the body size.

    .venv/bin/python bench/list_strategies.py [--strategies 1000] [--requests 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import httpx
from live_server import live_server  # bench/ is the script's folder, first on sys.path
from sqlmodel import select

from core.config import Settings
from core.db import get_engine
from core.models import Strategy, StrategyVersion

GOLDEN = ("Buy SPY when the 50-day SMA crosses above the 200-day SMA and sell when it crosses "
          "back below")


def seed(home: Path, strategy_id: int, count: int) -> None:
    """`count` more strategies like `strategy_id`, each with its own slug and version row."""
    from sqlmodel import Session

    engine = get_engine(Settings(home=home))
    with Session(engine) as db:
        source = db.get(Strategy, strategy_id)
        version = db.exec(select(StrategyVersion).where(
            StrategyVersion.strategy_id == strategy_id)).one()
        assert source is not None
        for n in range(count):
            row = Strategy(owner_id=source.owner_id, name=f"{source.name} {n}",
                           slug=f"{source.slug}_copy_{n}", text=source.text, latest_version=1)
            db.add(row)
            db.flush()
            assert row.id is not None
            db.add(StrategyVersion(**version.model_dump(exclude={"id", "strategy_id"}),
                                   strategy_id=row.id))
        db.commit()
    engine.dispose()


def timed(client: httpx.Client, params: dict[str, int], requests: int) -> tuple[list[float], int]:
    latencies = []
    size = 0
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get("/strategies", params=params)
        latencies.append(time.perf_counter() - started)
        response.raise_for_status()
        size = len(response.content)
    return latencies, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--strategies", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with live_server() as server, httpx.Client(base_url=server.base, timeout=60) as client:
        created = client.post("/strategies", json={"text": GOLDEN})
        created.raise_for_status()
        seed(Path(server.env["STRATFORGE_HOME"]), created.json()["id"], args.strategies - 1)
        total = client.get("/strategies").headers["X-Total-Count"]
        print(f"strategies    {total} ({os.cpu_count()} cores, load {os.getloadavg()[0]:.2f})")
        timed(client, {}, 10)  # warm up
        for label, params in (("default page", {}), ("limit 500", {"limit": 500}),
                              ("last page", {"offset": args.strategies - 50, "limit": 50})):
            latencies, size = timed(client, params, args.requests)
            q = statistics.quantiles(latencies, n=100)
            print(f"{label:<13} p50 {q[49] * 1000:.1f} ms  p95 {q[94] * 1000:.1f} ms  "
                  f"p99 {q[98] * 1000:.1f} ms  body {size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
