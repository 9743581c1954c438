"""Agent decisions for runs: the decision service a sandboxed backtest asks, the decision cache,
the model calls and their accounting, the per-run cost cap and contamination. Deployed bots
are served by the same service in the supervisor (`api.services.agent_live` registers them).

**How decisions reach a backtest.** A backtest worker has no LLM keys and no network, by
design; an agent's snapshot depends on the simulated portfolio, so decisions cannot be made
before the run. This process (the API server or the CLI), which holds the keys, serves them:
`open_run` registers a run under a random token and returns the address of a Unix socket in a
private folder (`runtime.agents.channel`); the worker's request carries only that address. For
each decision the worker sends its snapshot; here it is checked (the symbols must be the
agent's), looked up in the cache — key sha256(model, prompt version, agent version = the code's
sha256, snapshot hash, simulated day) — and, on a miss or with `refresh`, decided: by the
offline baseline, or by the model (structured output on the decision schema, answers checked
by `check_decision`, refused answers sent back with the problems up to `llm_max_repairs`
times). A failed or still-invalid answer is a *hold*, stored and served like any decision, so
a rerun is bit-identical and makes no model call. Once the run's model cost reaches its cap,
every later decision is a hold without a call, and the run is marked `stopped: max_cost`.

A run on a remote Ray worker cannot reach the socket: its decisions are holds, each naming the
reason.

Lumibot 4.6's agent runtime (`lumibot.components.agents`) is read but not used: it runs the
model inside the strategy's process (Google ADK + LiteLLM), so the keys would have to be in the
sandboxed worker; it is a tool-calling loop, not one typed decision with our limits; and its
replay cache is gzip files under Lumibot's cache folder keyed by a payload hash (with a remote
S3 hook). We keep its idea — replay keyed by the hash of everything the model is asked — in a
table we can list, export, refresh and cap, and we call models through our own providers
(retries, prices, accounting). Its structured-output parser is no better than ours
(`check_decision` after the providers' JSON extraction), so it is not used either.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import case, func
from sqlmodel import col, select

from api.services.agent_contamination import Contamination, contamination
from api.services.context import AppContext
from api.services.generations import GenerationLedger, midnight_utc
from api.services.integrations import user_llm_settings
from api.services.views import AgentUsageView
from core.logging import get_logger
from core.models import AgentDecision, BacktestRun, Strategy, StrategyVersion, as_utc
from generator.agent_prompts import (
    AGENT_PROMPT_VERSION,
    agent_repair_message,
    agent_system_prompt,
    agent_user_message,
)
from generator.agent_spec import AgentSpec, is_agent_spec
from generator.providers.base import Attempt
from generator.providers.llm import LLMProvider, Turn
from generator.providers.registry import build_provider, split_selector
from runtime.agents.baseline import baseline_decision
from runtime.agents.channel import ChannelAddress, DecisionServer
from runtime.agents.decision import Outcome, check_decision, decision_schema
from runtime.agents.snapshot import Snapshot, snapshot_hash, snapshot_json

log = get_logger(__name__)


@dataclass
class RunSession:
    """One run's registration: who pays, what it may hold, and its counters."""

    token: str
    run_id: int
    owner_id: int
    strategy_id: int
    version_id: int
    agent_version: str
    spec: AgentSpec
    model: str
    brief: str
    refresh: bool
    max_cost_usd: float | None
    contamination: Contamination
    run_dir: Path
    deployment_id: int | None = None  # a deployed bot's session (live decisions), else None
    wait_s: float | None = None  # how long its asker waits (a later answer is recorded as held)
    on_stop: Callable[[RunSession], None] | None = None  # told once when the cost cap is hit
    # the model's provider, then the configured fallbacks (None: the offline baseline)
    providers: list[tuple[str, LLMProvider | None]] | None = None
    llm_calls: int = 0
    cache_hits: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    decisions: int = 0
    held: int = 0
    changed: int = 0
    latencies: list[float] = field(default_factory=list)
    stopped: str | None = None
    last_weights: dict[str, float] | None = None
    journal: list[dict[str, Any]] = field(default_factory=list)
    cached: dict[str, AgentDecision] = field(default_factory=dict)  # preloaded at registration
    lock: threading.Lock = field(default_factory=threading.Lock)

    def stats(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "decisions": self.decisions,
            "held": self.held,
            "changed": self.changed,
            "llm_calls": self.llm_calls,
            "cache_hits": self.cache_hits,
            "tokens": self.tokens,
            "cost_usd": round(self.cost_usd, 6),
            "mean_latency_ms": (
                round(sum(self.latencies) / len(self.latencies), 2) if self.latencies else None
            ),
            "stopped": self.stopped,
            "contamination": self.contamination.as_dict(),
            "anonymized": self.spec.anonymize,
            "prompt_version": AGENT_PROMPT_VERSION,
        }


