"""Benchmark: sentence → validated code, offline, over the parser's test sentences and the
trader corpus (tests/data/trader_corpus.txt).

    .venv/bin/python bench/generate.py [--rounds 5] [--full 8] [--no-full]

Three figures:

* **corpus** — every sentence of the trader corpus through the static pipeline, `--rounds`
  times: median and p95 over the sentences that give code, and over those refused (a refusal
  or clarification is an answer too, and must be as quick). Three ways side by side, sentence by
  sentence (so a busy machine slows them alike): `black` is the old path (the whole file
  through black), `cold` the laid-out path with `generator.code_layout`'s cache of black-formatted
  long statements cleared before every sentence, `warm` the laid-out path as a server runs it;

* **static** — `generator.pipeline.generate`: offline parse, server limits, English summary,
  Jinja2 render, black, AST gate (everything up to a file we would write), `--rounds` times;
* **full** — `Stratforge.create_strategy` on the sample market for the first `--full`
  sentences whose symbols the sample market has: the static part plus the database rows, the
  code store, and the dynamic gate (import, a 120-day smoke backtest and the look-ahead probe,
  two worker processes in parallel).

Prints median and p95 of each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "generator"))


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--full", type=int, default=8)
    parser.add_argument("--no-full", action="store_true", help="skip the full create_strategy")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "tests"))
    from corpus_support import STORED_SYMBOLS, load_corpus
    from test_offline_parser import TEXTS

    from api.services.container import Services
    from core.config import Settings
    from core.errors import StratforgeError
    from generator.pipeline import generate
    from generator.providers.offline_provider import OfflineProvider
    from generator.spec import SpecLimits
    from runtime.market_data import generate_sample_market

    sample = set(generate_sample_market())
    limits = SpecLimits(max_symbols=20)
    provider = OfflineProvider()
    generate(TEXTS[0], provider=provider, limits=limits)  # warm imports (black, jinja2)
    corpus = load_corpus()
    from generator import code_layout, render
    from generator.code_layout import NotPlain

    real_layout = render._layout

    def old_path(plan: object) -> dict[str, object]:
        raise NotPlain("the old path: the whole file through black")

    # wall clock, and this process's CPU time (what the figure is on a machine shared with
    # other work: the wall clock then measures the neighbours too)
    ways = ("black", "cold", "warm")
    coded: dict[str, list[tuple[float, float]]] = {w: [] for w in ways}
    refused: list[tuple[float, float]] = []
    for _ in range(args.rounds):
        for case in corpus:
            known = set(STORED_SYMBOLS) | set(case.facts.get("store", "").split())
            for way in ways:
                render._layout = old_path if way == "black" else real_layout
                if way == "cold":
                    code_layout._black_block.cache_clear()
                started, cpu = time.perf_counter(), time.process_time()
                try:
                    generate(case.text, provider=provider, limits=limits, known_symbols=known)
                    bucket = coded[way]
                except StratforgeError:
                    bucket = refused
                bucket.append(((time.perf_counter() - started) * 1000,
                               (time.process_time() - cpu) * 1000))
    render._layout = real_layout
    print(f"trader corpus: {len(corpus)} sentences × {args.rounds} rounds, static pipeline "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores):")
    for label, pairs in (*((f"code {w}", coded[w]) for w in ways), ("refused", refused)):
        if not pairs:
            continue
        for clock, values in (("wall", [w for w, _ in pairs]), ("cpu", [c for _, c in pairs])):
            print(f"  {label:10} {clock:4} n={len(values):4}  median "
                  f"{statistics.median(values):.1f} ms   p95 {percentile(values, 95):.1f} ms   "
                  f"max {max(values):.1f} ms")
    static: list[float] = []
    for _ in range(args.rounds):
        for text in TEXTS:
            started = time.perf_counter()
            generate(text, provider=provider, limits=limits)
            static.append((time.perf_counter() - started) * 1000)

    print(f"{len(TEXTS)} parser-test sentences × {args.rounds} rounds, static pipeline (parse "
          "→ limits → summary → render → layout → AST gate):")
    print(f"  median {statistics.median(static):.1f} ms   p95 {percentile(static, 95):.1f} ms   "
          f"max {max(static):.1f} ms")
    if args.no_full:
        return
    full: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(home=Path(tmp) / "home", generated_dir=Path(tmp) / "gen")
        service = Services.open(settings)
        service.market.load_sample()
        chosen = []
        for text in TEXTS:
            spec = generate(text, provider=provider, limits=limits).spec
            if set(spec.all_symbols()) <= sample:
                chosen.append(text)
            if len(chosen) == args.full:
                break
        for text in chosen:
            started = time.perf_counter()
            view = service.strategies.create_strategy(service.user_id, text)
            full.append(time.perf_counter() - started)
            assert view.version is not None and view.version.validation_status == "passed", text
        service.close()

    print(f"{len(full)} sentences, full create_strategy (static + DB + files + import + "
          "120-day smoke backtest + look-ahead probe):")
    print(f"  median {statistics.median(full):.2f} s    p95 {percentile(full, 95):.2f} s    "
          f"max {max(full):.2f} s")


if __name__ == "__main__":
    main()
