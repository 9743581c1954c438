"""Generations: every request to a provider as a row with its attempts, tokens, latency and
cost; per-user daily budgets; comparing several models on one text and accepting a candidate;
and the explanation of a strategy. A mixin of `api.services.Stratforge` (it uses its settings,
stores and rows).
"""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field
from sqlmodel import col, select

from core.errors import Conflict, InvalidInput, NotFound, StratforgeError
from core.models import Generation
from generator.pipeline import Generated, generate
from generator.prompts import PROMPT_VERSION, PromptContext, SymbolRange
from generator.providers.base import Attempt, Proposal, ProviderFailed, attempts_of
from generator.providers.llm import LLMProvider
from generator.providers.registry import FallbackProvider, build_provider, split_selector
from generator.spec import StrategySpec

if TYPE_CHECKING:
    from api.services import StrategyView

log = logging.getLogger("stratforge")

FREE_PROVIDERS = {"offline", "replay"}
MAX_COMPARE = 6


class BudgetExceeded(StratforgeError):
    code = "budget_exceeded"
    status = 429


# -- views ----------------------------------------------------------------------------------------
class GenerationView(BaseModel):
    id: int
    strategy_id: int | None
    purpose: str
    request_id: str | None
    provider: str
    model: str
    prompt_version: str
    text: str
    outcome: str
    error: str | None
    tokens_in: int
    tokens_out: int
    latency_ms: float
    cost_usd: float
    created_at: datetime
    attempts: list[dict[str, Any]] = Field(default_factory=list)


class UsageTotals(BaseModel):
    generations: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0


class ModelUsage(UsageTotals):
    provider: str
    model: str


class BudgetView(BaseModel):
    tokens_today: int
    cost_today_usd: float
    token_budget: int | None
    cost_budget_usd: float | None
    resets_at: datetime


class GenerationsReport(BaseModel):
    generations: list[GenerationView]
    totals: UsageTotals
    by_model: list[ModelUsage]
    today: BudgetView


class Candidate(BaseModel):
    label: str
    generation_id: int
    provider: str
    model: str
    ok: bool
    spec: dict[str, Any] | None = None
    summary: str | None = None
    error: dict[str, Any] | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    latency_ms: float = 0.0


class SpecDifference(BaseModel):
    path: str
    values: dict[str, Any]


class Comparison(BaseModel):
    request_id: str
    text: str
    candidates: list[Candidate]
    differences: list[SpecDifference]
    identical: bool
    next_step: str


class ExplanationView(BaseModel):
    strategy_id: int
    version: int
    summary: str
    explanation: str | None
    provider: str | None = None
    model: str | None = None
    generation_id: int | None = None
    note: str | None = None


# -- helpers --------------------------------------------------------------------------------------
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


def _spends_tokens(provider: Any) -> bool:
    if isinstance(provider, FallbackProvider):
        return any(_spends_tokens(p) for p in provider.providers)
    return provider.name not in FREE_PROVIDERS


def _error_dict(exc: StratforgeError) -> dict[str, Any]:
    return {"code": exc.code, "message": exc.message, "details": exc.details}


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