def agent_metrics(stats: dict[str, Any]) -> dict[str, float | int | None]:
    """The numbers of an agent run that go beside its return metrics (run lists, leaderboards)."""
    return {
        "llm_calls": stats["llm_calls"],
        "cache_hits": stats["cache_hits"],
        "tokens": stats["tokens"],
        "cost_usd": stats["cost_usd"],
        "decisions": stats["decisions"],
        "decisions_changed": stats["changed"],
        "decisions_held": stats["held"],
        "mean_latency_ms": stats["mean_latency_ms"],
        "stopped_max_cost": 1 if stats["stopped"] else 0,
        "contaminated": 1 if stats["contamination"]["contaminated"] else 0,
    }


def cache_key(model: str, agent_version: str, digest: str, day: str,
              deployment_id: int | None = None) -> str:
    """The decision cache's key. A live decision's names its deployment and live day: a bot
    restarted the same day gets the same decision, no other bot or backtest shares it."""
    when = day if deployment_id is None else f"live:{deployment_id}:{day}"
    material = json.dumps([model, AGENT_PROMPT_VERSION, agent_version, digest, when])
    return hashlib.sha256(material.encode()).hexdigest()


class DecisionService:
    """Serves agent decisions to the runs (and, in the supervisor, the deployed bots) of this
    process: one socket, many sessions. `socket_folder`: a stable folder for the socket (the
    supervisor's, so bots it adopts after a restart find it), else a fresh private one."""

    def __init__(self, ctx: AppContext, socket_folder: Path | None = None) -> None:
        self.ctx = ctx
        self.ledger = GenerationLedger(ctx)  # the users' daily LLM budgets count decisions too
        self.socket_folder = socket_folder
        self._server: DecisionServer | None = None
        self._sessions: dict[str, RunSession] = {}
        self._by_run: dict[int, str] = {}
        self._lock = threading.Lock()

    # -- runs ------------------------------------------------------------------------------------
    def open_run(self, run: BacktestRun, version: StrategyVersion) -> ChannelAddress | None:
        """Register an agent run; None for a rule-based version."""
        if not is_agent_spec(version.spec):
            return None
        spec = AgentSpec.model_validate(version.spec)
        config = run.config or {}
        options = config.get("agent") or {}
        parameters = config.get("parameters") or {}
        model = str(parameters.get("model") or spec.model)
        if "anonymize" in parameters:  # a run-time override of the spec's choice
            spec = spec.model_copy(update={"anonymize": bool(parameters["anonymize"])})
        with self.ctx.session() as db:
            strategy = db.get(Strategy, run.strategy_id)
            brief = strategy.text if strategy is not None else ""
        max_cost = options.get("max_cost_usd", self.ctx.settings.agent_max_cost_usd)
        session = RunSession(
            token=secrets.token_urlsafe(24),
            run_id=run.id or 0,
            owner_id=run.owner_id,
            strategy_id=run.strategy_id,
            version_id=version.id or 0,
            agent_version=version.sha256,
            spec=spec,
            model=model,
            brief=brief,
            refresh=bool(options.get("refresh")),
            max_cost_usd=float(max_cost) if max_cost is not None else None,
            contamination=contamination(
                model, date.fromisoformat(str(config["start"])),
                self.ctx.settings.agent_model_cutoffs,
            ),
            run_dir=Path(run.artifacts_dir or self.ctx.settings.runs_dir / f"run_{run.id}"),
        )
        if not session.refresh:  # one query now instead of one per decision
            with self.ctx.session() as db:
                rows = db.exec(select(AgentDecision).where(
                    AgentDecision.strategy_id == session.strategy_id,
                    AgentDecision.model == model,
                    AgentDecision.prompt_version == AGENT_PROMPT_VERSION,
                )).all()
            session.cached = {row.cache_key: row for row in rows}
        address = self.register(session, run_key=session.run_id)
        log.info("agent run registered",
                 extra={"run": session.run_id, "model": model, "refresh": session.refresh})
        return address

    def register(self, session: RunSession, *, run_key: int,
                 timeout_s: float = 600.0) -> ChannelAddress:
        """Serve `session` under its token (replacing the one `run_key` had); its address.
        Run keys are run ids; a deployment's is its negated id."""
        with self._lock:
            if self._server is None:
                self._server = DecisionServer(self.handle, self._on_error, self.socket_folder)
            old = self._by_run.pop(run_key, None)
            if old is not None:
                self._sessions.pop(old, None)
            self._sessions[session.token] = session
            self._by_run[run_key] = session.token
            return self._server.address(session.token, timeout_s)

    def unregister(self, run_key: int) -> RunSession | None:
        with self._lock:
            token = self._by_run.pop(run_key, None)
            return self._sessions.pop(token, None) if token else None

    def close_run(self, run_id: int) -> dict[str, Any] | None:
        """The run's agent figures (and its decision journal written beside its results)."""
        session = self.unregister(run_id)
        if session is None:
            return None
        try:
            session.run_dir.mkdir(parents=True, exist_ok=True)
            (session.run_dir / "decisions.json").write_text(
                json.dumps(session.journal, indent=1), encoding="utf-8"
            )
        except OSError:
            log.warning("could not write the decision journal", extra={"run": run_id})
        return session.stats()

    def close(self) -> None:
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            server.close()

    def _on_error(self, exc: Exception) -> None:
        log.error("agent decision failed", extra={"error": f"{type(exc).__name__}: {exc}"})

    # -- one decision ----------------------------------------------------------------------------
    def handle(self, token: str, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            session = self._sessions.get(token)
        if session is None:
            return {"outcome": Outcome.held.value, "reason": "unknown or finished run"}
        with session.lock:  # one decision at a time per run
            return self._decide(session, request)

    def _decide(self, session: RunSession, request: dict[str, Any]) -> dict[str, Any]:
        snapshot = Snapshot.model_validate(request["snapshot"])
        day = date.fromisoformat(str(request["day"])).isoformat()
        shown = [view.symbol for view in snapshot.symbols]
        expected = (
            [f"ASSET_{i}" for i in range(1, len(session.spec.symbols) + 1)]
            if session.spec.anonymize else list(session.spec.symbols)
        )
        if shown != expected:
            return {"outcome": Outcome.held.value,
                    "reason": "the snapshot's symbols are not the agent's"}
        digest = snapshot_hash(snapshot)
        key = cache_key(session.model, session.agent_version, digest, day, session.deployment_id)
        if session.stopped:  # past the cost cap: every later decision holds, cached or not
            reply = {"outcome": Outcome.held.value, "reason": session.stopped, "stop": True}
            return self._serve(session, day, reply, cached=False, latency_ms=0.0)
        row = None if session.refresh else (session.cached.get(key) or self._cached(key))
        hit = row is not None
        if row is not None:
            session.cache_hits += 1
        else:
            row = self._ask(session, snapshot, shown, key, digest, day)
            if session.max_cost_usd is not None and session.cost_usd >= session.max_cost_usd:
                what = "run" if session.deployment_id is None else "deployment"
                session.stopped = (
                    f"max_cost: the {what}'s model cost reached ${session.cost_usd:.4f} "
                    f"(cap ${session.max_cost_usd:.4f}) on {day}"
                )
                if session.on_stop is not None:
                    session.on_stop(session)
        reply = {"outcome": row.outcome}
        if row.outcome == Outcome.decided.value:
            reply.update(target_weights=row.target_weights, rationale=row.rationale,
                         confidence=row.confidence)
        else:
            reply["reason"] = row.reason
        if session.stopped:
            reply["stop"] = True
        # the model's latency when it answered (a cache hit reports the original call's)
        return self._serve(session, day, reply, cached=hit, latency_ms=row.latency_ms)

    def _serve(self, session: RunSession, day: str, reply: dict[str, Any], *, cached: bool,
               latency_ms: float) -> dict[str, Any]:
        session.decisions += 1
        weights = reply.get("target_weights")
        if reply["outcome"] == Outcome.held.value:
            session.held += 1
        elif weights != session.last_weights:
            session.changed += 1
            session.last_weights = weights
        session.latencies.append(latency_ms)
        entry = {k: v for k, v in reply.items() if k != "stop"}
        session.journal.append({"day": day, "cached": cached, **entry})
        return reply

    def _cached(self, key: str) -> AgentDecision | None:
        with self.ctx.session() as db:
            return db.exec(select(AgentDecision).where(AgentDecision.cache_key == key)).first()

    def _ask(self, session: RunSession, snapshot: Snapshot, shown: list[str], key: str,
             digest: str, day: str) -> AgentDecision:
        started = time.perf_counter()
        attempts: list[Attempt] = []
        outcome, weights, rationale, confidence, reason = Outcome.held.value, None, None, None, None
        if session.model.partition(":")[0] == "offline":
            decision = baseline_decision(snapshot, session.spec.max_weight)
            outcome, weights = Outcome.decided.value, decision.target_weights
            rationale = decision.rationale
        else:
            try:
                decision_data, problems = self._model_decision(session, snapshot, shown, attempts)
            except Exception as exc:  # the provider failed for good: a hold, recorded
                decision_data, problems = None, [str(exc)[:300]]
            if decision_data is not None:  # `problems`: what failed before a fallback answered
                outcome = Outcome.decided.value
                weights = decision_data.target_weights
                rationale, confidence = decision_data.rationale, decision_data.confidence
                reason = "; ".join(problems)[:500] or None
            else:
                reason = "no valid decision: " + "; ".join(problems)[:500]
        waited = time.perf_counter() - started
        if session.wait_s is not None and waited > session.wait_s:  # the bot held meanwhile
            outcome, weights = Outcome.held.value, None
            reason = (f"the answer came after {waited:.0f} s; the bot stops waiting after "
                      f"{session.wait_s:.0f} s (agent_live_wait_s) and held")
        tokens_in = sum(a.tokens_in for a in attempts)
        tokens_out = sum(a.tokens_out for a in attempts)
        cost = sum(a.cost_usd for a in attempts)
        calls = len(attempts)
        session.llm_calls += calls
        session.tokens += tokens_in + tokens_out
        session.cost_usd += cost
        row = AgentDecision(
            owner_id=session.owner_id,
            strategy_id=session.strategy_id,
            version_id=session.version_id,
            run_id=session.run_id if session.deployment_id is None else None,
            deployment_id=session.deployment_id,
            cache_key=key,
            model=session.model,
            prompt_version=AGENT_PROMPT_VERSION,
            snapshot_hash=digest,
            decided_for=day,
            outcome=outcome,
            target_weights=weights,
            rationale=rationale,
            confidence=confidence,
            reason=reason,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            cost_usd=cost,
            latency_ms=sum(a.latency_ms for a in attempts)
            or (time.perf_counter() - started) * 1000,
            llm_calls=calls,
        )
        with self.ctx.session() as db:
            old = db.exec(select(AgentDecision).where(AgentDecision.cache_key == key)).first()
            if old is not None:  # --refresh: the new answer replaces the cached one
                db.delete(old)
                db.flush()
            db.add(row)
            db.commit()
            db.refresh(row)
        return row

    def over_budget(self, owner_id: int) -> str | None:
        """Why the owner may not spend on a model today (generations + decisions), or None."""
        settings = self.ctx.settings
        token_budget = settings.llm_daily_token_budget
        cost_budget = settings.llm_daily_cost_budget_usd
        if token_budget is None and cost_budget is None:
            return None
        tokens, cost = self.ledger.usage_today(owner_id)
        since = midnight_utc()
        with self.ctx.session() as db:
            rows = db.exec(select(AgentDecision).where(
                AgentDecision.owner_id == owner_id,
                col(AgentDecision.created_at) >= since - timedelta(days=1))).all()
        today = [r for r in rows if as_utc(r.created_at) >= since]
        tokens += sum(r.tokens_in + r.tokens_out for r in today)
        cost += sum(r.cost_usd for r in today)
        if token_budget is not None and tokens >= token_budget:
            return f"daily token budget reached ({tokens} of {token_budget})"
        if cost_budget is not None and cost >= cost_budget:
            return f"daily cost budget reached (${cost:.4f} of ${cost_budget:.4f})"
        return None

    def _providers(self, session: RunSession) -> list[tuple[str, LLMProvider | None]]:
        """The agent's model, built with the owner's keys; for a deployed bot, then
        `llm_fallback`'s other providers (a fallback that cannot be built is skipped). A
        backtest gets no fallback: a run (and a comparison) of model A holds only A's
        decisions; a live bot would rather trade on a fallback's than hold."""
        settings = user_llm_settings(self.ctx, session.owner_id)
        chain: list[tuple[str, LLMProvider | None]] = []
        primary = split_selector(session.model)
        fallbacks = ([f.strip() for f in settings.llm_fallback.split(",") if f.strip()]
                     if session.deployment_id is not None else [])
        for index, selector in enumerate([session.model, *fallbacks]):
            key = split_selector(selector)
            if index and (key == primary or (key[1] is None and key[0] == primary[0])):
                continue
            if key[0] == "offline":
                chain.append((selector, None))
                continue
            try:
                provider = build_provider(selector, settings)
            except Exception as exc:
                if index == 0:
                    raise
                log.warning("agent fallback skipped",
                            extra={"provider": selector, "reason": type(exc).__name__})
                continue
            if isinstance(provider, LLMProvider):
                chain.append((selector, provider))
            elif index == 0:
                raise ValueError(f"{session.model} cannot decide for an agent")
        return chain

    def _model_decision(self, session: RunSession, snapshot: Snapshot, shown: list[str],
                        attempts: list[Attempt]) -> tuple[Any, list[str]]:
        """A valid decision (and the failures before the fallback that gave it), or None and
        the problems. A provider that fails for good hands over to the next one, if any
        (`_providers`; `offline` there means the baseline); an answer still invalid after the
        repairs is a hold."""
        budget = self.over_budget(session.owner_id)
        if budget is not None:
            return None, [budget]
        if session.providers is None:
            session.providers = self._providers(session)
        failures: list[str] = []
        for selector, provider in session.providers:
            if provider is None:
                decision = baseline_decision(snapshot, session.spec.max_weight)
                return decision, [*failures, f"answered by the fallback {selector}"]
            try:
                decision, problems = self._ask_model(session, provider, snapshot, shown,
                                                     attempts)
            except Exception as exc:  # failed for good: the next provider, if any
                failures.append(f"{selector} failed: {str(exc)[:300]}")
                continue
            if decision is not None and failures:
                return decision, [*failures, f"answered by the fallback {selector}"]
            return decision, problems
        return None, failures

    def _ask_model(self, session: RunSession, provider: LLMProvider, snapshot: Snapshot,
                   shown: list[str], attempts: list[Attempt]) -> tuple[Any, list[str]]:
        system = agent_system_prompt(shown, session.spec.max_weight)
        turns = [Turn("user", agent_user_message(session.brief, snapshot_json(snapshot)))]
        schema = decision_schema(shown)
        problems: list[str] = []
        for _ in range(self.ctx.settings.llm_max_repairs + 1):
            answer = provider.ask_structured(system, turns, schema, attempts)
            decision, problems = check_decision(answer.data, shown, session.spec.max_weight)
            if decision is not None:
                attempts[-1].outcome = "ok"
                return decision, []
            attempts[-1].outcome = "invalid_answer"
            turns.append(Turn("assistant", answer.text, answer))
            turns.append(Turn("repair", agent_repair_message(problems), answer))
        return None, problems

    # -- reading ---------------------------------------------------------------------------------
    def decisions(self, owner_id: int, strategy_id: int, *, model: str | None = None,
                  run_id: int | None = None, deployment_id: int | None = None,
                  live: bool | None = None, limit: int = 500) -> list[AgentDecision]:
        """`live`: only decisions of deployed bots (True) or of backtests (False)."""
        with self.ctx.session() as db:
            query = select(AgentDecision).where(
                AgentDecision.owner_id == owner_id, AgentDecision.strategy_id == strategy_id
            )
            if model:
                query = query.where(AgentDecision.model == model)
            if run_id is not None:
                query = query.where(AgentDecision.run_id == run_id)
            if deployment_id is not None:
                query = query.where(AgentDecision.deployment_id == deployment_id)
            if live is not None:
                column = col(AgentDecision.deployment_id)
                query = query.where(column.is_not(None) if live else column.is_(None))
            query = query.order_by(col(AgentDecision.decided_for), col(AgentDecision.id))
            return list(db.exec(query.limit(limit)).all())

    def deployment_usage(self, owner_id: int, deployment_id: int) -> AgentUsageView:
        """How many decisions a deployed agent's bot asked for and what they cost (one
        aggregate query, whatever the number of decisions)."""
        held = case((col(AgentDecision.outcome) == "held", 1), else_=0)
        # more columns than sqlmodel.select has overloads for
        usage = select(  # type: ignore[call-overload]
            func.count(col(AgentDecision.id)), func.coalesce(func.sum(held), 0),
            func.coalesce(func.sum(AgentDecision.llm_calls), 0),
            func.coalesce(func.sum(AgentDecision.tokens_in + AgentDecision.tokens_out), 0),
            func.coalesce(func.sum(AgentDecision.cost_usd), 0.0),
            func.min(AgentDecision.decided_for), func.max(AgentDecision.decided_for),
        ).where(AgentDecision.owner_id == owner_id, AgentDecision.deployment_id == deployment_id)
        with self.ctx.session() as db:
            count, kept, calls, tokens, cost, first, last = db.exec(usage).one()
        return AgentUsageView(deployment_id=deployment_id, decisions=int(count), held=int(kept),
                              llm_calls=int(calls), tokens=int(tokens), cost_usd=float(cost),
                              first_day=first, last_day=last)


# -- fixtures: a recorded decision cache, replayed elsewhere ---------------------------------------
FIXTURE_FIELDS = (
    "cache_key", "model", "prompt_version", "snapshot_hash", "decided_for", "outcome",
    "target_weights", "rationale", "confidence", "reason", "tokens_in", "tokens_out", "cost_usd",
    "latency_ms", "llm_calls",
)


def fixture_rows(rows: list[AgentDecision]) -> list[dict[str, Any]]:
    """Cache rows as plain data (no ids, no owner): a recording of an agent's decisions."""
    return [{name: getattr(row, name) for name in FIXTURE_FIELDS} for row in rows]


def load_fixture(ctx: AppContext, *, owner_id: int, strategy_id: int, version_id: int,
                 rows: list[dict[str, Any]]) -> int:
    """Add recorded decisions to the cache (existing keys are kept); returns how many were new.
    They are served only to the same code, model, prompt, snapshot and day: the key says so."""
    added = 0
    with ctx.session() as db:
        for data in rows:
            unknown = set(data) - set(FIXTURE_FIELDS)
            if unknown or "cache_key" not in data:
                raise ValueError(f"not a decision recording (fields {sorted(unknown)})")
            exists = db.exec(
                select(AgentDecision).where(AgentDecision.cache_key == data["cache_key"])
            ).first()
            if exists is not None:
                continue
            db.add(AgentDecision(owner_id=owner_id, strategy_id=strategy_id,
                                 version_id=version_id, run_id=None, **data))
            added += 1
        db.commit()
    return added
