"""Choosing providers: `provider[:model]` selectors, settings, and the fallback chain.

Selectors: `offline`, `openai[:model]`, `anthropic[:model]`, `openai-compatible[:model]`,
`replay[:provider:model]`. Keys and base URLs come from the SDKs' own variables
(OPENAI_API_KEY, OPENAI_BASE_URL, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL) through `Settings`.
"""

from __future__ import annotations

from typing import Any

import httpx

from core.config import Settings
from core.errors import InvalidInput, StratforgeError
from core.logging import get_logger
from generator.prompts import PromptContext
from generator.providers.base import Attempt, Proposal, Provider, ProviderFailed, attempts_of
from generator.providers.llm import LLMConfig, Price
from generator.providers.offline_provider import OfflineProvider
from generator.providers.recordings import Recordings
from generator.spec import StrategySpec

log = get_logger(__name__)

PROVIDERS = ("offline", "openai", "anthropic", "openai-compatible", "replay")
DEFAULT_MODELS = {
    "openai": "gpt-4.1-mini",
    "anthropic": "claude-sonnet-4-5",
    "openai-compatible": "llama3.1",
}
OLLAMA_URL = "http://127.0.0.1:11434/v1"


def llm_config(settings: Settings) -> LLMConfig:
    return LLMConfig(
        timeout_s=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        backoff_s=settings.llm_backoff_s,
        backoff_max_s=settings.llm_backoff_max_s,
        retry_after_max_s=settings.llm_retry_after_max_s,
        max_repairs=settings.llm_max_repairs,
        max_tokens=settings.llm_max_tokens,
        temperature=settings.llm_temperature,
        prices={name: Price(*pair) for name, pair in settings.llm_prices.items()},
        recordings=Recordings(settings.llm_recordings_path) if settings.llm_record else None,
    )


def split_selector(selector: str) -> tuple[str, str | None]:
    name, _, model = selector.strip().partition(":")
    return name.strip().lower(), (model.strip() or None)


def build_provider(selector: str, settings: Settings) -> Provider:
    """One provider from `name[:model]`; the model defaults to STRATFORGE_LLM_MODEL when the
    provider is the configured one, else to the provider's default. A base URL the SDK cannot
    use (one stored before its check, or set in the environment) is the user's input to fix,
    never a server error."""
    try:
        return _build_provider(selector, settings)
    except httpx.InvalidURL as exc:
        raise InvalidInput(f"the {split_selector(selector)[0]} provider's base URL is not a "
                           f"valid URL ({exc}); change it in the integration or the settings",
                           code="bad_base_url") from exc


def _build_provider(selector: str, settings: Settings) -> Provider:
    name, model = split_selector(selector)
    configured, _ = split_selector(settings.default_llm_provider)
    if model is None and name == configured:
        model = split_selector(settings.default_llm_provider)[1] or settings.llm_model
    if name == "offline":
        return OfflineProvider()
    if name == "replay":
        from generator.providers.replay import ReplayProvider

        of_provider, of_model = split_selector(model) if model else (None, None)
        recordings = Recordings(settings.llm_recordings_path)
        return ReplayProvider(recordings, of_provider or None, of_model)
    if name == "openai":
        from generator.providers.openai_provider import OpenAIProvider

        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        if key is None and not settings.openai_base_url:
            raise InvalidInput(
                "the openai provider needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)",
                code="llm_not_configured",
            )
        return OpenAIProvider(
            model or DEFAULT_MODELS["openai"],
            llm_config(settings),
            api_key=key or "no-key",  # local servers ignore it; the SDK insists on one
            base_url=settings.openai_base_url,
            api=settings.llm_openai_api,
        )
    if name == "openai-compatible":
        from generator.providers.openai_provider import OpenAIProvider

        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        return OpenAIProvider(
            model or DEFAULT_MODELS["openai-compatible"],
            llm_config(settings),
            api_key=key or "no-key",
            base_url=settings.llm_base_url or settings.openai_base_url or OLLAMA_URL,
            name="openai-compatible",
            api="chat",
            json_mode=settings.llm_json_mode,
        )
    if name == "anthropic":
        from generator.providers.anthropic_provider import AnthropicProvider

        key = settings.anthropic_api_key.get_secret_value() if settings.anthropic_api_key else None
        if key is None and not settings.anthropic_base_url:
            raise InvalidInput(
                "the anthropic provider needs ANTHROPIC_API_KEY", code="llm_not_configured"
            )
        return AnthropicProvider(
            model or DEFAULT_MODELS["anthropic"],
            llm_config(settings),
            api_key=key or "no-key",
            base_url=settings.anthropic_base_url,
        )
    raise InvalidInput(
        f"unknown provider {name!r}; choose one of: {', '.join(PROVIDERS)}",
        code="unknown_provider",
    )


