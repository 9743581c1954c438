"""Deployments: validated versions running as supervised bots; orders, positions, kill switch.

The service writes what is wanted (`Deployment.desired`, HALTED by the kill switch) and reads
what is (state, heartbeat, equity, orders) from the database; the supervisor process
(`runtime.bots`) makes it so. Positions and manual orders talk to the broker directly through
alpaca-py (the local venue when the user has no Alpaca keys). Broker keys are stored encrypted
(`core.credentials`) and never returned.
"""

from __future__ import annotations

import secrets
import threading
from datetime import UTC, datetime
from typing import Any

import requests
from alpaca.common.exceptions import APIError
from sqlmodel import Session, col, select

from api.services.agent_live import deployment_model
from api.services.context import AppContext
from api.services.integrations import user_llm_settings
from api.services.rows import deployment_row, runnable_version, strategy_row
from api.services.views import (
    DeploymentView,
    DeployRequest,
    KillReport,
    ManualOrder,
    OrderView,
    deployment_view,
    order_view,
)
from api.supervisor_host import MODULE as SUPERVISOR_HOST
from core.credentials import AlpacaKeys, CredentialBox
from core.errors import BrokerUnavailable, Conflict, InvalidInput, NotFound
from core.logging import get_logger
from core.models import (
    LIVE_STATES,
    BrokerCredential,
    Deployment,
    DeploymentDesired,
    DeploymentOrder,
    DeploymentState,
    StrategyVersion,
    utcnow,
)
from core.scope import owner_scope
from generator.agent_spec import AgentSpec, is_agent_spec
from generator.providers.llm import LLMProvider
from generator.providers.registry import build_provider
from runtime.alpaca_clients import (
    BrokerEndpoint,
    data_client,
    endpoint_for_user,
    trading_client,
)
from runtime.bots.controls import ensure_supervisor, stop_supervisor, supervisor_status
from runtime.bots.venue_host import BUSY_VENUE_PROBE_S, known_venue
from runtime.risk_gate import AccountView, OrderIntent, RiskGate, client_order_id

log = get_logger(__name__)



