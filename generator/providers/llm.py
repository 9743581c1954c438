"""The half of every LLM provider that does not depend on the wire format: the repair loop,
retries with backoff, per-attempt accounting (tokens, latency, cost) and recording answers.

A concrete provider (OpenAI, Anthropic) subclasses `LLMProvider` and implements `_ask_spec` and
`_ask_text`, translating our `Turn`s into its SDK's request and its SDK's errors into
`TransportError`. The model only ever fills a StrategySpec: what it returns is parsed as JSON,
validated by the pydantic model and checked against the server's limits here; anything else
goes back to the model with the errors, a bounded number of times.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from core.logging import get_logger
from generator.prompts import (
    EXPLAIN_PROMPT_VERSION,
    PROMPT_VERSION,
    PromptContext,
    explain_message,
    explain_system_prompt,
    repair_message,
    system_prompt,
    user_message,
)
from generator.providers.base import Attempt, Proposal, ProviderFailed
from generator.providers.recordings import Recordings
from generator.spec import LimitError, SpecLimits, StrategySpec, check_limits, spec_json_schema

log = get_logger(__name__)

RETRYABLE = {"rate_limited", "server_error", "timeout", "connection"}


@dataclass(frozen=True)
class Price:
    """USD per million tokens."""

    input: float
    output: float


def price_for(model: str, prices: dict[str, Price]) -> Price | None:
    """The entry whose name is the longest prefix of `model` (dated model ids match)."""
    best: str | None = None
    for name in prices:
        if model.startswith(name) and (best is None or len(name) > len(best)):
            best = name
    return prices[best] if best is not None else None


@dataclass(frozen=True)
class LLMConfig:
    timeout_s: float = 60.0
    max_retries: int = 3
    backoff_s: float = 1.0
    backoff_max_s: float = 20.0
    retry_after_max_s: float = 60.0
    max_repairs: int = 2
    max_tokens: int = 2000
    temperature: float | None = None
    prices: dict[str, Price] = field(default_factory=dict)
    recordings: Recordings | None = None
    sleep: Callable[[float], None] = time.sleep


@dataclass
class Answer:
    """What a model said: its raw text, the JSON object in it when there is one, and usage."""

    text: str
    data: dict[str, Any] | None
    tokens_in: int = 0
    tokens_out: int = 0
    call_id: str | None = None  # the tool_use id (Anthropic), needed to send a tool_result


@dataclass
class Turn:
    role: Literal["user", "assistant", "repair"]
    text: str
    answer: Answer | None = None  # for assistant turns, and for repairs: the answer repaired


class TransportError(Exception):
    """A call that produced no answer, classified: `kind` is one of RETRYABLE or
    refused, bad_request, not_found, unsupported."""

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status
        self.retry_after = retry_after


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


def parse_json_object(text: str) -> dict[str, Any] | None:
    """The JSON object in a model's text: bare, in a ``` fence, or between the outer braces."""
    candidates = [text.strip()]
    candidates += [m.strip() for m in _FENCE.findall(text)]
    first, last = text.find("{"), text.rfind("}")
    if 0 <= first < last:
        candidates.append(text[first : last + 1])
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def status_error(status: int, headers: Any, message: str) -> TransportError:
    """Our classification of an HTTP error status from either SDK. Auth errors never quote the
    server's text: it can echo part of the key."""
    if status == 429:
        return TransportError(
            "rate_limited",
            "rate limited (429)",
            status=status,
            retry_after=retry_after_seconds(headers),
        )
    if status in (401, 403):
        return TransportError(
            "refused", f"the server refused the credentials ({status})", status=status
        )
    if status == 408:
        return TransportError("timeout", "the server timed out (408)", status=status)
    if status >= 500:  # 529 is Anthropic's "overloaded"
        return TransportError(
            "server_error",
            f"server error {status}",
            status=status,
            retry_after=retry_after_seconds(headers),
        )
    if status == 404:
        return TransportError("not_found", f"not found (404): {message}", status=status)
    return TransportError("bad_request", f"refused ({status}): {message}", status=status)


