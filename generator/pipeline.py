"""Text → StrategySpec → code, with every static check: the generator's one entry point.

`generate` asks a provider for a spec, applies the server's limits, renders the code and runs
the static validation gate. What needs a running Python (import, smoke backtest, look-ahead
probe) belongs to the runtime and is done by the caller (`api.services`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

from core.config import Settings
from core.errors import InvalidInput, ValidationFailed
from generator.describe import describe
from generator.prompts import PromptContext
from generator.providers.base import Attempt, Proposal
from generator.render import class_name_for, render_strategy
from generator.spec import LimitError, SpecLimits, StrategySpec, check_limits
from generator.validate import StaticReport, check_source


class Provider(Protocol):
    """Turns text into a `Proposal`: the spec plus one `Attempt` per model call (tokens,
    latency, cost, outcome). `context` carries the server's limits and symbols for prompts."""

    name: str
    model: str

    def propose(
        self,
        text: str,
        known_symbols: set[str] | None,
        *,
        context: PromptContext | None = None,
    ) -> Proposal: ...


class OfflineProvider:
    """The deterministic parser: the embedded default, no network, no key."""

    name = "offline"
    model = "rules-v1"

    def propose(
        self,
        text: str,
        known_symbols: set[str] | None,
        *,
        context: PromptContext | None = None,
    ) -> Proposal:
        from generator.providers.offline import ParseError, parse

        started = time.perf_counter()
        try:
            spec = parse(text, known_symbols=known_symbols)
        except ParseError as exc:
            raise InvalidInput(
                str(exc),
                code="not_understood",
                understood=exc.understood,
                not_understood=exc.not_understood,
            ) from exc
        latency = (time.perf_counter() - started) * 1000
        return Proposal(
            spec=spec,
            provider=self.name,
            model=self.model,
            attempts=[Attempt(self.name, self.model, "ok", latency_ms=latency)],
        )


def get_provider(name: str, settings: Settings | None = None) -> Provider:
    """`name[:model]` (see generator.providers.registry), with the settings' fallback chain."""
    if name == "offline" and settings is None:
        return OfflineProvider()
    from core.config import get_settings
    from generator.providers.registry import chain_for

    return chain_for(name, settings or get_settings())


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
    prompt_version: str = ""
    attempts: list[Attempt] = field(default_factory=list)


def generate(
    text: str,
    *,
    provider: Provider,
    limits: SpecLimits,
    known_symbols: set[str] | None = None,
    context: PromptContext | None = None,
) -> Generated:
    text = text.strip()
    if not text:
        raise InvalidInput("the strategy text is empty", code="empty_text")
    if len(text) > 4000:
        raise InvalidInput("the strategy text is longer than 4000 characters", code="text_too_long")
    started = time.perf_counter()
    from generator.providers.registry import propose_with

    context = context or PromptContext.plain(limits, known_symbols)
    # providers raise InvalidInput/ProviderFailed themselves, with their attempts attached
    proposal = propose_with(provider, text, known_symbols, context)
    spec = proposal.spec
    try:
        check_limits(spec, limits)  # again: limits never come from a provider
    except LimitError as exc:
        error = InvalidInput(
            f"the strategy is past this server's limits: {exc}",
            code="over_limits",
            problems=exc.problems,
        )
        error.attempts = proposal.attempts  # type: ignore[attr-defined]
        raise error from exc
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
        provider=proposal.provider,
        model=proposal.model,
        latency_ms=(time.perf_counter() - started) * 1000,
        prompt_version=proposal.prompt_version,
        attempts=proposal.attempts,
    )
