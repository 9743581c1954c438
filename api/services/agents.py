"""Agent strategies: text → an `AgentSpec` version (validated like any version), model
comparisons on one window and one data set, and reading an agent's decisions.

An agent strategy is an ordinary strategy whose spec has `kind: agent` (generator/agent_spec.py),
so backtests, batches, versions, exports and deployments treat it like any other. This service
adds what only agents have: `compare` runs the same version once per model (the model is a
run-time parameter; decisions come from `api.services.agent_decisions`) plus the offline
baseline, and ranks them beside an equal-weight buy-and-hold of the agent's symbols.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import pandas as pd

from api.services.agent_contamination import contamination
from api.services.agent_decisions import DecisionService, fixture_rows, load_fixture
from api.services.backtests import BacktestService
from api.services.context import AppContext
from api.services.rows import strategy_row, version_row
from api.services.strategies import StrategyService
from api.services.validation import ValidationService
from api.services.views import (
    AgentComparisonView,
    AgentDecisionView,
    AgentRunOptions,
    AgentUsageView,
    BacktestConfig,
    CompareAgent,
    LeaderboardRow,
    StrategyView,
)
from core.errors import InvalidInput, NotFound
from core.logging import get_logger
from core.models import VersionOrigin
from generator.agent_generation import propose_agent
from generator.agent_parser import parse_agent
from generator.agent_render import describe_agent, render_agent
from generator.agent_spec import MODEL_SELECTOR_RE, AgentSpec, is_agent_spec
from generator.providers.llm import LLMProvider
from generator.providers.registry import build_provider
from generator.validate import check_source
from runtime.metrics import equity_metrics

log = get_logger(__name__)

BASELINE = "offline"


class AgentService:
    def __init__(
        self,
        ctx: AppContext,
        strategies: StrategyService,
        validation: ValidationService,
        backtests: BacktestService,
        decisions: DecisionService,
    ) -> None:
        self.ctx = ctx
        self.strategies = strategies
        self.validation = validation
        self.backtests = backtests
        self.decisions = decisions

    # -- creation --------------------------------------------------------------------------------
    def create_agent(
        self, user_id: int, text: str, model: str = BASELINE, anonymize: bool | None = None,
        provider: str | None = None,
    ) -> StrategyView:
        """`model` decides the trades; `provider` (default: the offline parser) reads the text."""
        model = check_model(model)
        known = self.ctx.known_symbols()
        if provider is None or provider.strip() == "offline":
            spec = parse_agent(text, model=model, known_symbols=known or None)
        else:
            spec = self._llm_spec(text, provider, known).model_copy(update={"model": model})
        if anonymize is not None:
            spec = spec.model_copy(update={"anonymize": anonymize})
        spec = AgentSpec.model_validate(spec.model_dump())  # re-check after the update
        if len(spec.symbols) > self.ctx.limits.max_symbols:
            raise InvalidInput(
                f"the agent uses {len(spec.symbols)} symbols; this server allows "
                f"{self.ctx.limits.max_symbols}", code="over_limits",
            )
        missing = [s for s in spec.symbols if s not in known]
        if missing:
            raise InvalidInput(
                f"no market data for {', '.join(missing)}; stored: "
                f"{', '.join(sorted(known)) or 'nothing (stratforge data sample)'}",
                code="unknown_symbol", symbols=missing,
            )
        summary = describe_agent(spec)
        code = render_agent(spec, summary)
        static = check_source(code)
        if not static.ok:  # a template bug, never the user's fault
            raise AssertionError(f"agent code failed the static gate: {static.problems}")
        with self.ctx.session() as db:
            strategy = self.strategies.insert_strategy(db, user_id=user_id, name=spec.name,
                                                       text=text.strip())
            self.strategies.record_version(
                db, strategy, source=code, origin=VersionOrigin.generated.value, parent=None,
                spec=spec.model_dump(mode="json"), summary=summary,
                class_name=static.class_name or "AgentStrategy",
            )
            strategy_id = strategy.id or 0
        log.info("agent created", extra={"strategy": strategy_id, "model": model})
        return self.validation.validate_version(user_id, strategy_id, 1)

    def _llm_spec(self, text: str, selector: str, known: set[str]) -> AgentSpec:
        text = text.strip()
        if not text or len(text) > 4000:
            raise InvalidInput("the agent description must be 1 to 4000 characters",
                               code="bad_text")
        reader = build_provider(check_model(selector), self.ctx.settings)
        if not isinstance(reader, LLMProvider):
            raise InvalidInput(f"{selector} cannot read an agent description",
                               code="unknown_provider")
        spec, attempts = propose_agent(
            reader, text, known_symbols=known, max_symbols=self.ctx.limits.max_symbols,
            max_repairs=self.ctx.settings.llm_max_repairs,
        )
        log.info("agent spec from a model", extra={
            "provider": reader.name, "model": reader.model, "attempts": len(attempts),
            "tokens": sum(a.tokens_in + a.tokens_out for a in attempts)})
        return spec

    def agent_spec(self, user_id: int, strategy_id: int) -> tuple[AgentSpec, int]:
        with self.ctx.session() as db:
            row = strategy_row(db, user_id=user_id, strategy_id=strategy_id)
            version = version_row(db, strategy=row, number=None)
        if not is_agent_spec(version.spec):
            # the strategy exists but is not an agent: there is no agent with that id
            raise NotFound(f"no agent {strategy_id} (strategy {strategy_id} is not an agent)",
                           code="agent_not_found")
        return AgentSpec.model_validate(version.spec), version.number

    # -- comparison ------------------------------------------------------------------------------
    def compare(self, user_id: int, strategy_id: int, body: CompareAgent) -> AgentComparisonView:
        spec, number = self.agent_spec(user_id, strategy_id)
        models = [check_model(m) for m in body.models]
        if BASELINE not in models:
            models.append(BASELINE)  # the reference is always there
        models = list(dict.fromkeys(models))
        options = AgentRunOptions(refresh=body.refresh, max_cost_usd=body.max_cost_usd)
        rows: list[LeaderboardRow] = []
        for model in models:
            run = self.backtests.create_backtest(user_id, BacktestConfig(
                strategy_id=strategy_id, version=number, start=body.start, end=body.end,
                cash=body.cash, tearsheet=False, agent=options,
                parameters={"model": model, **({} if body.anonymize is None
                                               else {"anonymize": body.anonymize})},
            ))
            done = self.backtests.execute_backtest(run.id)
            rows.append(self._row(model, done.id, done.status, done.metrics, done.error))
        rows.append(self._buy_and_hold(spec, body.start, body.end))
        rows.sort(key=lambda r: (r.total_return is None, -(r.total_return or 0.0)))
        return AgentComparisonView(strategy_id=strategy_id, version=number, start=body.start,
                                   end=body.end, rows=rows)

    def _row(self, model: str, run_id: int, status: str, metrics: dict[str, Any] | None,
             error: str | None) -> LeaderboardRow:
        m = metrics or {}
        result = self.backtests.backtest_result(None, run_id) if status == "succeeded" else {}
        fills = result.get("trades") or []
        traded = sum(abs(float(f["quantity"]) * float(f["price"])) for f in fills)
        cash = float((result.get("config") or {}).get("cash") or 0.0)
        start = date.fromisoformat(str((result.get("config") or {}).get("start") or "1970-01-01"))
        cont = contamination(model, start, self.ctx.settings.agent_model_cutoffs)
        return LeaderboardRow(
            label=model, kind="baseline" if model == BASELINE else "model", run_id=run_id,
            status=status, total_return=m.get("total_return"), cagr=m.get("cagr"),
            sharpe=m.get("sharpe"), max_drawdown=m.get("max_drawdown"),
            turnover=round(traded / cash, 4) if cash else None,
            decisions=m.get("decisions"), decisions_changed=m.get("decisions_changed"),
            llm_calls=m.get("llm_calls"), cache_hits=m.get("cache_hits"), tokens=m.get("tokens"),
            cost_usd=m.get("cost_usd"), mean_latency_ms=m.get("mean_latency_ms"),
            contaminated=cont.contaminated, contamination=cont.reason,
            stopped="max_cost" if m.get("stopped_max_cost") else None, error=error,
        )

    def _buy_and_hold(self, spec: AgentSpec, start: date, end: date) -> LeaderboardRow:
        """Equal weight in every symbol at the first day's open, held to the end."""
        closes = []
        for symbol in spec.symbols:
            bars = self.ctx.market.bars(symbol, start, end)
            shares = (1.0 / len(spec.symbols)) / float(bars["open"].iloc[0])
            closes.append(bars["close"].astype(float) * shares)
        equity = pd.concat(closes, axis=1).ffill().dropna().sum(axis=1)
        m = equity_metrics(equity, self.ctx.settings.risk_free_rate)
        return LeaderboardRow(
            label="buy_and_hold (equal weight)", kind="buy_and_hold", run_id=None,
            status="succeeded", total_return=m.get("total_return"), cagr=m.get("cagr"),
            sharpe=m.get("sharpe"), max_drawdown=m.get("max_drawdown"), turnover=1.0,
            decisions=0, decisions_changed=0, contamination=contamination(
                BASELINE, start, {}).reason.replace("offline baseline", "buy-and-hold"),
        )

    # -- decisions -------------------------------------------------------------------------------
    def decisions_of(self, user_id: int, strategy_id: int, *, model: str | None = None,
                     run_id: int | None = None, deployment_id: int | None = None,
                     live: bool | None = None, limit: int = 500) -> list[AgentDecisionView]:
        self.agent_spec(user_id, strategy_id)  # 404 / not an agent, like every read
        rows = self.decisions.decisions(user_id, strategy_id, model=model, run_id=run_id,
                                        deployment_id=deployment_id, live=live, limit=limit)
        return [
            AgentDecisionView(
                id=r.id or 0, run_id=r.run_id, deployment_id=r.deployment_id,
                live=r.deployment_id is not None, model=r.model, day=r.decided_for,
                outcome=r.outcome, target_weights=r.target_weights, rationale=r.rationale,
                confidence=r.confidence, reason=r.reason, tokens=r.tokens_in + r.tokens_out,
                cost_usd=r.cost_usd, latency_ms=round(r.latency_ms, 2),
                prompt_version=r.prompt_version,
            )
            for r in rows
        ]


    def deployment_usage(self, user_id: int, deployment_id: int) -> AgentUsageView:
        """The decisions and LLM spend of one deployed agent (nothing for a rule-based bot)."""
        return self.decisions.deployment_usage(user_id, deployment_id)

    def export_decisions(self, user_id: int, strategy_id: int) -> list[dict[str, Any]]:
        """The agent's decision cache as a recording (`import_decisions` replays it)."""
        self.agent_spec(user_id, strategy_id)
        return fixture_rows(self.decisions.decisions(user_id, strategy_id, limit=1_000_000))

    def import_decisions(self, user_id: int, strategy_id: int, rows: list[dict[str, Any]]) -> int:
        self.agent_spec(user_id, strategy_id)
        with self.ctx.session() as db:
            version = version_row(db, strategy=strategy_row(db, user_id=user_id,
                                                            strategy_id=strategy_id), number=None)
        try:
            return load_fixture(self.ctx, owner_id=user_id, strategy_id=strategy_id,
                                version_id=version.id or 0, rows=rows)
        except (ValueError, TypeError) as exc:
            raise InvalidInput(f"cannot import the decisions: {exc}",
                               code="bad_recording") from None


def check_model(model: str) -> str:
    model = model.strip()
    if not MODEL_SELECTOR_RE.match(model):
        raise InvalidInput(f"{model[:40]!r} is not a model selector (provider[:model])",
                           code="bad_model")
    return model


# -- exports (like batches': CSV, JSON, self-contained HTML) --------------------------------------
def comparison_csv(view: AgentComparisonView) -> str:
    out = io.StringIO()
    fields = list(LeaderboardRow.model_fields)
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    for row in view.rows:
        writer.writerow(row.model_dump())
    return out.getvalue()


def comparison_json(view: AgentComparisonView) -> str:
    return json.dumps(view.model_dump(mode="json"), indent=2)


def comparison_html(view: AgentComparisonView) -> str:
    from html import escape

    fields = list(LeaderboardRow.model_fields)
    head = "".join(f"<th>{escape(f)}</th>" for f in fields)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape('' if v is None else str(v))}</td>"
                         for v in row.model_dump().values()) + "</tr>"
        for row in view.rows
    )
    title = f"Agent {view.strategy_id} v{view.version}: {view.start} to {view.end}"
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px}</style></head><body>"
        f"<h1>{escape(title)}</h1><table><tr>{head}</tr>{body}</table></body></html>"
    )