def retry_after_seconds(headers: Any) -> float | None:
    """`retry-after-ms` or `retry-after` (seconds; an HTTP date is treated as unknown)."""
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            return max(0.0, float(raw) * scale)
        except ValueError:
            continue
    return None


def spec_problems(
    data: dict[str, Any] | None,
    text: str,
    limits: SpecLimits,
    known_symbols: set[str] | None,
) -> tuple[StrategySpec | None, list[str]]:
    """Validate an answer as the server would: schema, then limits, then symbols on offer."""
    if data is None:
        snippet = text.strip().replace("\n", " ")[:120]
        return None, [f"the answer is not a JSON object (it began: {snippet!r})"]
    try:
        spec = StrategySpec.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors()[:12]:
            where = ".".join(str(p) for p in err.get("loc", ())) or "(spec)"
            problems.append(f"{where}: {err.get('msg')}")
        return None, problems
    try:
        check_limits(spec, limits)
    except LimitError as exc:
        return None, [f"over the server's limits: {p}" for p in exc.problems]
    if known_symbols:
        missing = [s for s in spec.all_symbols() if s not in known_symbols]
        if missing:
            return None, [
                f"symbols without market data on this server: {', '.join(missing)}; "
                f"use only: {', '.join(sorted(known_symbols))}"
            ]
    return spec, []


@dataclass
class Explanation:
    text: str
    provider: str
    model: str
    prompt_version: str
    attempts: list[Attempt]


