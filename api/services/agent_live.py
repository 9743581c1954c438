"""Live agent decisions: the decision host the supervisor serves its deployed agent bots from.

A deployed agent bot runs sandboxed with only its broker keys. Before the supervisor starts
it, `open_deployment` registers the deployment with a `DecisionService` living in the
supervisor's process (composed in `api.supervisor_host`) and returns a channel address: the
supervisor's Unix socket (`HOME/agents/decide.sock`, a 0700 folder, stable so that bots adopted
by a restarted supervisor still find it) and a random per-deployment token, written into the
bot's config. The bot sends its snapshot and live day; this side decides exactly as for a
backtest (`api.services.agent_decisions`): the owner's own LLM keys (integrations, else the
server's), the daily budgets, the providers' retries and prices, the validation and repair
loop, the configured fallback providers (live only: a backtest never mixes models), the
decision cache — keyed by the deployment and the live day, so a bot restarted the
same day gets the same decision without a new call — and a hold for a failed or invalid
answer, every decision recorded with `deployment_id` (listed as live). The bot applies the
decision through the same risk gate and order path as a rule bot.

The per-deployment cost cap (`parameters.max_cost_usd`, default `agent_max_cost_usd`) counts
every model call the deployment ever made, across restarts; once reached, every later decision
is a hold without a call, the owner is notified (`agent_cost_cap`) and the deployment's
`last_error` says why.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from api.services.agent_contamination import contamination
from api.services.agent_decisions import DecisionService, RunSession
from api.services.context import AppContext
from core.logging import get_logger
from core.models import AgentDecision, Deployment, NotifyEvent, Strategy, StrategyVersion
from generator.agent_spec import AgentSpec, is_agent_spec
from runtime.agents.channel import ChannelAddress
from runtime.bots.controls import deployment_folder
from runtime.notifications.outbox import notify

log = get_logger(__name__)

SOCKET_FOLDER = "agents"


def deployment_model(spec: AgentSpec, parameters: dict[str, Any]) -> str:
    """The model a deployed agent decides with: the deployment's `model` parameter, else its
    spec's."""
    return str(parameters.get("model") or spec.model)


class LiveAgentDecisions:
    """`runtime.bots.deciders.LiveDeciders` for the supervisor: one session per deployment."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.service = DecisionService(ctx, socket_folder=ctx.settings.home / SOCKET_FOLDER)

    def open_deployment(self, dep: Deployment, version: StrategyVersion,
                        token: str | None = None) -> ChannelAddress | None:
        if not is_agent_spec(version.spec) or dep.id is None:
            return None
        spec = AgentSpec.model_validate(version.spec)
        parameters = dep.parameters or {}
        model = deployment_model(spec, parameters)
        if "anonymize" in parameters:
            spec = spec.model_copy(update={"anonymize": bool(parameters["anonymize"])})
        max_cost = parameters.get("max_cost_usd", self.ctx.settings.agent_max_cost_usd)
        with self.ctx.session() as db:
            strategy = db.get(Strategy, dep.strategy_id)
            spent = db.exec(select(func.coalesce(func.sum(AgentDecision.cost_usd), 0.0)).where(
                AgentDecision.deployment_id == dep.id)).one()
        session = RunSession(
            token=token or secrets.token_urlsafe(24),
            run_id=0,
            owner_id=dep.owner_id,
            strategy_id=dep.strategy_id,
            version_id=version.id or 0,
            agent_version=version.sha256,
            spec=spec,
            model=model,
            brief=strategy.text if strategy is not None else "",
            refresh=False,
            max_cost_usd=float(max_cost) if max_cost is not None else None,
            contamination=contamination(model, date.today(),
                                        self.ctx.settings.agent_model_cutoffs),
            run_dir=deployment_folder(self.ctx.settings, dep.id),
            deployment_id=dep.id,
            wait_s=self.ctx.settings.agent_live_wait_s,
            cost_usd=float(spent or 0.0),
            on_stop=self._capped,
        )
        if session.max_cost_usd is not None and session.cost_usd >= session.max_cost_usd:
            session.stopped = (f"max_cost: the deployment's model cost reached "
                               f"${session.cost_usd:.4f} (cap ${session.max_cost_usd:.4f})")
        address = self.service.register(session, run_key=-dep.id,
                                        timeout_s=self.ctx.settings.agent_live_wait_s)
        log.info("agent deployment served",
                 extra={"deployment": dep.id, "model": model, "adopted": token is not None})
        return address

    def close_deployment(self, deployment_id: int) -> None:
        self.service.unregister(-deployment_id)

    def close(self) -> None:
        self.service.close()

    def _capped(self, session: RunSession) -> None:
        """The deployment reached its cost cap: record it on the deployment, tell the owner."""
        reason = session.stopped or "max_cost"
        log.warning("agent deployment reached its cost cap",
                    extra={"deployment": session.deployment_id, "cost_usd": session.cost_usd})
        with self.ctx.session() as db:
            dep = db.get(Deployment, session.deployment_id)
            if dep is not None:
                dep.last_error = f"agent holds: {reason}"[:500]
                db.add(dep)
            notify(db, session.owner_id, NotifyEvent.agent_cost_cap,
                   f"Deployment {session.deployment_id}: the agent reached its model cost cap",
                   f"{reason}. It holds (no new model calls, no orders from the agent) until "
                   "the cap is raised and the deployment restarted.",
                   {"deployment": session.deployment_id, "strategy": session.strategy_id,
                    "cost_usd": round(session.cost_usd, 6)})
            db.commit()