class DeploymentService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    # -- the supervisor of this data directory --------
    def supervisor_status(self) -> dict[str, Any] | None:
        """The running supervisor's status file (pid, since, bots), or None."""
        return supervisor_status(self.ctx.settings)

    def start_supervisor_in_background(self) -> threading.Thread:
        """Start the supervisor unless it runs, without waiting for it (the server's start-up:
        bots wanted running after a reboot come back, and the first deploy finds the
        supervisor, its bot launcher and the local venue warm)."""

        def start() -> None:
            try:
                status = ensure_supervisor(self.ctx.settings, module=SUPERVISOR_HOST)
                log.info("supervisor running", extra={"pid": status.get("pid")})
            except Exception as exc:  # a deploy tries again, and says why if it fails too
                log.warning("the supervisor did not start", extra={"error": str(exc)})

        thread = threading.Thread(target=start, name="supervisor-start", daemon=True)
        thread.start()
        return thread

    def stop_supervisor(self) -> bool:
        """Stop the supervisor; bots keep running and the next supervisor adopts them."""
        return stop_supervisor(self.ctx.settings)

    def store_credentials(
        self, user_id: int, key_id: str, secret: str, paper: bool = True
    ) -> dict[str, Any]:
        if not key_id.strip() or not secret.strip():
            raise InvalidInput("both the key id and the secret are needed", code="bad_keys")
        box = CredentialBox(self.ctx.settings)
        with self.ctx.session() as db:
            row = db.exec(
                select(BrokerCredential).where(BrokerCredential.owner_id == user_id)
            ).first() or BrokerCredential(owner_id=user_id, key_id_enc="", secret_enc="")
            row.key_id_enc = box.seal(key_id.strip())
            row.secret_enc = box.seal(secret.strip())
            row.paper = paper
            db.add(row)
            db.commit()
        keys = AlpacaKeys(key_id.strip(), secret.strip(), paper)
        log.info("broker credentials stored", extra={"user": user_id, "key_id": keys.masked})
        return {"stored": True, "key_id": keys.masked, "paper": paper}

    def credentials_status(self, user_id: int) -> dict[str, Any]:
        with self.ctx.session() as db:
            row = db.exec(
                select(BrokerCredential).where(BrokerCredential.owner_id == user_id)
            ).first()
            if row is not None:
                key = CredentialBox(self.ctx.settings).open(row.key_id_enc)
                return {
                    "source": "stored",
                    "key_id": AlpacaKeys(key, "").masked,
                    "paper": row.paper,
                }
        if self.ctx.settings.alpaca_api_key is not None:
            return {
                "source": "environment",
                "key_id": AlpacaKeys(
                    self.ctx.settings.alpaca_api_key.get_secret_value(), ""
                ).masked,
                "paper": True,
            }
        return {"source": "none", "key_id": None, "paper": True}

    def delete_credentials(self, user_id: int) -> None:
        with self.ctx.session() as db:
            row = db.exec(
                select(BrokerCredential).where(BrokerCredential.owner_id == user_id)
            ).first()
            if row is not None:
                db.delete(row)
                db.commit()

    def _resolve_mode(self, db: Session, user_id: int, mode: str) -> str:
        if mode == "venue":
            return "venue"
        endpoint = endpoint_for_user(self.ctx.settings, db, user_id, mode)
        return mode if endpoint is not None else "venue"

    def _broker_endpoint(self, user_id: int, mode: str) -> BrokerEndpoint:
        with self.ctx.session() as db:
            mode = self._resolve_mode(db, user_id, mode)
            if mode != "venue":
                endpoint = endpoint_for_user(self.ctx.settings, db, user_id, mode)
                assert endpoint is not None
                return endpoint
        venue = known_venue(self.ctx.settings, timeout_s=BUSY_VENUE_PROBE_S)
        if venue is None:
            ensure_supervisor(self.ctx.settings, module=SUPERVISOR_HOST)
            raise BrokerUnavailable(
                "the local paper venue is not running; deploy a bot (the supervisor starts "
                "it) or run `stratforge venue`",
                code="venue_not_running",
            )
        return BrokerEndpoint(
            venue.url, venue.url, paper=True, venue=True, key_id=venue.key_id, secret=venue.secret
        )

    def _check_agent_model(self, user_id: int, spec: dict[str, Any] | None,
                           parameters: dict[str, Any]) -> None:
        """An agent deploys when its model can decide: the offline baseline, or a model whose
        provider is configured with the owner's keys (or the server's). The keys stay here:
        the supervisor's decision host uses them; the bot only gets a channel to it."""
        if not is_agent_spec(spec):
            return
        cap = parameters.get("max_cost_usd")
        if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int | float)
                                or not cap > 0):
            raise InvalidInput("parameters.max_cost_usd must be a positive number (USD)",
                               code="bad_max_cost")
        model = deployment_model(AgentSpec.model_validate(spec), parameters)
        if model.partition(":")[0] == "offline":
            return
        provider = build_provider(model, user_llm_settings(self.ctx, user_id))
        if not isinstance(provider, LLMProvider):  # e.g. replay: not a live decider
            raise InvalidInput(f"{model} cannot decide for a deployed agent; use an LLM "
                               "provider (openai, anthropic, openai-compatible) or offline",
                               code="agent_model_not_deployable")

    def _user_modes(self, user_id: int) -> list[str]:
        with self.ctx.session() as db:
            modes = db.exec(
                select(Deployment.mode).where(Deployment.owner_id == user_id).distinct()
            ).all()
            default = self._resolve_mode(db, user_id, "paper")
        return sorted(set(modes) | {default})

    def deploy(self, user_id: int, request: DeployRequest) -> DeploymentView:
        if request.mode not in ("paper", "live", "venue"):
            raise InvalidInput(
                f"unknown mode {request.mode!r}; use paper, live or venue", code="bad_mode"
            )
        with self.ctx.session() as db:
            strategy = strategy_row(db, user_id=user_id, strategy_id=request.strategy_id)
            version = runnable_version(
                db, self.ctx.code, strategy=strategy, number=request.version, purpose="deployed"
            ).version
            self._check_agent_model(user_id, version.spec, request.parameters)
            mode = self._resolve_mode(db, user_id, request.mode)
            row = Deployment(
                owner_id=user_id,
                strategy_id=strategy.id or 0,
                version_id=version.id or 0,
                key="d" + secrets.token_hex(4),
                mode=mode,
                limits=request.limits.model_dump(),
                parameters=request.parameters,
                sleeptime=request.sleeptime,
            )
            db.add(row)
            db.commit()
            db.refresh(row)
            number = version.number
        log.info(
            "deployment created",
            extra={
                "user": user_id,
                "deployment": row.id,
                "strategy": row.strategy_id,
                "version": number,
                "mode": mode,
            },
        )
        ensure_supervisor(self.ctx.settings, module=SUPERVISOR_HOST)
        return deployment_view(row, number)

    def _version_number(self, db: Session, row: Deployment) -> int:
        version = db.get(StrategyVersion, row.version_id)
        return version.number if version else 0

    def stop_deployment(self, user_id: int, deployment_id: int) -> DeploymentView:
        with self.ctx.session() as db:
            row = deployment_row(db, user_id=user_id, deployment_id=deployment_id)
            row.desired = DeploymentDesired.stopped.value
            row.updated_at = utcnow()
            db.add(row)
            db.commit()
            view = deployment_view(row, self._version_number(db, row))
        if row.pid is not None:
            ensure_supervisor(self.ctx.settings, module=SUPERVISOR_HOST)
        log.info("deployment stop requested", extra={"deployment": deployment_id})
        return view

    def start_deployment(self, user_id: int, deployment_id: int) -> DeploymentView:
        """Run a stopped deployment again (not a HALTED one: clear the halt first)."""
        with self.ctx.session() as db:
            row = deployment_row(db, user_id=user_id, deployment_id=deployment_id)
            if row.state == DeploymentState.halted.value:
                raise Conflict(
                    f"deployment {deployment_id} is HALTED ({row.halt_reason}); "
                    "a person must clear the halt first",
                    code="halted",
                )
            if row.state in LIVE_STATES:
                raise Conflict(f"deployment {deployment_id} is {row.state}", code="running")
            row.desired = DeploymentDesired.running.value
            row.state = DeploymentState.starting.value
            row.quick_crashes = 0
            row.next_start_at = None
            db.add(row)
            db.commit()
            view = deployment_view(row, self._version_number(db, row))
        ensure_supervisor(self.ctx.settings, module=SUPERVISOR_HOST)
        return view

    def clear_halt(self, user_id: int, deployment_id: int) -> DeploymentView:
        with self.ctx.session() as db:
            row = deployment_row(db, user_id=user_id, deployment_id=deployment_id)
            if row.state != DeploymentState.halted.value:
                raise Conflict(f"deployment {deployment_id} is not HALTED", code="not_halted")
            log.warning(
                "halt cleared", extra={"deployment": deployment_id, "reason_was": row.halt_reason}
            )
            row.state = DeploymentState.stopped.value
            row.halt_reason = None
            row.desired = DeploymentDesired.stopped.value
            db.add(row)
            db.commit()
            return deployment_view(row, self._version_number(db, row))

    def list_deployments(self, user_id: int) -> list[DeploymentView]:
        with self.ctx.session() as db:
            rows = db.exec(
                select(Deployment)
                .where(Deployment.owner_id == user_id)
                .order_by(col(Deployment.id))
            ).all()
            return [deployment_view(r, self._version_number(db, r)) for r in rows]

    def get_deployment(self, user_id: int, deployment_id: int) -> DeploymentView:
        with self.ctx.session() as db:
            row = deployment_row(db, user_id=user_id, deployment_id=deployment_id)
            return deployment_view(row, self._version_number(db, row))

    def list_orders(
        self, user_id: int, deployment_id: int | None = None, status: str | None = None
    ) -> list[OrderView]:
        with self.ctx.session() as db:
            query = select(DeploymentOrder).where(DeploymentOrder.owner_id == user_id)
            if deployment_id is not None:
                query = query.where(DeploymentOrder.deployment_id == deployment_id)
            if status is not None:
                query = query.where(DeploymentOrder.status == status)
            rows = db.exec(query.order_by(col(DeploymentOrder.id))).all()
            return [order_view(r) for r in rows]

    def positions(self, user_id: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for mode in self._user_modes(user_id):
            try:
                endpoint = self._broker_endpoint(user_id, mode)
            except BrokerUnavailable:
                continue  # the local venue is not running: nothing is held there
            try:
                positions: Any = trading_client(endpoint, timeout_s=10.0).get_all_positions()
            except (requests.RequestException, APIError) as exc:
                raise BrokerUnavailable(
                    f"the {mode} broker did not answer: {exc}", mode=mode
                ) from exc
            for p in positions:
                out.append(
                    {
                        "broker": mode,
                        "symbol": p.symbol,
                        "qty": float(p.qty),
                        "avg_entry_price": float(p.avg_entry_price),
                        "market_value": float(p.market_value or 0.0),
                        "unrealized_pl": float(p.unrealized_pl or 0.0),
                    }
                )
        return out

    def place_order(self, user_id: int, order: ManualOrder) -> OrderView:
        """A manual order: the same risk gate, a deterministic client order id."""
        from alpaca.trading.enums import OrderSide, TimeInForce
        from alpaca.trading.requests import MarketOrderRequest

        endpoint = self._broker_endpoint(user_id, order.mode)
        client = trading_client(endpoint, timeout_s=10.0)
        symbol = order.symbol.upper()
        try:
            account: Any = client.get_account()
            positions: Any = client.get_all_positions()
            clock: Any = client.get_clock()
            quote = self._last_price(endpoint, symbol)
        except Exception as exc:
            raise BrokerUnavailable(f"broker unavailable: {exc}") from exc
        equity = float(account.equity)
        view = AccountView(
            equity=equity,
            start_of_day_equity=float(account.last_equity or equity),
            positions={p.symbol: float(p.qty) for p in positions},
            open_orders=len(self.list_orders(user_id, status="new")),
            market_open=bool(clock.is_open),
        )
        decision = RiskGate(order.limits).check(
            OrderIntent(symbol, order.side, order.qty, quote), view
        )
        with self.ctx.session() as db:
            row = DeploymentOrder(
                owner_id=user_id,
                client_order_id=secrets.token_hex(8),
                symbol=symbol,
                side=order.side,
                qty=order.qty,
                manual=True,
            )
            db.add(row)
            db.flush()
            row.seq = row.id
            row.client_order_id = client_order_id(f"m{user_id}", row.id or 0)
            if not decision.allowed:
                row.status = "refused"
                row.reason = f"{decision.code}: {decision.reason}"
                db.add(row)
                db.commit()
                raise InvalidInput(
                    f"refused by the risk gate: {decision.reason}",
                    code=f"risk_{decision.code}",
                    order_id=row.id,
                )
            db.add(row)
            db.commit()
            try:
                placed: Any = client.submit_order(
                    MarketOrderRequest(
                        symbol=symbol,
                        qty=order.qty,
                        side=OrderSide(order.side),
                        time_in_force=TimeInForce.DAY,
                        client_order_id=row.client_order_id,
                    )
                )
            except Exception as exc:
                row.status = "submit_failed"
                row.reason = str(exc)[:300]
                db.add(row)
                db.commit()
                raise BrokerUnavailable(f"the broker did not take the order: {exc}") from exc
            row.broker_id = str(placed.id)
            row.status = str(getattr(placed.status, "value", placed.status))
            row.updated_at = utcnow()
            db.add(row)
            db.commit()
            log.info(
                "manual order placed",
                extra={"user": user_id, "client_order_id": row.client_order_id},
            )
            return order_view(row)

    def _last_price(self, endpoint: BrokerEndpoint, symbol: str) -> float:
        from alpaca.data.requests import StockLatestQuoteRequest

        quotes: Any = data_client(endpoint).get_stock_latest_quote(
            StockLatestQuoteRequest(symbol_or_symbols=symbol)
        )
        quote = quotes[symbol]
        bid, ask = float(quote.bid_price or 0), float(quote.ask_price or 0)
        return (bid + ask) / 2 if bid and ask else max(bid, ask)

    def cancel_order(self, user_id: int, order_id: int) -> OrderView:
        with self.ctx.session() as db:
            row = db.get(DeploymentOrder, order_id)
            if row is None or row.owner_id != user_id:
                raise NotFound(f"no order {order_id}", code="order_not_found")
            if not row.broker_id:
                raise Conflict(f"order {order_id} never reached the broker", code="not_sent")
            mode = "paper"
            if row.deployment_id is not None:
                dep = db.get(Deployment, row.deployment_id)
                mode = dep.mode if dep else mode
        client = trading_client(self._broker_endpoint(user_id, mode), timeout_s=10.0)
        try:
            client.cancel_order_by_id(row.broker_id)
        except Exception as exc:
            raise Conflict(f"the broker refused to cancel: {exc}", code="cancel_failed") from exc
        with self.ctx.session() as db:
            row = db.get(DeploymentOrder, order_id)
            assert row is not None
            row.status = "pending_cancel" if row.status not in ("filled",) else row.status
            row.updated_at = utcnow()
            db.add(row)
            db.commit()
            return order_view(row)

    def _mark_cancelled(self, user_id: int, client_order_ids: list[str]) -> None:
        if not client_order_ids:
            return
        with self.ctx.session() as db:
            rows = db.exec(
                select(DeploymentOrder).where(
                    DeploymentOrder.owner_id == user_id,
                    col(DeploymentOrder.client_order_id).in_(client_order_ids),
                )
            ).all()
            for row in rows:
                row.status = "canceled"
                row.updated_at = datetime.now(UTC)
                db.add(row)
            db.commit()

    def kill_switch(self, user_id: int, flatten: bool = False) -> KillReport:
        """HALT every deployment of the user, cancel their open orders at the broker now (the
        bots also cancel theirs as they stop), and optionally close all positions."""
        halted: list[int] = []
        keys: set[str] = {f"m{user_id}"}
        with self.ctx.session() as db:
            rows = db.exec(select(Deployment).where(Deployment.owner_id == user_id)).all()
            for row in rows:
                keys.add(row.key)
                if (
                    row.state
                    in (
                        DeploymentState.stopped.value,
                        DeploymentState.fatal.value,
                        DeploymentState.mismatch.value,
                    )
                    and row.pid is None
                ):
                    continue
                row.state = DeploymentState.halted.value
                row.halt_reason = row.halt_reason or "kill switch"
                row.desired = DeploymentDesired.stopped.value
                db.add(row)
                halted.append(row.id or 0)
            db.commit()
        log.warning("kill switch", extra={"user": user_id, "halted": halted, "flatten": flatten})
        if halted:
            ensure_supervisor(self.ctx.settings, module=SUPERVISOR_HOST)
        cancelled = 0
        flattened: list[str] = []
        errors: list[str] = []
        for mode in self._user_modes(user_id):
            try:
                client = trading_client(self._broker_endpoint(user_id, mode), timeout_s=10.0)
                from alpaca.trading.enums import QueryOrderStatus
                from alpaca.trading.requests import GetOrdersRequest

                open_orders: Any = client.get_orders(
                    GetOrdersRequest(status=QueryOrderStatus.OPEN, limit=500)
                )
                done: list[str] = []
                for order in open_orders:
                    prefix = str(order.client_order_id or "").rpartition("-")[0]
                    if prefix in keys:
                        client.cancel_order_by_id(order.id)
                        done.append(str(order.client_order_id))
                        cancelled += 1
                # the broker confirmed: record it now rather than wait for the bot's journal,
                # which a bot killed while stopping never writes
                self._mark_cancelled(user_id, done)
                if flatten:
                    closed: Any = client.close_all_positions(cancel_orders=True)
                    flattened.extend(str(getattr(c, "symbol", "")) for c in closed)
            except BrokerUnavailable:
                continue
            except Exception as exc:
                errors.append(f"{mode}: {type(exc).__name__}: {exc}"[:300])
        return KillReport(
            halted=halted, cancelled_orders=cancelled, flattened=flattened, errors=errors
        )

    def kill_switch_everyone(self, flatten: bool = False) -> KillReport:
        """An admin's emergency stop: the kill switch of every user who has deployments, each
        acting on that user's own rows and broker account."""
        with owner_scope(None), self.ctx.session() as db:
            owners = sorted(set(db.exec(select(Deployment.owner_id)).all()))
        reports = []
        for owner in owners:
            with owner_scope(owner):
                reports.append(self.kill_switch(owner, flatten=flatten))
        return KillReport(
            halted=[i for r in reports for i in r.halted],
            cancelled_orders=sum(r.cancelled_orders for r in reports),
            flattened=[s for r in reports for s in r.flattened],
            errors=[e for r in reports for e in r.errors],
        )