class LLMProvider:
    """Base of the model-backed providers. Subclasses set `name` and implement the two asks."""

    name = "llm"

    def __init__(self, model: str, config: LLMConfig) -> None:
        self.model = model
        self.config = config
        self._secrets: list[str] = []

    # -- to implement -----------------------------------------------------------------------------
    def _ask_spec(self, system: str, turns: list[Turn], schema: dict[str, Any]) -> Answer:
        raise NotImplementedError

    def _ask_text(self, system: str, message: str) -> Answer:
        raise NotImplementedError

    # -- the loop ---------------------------------------------------------------------------------
    def propose(
        self,
        text: str,
        known_symbols: set[str] | None = None,
        *,
        context: PromptContext | None = None,
    ) -> Proposal:
        context = context or PromptContext.plain(SpecLimits(), known_symbols)
        known = known_symbols if known_symbols is not None else context.known_symbols
        system = system_prompt(context)
        schema = spec_json_schema()
        turns = [Turn("user", user_message(text))]
        attempts: list[Attempt] = []
        problems: list[str] = []
        for round_no in range(self.config.max_repairs + 1):
            answer = self._call(lambda: self._ask_spec(system, turns, schema), attempts)
            spec, problems = spec_problems(answer.data, answer.text, context.limits, known)
            if spec is not None:
                attempts[-1].outcome = "ok"
                log.info(
                    "llm spec accepted",
                    extra={
                        "provider": self.name,
                        "model": self.model,
                        "round": round_no + 1,
                        "tokens_in": sum(a.tokens_in for a in attempts),
                        "tokens_out": sum(a.tokens_out for a in attempts),
                    },
                )
                if self.config.recordings is not None:
                    self.config.recordings.save(
                        provider=self.name,
                        model=self.model,
                        prompt_version=PROMPT_VERSION,
                        text=text,
                        spec=spec.model_dump(mode="json"),
                        answers=[t.answer.text for t in turns if t.role == "assistant" and t.answer]
                        + [answer.text],
                        attempts=[a.as_dict() for a in attempts],
                    )
                return Proposal(
                    spec=spec,
                    provider=self.name,
                    model=self.model,
                    prompt_version=PROMPT_VERSION,
                    attempts=attempts,
                )
            attempts[-1].outcome = "invalid_answer"
            attempts[-1].error = self._scrub("; ".join(problems))[:1000]
            log.info(
                "llm answer refused",
                extra={
                    "provider": self.name,
                    "model": self.model,
                    "round": round_no + 1,
                    "problems": len(problems),
                },
            )
            turns.append(Turn("assistant", answer.text, answer))
            turns.append(Turn("repair", repair_message(problems), answer))
        tries = self.config.max_repairs + 1
        raise ProviderFailed(
            f"{self.name}:{self.model} gave no valid strategy spec in {tries} "
            f"tr{'y' if tries == 1 else 'ies'}; last problems: {'; '.join(problems)}",
            code="llm_invalid_answer",
            attempts=attempts,
            problems=problems,
            provider=self.name,
            model=self.model,
        )

    def explain(self, spec: StrategySpec, summary: str) -> Explanation:
        attempts: list[Attempt] = []
        answer = self._call(
            lambda: self._ask_text(explain_system_prompt(), explain_message(spec, summary)),
            attempts,
        )
        attempts[-1].outcome = "ok"
        return Explanation(
            text=answer.text.strip(),
            provider=self.name,
            model=self.model,
            prompt_version=EXPLAIN_PROMPT_VERSION,
            attempts=attempts,
        )

    def ask_structured(
        self, system: str, turns: list[Turn], schema: dict[str, Any], attempts: list[Attempt]
    ) -> Answer:
        """One structured answer on `schema`, with this provider's retries and accounting
        (appended to `attempts`); used by agents' decisions (api.services.agent_decisions)."""
        return self._call(lambda: self._ask_spec(system, turns, schema), attempts)

    # -- retries and accounting -------------------------------------------------------------------
    def _cost(self, tokens_in: int, tokens_out: int) -> float:
        price = price_for(self.model, self.config.prices)
        if price is None:
            return 0.0
        return (tokens_in * price.input + tokens_out * price.output) / 1_000_000

    def _scrub(self, message: str) -> str:
        for secret in self._secrets:
            if secret:
                message = message.replace(secret, "***")
        return message

    def _delay(self, retry_no: int, exc: TransportError) -> float:
        if exc.retry_after is not None:
            return min(exc.retry_after, self.config.retry_after_max_s)
        ceiling = min(self.config.backoff_max_s, self.config.backoff_s * (2**retry_no))
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # jitter keeps clients apart

    def _call(self, ask: Callable[[], Answer], attempts: list[Attempt]) -> Answer:
        for retry_no in range(self.config.max_retries + 1):
            started = time.perf_counter()
            try:
                answer = ask()
            except TransportError as exc:
                latency = (time.perf_counter() - started) * 1000
                message = self._scrub(exc.message)[:500]
                attempts.append(
                    Attempt(
                        provider=self.name,
                        model=self.model,
                        outcome=exc.kind,
                        latency_ms=latency,
                        error=message,
                        status=exc.status,
                    )
                )
                last = retry_no == self.config.max_retries
                failed = {
                    "provider": self.name,
                    "model": self.model,
                    "kind": exc.kind,
                    "status": exc.status,
                }
                if exc.kind not in RETRYABLE or last:
                    log.warning("llm call failed", extra={**failed, "final": "yes"})
                    raise ProviderFailed(
                        f"{self.name}:{self.model} is unavailable ({exc.kind}"
                        f"{f' {exc.status}' if exc.status else ''}): {message}",
                        code="llm_unavailable",
                        attempts=attempts,
                        provider=self.name,
                        model=self.model,
                        reason=exc.kind,
                    ) from None
                delay = self._delay(retry_no, exc)
                log.info("llm call failed", extra={**failed, "retry_in": f"{delay:.2f}s"})
                self.config.sleep(delay)
                continue
            attempts.append(
                Attempt(
                    provider=self.name,
                    model=self.model,
                    outcome="answered",
                    tokens_in=answer.tokens_in,
                    tokens_out=answer.tokens_out,
                    latency_ms=(time.perf_counter() - started) * 1000,
                    cost_usd=self._cost(answer.tokens_in, answer.tokens_out),
                )
            )
            return answer
        raise AssertionError("unreachable")  # pragma: no cover
