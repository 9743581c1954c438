"""OpenAI and OpenAI-compatible servers (Ollama, vLLM, LM Studio, llama.cpp) through the
official `openai` SDK.

`openai` asks for structured output against the StrategySpec JSON schema, on the Responses API
or Chat Completions (`STRATFORGE_LLM_OPENAI_API`). `openai-compatible` speaks Chat Completions
to any base URL; when the server refuses `json_schema` output it falls back to JSON mode (the
schema is in the system prompt either way) and keeps using JSON mode from then on.
"""

from __future__ import annotations

from typing import Any, Literal

import openai

from core.logging import get_logger
from generator.providers.llm import (
    Answer,
    LLMConfig,
    LLMProvider,
    TransportError,
    Turn,
    parse_json_object,
    status_error,
)

log = get_logger(__name__)

OpenAIApi = Literal["chat", "responses"]


def transport_error(exc: Exception) -> TransportError:
    """Our classification of an `openai` SDK error (never the SDK's text for auth errors:
    it can quote part of the key)."""
    if isinstance(exc, openai.APITimeoutError):
        return TransportError("timeout", "the request timed out")
    if isinstance(exc, openai.APIConnectionError):
        return TransportError("connection", f"could not connect: {exc}")
    if isinstance(exc, openai.APIResponseValidationError):
        return TransportError("server_error", "the server's response was not understood")
    if isinstance(exc, openai.APIStatusError):
        headers = exc.response.headers if exc.response is not None else None
        return status_error(exc.status_code, headers, exc.message)
    if isinstance(exc, ValueError):  # a body that is not JSON
        return TransportError("server_error", f"unreadable response: {exc}")
    raise exc


class OpenAIProvider(LLMProvider):
    def __init__(
        self,
        model: str,
        config: LLMConfig,
        *,
        api_key: str | None,
        base_url: str | None,
        name: str = "openai",
        api: OpenAIApi = "chat",
        json_mode: bool = False,
    ) -> None:
        super().__init__(model, config)
        self.name = name
        self.api: OpenAIApi = api
        self.json_mode = json_mode
        self._secrets = [api_key] if api_key else []
        self.client = openai.OpenAI(
            api_key=api_key,
            base_url=base_url,
            timeout=config.timeout_s,
            max_retries=0,  # retries are ours: counted, logged and recorded per attempt
        )

    # -- wire format ------------------------------------------------------------------------------
    @staticmethod
    def _messages(turns: list[Turn]) -> list[dict[str, str]]:
        return [
            {"role": "assistant" if t.role == "assistant" else "user", "content": t.text}
            for t in turns
        ]

    def _ask_spec(self, system: str, turns: list[Turn], schema: dict[str, Any]) -> Answer:
        if self.api == "responses":
            return self._responses(system, self._messages(turns), schema)
        if not self.json_mode:
            try:
                return self._chat(system, self._messages(turns), schema)
            except TransportError as exc:
                if self.name != "openai-compatible" or exc.kind not in ("bad_request", "not_found"):
                    raise
                log.info(
                    "llm server refused json_schema output; using JSON mode",
                    extra={"provider": self.name, "model": self.model, "status": exc.status},
                )
                self.json_mode = True
        return self._chat(system, self._messages(turns), None)

    def _ask_text(self, system: str, message: str) -> Answer:
        if self.api == "responses":
            return self._responses(system, [{"role": "user", "content": message}], None)
        return self._chat(system, [{"role": "user", "content": message}], None, text=True)

    def _chat(
        self,
        system: str,
        messages: list[dict[str, str]],
        schema: dict[str, Any] | None,
        text: bool = False,
    ) -> Answer:
        kwargs: dict[str, Any] = {}
        if schema is not None:
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "strategy_spec", "schema": schema, "strict": False},
            }
        elif not text:
            kwargs["response_format"] = {"type": "json_object"}
        if self.config.temperature is not None:
            kwargs["temperature"] = self.config.temperature
        try:
            response = self.client.chat.completions.create(
                model=self.model,
                messages=[{"role": "system", "content": system}, *messages],  # type: ignore[list-item]
                max_completion_tokens=self.config.max_tokens,
                **kwargs,
            )
        except Exception as exc:
            raise transport_error(exc) from None
        choices = response.choices or []
        content = (choices[0].message.content or "") if choices else ""
        usage = response.usage
        return Answer(
            text=content,
            data=None if text else parse_json_object(content),
            tokens_in=usage.prompt_tokens if usage else 0,
            tokens_out=usage.completion_tokens if usage else 0,
        )

    def _responses(
        self, system: str, messages: list[dict[str, str]], schema: dict[str, Any] | None
    ) -> Answer:
        kwargs: dict[str, Any] = {}
        if schema is not None:
            kwargs["text"] = {
                "format": {
                    "type": "json_schema",
                    "name": "strategy_spec",
                    "schema": schema,
                    "strict": False,
                }
            }
        if self.config.temperature is not None:
            kwargs["temperature"] = self.config.temperature
        try:
            response = self.client.responses.create(
                model=self.model,
                instructions=system,
                input=messages,  # type: ignore[arg-type]
                max_output_tokens=self.config.max_tokens,
                store=False,
                **kwargs,
            )
        except Exception as exc:
            raise transport_error(exc) from None
        content = response.output_text or ""
        usage = response.usage
        return Answer(
            text=content,
            data=parse_json_object(content) if schema is not None else None,
            tokens_in=usage.input_tokens if usage else 0,
            tokens_out=usage.output_tokens if usage else 0,
        )
