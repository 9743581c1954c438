"""CPU per authenticated `GET /strategies?limit=100`, in process, through the whole ASGI app
(every middleware, the dependencies, the route), without a socket or a load generator: the
figure `bench/api.py` divides a core by. Seeded like `bench/api.py` (two users, 100
strategies each; alice with a personal API token, bob with an access JWT).

    .venv/bin/python bench/api_cpu.py [--requests 2000] [--strategies 100] [--profile N]

Prints the process CPU (all threads) per request for each credential kind. `--profile N`:
also prints the N most expensive functions (cProfile, cumulative) of 500 requests, with the
thread pool's calls run inline so the profiler sees them.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import importlib.util
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _bench_api() -> Any:
    spec = importlib.util.spec_from_file_location("bench_api", ROOT / "bench" / "api.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_api", module)
    spec.loader.exec_module(module)
    return module


async def call(app: Any, path: str, query: str, headers: list[tuple[bytes, bytes]],
               body: bytes = b"", method: str = "GET") -> tuple[int, bytes]:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": query.encode(), "root_path": "",
             "headers": [(b"host", b"127.0.0.1:8000"), *headers],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
    sent = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


async def measure(args: argparse.Namespace, home: Path, market: Path, token: str) -> None:
    import json

    from api.app import create_app
    from core.config import SchedulerSettings, Settings

    bench = _bench_api()
    settings = Settings(home=home, market_dir=market, generated_dir=home / "generated",
                        scheduler=SchedulerSettings(enabled=False))
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        status, body = await call(app, "/auth/login", "", [
            (b"content-type", b"application/json")], json.dumps(
                {"email": "bob@example.test", "password": bench.PASSWORD}).encode(), "POST")
        assert status == 200, body
        jwt = json.loads(body)["access_token"]
        query = f"limit={args.strategies}"
        kinds = {"personal token": token, "access JWT": jwt}
        for label, credential in kinds.items():
            headers = [(b"authorization", f"Bearer {credential}".encode())]
            for _ in range(50):  # warm up
                status, body = await call(app, "/strategies", query, headers)
                assert status == 200 and len(json.loads(body)) == args.strategies, body[:200]
            started, wall = time.process_time(), time.perf_counter()
            for _ in range(args.requests):
                await call(app, "/strategies", query, headers)
            cpu = (time.process_time() - started) * 1000 / args.requests
            elapsed = (time.perf_counter() - wall) * 1000 / args.requests
            print(f"  {label:15s} CPU {cpu:.2f} ms/request  (wall {elapsed:.2f} ms)")
        if args.profile:
            await profile(app, query, [(b"authorization", f"Bearer {token}".encode())],
                          args.profile)


async def profile(app: Any, query: str, headers: list[tuple[bytes, bytes]], top: int) -> None:
    """cProfile of 500 requests, the thread pool's calls run inline (cProfile sees one
    thread)."""
    import starlette.concurrency
    from fastapi import dependencies, routing

    async def inline(func: Any, *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    patched = [(m, "run_in_threadpool") for m in (starlette.concurrency, routing,
                                                  dependencies.utils)
               if hasattr(m, "run_in_threadpool")]
    import api.deps

    patched.append((api.deps, "run_in_threadpool"))
    saved = [(m, n, getattr(m, n)) for m, n in patched]
    for module, name in patched:
        setattr(module, name, inline)
    profiler = cProfile.Profile()
    try:
        profiler.enable()
        for _ in range(500):
            await call(app, "/strategies", query, headers)
        profiler.disable()
    finally:
        for module, name, original in saved:
            setattr(module, name, original)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--strategies", type=int, default=100)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    args = parser.parse_args()
    bench = _bench_api()
    with tempfile.TemporaryDirectory() as tmp:
        home, market = Path(tmp) / "home", Path(tmp) / "market"
        from runtime.market_data import MarketDataStore

        MarketDataStore(market).load_sample()
        token = bench.seed_in(ROOT, home, market, args.strategies)
        import api

        print(f"code under test: {Path(api.__file__).parent.parent}")
        print(f"GET /strategies?limit={args.strategies} in process ({args.requests} requests "
              "per credential kind)")
        asyncio.run(measure(args, home, market, token))


if __name__ == "__main__":
    main()
