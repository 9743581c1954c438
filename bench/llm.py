"""Overhead of the generation pipeline around the model, per request.

The model's answer is served by the local stub server (tests/llm_stub.py) through the real
OpenAI SDK, so the figures are what stratforge adds: prompt build, SDK call and HTTP on
loopback, answer validation (pydantic + limits), summary and template render, black, and the
static gate. Run: `.venv/bin/python bench/llm.py [-n 50]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import SecretStr

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import black  # noqa: E402
from llm_stub import GOOD_SPEC, Reply, StubLLM  # noqa: E402

import generator.pipeline as pipeline  # noqa: E402
import generator.providers.llm as llm  # noqa: E402
from core.config import Settings  # noqa: E402
from generator.prompts import PromptContext, SymbolRange  # noqa: E402
from generator.providers.registry import build_provider  # noqa: E402
from generator.spec import SpecLimits  # noqa: E402

TEXT = "Buy SPY when the 50-day SMA crosses above the 200-day SMA; sell on the cross back."
timings: dict[str, list[float]] = defaultdict(list)


def timed(stage: str, func: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            timings[stage].append((time.perf_counter() - started) * 1000)

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=50, help="requests to time (after 3 warm-ups)")
    args = parser.parse_args()

    server = StubLLM().start()
    server.default = Reply(GOOD_SPEC)
    home = Path(tempfile.mkdtemp(prefix="stratforge-bench-"))
    settings = Settings(
        home=home, openai_base_url=server.openai_url, openai_api_key=SecretStr("bench"),
        llm_max_retries=0,
    )
    provider = build_provider("openai:gpt-4o-mini", settings)
    limits = SpecLimits()
    context = PromptContext(
        limits=limits,
        symbols=tuple(
            SymbolRange(s, "2005-01-03", "2024-12-31")
            for s in ("SPY", "QQQ", "IWM", "TLT", "GLD", "EFA", "AGG", "BIL")
        ),
    )

    llm.system_prompt = timed("prompt build", llm.system_prompt)
    llm.user_message = timed("prompt build", llm.user_message)
    llm.spec_problems = timed("answer validation", llm.spec_problems)
    pipeline.describe = timed("summary", pipeline.describe)
    pipeline.render_strategy = timed("render+black", pipeline.render_strategy)
    black.format_str = timed("black", black.format_str)
    pipeline.check_source = timed("static gate", pipeline.check_source)

    totals: list[float] = []
    models: list[float] = []
    for i in range(args.n + 3):
        started = time.perf_counter()
        generated = pipeline.generate(
            TEXT, provider=provider, limits=limits, known_symbols=None, context=context
        )
        total = (time.perf_counter() - started) * 1000
        if i < 3:  # warm-up: imports, template compile, connection pool
            timings.clear()
            continue
        totals.append(total)
        models.append(sum(a.latency_ms for a in generated.attempts))
    server.stop()

    rows: dict[str, list[float]] = {}
    # prompt build is timed twice per request (system + user message): sum per request
    prompt = timings.pop("prompt build")
    rows["prompt build"] = [a + b for a, b in zip(prompt[::2], prompt[1::2], strict=True)]
    rows["model call (SDK + loopback stub)"] = models
    rows["answer validation"] = timings.pop("answer validation")
    rows["summary"] = timings.pop("summary")
    black_ms = timings.pop("black")
    rows["render (template)"] = [
        r - b for r, b in zip(timings.pop("render+black"), black_ms, strict=True)
    ]
    rows["black"] = black_ms
    rows["static gate (ast, compile)"] = timings.pop("static gate")
    rows["pipeline overhead (total - model)"] = [t - m for t, m in zip(totals, models, strict=True)]
    rows["total per request"] = totals

    def pct(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    print(f"stratforge generation bench: {args.n} requests, openai SDK -> local stub")
    print(f"{'stage':<36}{'median ms':>11}{'p95 ms':>10}{'mean ms':>10}")
    for stage, values in rows.items():
        print(
            f"{stage:<36}{statistics.median(values):>11.2f}{pct(values, 0.95):>10.2f}"
            f"{statistics.mean(values):>10.2f}"
        )
    print(f"throughput: {1000 * args.n / sum(totals):.1f} requests/s (one thread)")


if __name__ == "__main__":
    main()
