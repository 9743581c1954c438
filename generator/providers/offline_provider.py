"""The offline provider: the deterministic parser behind the `Provider` interface.

This module owns `OfflineProvider`, the embedded default (no network, no key): it runs
`generator.providers.offline.parse`, reports one `Attempt`, and turns a `ParseError` into
`InvalidInput` (code `not_understood`) carrying what was and was not understood. The parser is
imported on first use, so that choosing a provider does not compile its patterns.
"""

from __future__ import annotations

import time

from core.errors import InvalidInput
from generator.prompts import PromptContext
from generator.providers.base import Attempt, Proposal


class OfflineProvider:
    """The deterministic parser: the embedded default, no network, no key."""

    name = "offline"
    model = "rules-v2"  # v2: reads titles, small talk and StrategySpec v2 constructs

    def propose(
        self,
        text: str,
        known_symbols: set[str] | None,
        *,
        context: PromptContext | None = None,
    ) -> Proposal:
        from generator.clarify import clarification_for
        from generator.providers.offline import ParseError
        from generator.providers.offline.parser import parse_text

        started = time.perf_counter()
        try:
            allow_short = context is not None and context.limits.allow_short
            parsed = parse_text(text, known_symbols=known_symbols, allow_short=allow_short)
        except ParseError as exc:
            question = clarification_for(text, exc, known_symbols=known_symbols,
                                         allow_short=allow_short)
            if question is not None:
                raise InvalidInput(
                    str(exc),
                    code="needs_clarification",
                    understood=question.understood,
                    questions=question.questions,
                    suggestions=question.suggestions,
                    set_apart=question.set_apart,
                    not_understood=exc.not_understood,
                ) from exc
            raise InvalidInput(
                str(exc),
                code="not_understood",
                understood=exc.understood,
                not_understood=exc.not_understood,
            ) from exc
        latency = (time.perf_counter() - started) * 1000
        return Proposal(
            spec=parsed.spec,
            provider=self.name,
            model=self.model,
            attempts=[Attempt(self.name, self.model, "ok", latency_ms=latency)],
            ignored=parsed.ignored,
        )
