"""Generation accounting: every request to a provider as a row with its attempts, tokens,
latency and cost; per-user daily budgets checked before model work; the usage report.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from api.services.context import AppContext
from api.services.views import (
    BudgetView,
    GenerationsReport,
    GenerationView,
    ModelUsage,
    UsageTotals,
)
from core.errors import BudgetExceeded
from core.logging import get_logger
from core.models import Generation, as_utc
from generator.pipeline import MAX_TEXT_CHARS, Generated
from generator.prompts import PROMPT_VERSION, PromptContext, SymbolRange
from generator.providers.base import Attempt, attempts_of
from generator.providers.registry import FallbackProvider

log = get_logger(__name__)

FREE_PROVIDERS = {"offline", "replay"}
# what the ledger keeps of a text longer than any text a provider reads (a refused
# text_too_long request): its start, and its length in the row's output
STORED_PREFIX_CHARS = 200


def stored_text(text: str) -> tuple[str, dict[str, Any] | None]:
    """The text as the ledger stores it: whole up to MAX_TEXT_CHARS; past that a bounded
    prefix, with the length and the cut recorded (a 1 MB text is never written whole)."""
    if len(text) <= MAX_TEXT_CHARS:
        return text, None
    return text[:STORED_PREFIX_CHARS], {"text_chars": len(text),
                                        "text_stored_chars": STORED_PREFIX_CHARS}


def spends_tokens(provider: Any) -> bool:
    if isinstance(provider, FallbackProvider):
        return any(spends_tokens(p) for p in provider.providers)
    return provider.name not in FREE_PROVIDERS


def midnight_utc(now: datetime | None = None) -> datetime:
    now = now or datetime.now(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


class GenerationLedger:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def prompt_context(self) -> PromptContext:
        ranges = tuple(
            SymbolRange(c.symbol, c.start.isoformat(), c.end.isoformat())
            for c in self.ctx.market.symbols()
        )
        return PromptContext(limits=self.ctx.limits, symbols=ranges)

    def usage_today(self, user_id: int) -> tuple[int, float]:
        since = midnight_utc()
        with self.ctx.session() as db:
            rows = db.exec(
                select(Generation).where(
                    Generation.owner_id == user_id,
                    col(Generation.created_at) >= since - timedelta(days=1),
                )
            ).all()
        today = [r for r in rows if as_utc(r.created_at) >= since]
        return sum(r.tokens_in + r.tokens_out for r in today), sum(r.cost_usd for r in today)

    def check_budget(self, user_id: int, provider: Any) -> None:
        """Refuse model work once the user's tokens or cost today reached the daily budget."""
        token_budget = self.ctx.settings.llm_daily_token_budget
        cost_budget = self.ctx.settings.llm_daily_cost_budget_usd
        if (token_budget is None and cost_budget is None) or not spends_tokens(provider):
            return
        tokens, cost = self.usage_today(user_id)
        resets = (midnight_utc() + timedelta(days=1)).isoformat()
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

    def record(
        self,
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
        text, cut = stored_text(text)
        if cut is not None:
            output = {**(output or {}), **cut}
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
            latency_ms=(
                latency_ms
                if latency_ms is not None
                else (generated.latency_ms if generated else sum(a.latency_ms for a in attempts))
            ),
            cost_usd=sum(a.cost_usd for a in attempts),
            purpose=purpose,
            request_id=request_id,
            attempts=[a.as_dict() for a in attempts],
            output=output,
        )
        with self.ctx.session() as db:
            db.add(row)
            db.commit()
            db.refresh(row)
        log.info(
            "generation recorded",
            extra={
                "user": user_id,
                "strategy": strategy_id,
                "generation": row.id,
                "provider": row.provider,
                "model": row.model,
                "outcome": row.outcome,
                "tokens_in": row.tokens_in,
                "tokens_out": row.tokens_out,
                "cost_usd": round(row.cost_usd, 6),
            },
        )
        return row.id or 0

    def report(
        self, user_id: int, limit: int = 100, strategy_id: int | None = None
    ) -> GenerationsReport:
        with self.ctx.session() as db:
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
                token_budget=self.ctx.settings.llm_daily_token_budget,
                cost_budget_usd=self.ctx.settings.llm_daily_cost_budget_usd,
                resets_at=midnight_utc() + timedelta(days=1),
            ),
        )