class FallbackProvider:
    """Tries providers in order; the next one gets its turn when one is unavailable or keeps
    giving invalid answers. Every attempt of every provider is kept."""

    def __init__(self, providers: list[Provider]) -> None:
        if not providers:
            raise ValueError("a fallback chain needs at least one provider")
        self.providers = providers
        self.name = providers[0].name
        self.model = providers[0].model

    def propose(
        self,
        text: str,
        known_symbols: set[str] | None = None,
        *,
        context: PromptContext | None = None,
    ) -> Proposal:
        attempts: list[Attempt] = []
        last: StratforgeError | None = None
        for index, provider in enumerate(self.providers):
            try:
                proposal = propose_with(provider, text, known_symbols, context)
            except ProviderFailed as exc:
                attempts.extend(exc.attempts)
                last = exc
                if index + 1 < len(self.providers):
                    log.warning(
                        "llm provider failed, falling back",
                        extra={
                            "provider": provider.name,
                            "model": provider.model,
                            "fallback": self.providers[index + 1].name,
                            "code": exc.code,
                        },
                    )
                continue
            except StratforgeError as exc:
                exc_attempts = attempts_of(exc)
                attempts.extend(exc_attempts)
                _attach(exc, attempts)
                raise
            proposal.attempts = attempts + proposal.attempts
            return proposal
        assert last is not None
        _attach(last, attempts)
        raise last


def _attach(exc: BaseException, attempts: list[Attempt]) -> None:
    exc.attempts = list(attempts)  # type: ignore[attr-defined]


def propose_with(
    provider: Any,
    text: str,
    known_symbols: set[str] | None,
    context: PromptContext | None,
) -> Proposal:
    """Call `propose`, accepting providers written before proposals existed (they return a
    bare StrategySpec and take no context)."""
    try:
        result = provider.propose(text, known_symbols, context=context)
    except TypeError as exc:
        if "context" not in str(exc):
            raise
        result = provider.propose(text, known_symbols)
    if isinstance(result, StrategySpec):
        return Proposal(
            spec=result,
            provider=provider.name,
            model=provider.model,
            attempts=[Attempt(provider=provider.name, model=provider.model, outcome="ok")],
        )
    return result


def chain_for(selector: str | None, settings: Settings) -> Provider:
    """The provider for a request: the selector (or the settings' default), followed by the
    configured fallbacks that are not the same provider."""
    primary_selector = selector or settings.default_llm_provider
    primary = build_provider(primary_selector, settings)
    fallbacks = [s.strip() for s in settings.llm_fallback.split(",") if s.strip()]
    if not fallbacks:
        return primary
    chain: list[Provider] = [primary]
    seen = {split_selector(primary_selector)}
    for fallback in fallbacks:
        key = split_selector(fallback)
        if key in seen or (key[1] is None and key[0] == split_selector(primary_selector)[0]):
            continue
        seen.add(key)
        try:
            chain.append(build_provider(fallback, settings))
        except InvalidInput as exc:  # e.g. no key for that provider: skip it, say so once
            log.warning("llm fallback skipped", extra={"provider": fallback, "reason": exc.code})
    return chain[0] if len(chain) == 1 else FallbackProvider(chain)
