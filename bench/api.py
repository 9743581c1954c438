"""Benchmark: authenticated `GET /strategies` on a real server, two users with 100 strategies
each, at a fixed request rate.

    .venv/bin/python bench/api.py [--rate 200] [--seconds 30] [--strategies 100]
                                  [--workers 1,2] [--before DIR]

Starts `stratforge serve` (uvicorn, SQLite in a temporary HOME) on loopback; alice signs in
with a personal API token, bob with an access JWT from `POST /auth/login`; requests
(`GET /strategies?limit=<strategies>`) alternate between them on an open-loop schedule (one
every 1/rate s, whether or not the previous one has answered), over 64 keep-alive connections
(a small HTTP/1.1 client of its own; latency counts from when a request was due).
Each answer is checked (200, that user's rows, `X-Total-Count`). Prints achieved rate,
p50/p90/p99/max latency, errors, the server's CPU per request (all its processes) and the
machine's load average before the run. Target: p99 < 50 ms.

`--before DIR`: first the same run against the code of another checkout (e.g. `git worktree`
or `git archive` of an older commit), seeded and served from DIR, so before and after are
measured in one run on the same machine load (served by one process).

`--workers 1,2` (the default): one run per figure, this checkout served by
`stratforge serve --workers N`
(N HTTP processes; with N > 1 the serve process owns the background work), one after the
other in the same session.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import orjson

ROOT = Path(__file__).resolve().parents[1]
# the code under test: this checkout, or the one `--before` names (seeding runs in it too)
SOURCE = Path(os.environ.get("STRATFORGE_BENCH_SOURCE") or ROOT)
sys.path.insert(0, str(SOURCE))

PASSWORD = "correct horse battery staple"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))]


def seed(home: Path, market: Path, per_user: int) -> str:
    """Two accounts with `per_user` strategies (one validated version each); alice's token."""
    from sqlmodel import Session

    from api.services.accounts import Accounts
    from api.services.audit import AuditLog
    from api.services.context import AppContext
    from api.services.sessions import SessionService
    from core.config import SchedulerSettings, Settings
    from core.models import Strategy, StrategyVersion

    settings = Settings(home=home, market_dir=market, generated_dir=home / "generated",
                        scheduler=SchedulerSettings(enabled=False))
    ctx = AppContext.open(settings)
    accounts = Accounts(ctx)
    sessions = SessionService(ctx, accounts, AuditLog(ctx))
    token = ""
    for name in ("alice", "bob"):
        user = accounts.create_user(name, email=f"{name}@example.test", password=PASSWORD)
        with Session(ctx.engine) as db:
            for i in range(per_user):
                strategy = Strategy(owner_id=user.id, name=f"{name} strategy {i}",
                                    slug=f"{name}_{i}", text="Buy SPY when the 50-day SMA "
                                    "crosses above the 200-day SMA", latest_version=1)
                db.add(strategy)
                db.flush()
                db.add(StrategyVersion(
                    strategy_id=strategy.id or 0, owner_id=user.id, number=1,
                    code_path=f"{name}_{i}/v1.py", sha256="0" * 64, class_name="GoldenCross",
                    spec={"name": "x", "symbols": ["SPY"]}, summary="Buys SPY on a golden "
                    "cross; sells on the death cross.", validation_status="passed",
                    validation_report={"checks": ["static", "import"]}))
            db.commit()
        if name == "alice":
            token = sessions.create_token(user.id, "bench", None).token
    return token


async def _one_connection(host: str, port: int, due: asyncio.Queue[tuple[int, float]],
                          requests: list[bytes], expect: int, latencies: list[float],
                          errors: dict[str, int]) -> None:
    """One keep-alive connection taking the due requests in turn; a request's latency counts
    from the moment it was due, so the time it waited for a free connection is in it."""
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    while True:
        i, due_at = await due.get()
        if i < 0:
            break
        kind = ""
        try:
            async with asyncio.timeout(30):
                if writer is None or reader is None:
                    reader, writer = await asyncio.open_connection(host, port)
                writer.write(requests[i % len(requests)])
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                status = int(head[0].split(" ", 2)[1])
                fields = dict(line.lower().split(": ", 1) for line in head[1:] if line)
                body = await reader.readexactly(int(fields.get("content-length", "0")))
            if status != 200:
                kind = f"{status} {body[:80]!r}"
            elif len(orjson.loads(body)) != expect or fields.get(
                    "x-total-count", str(expect)) != str(expect):
                kind = "wrong rows"
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
            kind = type(exc).__name__
            if writer is not None:
                writer.close()
            reader = writer = None
        latencies.append((time.perf_counter() - due_at) * 1000)
        if kind:
            errors[kind] = errors.get(kind, 0) + 1
    if writer is not None:
        writer.close()