def _midnight_utc(now: datetime | None = None) -> datetime:
    now = now or datetime.now(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _as_utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class GenerationOps:
    """Mixed into Stratforge; relies on its `settings`, `session`, `market`, `limits`,
    `_require_symbols`, `_save_new_strategy`, `_strategy_row`, `_version_row` and
    `validate_version`."""

    # -- context and accounting -------------------------------------------------------------------
    def prompt_context(self: Any) -> PromptContext:
        ranges = tuple(
            SymbolRange(c.symbol, c.start.isoformat(), c.end.isoformat())
            for c in self.market.symbols()
        )
        return PromptContext(limits=self.limits, symbols=ranges)

    def usage_today(self: Any, user_id: int) -> tuple[int, float]:
        since = _midnight_utc()
        with self.session() as db:
            rows = db.exec(
                select(Generation).where(
                    Generation.owner_id == user_id,
                    col(Generation.created_at) >= since - timedelta(days=1),
                )
            ).all()
        today = [r for r in rows if _as_utc(r.created_at) >= since]
        return sum(r.tokens_in + r.tokens_out for r in today), sum(r.cost_usd for r in today)

    def check_budget(self: Any, user_id: int, provider: Any) -> None:
        """Refuse model work once the user's tokens or cost today reached the daily budget."""
        token_budget = self.settings.llm_daily_token_budget
        cost_budget = self.settings.llm_daily_cost_budget_usd
        if (token_budget is None and cost_budget is None) or not _spends_tokens(provider):
            return
        tokens, cost = self.usage_today(user_id)
        resets = (_midnight_utc() + timedelta(days=1)).isoformat()
        if token_budget is not None and tokens >= token_budget:
            raise BudgetExceeded(
                f"daily token budget reached: {tokens} of {token_budget} tokens used today; "
                f"it resets at {resets} (the offline provider still works)",
                tokens_today=tokens,
                token_budget=token_budget,
                resets_at=resets,
            )
        if cost_budget is not None and cost >= cost_budget:
            raise BudgetExceeded(
                f"daily cost budget reached: ${cost:.4f} of ${cost_budget:.4f} used today; "
                f"it resets at {resets} (the offline provider still works)",
                cost_today_usd=round(cost, 6),
                cost_budget_usd=cost_budget,
                resets_at=resets,
            )

    def record_generation(
        self: Any,
        user_id: int,
        text: str,
        *,
        provider: str,
        model: str,
        strategy_id: int | None = None,
        generated: Generated | None = None,
        error: BaseException | None = None,
        attempts: list[Attempt] | None = None,
        latency_ms: float | None = None,
        purpose: str = "spec",
        request_id: str | None = None,
        output: dict[str, Any] | None = None,
        prompt_version: str = "",
    ) -> int:
        if attempts is None:
            attempts = generated.attempts if generated is not None else []
            if error is not None:
                attempts = attempts or attempts_of(error)
        if generated is not None:
            provider, model = generated.provider, generated.model
            prompt_version = generated.prompt_version or prompt_version
            if output is None:
                output = {"spec": generated.spec.model_dump(mode="json")}
        outcome = "ok" if error is None else str(getattr(error, "code", "error"))[:20]
        row = Generation(
            owner_id=user_id,
            strategy_id=strategy_id,
            provider=provider[:40],
            model=model[:120],
            prompt_version=prompt_version or (PROMPT_VERSION if attempts else ""),
            text=text,
            outcome=outcome,
            error=str(getattr(error, "message", error)) if error is not None else None,
            tokens_in=sum(a.tokens_in for a in attempts),
            tokens_out=sum(a.tokens_out for a in attempts),
            latency_ms=latency_ms
            if latency_ms is not None
            else (generated.latency_ms if generated else sum(a.latency_ms for a in attempts)),
            cost_usd=sum(a.cost_usd for a in attempts),
            purpose=purpose,
            request_id=request_id,
            attempts=[a.as_dict() for a in attempts],
            output=output,
        )
        with self.session() as db:
            db.add(row)
            db.commit()
            db.refresh(row)
        log.info(
            "generation recorded id=%s provider=%s model=%s outcome=%s tokens=%d/%d cost=%.6f",
            row.id,
            row.provider,
            row.model,
            row.outcome,
            row.tokens_in,
            row.tokens_out,
            row.cost_usd,
        )
        return row.id or 0

    def list_generations(
        self: Any, user_id: int, limit: int = 100, strategy_id: int | None = None
    ) -> GenerationsReport:
        with self.session() as db:
            query = select(Generation).where(Generation.owner_id == user_id)
            if strategy_id is not None:
                query = query.where(Generation.strategy_id == strategy_id)
            rows = list(db.exec(query.order_by(col(Generation.id).desc())).all())
        totals = UsageTotals()
        by_model: dict[tuple[str, str], ModelUsage] = {}
        for row in rows:
            for bucket in (
                totals,
                by_model.setdefault(
                    (row.provider, row.model), ModelUsage(provider=row.provider, model=row.model)
                ),
            ):
                bucket.generations += 1
                bucket.tokens_in += row.tokens_in
                bucket.tokens_out += row.tokens_out
                bucket.cost_usd += row.cost_usd
        tokens, cost = self.usage_today(user_id)
        return GenerationsReport(
            generations=[
                GenerationView(
                    id=r.id or 0,
                    strategy_id=r.strategy_id,
                    purpose=r.purpose,
                    request_id=r.request_id,
                    provider=r.provider,
                    model=r.model,
                    prompt_version=r.prompt_version,
                    text=r.text,
                    outcome=r.outcome,
                    error=r.error,
                    tokens_in=r.tokens_in,
                    tokens_out=r.tokens_out,
                    latency_ms=r.latency_ms,
                    cost_usd=r.cost_usd,
                    created_at=r.created_at,
                    attempts=r.attempts or [],
                )
                for r in rows[: max(1, limit)]
            ],
            totals=totals,
            by_model=sorted(by_model.values(), key=lambda m: (m.provider, m.model)),
            today=BudgetView(
                tokens_today=tokens,
                cost_today_usd=cost,
                token_budget=self.settings.llm_daily_token_budget,
                cost_budget_usd=self.settings.llm_daily_cost_budget_usd,
                resets_at=_midnight_utc() + timedelta(days=1),
            ),
        )

    # -- comparing models -------------------------------------------------------------------------
    def compare_strategies(self: Any, user_id: int, text: str, selectors: list[str]) -> Comparison:
        """Ask each provider/model for a spec of `text`; nothing is saved as a strategy until
        the user accepts one candidate (`accept_candidate`)."""
        selectors = [s.strip() for s in selectors if s.strip()]
        if not 1 <= len(selectors) <= MAX_COMPARE:
            raise InvalidInput(f"compare takes 1 to {MAX_COMPARE} providers", code="bad_compare")
        providers = [build_provider(s, self.settings) for s in selectors]
        for provider in providers:
            self.check_budget(user_id, provider)
        known = {c.symbol for c in self.market.symbols()}
        context = self.prompt_context()
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
                generated = generate(
                    text,
                    provider=provider,
                    limits=self.limits,
                    known_symbols=known,
                    context=context,
                )
                self._require_symbols(generated.spec)
                return generated
            except StratforgeError as exc:
                return exc

        with ThreadPoolExecutor(max_workers=len(providers)) as pool:
            results = list(pool.map(run, providers))
        candidates: list[Candidate] = []
        for label, provider, result in zip(labels, providers, results, strict=True):
            if isinstance(result, Generated):
                gen_id = self.record_generation(
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
                gen_id = self.record_generation(
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
                        error=_error_dict(result),
                        tokens_in=sum(a.tokens_in for a in attempts),
                        tokens_out=sum(a.tokens_out for a in attempts),
                        cost_usd=sum(a.cost_usd for a in attempts),
                        latency_ms=sum(a.latency_ms for a in attempts),
                    )
                )
        differences = spec_differences({c.label: c.spec for c in candidates if c.ok})
        valid = [c for c in candidates if c.ok]
        log.info(
            "comparison done request=%s candidates=%d valid=%d differences=%d",
            request_id,
            len(candidates),
            len(valid),
            len(differences),
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

    def accept_candidate(self: Any, user_id: int, generation_id: int) -> StrategyView:
        """Save a compared candidate as a new strategy (rendered and validated as usual)."""
        with self.session() as db:
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
        known = {c.symbol for c in self.market.symbols()}
        generated = generate(
            text,
            provider=_StoredSpec(spec, provider, model, version),
            limits=self.limits,
            known_symbols=known,
        )
        self._require_symbols(generated.spec)
        strategy = self._save_new_strategy(user_id, text, generated)
        with self.session() as db:
            row = db.get(Generation, generation_id)
            if row is not None:
                row.strategy_id = strategy.id
                db.add(row)
                db.commit()
        log.info("candidate accepted generation=%s strategy=%s", generation_id, strategy.id)
        return self.validate_version(user_id, strategy.id or 0, 1)

    # -- explanation ------------------------------------------------------------------------------
    def explain_strategy(
        self: Any, user_id: int, strategy_id: int, provider: str | None = None
    ) -> ExplanationView:
        with self.session() as db:
            strategy = self._strategy_row(db, user_id, strategy_id)
            version = self._version_row(db, strategy, None)
            spec_data, summary, number = version.spec, version.summary, version.number
            text = strategy.text
        view = ExplanationView(
            strategy_id=strategy_id, version=number, summary=summary, explanation=None
        )
        selector = provider or self.settings.default_llm_provider
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
        explainer = build_provider(selector, self.settings)
        if not isinstance(explainer, LLMProvider):
            view.note = f"{name} cannot explain strategies"
            return view
        cached = self._cached_explanation(user_id, strategy_id, number, explainer)
        if cached is not None:
            view.explanation, view.generation_id = cached
            view.provider, view.model = explainer.name, explainer.model
            return view
        self.check_budget(user_id, explainer)
        spec = StrategySpec.model_validate(spec_data)
        try:
            explained = explainer.explain(spec, summary)
        except ProviderFailed as exc:
            self.record_generation(
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
        view.generation_id = self.record_generation(
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
        self: Any, user_id: int, strategy_id: int, number: int, explainer: LLMProvider
    ) -> tuple[str, int] | None:
        with self.session() as db:
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
