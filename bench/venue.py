"""Benchmark: what one request costs the local paper venue, by route.

    .venv/bin/python bench/venue.py [--requests 400] [--history 60] [--positions 3]

Starts a venue (as the supervisor embeds it: uvicorn in a thread of this process) on the
seeded sample market, clock frozen, with `--positions` symbols held and `--history` filled
orders behind them (a bot that has traded for a while), then, from a separate client
process (alpaca-py's own HTTP session, keep-alive, one request at a time as a bot makes them),
asks each route a bot asks (`GET /v2/account`, `/v2/clock`, `/v2/positions`, `/v2/orders`
open and `status=all&limit=100`) `--requests` times and prints, per route, the venue
process's CPU per request (this process does nothing else meanwhile) and the wall time the
client saw. Every bot start asks about twenty of these, an idle 5-second bot about twenty a
minute: the venue's CPU per request is what the supervisor's process pays for them.

Nothing leaves loopback; the data directory is deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ROUTES = (
    ("account", "/v2/account"),
    ("clock", "/v2/clock"),
    ("positions", "/v2/positions"),
    ("orders open", "/v2/orders?status=open"),
    ("orders all, 100", "/v2/orders?status=all&limit=100"),
)

CLIENT = """
import json, sys, time
import requests
url, key, secret, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
session = requests.Session()
session.headers.update({"APCA-API-KEY-ID": key, "APCA-API-SECRET-KEY": secret})
session.get(url).raise_for_status()  # connect first
walls = []
for _ in range(count):
    t0 = time.perf_counter()
    session.get(url).raise_for_status()
    walls.append(time.perf_counter() - t0)
print(json.dumps(walls))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--history", type=int, default=60, help="filled orders behind them")
    parser.add_argument("--positions", type=int, default=3)
    args = parser.parse_args()

    import httpx

    from runtime.market_data.store import MarketDataStore
    from runtime.venue import VenueConfig, VenueServer

    home = Path(tempfile.mkdtemp(prefix="stratforge-bench-venue-"))
    try:
        store = MarketDataStore(home / "market")
        store.load_sample(seed=7)
        symbols = [c.symbol for c in store.symbols()][: args.positions]
        config = VenueConfig(root=home / "venue", market_dir=home / "market", speed=0.0)
        with VenueServer(config) as server:
            headers = {"APCA-API-KEY-ID": server.key_id,
                       "APCA-API-SECRET-KEY": server.secret_key}
            with httpx.Client(base_url=server.base_url, headers=headers, timeout=60) as http:
                for n in range(args.history):  # filled, buys and sells, so positions remain
                    symbol = symbols[(n // 3) % len(symbols)]  # buy, buy, sell: one held
                    side = "sell" if n % 3 == 2 else "buy"
                    http.post("/v2/orders", json={"symbol": symbol, "qty": "1", "side": side,
                                                  "type": "market", "time_in_force": "day"}
                              ).raise_for_status()
                    http.post("/venue/clock/advance", json={"seconds": 1}).raise_for_status()
                held = len(http.get("/v2/positions").json())
                kept = len(http.get("/v2/orders", params={"status": "all",
                                                           "limit": 500}).json())
            results: dict[str, dict[str, float]] = {}
            for name, path in ROUTES:
                cpu0, wall0 = time.process_time(), time.perf_counter()
                out = subprocess.run(
                    [sys.executable, "-c", CLIENT, server.base_url + path, server.key_id,
                     server.secret_key, str(args.requests)],
                    capture_output=True, text=True, check=True)
                cpu = time.process_time() - cpu0  # the venue's threads: this process
                elapsed = time.perf_counter() - wall0
                walls = json.loads(out.stdout)
                results[name] = {
                    "venue_cpu_ms_per_request": round(1000 * cpu / (args.requests + 1), 2),
                    "client_wall_ms_median": round(1000 * statistics.median(walls), 2),
                    "client_wall_ms_p95": round(1000 * sorted(walls)[int(0.95 * len(walls))], 2),
                    "seconds": round(elapsed, 1),
                }
        print(json.dumps({"requests_per_route": args.requests, "positions": held,
                          "orders_kept": kept, "routes": results}, indent=2))
    finally:
        import shutil

        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