async def load(base: str, headers: list[dict[str, str]], rate: float, seconds: float,
               expect: int) -> tuple[list[float], dict[str, int], float]:
    """Open loop: request i is due at start + i/rate whether or not earlier ones have been
    answered; 64 keep-alive connections take them in order. (A small HTTP/1.1 client of its
    own: httpx's connection pool spends CPU per queued request on every event, so once the
    server fell behind, the load generator took the cores and the figures measured it.)"""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    parts = urlsplit(base)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    requests = [(f"GET /strategies?limit={expect} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                 + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n").encode()
                for h in headers]
    due: asyncio.Queue[tuple[int, float]] = asyncio.Queue()
    connections = [asyncio.create_task(_one_connection(host, port, due, requests, expect,
                                                       latencies, errors))
                   for _ in range(64)]
    begin = time.perf_counter()
    total = int(rate * seconds)
    for i in range(total):
        due_at = begin + i / rate
        delay = due_at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        due.put_nowait((i, due_at))
    for _ in connections:
        due.put_nowait((-1, 0.0))
    await asyncio.gather(*connections)
    elapsed = time.perf_counter() - begin
    return latencies, errors, elapsed


@dataclass
class Result:
    label: str
    latencies: list[float]
    errors: dict[str, int]
    elapsed: float
    cpu_ms_per_request: float
    load: tuple[float, float, float]


def seed_in(source: Path, home: Path, market: Path, per_user: int) -> str:
    """Seed with `source`'s code (its schema), in a process of its own; alice's token."""
    env = {**os.environ, "STRATFORGE_BENCH_SOURCE": str(source), "PYTHONPATH": str(source)}
    done = subprocess.run(
        [sys.executable, __file__, "--seed-only", str(home), str(market), str(per_user)],
        env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def server_cpu_s(server: subprocess.Popen[bytes]) -> float:
    """CPU seconds of the server and its worker processes so far."""
    import psutil

    root = psutil.Process(server.pid)
    total = 0.0
    for proc in [root, *root.children(recursive=True)]:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def wait_until_idle(server: subprocess.Popen[bytes], limit_s: float = 120.0) -> float:
    """Wait until the server's processes (its warm backtest workers start beside it) use
    under a tenth of a core; the seconds waited."""
    started = time.monotonic()
    last = server_cpu_s(server)
    while time.monotonic() - started < limit_s:
        time.sleep(1.0)
        now = server_cpu_s(server)
        if now - last < 0.1:
            break
        last = now
    return time.monotonic() - started


def run_once(label: str, source: Path, args: argparse.Namespace, workers: int = 1) -> Result:
    with tempfile.TemporaryDirectory() as tmp:
        home, market = Path(tmp) / "home", Path(tmp) / "market"
        from runtime.market_data import MarketDataStore

        MarketDataStore(market).load_sample()
        token = seed_in(source, home, market, args.strategies)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = {**os.environ, "STRATFORGE_HOME": str(home), "STRATFORGE_MARKET_DIR": str(market),
               "STRATFORGE_GENERATED_DIR": str(home / "generated"),
               "STRATFORGE_SCHEDULER_ENABLED": "0", "STRATFORGE_LOG_LEVEL": "WARNING",
               "PYTHONPATH": str(source)}
        command = [sys.executable, "-m", "api.cli", "serve", "--port", str(port),
                   *(["--workers", str(workers)] if workers > 1 else [])]
        server = subprocess.Popen(command, env=env, cwd=source,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180  # several processes start slowly on a busy machine
            while True:
                try:
                    if httpx.get(base + "/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.1)
            jwt = httpx.post(base + "/auth/login", json={
                "email": "bob@example.test", "password": PASSWORD}).json()["access_token"]
            headers = [{"Authorization": f"Bearer {token}"}, {"Authorization": f"Bearer {jwt}"}]
            wait_until_idle(server)
            asyncio.run(load(base, headers, 50, 2, args.strategies))  # warm up
            load_avg = os.getloadavg()
            cpu_before = server_cpu_s(server)
            latencies, errors, elapsed = asyncio.run(
                load(base, headers, args.rate, args.seconds, args.strategies))
            cpu = server_cpu_s(server) - cpu_before
        finally:
            server.terminate()
            server.wait(timeout=30)
    return Result(label, latencies, errors, elapsed, cpu * 1000 / max(1, len(latencies)),
                  load_avg)


def report(result: Result) -> None:
    latencies = result.latencies
    print(f"[{result.label}] load average before {result.load[0]:.2f} (1 min) on "
          f"{os.cpu_count()} cores")
    print(f"  requests {len(latencies)}  achieved {len(latencies) / result.elapsed:.1f} req/s  "
          f"errors {sum(result.errors.values())} {result.errors or ''}")
    print(f"  latency ms: p50 {percentile(latencies, 50):.1f}  "
          f"p90 {percentile(latencies, 90):.1f}  p99 {percentile(latencies, 99):.1f}  "
          f"max {max(latencies):.1f}  mean {statistics.fmean(latencies):.1f}  "
          f"server CPU {result.cpu_ms_per_request:.2f} ms/request")


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--seed-only":
        print(seed(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--strategies", type=int, default=100)
    parser.add_argument("--workers", default="1,2",
                        help="HTTP worker processes, or several runs: 1,2")
    parser.add_argument("--before", type=Path, default=None,
                        help="a checkout of the code to measure first, for comparison")
    args = parser.parse_args()
    print(f"GET /strategies, {args.strategies} strategies per user, 2 users "
          f"(personal token + JWT), target {args.rate:.0f} req/s for {args.seconds:.0f} s")
    if args.before is not None:
        report(run_once(f"before: {args.before}", args.before.resolve(), args))
    for workers in (int(n) for n in args.workers.split(",")):
        report(run_once(f"this checkout, --workers {workers}", ROOT, args, workers))


if __name__ == "__main__":
    main()
