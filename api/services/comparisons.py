"""Choosing between models: the same text to several providers side by side (nothing saved
until one candidate is accepted), accepting a candidate as a strategy, and a model's
explanation of a strategy's risks and assumptions.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlmodel import col, select

from api.services.context import AppContext
from api.services.generations import FREE_PROVIDERS, GenerationLedger
from api.services.integrations import user_llm_settings
from api.services.rows import strategy_row, version_row
from api.services.strategies import StrategyService
from api.services.validation import ValidationService, checks_admitted
from api.services.views import (
    Candidate,
    Comparison,
    ExplanationView,
    SpecDifference,
    StrategyView,
)
from core.errors import Conflict, InvalidInput, NotFound, StratforgeError
from core.logging import get_logger
from core.models import Generation
from generator.agent_spec import is_agent_spec
from generator.pipeline import Generated
from generator.prompts import PromptContext
from generator.providers.base import Proposal, ProviderFailed, attempts_of
from generator.providers.llm import LLMProvider
from generator.providers.registry import build_provider, split_selector
from generator.spec import StrategySpec

log = get_logger(__name__)

MAX_COMPARE = 6


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key in sorted(value):
            _flatten(value[key], f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
        for index, item in enumerate(value):
            _flatten(item, f"{prefix}[{index}]", out)
    else:
        out[prefix] = value


def spec_differences(specs: dict[str, dict[str, Any] | None]) -> list[SpecDifference]:
    """Every path whose value is not the same in all the valid specs (missing = null)."""
    flat: dict[str, dict[str, Any]] = {}
    for label, spec in specs.items():
        if spec is None:
            continue
        values: dict[str, Any] = {}
        _flatten(spec, "", values)
        flat[label] = values
    paths = sorted({p for values in flat.values() for p in values})
    out = []
    for path in paths:
        per = {label: values.get(path) for label, values in flat.items()}
        if len({repr(v) for v in per.values()}) > 1:
            out.append(SpecDifference(path=path, values=per))
    return out


class _StoredSpec:
    """A provider that hands back a spec chosen earlier (accepting a compared candidate)."""

    def __init__(self, spec: StrategySpec, provider: str, model: str, prompt_version: str) -> None:
        self.spec, self.name, self.model = spec, provider, model
        self.prompt_version = prompt_version

    def propose(
        self,
        text: str,
        known_symbols: set[str] | None,
        *,
        context: PromptContext | None = None,
    ) -> Proposal:
        return Proposal(self.spec, self.name, self.model, self.prompt_version, attempts=[])


class ModelChoice:
    def __init__(
        self,
        ctx: AppContext,
        ledger: GenerationLedger,
        strategies: StrategyService,
        validation: ValidationService,
    ) -> None:
        self.ctx = ctx
        self.ledger = ledger
        self.strategies = strategies
        self.validation = validation

    def compare_strategies(self, user_id: int, text: str, selectors: list[str]) -> Comparison:
        """Ask each provider/model for a spec of `text`; nothing is saved as a strategy until
        the user accepts one candidate (`accept_candidate`)."""
        selectors = [s.strip() for s in selectors if s.strip()]
        if not 1 <= len(selectors) <= MAX_COMPARE:
            raise InvalidInput(f"compare takes 1 to {MAX_COMPARE} providers", code="bad_compare")
        settings = user_llm_settings(self.ctx, user_id)
        providers = [build_provider(s, settings) for s in selectors]
        for provider in providers:
            self.ledger.check_budget(user_id, provider)
        request_id = uuid.uuid4().hex[:16]
        labels: list[str] = []
        for selector, provider in zip(selectors, providers, strict=True):
            label = f"{provider.name}:{provider.model}"
            if split_selector(selector)[0] != provider.name:
                label = selector
            while label in labels:
                label += "'"
            labels.append(label)

        def run(provider: Any) -> Generated | StratforgeError:
            try:
                generated = self.strategies.generate(text, provider)
                self.strategies.require_symbols(generated.spec)
                return generated
            except StratforgeError as exc:
                return exc

        with ThreadPoolExecutor(max_workers=len(providers)) as pool:
            results = list(pool.map(run, providers))
        candidates: list[Candidate] = []
        for label, provider, result in zip(labels, providers, results, strict=True):
            if isinstance(result, Generated):
                gen_id = self.ledger.record(
                    user_id,
                    text,
                    provider=provider.name,
                    model=provider.model,
                    generated=result,
                    request_id=request_id,
                )
                candidates.append(
                    Candidate(
                        label=label,
                        generation_id=gen_id,
                        provider=result.provider,
                        model=result.model,
                        ok=True,
                        spec=result.spec.model_dump(mode="json", exclude_none=True),
                        summary=result.summary,
                        tokens_in=sum(a.tokens_in for a in result.attempts),
                        tokens_out=sum(a.tokens_out for a in result.attempts),
                        cost_usd=sum(a.cost_usd for a in result.attempts),
                        latency_ms=result.latency_ms,
                    )
                )
            else:
                attempts = attempts_of(result)
                gen_id = self.ledger.record(
                    user_id,
                    text,
                    provider=provider.name,
                    model=provider.model,
                    error=result,
                    request_id=request_id,
                )
                candidates.append(
                    Candidate(
                        label=label,
                        generation_id=gen_id,
                        provider=provider.name,
                        model=provider.model,
                        ok=False,
                        error=result.as_dict(),
                        tokens_in=sum(a.tokens_in for a in attempts),
                        tokens_out=sum(a.tokens_out for a in attempts),
                        cost_usd=sum(a.cost_usd for a in attempts),
                        latency_ms=sum(a.latency_ms for a in attempts),
                    )
                )
        differences = spec_differences({c.label: c.spec for c in candidates if c.ok})
        valid = [c for c in candidates if c.ok]
        log.info(
            "comparison done",
            extra={
                "user": user_id,
                "request": request_id,
                "candidates": len(candidates),
                "valid": len(valid),
                "differences": len(differences),
            },
        )
        return Comparison(
            request_id=request_id,
            text=text,
            candidates=candidates,
            differences=differences,
            identical=len(valid) > 1 and not differences,
            next_step="POST /generations/{generation_id}/accept (or `stratforge new ... "
            "--compare ... --pick N`) saves the chosen candidate as a strategy",
        )

    @checks_admitted
    def accept_candidate(self, user_id: int, generation_id: int) -> StrategyView:
        """Save a compared candidate as a new strategy (rendered and validated as usual)."""
        with self.ctx.session() as db:
            row = db.get(Generation, generation_id)
            if row is None or row.owner_id != user_id or row.purpose != "spec":
                raise NotFound(f"no generation {generation_id}", code="generation_not_found")
            if row.outcome != "ok" or not row.output or "spec" not in row.output:
                raise Conflict(
                    f"generation {generation_id} produced no spec ({row.outcome})",
                    code="generation_failed",
                )
            if row.strategy_id is not None:
                raise Conflict(
                    f"generation {generation_id} is already strategy {row.strategy_id}",
                    code="already_accepted",
                    strategy_id=row.strategy_id,
                )
            spec = StrategySpec.model_validate(row.output["spec"])
            text, provider, model, version = row.text, row.provider, row.model, row.prompt_version
        generated = self.strategies.generate(text, _StoredSpec(spec, provider, model, version))
        self.strategies.require_symbols(generated.spec)
        strategy = self.strategies.save_new(user_id, text, generated)
        with self.ctx.session() as db:
            row = db.get(Generation, generation_id)
            if row is not None:
                row.strategy_id = strategy.id
                db.add(row)
                db.commit()
        log.info(
            "candidate accepted",
            extra={"user": user_id, "strategy": strategy.id, "generation": generation_id},
        )
        return self.validation.validate_version(user_id, strategy.id or 0, 1)

    def explain_strategy(
        self, user_id: int, strategy_id: int, provider: str | None = None
    ) -> ExplanationView:
        with self.ctx.session() as db:
            strategy = strategy_row(db, user_id=user_id, strategy_id=strategy_id)
            version = version_row(db, strategy=strategy, number=None)
            spec_data, summary, number = version.spec, version.summary, version.number
            text = strategy.text
        view = ExplanationView(
            strategy_id=strategy_id, version=number, summary=summary, explanation=None
        )
        llm_settings = user_llm_settings(self.ctx, user_id)
        selector = provider or llm_settings.default_llm_provider
        name = split_selector(selector)[0]
        if name in FREE_PROVIDERS:
            view.note = (
                "no language model is configured; set STRATFORGE_LLM_PROVIDER (and its key) "
                "for a longer explanation of risks and assumptions"
            )
            return view
        if spec_data is None:
            view.note = "this version has no spec to explain"
            return view
        if is_agent_spec(spec_data):  # its rules are the model's, decided at run time
            view.note = ("an agent's trades are decided by its model at each step: the summary "
                         "says what it is told and allowed; there are no rules to explain")
            return view
        explainer = build_provider(selector, llm_settings)
        if not isinstance(explainer, LLMProvider):
            view.note = f"{name} cannot explain strategies"
            return view
        cached = self._cached_explanation(user_id, strategy_id, number, explainer)
        if cached is not None:
            view.explanation, view.generation_id = cached
            view.provider, view.model = explainer.name, explainer.model
            return view
        self.ledger.check_budget(user_id, explainer)
        spec = StrategySpec.model_validate(spec_data)
        try:
            explained = explainer.explain(spec, summary)
        except ProviderFailed as exc:
            self.ledger.record(
                user_id,
                text,
                provider=explainer.name,
                model=explainer.model,
                strategy_id=strategy_id,
                error=exc,
                purpose="explain",
            )
            view.note = f"the explanation is unavailable: {exc.message}"
            return view
        view.generation_id = self.ledger.record(
            user_id,
            text,
            provider=explained.provider,
            model=explained.model,
            strategy_id=strategy_id,
            attempts=explained.attempts,
            purpose="explain",
            prompt_version=explained.prompt_version,
            output={"version": number, "explanation": explained.text},
        )
        view.explanation = explained.text
        view.provider, view.model = explained.provider, explained.model
        return view

    def _cached_explanation(
        self, user_id: int, strategy_id: int, number: int, explainer: LLMProvider
    ) -> tuple[str, int] | None:
        with self.ctx.session() as db:
            rows = db.exec(
                select(Generation)
                .where(
                    Generation.owner_id == user_id,
                    Generation.strategy_id == strategy_id,
                    Generation.purpose == "explain",
                    Generation.outcome == "ok",
                    Generation.provider == explainer.name,
                    Generation.model == explainer.model,
                )
                .order_by(col(Generation.id).desc())
            ).all()
        for row in rows:
            output = row.output or {}
            if output.get("version") == number and output.get("explanation"):
                return str(output["explanation"]), row.id or 0
        return None
