"""Text → StrategySpec → code, with every static check: the generator's one entry point.

`generate` asks a provider for a spec, applies the server's limits, renders the code and runs
the static validation gate. What needs a running Python (import, smoke backtest, look-ahead
probe) belongs to the runtime and is done by the caller (`api.services`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

from core.errors import InvalidInput, ValidationFailed
from generator.describe import describe
from generator.render import class_name_for, render_strategy
from generator.spec import LimitError, SpecLimits, StrategySpec, check_limits
from generator.validate import StaticReport, check_source


class Provider(Protocol):
    name: str
    model: str

    def propose(self, text: str, known_symbols: set[str] | None) -> StrategySpec: ...


class OfflineProvider:
    """The deterministic parser: the embedded default, no network, no key."""

    name = "offline"
    model = "rules-v1"

    def propose(self, text: str, known_symbols: set[str] | None) -> StrategySpec:
        from generator.providers.offline import ParseError, parse

        try:
            return parse(text, known_symbols=known_symbols)
        except ParseError as exc:
            raise InvalidInput(
                str(exc),
                code="not_understood",
                understood=exc.understood,
                not_understood=exc.not_understood,
            ) from exc


def get_provider(name: str) -> Provider:
    if name == "offline":
        return OfflineProvider()
    raise InvalidInput(
        f"unknown provider {name!r}; this build has: offline", code="unknown_provider"
    )


@dataclass
class Generated:
    spec: StrategySpec
    summary: str
    code: str
    class_name: str
    static: StaticReport
    provider: str
    model: str
    latency_ms: float
    warnings: list[str] = field(default_factory=list)


def generate(
    text: str,
    *,
    provider: Provider,
    limits: SpecLimits,
    known_symbols: set[str] | None = None,
) -> Generated:
    text = text.strip()
    if not text:
        raise InvalidInput("the strategy text is empty", code="empty_text")
    if len(text) > 4000:
        raise InvalidInput("the strategy text is longer than 4000 characters", code="text_too_long")
    started = time.perf_counter()
    spec = provider.propose(text, known_symbols)  # providers raise InvalidInput themselves
    try:
        check_limits(spec, limits)
    except LimitError as exc:
        raise InvalidInput(
            f"the strategy is past this server's limits: {exc}",
            code="over_limits",
            problems=exc.problems,
        ) from exc
    summary = describe(spec)
    code = render_strategy(spec, summary)
    static = check_source(code)
    if not static.ok:  # a template bug, never the user's fault: fail loudly
        raise ValidationFailed(
            "generated code failed the static gate: " + "; ".join(map(str, static.problems)),
            problems=static.as_dict()["problems"],
        )
    return Generated(
        spec=spec,
        summary=summary,
        code=code,
        class_name=static.class_name or class_name_for(spec.name),
        static=static,
        provider=provider.name,
        model=provider.model,
        latency_ms=(time.perf_counter() - started) * 1000,
    )
