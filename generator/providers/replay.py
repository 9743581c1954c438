"""The `replay` provider: serves answers recorded earlier instead of calling a model.

`replay` alone serves the newest recording of the text (for the current prompt version);
`replay:openai:gpt-4.1-mini` serves exactly that provider's and model's recording. The spec is
validated again, so a recording from an older schema cannot slip through.
"""

from __future__ import annotations

import time

from pydantic import ValidationError

from core.errors import InvalidInput
from generator.prompts import PROMPT_VERSION, PromptContext
from generator.providers.base import Attempt, Proposal
from generator.providers.recordings import Recordings
from generator.spec import StrategySpec


class ReplayProvider:
    name = "replay"

    def __init__(
        self, recordings: Recordings, provider: str | None = None, model: str | None = None
    ) -> None:
        self.recordings = recordings
        self.of_provider = provider
        self.of_model = model
        self.model = f"{provider}:{model}" if provider and model else (provider or "any")

    def propose(
        self,
        text: str,
        known_symbols: set[str] | None = None,
        *,
        context: PromptContext | None = None,
    ) -> Proposal:
        started = time.perf_counter()
        record = self.recordings.find(text, PROMPT_VERSION, self.of_provider, self.of_model)
        if record is None:
            raise InvalidInput(
                f"no recorded answer for this text ({self.model}, prompt {PROMPT_VERSION}); "
                "record one by running the provider once with STRATFORGE_LLM_RECORD=1",
                code="replay_missing",
            )
        try:
            spec = StrategySpec.model_validate(record["spec"])
        except (KeyError, ValidationError) as exc:
            raise InvalidInput(
                f"the recorded answer is no longer a valid spec: {exc}", code="replay_invalid"
            ) from exc
        recorded = f"{record.get('provider')}:{record.get('model')}"
        return Proposal(
            spec=spec,
            provider=self.name,
            model=recorded,
            prompt_version=PROMPT_VERSION,
            attempts=[
                Attempt(
                    provider=self.name,
                    model=recorded,
                    outcome="ok",
                    latency_ms=(time.perf_counter() - started) * 1000,
                )
            ],
        )
