"""Load on a live server: N `POST /strategies` at C concurrent against `stratforge serve` on
loopback (a temporary STRATFORGE_HOME holding the sample market, or the shared bars with
`--shared`), each a different sentence, after one request that waits for the workers to be up.
Prints errors, requests/s, p50/p95/max latency, how many 429s were answered (and retried after
their Retry-After) and the most backtest worker processes seen at once under the server.

    .venv/bin/python bench/api_load.py [--requests 200] [--concurrency 8] [--shared]

An error is anything but a 201 in the end (a 429 is retried, as the CLI does, and counted apart).
Every request goes to 127.0.0.1 only; the run is bounded in count and time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import psutil
from live_server import live_server  # bench/ is the script's folder, first on sys.path

DEADLINE_S = 1800.0  # the whole run stops by itself after this


def sentences(count: int) -> list[str]:
    """`count` different sentences the offline parser understands."""
    out: list[str] = []
    symbols = ["SPY", "QQQ", "IWM", "TLT", "GLD", "EFA"]
    fast = 5
    while len(out) < count:
        for symbol in symbols:
            slow = fast + 10 + len(out) % 40
            out.append(f"Buy {symbol} when the {fast}-day SMA crosses above the {slow}-day SMA "
                       "and sell when it crosses back below")
        fast = fast + 1 if fast < 60 else 5
    return out[:count]


def worker_count(server_pid: int) -> int:
    """Backtest worker processes under the server right now."""
    try:
        children = psutil.Process(server_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return 0
    count = 0
    for child in children:
        try:
            if "runtime.pool_worker" in " ".join(child.cmdline()):
                count += 1
        except psutil.Error:
            pass
    return count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--shared", action="store_true", help="the real bars in ../shared")
    parser.add_argument("--smoke-days", default=None, help="STRATFORGE_SMOKE_BACKTEST_DAYS")
    parser.add_argument("--max-queued", default=None, help="STRATFORGE_MAX_QUEUED_BACKTESTS")
    args = parser.parse_args()

    extra = {} if args.smoke_days is None else {"STRATFORGE_SMOKE_BACKTEST_DAYS": args.smoke_days}
    if args.max_queued is not None:
        extra["STRATFORGE_MAX_QUEUED_BACKTESTS"] = args.max_queued
    with live_server(shared=args.shared, **extra) as server:
        base = server.base
        stop = threading.Event()
        most_workers = 0

        def watch() -> None:
            nonlocal most_workers
            while not stop.is_set():
                most_workers = max(most_workers, worker_count(server.pid))
                stop.wait(0.2)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        texts = sentences(args.requests + 1)
        # the server starts its workers in the background; the first request may wait for
        # them (Lumibot's import): timed apart, so the figures below are the steady state
        cold_started = time.monotonic()
        first = httpx.post(f"{base}/strategies", json={"text": texts.pop()}, timeout=300)
        cold_s = time.monotonic() - cold_started
        assert first.status_code == 201, first.text
        latencies: list[float] = []
        outcomes: Counter[str] = Counter()
        busy = 0
        lock = threading.Lock()
        run_deadline = time.monotonic() + DEADLINE_S
        client = httpx.Client(base_url=base, timeout=300)

        def one(text: str) -> None:
            nonlocal busy
            started = time.monotonic()
            outcome = "timeout"
            while time.monotonic() < run_deadline:
                try:
                    response = client.post("/strategies", json={"text": text})
                except httpx.HTTPError as exc:
                    outcome = type(exc).__name__
                    break
                if response.status_code == 429:
                    with lock:
                        busy += 1
                    time.sleep(float(response.headers.get("Retry-After", "1")))
                    continue
                outcome = str(response.status_code)
                break
            with lock:
                latencies.append(time.monotonic() - started)
                outcomes[outcome] += 1

        began = time.monotonic()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            list(pool.map(one, texts))
        elapsed = time.monotonic() - began
        stop.set()
        watcher.join()
        client.close()
    errors = sum(n for outcome, n in outcomes.items() if outcome != "201")
    quantiles = statistics.quantiles(latencies, n=100)
    load1 = os.getloadavg()[0]
    print(f"requests      {len(latencies)} at {args.concurrency} concurrent "
          f"({'shared bars' if args.shared else 'sample market'}, {os.cpu_count()} cores)")
    print(f"outcomes      {dict(outcomes)}")
    print(f"errors        {errors}")
    print(f"429 retried   {busy}")
    print(f"requests/s    {len(latencies) / elapsed:.2f}  ({elapsed:.1f} s)")
    print(f"latency       p50 {quantiles[49]:.2f} s  p95 {quantiles[94]:.2f} s  "
          f"max {max(latencies):.2f} s")
    print(f"first request {cold_s:.2f} s (before the run, workers starting)")
    print(f"most workers  {most_workers}")
    print(f"load (1 min)  {load1:.2f} at the end")


if __name__ == "__main__":
    main()
