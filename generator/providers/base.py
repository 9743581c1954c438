"""The provider interface and what every provider hands back.

This module owns the `Provider` protocol (text in, `Proposal` out), the `Proposal` (the spec
plus one `Attempt` per model call) and `ProviderFailed`, the error that carries the attempts
made before giving up. They live here, apart from `generator.pipeline` and
`generator.providers.registry`, so that the pipeline, the registry and every provider module
import them one way, without a cycle.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from core.errors import UpstreamFailed
from generator.prompts import PromptContext
from generator.spec import StrategySpec


@dataclass
class Attempt:
    """One call to a model (or one lookup, for offline/replay) and what came of it.

    `outcome` is one of: ok, invalid_answer, rate_limited, server_error, timeout, connection,
    refused, bad_request, not_found, unsupported, not_understood, replayed.
    """

    provider: str
    model: str
    outcome: str
    tokens_in: int = 0
    tokens_out: int = 0
    latency_ms: float = 0.0
    cost_usd: float = 0.0
    error: str | None = None
    status: int | None = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["latency_ms"] = round(self.latency_ms, 2)
        data["cost_usd"] = round(self.cost_usd, 8)
        return data


def totals(attempts: list[Attempt]) -> dict[str, float]:
    return {
        "tokens_in": sum(a.tokens_in for a in attempts),
        "tokens_out": sum(a.tokens_out for a in attempts),
        "cost_usd": sum(a.cost_usd for a in attempts),
        "latency_ms": sum(a.latency_ms for a in attempts),
    }


@dataclass
class Proposal:
    """A spec from a provider, with who produced it and what it cost."""

    spec: StrategySpec
    provider: str
    model: str
    prompt_version: str = ""
    attempts: list[Attempt] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # words read as carrying no meaning

    @property
    def tokens_in(self) -> int:
        return sum(a.tokens_in for a in self.attempts)

    @property
    def tokens_out(self) -> int:
        return sum(a.tokens_out for a in self.attempts)

    @property
    def cost_usd(self) -> float:
        return sum(a.cost_usd for a in self.attempts)


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


class ProviderFailed(UpstreamFailed):
    """A model could not be reached (`llm_unavailable`) or never gave a valid spec
    (`llm_invalid_answer`). `attempts` says what was tried, for the Generation row."""

    code = "llm_unavailable"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        attempts: list[Attempt] | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message, code=code, **details)
        self.attempts: list[Attempt] = list(attempts or [])


def attempts_of(exc: BaseException) -> list[Attempt]:
    found = getattr(exc, "attempts", None)
    return list(found) if isinstance(found, list) else []
