"""Text → StrategySpec → code, with every static check: the generator's one entry point.

`generate` asks a provider for a spec, applies the server's limits, renders the code and runs
the static validation gate. What needs a running Python (import, smoke backtest, look-ahead
probe) belongs to the runtime and is done by the caller (`api.services`). `get_provider` turns a
selector into a provider. `Provider` (generator.providers.base) and `OfflineProvider`
(generator.providers.offline_provider) are importable from here too; this module only uses them,
so the registry never imports the pipeline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from core.config import Settings, get_settings
from core.errors import InvalidInput, ValidationFailed
from generator.describe import describe
from generator.prompts import PromptContext
from generator.providers.base import Attempt, Provider
from generator.providers.offline_provider import OfflineProvider
from generator.providers.registry import chain_for, propose_with
from generator.render import class_name_for, render_strategy
from generator.spec import LimitError, SpecLimits, StrategySpec, check_limits, never_true
from generator.validate import StaticReport, check_source

MAX_TEXT_CHARS = 4000  # a longer strategy text is refused (text_too_long), never parsed


def get_provider(name: str, settings: Settings | None = None) -> Provider:
    """`name[:model]` (see generator.providers.registry), with the settings' fallback chain."""
    if name == "offline" and settings is None:
        return OfflineProvider()
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
    ignored: list[str] = field(default_factory=list)  # words read as carrying no meaning


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
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(f"the strategy text is longer than {MAX_TEXT_CHARS} characters",
                           code="text_too_long")
    started = time.perf_counter()
    context = context or PromptContext.plain(limits, known_symbols)
    # providers raise InvalidInput/ProviderFailed themselves, with their attempts attached
    proposal = propose_with(provider, text, known_symbols, context)
    spec = proposal.spec
    try:
        summary, code, static = _render_checked(spec, limits)
    except InvalidInput as error:
        error.attempts = proposal.attempts  # type: ignore[attr-defined]
        raise
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
        ignored=list(proposal.ignored),
    )


def from_spec(spec: StrategySpec, *, limits: SpecLimits) -> Generated:
    """Summary and code of a spec given as it is (an imported `spec.json`), under the same
    limits and static gate as a generated one; no provider is asked (`provider="import"`)."""
    started = time.perf_counter()
    summary, code, static = _render_checked(spec, limits)
    return Generated(
        spec=spec,
        summary=summary,
        code=code,
        class_name=static.class_name or class_name_for(spec.name),
        static=static,
        provider="import",
        model="",
        latency_ms=(time.perf_counter() - started) * 1000,
    )


def _render_checked(spec: StrategySpec, limits: SpecLimits) -> tuple[str, str, StaticReport]:
    """A rule that can never hold is refused, then the server's limits (never a provider's or a
    file's), then summary, code and the static gate's report."""
    impossible = never_true(spec)
    if impossible:
        raise InvalidInput("the strategy can never buy or sell as written: "
                           + "; ".join(impossible), code="never_true", problems=impossible)
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
    return summary, code, static
