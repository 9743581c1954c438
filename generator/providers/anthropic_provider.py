"""Anthropic through the official `anthropic` SDK: the model answers by calling one tool whose
input schema is the StrategySpec JSON schema (`tool_choice` forces the call). A refused answer
goes back as a `tool_result` with `is_error`, so the model sees its own call and the errors.
"""

from __future__ import annotations

import json
from typing import Any

import anthropic

from generator.prompts import TOOL_NAME
from generator.providers.llm import (
    Answer,
    LLMConfig,
    LLMProvider,
    TransportError,
    Turn,
    parse_json_object,
    status_error,
)


def transport_error(exc: Exception) -> TransportError:
    """Our classification of an `anthropic` SDK error (auth errors never quote the SDK)."""
    if isinstance(exc, anthropic.APITimeoutError):
        return TransportError("timeout", "the request timed out")
    if isinstance(exc, anthropic.APIConnectionError):
        return TransportError("connection", f"could not connect: {exc}")
    if isinstance(exc, anthropic.APIResponseValidationError):
        return TransportError("server_error", "the server's response was not understood")
    if isinstance(exc, anthropic.APIStatusError):
        headers = exc.response.headers if exc.response is not None else None
        return status_error(exc.status_code, headers, exc.message)
    if isinstance(exc, ValueError):
        return TransportError("server_error", f"unreadable response: {exc}")
    raise exc


class AnthropicProvider(LLMProvider):
    name = "anthropic"

    def __init__(
        self, model: str, config: LLMConfig, *, api_key: str | None, base_url: str | None
    ) -> None:
        super().__init__(model, config)
        self._secrets = [api_key] if api_key else []
        self.client = anthropic.Anthropic(
            api_key=api_key,
            base_url=base_url,
            timeout=config.timeout_s,
            max_retries=0,  # retries are ours: counted, logged and recorded per attempt
        )

    @staticmethod
    def _messages(turns: list[Turn]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for turn in turns:
            call_id = turn.answer.call_id if turn.answer is not None else None
            if turn.role == "user":
                out.append({"role": "user", "content": turn.text})
            elif turn.role == "assistant":
                if call_id and turn.answer is not None:
                    block = {
                        "type": "tool_use",
                        "id": call_id,
                        "name": TOOL_NAME,
                        "input": turn.answer.data or {},
                    }
                    out.append({"role": "assistant", "content": [block]})
                else:
                    out.append({"role": "assistant", "content": turn.text or "(no answer)"})
            elif call_id:
                result = {
                    "type": "tool_result",
                    "tool_use_id": call_id,
                    "is_error": True,
                    "content": turn.text,
                }
                out.append({"role": "user", "content": [result]})
            else:
                out.append({"role": "user", "content": turn.text})
        return out

    def _create(self, **kwargs: Any) -> Any:
        if self.config.temperature is not None:
            kwargs["temperature"] = self.config.temperature
        try:
            return self.client.messages.create(
                model=self.model, max_tokens=self.config.max_tokens, **kwargs
            )
        except Exception as exc:
            raise transport_error(exc) from None

    def _ask_spec(self, system: str, turns: list[Turn], schema: dict[str, Any]) -> Answer:
        response = self._create(
            system=system,
            messages=self._messages(turns),
            tools=[
                {
                    "name": TOOL_NAME,
                    "description": "Submit the StrategySpec that translates the user's strategy.",
                    "input_schema": schema,
                }
            ],
            tool_choice={"type": "tool", "name": TOOL_NAME},
        )
        usage = response.usage
        tokens = (usage.input_tokens if usage else 0, usage.output_tokens if usage else 0)
        texts: list[str] = []
        for block in response.content or []:
            if block.type == "tool_use" and block.name == TOOL_NAME:
                data = block.input if isinstance(block.input, dict) else None
                return Answer(
                    text=json.dumps(block.input),
                    data=data,
                    tokens_in=tokens[0],
                    tokens_out=tokens[1],
                    call_id=block.id,
                )
            if block.type == "text":
                texts.append(block.text)
        text = "\n".join(texts)
        return Answer(
            text=text, data=parse_json_object(text), tokens_in=tokens[0], tokens_out=tokens[1]
        )

    def _ask_text(self, system: str, message: str) -> Answer:
        response = self._create(system=system, messages=[{"role": "user", "content": message}])
        usage = response.usage
        text = "\n".join(b.text for b in response.content or [] if b.type == "text")
        return Answer(
            text=text,
            data=None,
            tokens_in=usage.input_tokens if usage else 0,
            tokens_out=usage.output_tokens if usage else 0,
        )
