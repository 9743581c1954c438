"""Monitoring: the Prometheus series (`GET /metrics`) and the health report (`GET /health`).

Where the numbers come from. Bots, the supervisor and backtest workers are separate processes;
rather than running prometheus-client in multiprocess mode (a shared folder of mmap files that
every process must agree on and clean), every cross-process figure is read **from the database
at scrape time**: the supervisor already copies each bot's journal and heartbeat into it, runs
and generations are rows. `DatabaseCollector` turns those rows into series on each scrape, so
the figures are right whichever process wrote them and survive restarts (counters are counts of
rows that only grow). Only the HTTP latency histogram is process-local (`HttpMetrics`): it
describes the server that answers the scrape (`stratforge serve` runs one worker process).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from sqlalchemy import func, text
from sqlmodel import col, select

from api.services.context import AppContext
from api.services.views import BotHealth, ComponentHealth, HealthReport
from core.logging import get_logger
from core.models import (
    LIVE_STATES,
    BacktestRun,
    DeliveryStatus,
    Deployment,
    DeploymentOrder,
    DeploymentState,
    Generation,
    NotificationDelivery,
    RunStatus,
    as_utc,
    utcnow,
)
from runtime.bots.controls import supervisor_status

log = get_logger(__name__)

PREFIX = "stratforge_"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BACKTEST_BUCKETS = (1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class HttpMetrics:
    """This server's request latency, by method, route template and status class."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.latency = Histogram(
            PREFIX + "http_request_duration_seconds",
            "HTTP request latency of this API server",
            ("method", "route", "status"),
            buckets=HTTP_BUCKETS,
            registry=registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.latency.labels(method, route, f"{status // 100}xx").observe(seconds)


class DatabaseCollector(Collector):
    """Every cross-process series, read from the database on each scrape."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def collect(self) -> Iterator[Metric]:
        try:
            yield from self._collect()
        except Exception:  # a scrape must answer even when the database does not
            log.exception("metrics collection failed")
            up = GaugeMetricFamily(PREFIX + "database_up", "The database answered the scrape")
            up.add_metric([], 0)
            yield up

    def _collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(PREFIX + "database_up", "The database answered the scrape")
        up.add_metric([], 1)
        yield up
        yield from self._bots()
        yield from self._orders()
        yield from self._backtests()
        yield from self._llm()
        yield from self._notifications()
        sup = GaugeMetricFamily(PREFIX + "supervisor_up",
                                "The supervisor of this data directory is running")
        sup.add_metric([], 1 if supervisor_status(self.ctx.settings) is not None else 0)
        yield sup

    def _bots(self) -> Iterable[Metric]:
        with self.ctx.session() as db:
            rows = db.exec(select(Deployment)).all()
        now = utcnow()
        by_state = GaugeMetricFamily(PREFIX + "bots", "Deployments by state", labels=["state"])
        counts = {state.value: 0 for state in DeploymentState}
        for dep in rows:
            counts[dep.state] = counts.get(dep.state, 0) + 1
        for state, count in sorted(counts.items()):
            by_state.add_metric([state], count)
        yield by_state
        age = GaugeMetricFamily(PREFIX + "bot_heartbeat_age_seconds",
                                "Seconds since a live bot's last heartbeat",
                                labels=["deployment"])
        restarts = CounterMetricFamily(PREFIX + "bot_restarts", "Restarts after a crash",
                                       labels=["deployment"])
        equity = GaugeMetricFamily(PREFIX + "bot_equity_dollars",
                                   "Account equity in the bot's last heartbeat",
                                   labels=["deployment"])
        pnl = GaugeMetricFamily(PREFIX + "bot_pnl_day_dollars", "Today's P&L of a bot",
                                labels=["deployment"])
        for dep in rows:
            label = [str(dep.id)]
            restarts.add_metric(label, dep.restarts)
            if dep.state in LIVE_STATES and dep.last_heartbeat_at is not None:
                age.add_metric(label, (now - as_utc(dep.last_heartbeat_at)).total_seconds())
            if dep.equity is not None:
                equity.add_metric(label, dep.equity)
                pnl.add_metric(label, dep.pnl_day or 0.0)
        yield from (age, restarts, equity, pnl)

    def _orders(self) -> Iterable[Metric]:
        with self.ctx.session() as db:
            by_status = db.exec(
                select(DeploymentOrder.status, func.count()).group_by(DeploymentOrder.status)
            ).all()
            fills = db.exec(
                select(func.count()).where(col(DeploymentOrder.filled_qty) > 0)
            ).one()
        counts = {status: int(n) for status, n in by_status}
        refused = counts.get("refused", 0)
        orders = CounterMetricFamily(PREFIX + "orders",
                                     "Orders the risk gate let through (client order ids)")
        orders.add_metric([], sum(counts.values()) - refused)
        yield orders
        filled = CounterMetricFamily(PREFIX + "order_fills",
                                     "Orders with a fill (partial or whole)")
        filled.add_metric([], int(fills))
        yield filled
        refusals = CounterMetricFamily(PREFIX + "order_refusals", "Orders refused by the risk gate")
        refusals.add_metric([], refused)
        yield refusals
        current = GaugeMetricFamily(PREFIX + "orders_by_status", "Orders by their last status",
                                    labels=["status"])
        for status, count in sorted(counts.items()):
            current.add_metric([status], count)
        yield current

    def _backtests(self) -> Iterable[Metric]:
        with self.ctx.session() as db:
            by_status = dict(db.exec(
                select(BacktestRun.status, func.count()).group_by(BacktestRun.status)
            ).all())
            durations = [d for d in db.exec(
                select(BacktestRun.duration_s).where(
                    col(BacktestRun.status) == RunStatus.succeeded.value,
                    col(BacktestRun.duration_s).is_not(None),
                )
            ).all() if d is not None]
        queue = GaugeMetricFamily(PREFIX + "backtest_queue_length", "Backtests waiting to run")
        queue.add_metric([], int(by_status.get(RunStatus.queued.value, 0)))
        yield queue
        running = GaugeMetricFamily(PREFIX + "backtests_running", "Backtests running now")
        running.add_metric([], int(by_status.get(RunStatus.running.value, 0)))
        yield running
        done = CounterMetricFamily(PREFIX + "backtests", "Finished backtests by outcome",
                                   labels=["status"])
        for status in (RunStatus.succeeded.value, RunStatus.failed.value,
                       RunStatus.cancelled.value):
            done.add_metric([status], int(by_status.get(status, 0)))
        yield done
        hist = HistogramMetricFamily(PREFIX + "backtest_duration_seconds",
                                     "Wall-clock duration of succeeded backtests")
        buckets = [(str(b), sum(1 for d in durations if d <= b)) for b in BACKTEST_BUCKETS]
        buckets.append(("+Inf", len(durations)))
        hist.add_metric([], buckets, sum_value=float(sum(durations)))
        yield hist

    def _llm(self) -> Iterable[Metric]:
        with self.ctx.session() as db:
            rows = db.exec(
                select(  # type: ignore[call-overload]  # sqlmodel types up to 4 columns
                    Generation.provider, Generation.outcome, func.count(),
                    func.sum(Generation.tokens_in), func.sum(Generation.tokens_out),
                    func.sum(Generation.cost_usd),
                ).group_by(Generation.provider, Generation.outcome)
            ).all()
        gens = CounterMetricFamily(PREFIX + "llm_generations",
                                   "Generations by provider and outcome",
                                   labels=["provider", "outcome"])
        tokens = CounterMetricFamily(PREFIX + "llm_tokens", "LLM tokens by provider and direction",
                                     labels=["provider", "direction"])
        cost = CounterMetricFamily(PREFIX + "llm_cost_usd", "Estimated LLM cost in USD",
                                   labels=["provider"])
        tin: dict[str, int] = {}
        tout: dict[str, int] = {}
        usd: dict[str, float] = {}
        for provider, outcome, count, t_in, t_out, c in rows:
            gens.add_metric([provider, outcome], int(count))
            tin[provider] = tin.get(provider, 0) + int(t_in or 0)
            tout[provider] = tout.get(provider, 0) + int(t_out or 0)
            usd[provider] = usd.get(provider, 0.0) + float(c or 0.0)
        for provider in sorted(tin):
            tokens.add_metric([provider, "in"], tin[provider])
            tokens.add_metric([provider, "out"], tout[provider])
            cost.add_metric([provider], usd[provider])
        yield from (gens, tokens, cost)


    def _notifications(self) -> Iterable[Metric]:
        with self.ctx.session() as db:
            rows = db.exec(
                select(NotificationDelivery.status, func.count())
                .group_by(NotificationDelivery.status)
            ).all()
        counts = {status: int(n) for status, n in rows}
        family = GaugeMetricFamily(PREFIX + "notifications",
                                   "Notification deliveries by status (the outbox)",
                                   labels=["status"])
        for status in DeliveryStatus:
            family.add_metric([status.value], counts.get(status.value, 0))
        yield family


class Monitoring:
    """The process's registry (database series + HTTP latency) and the health report."""

    def __init__(self, ctx: AppContext, executor_state: Any = None) -> None:
        self.ctx = ctx
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(DatabaseCollector(ctx))
        self.http = HttpMetrics(self.registry)
        # () -> (name, started): how the backtest executor of this process stands
        self._executor_state = executor_state

    def exposition(self) -> bytes:
        """The Prometheus text format of every series."""
        return generate_latest(self.registry)

    def health(self) -> HealthReport:
        database = self._database()
        if not database.ok:
            return HealthReport(status="down", database=database,
                                supervisor=ComponentHealth(ok=False, detail="database down"),
                                executor=self._executor(), bots=[])
        bots = self._bots()
        supervisor = self._supervisor(needed=any(b.state in LIVE_STATES or b.desired_running
                                                 for b in bots))
        executor = self._executor()
        healthy = supervisor.ok and executor.ok and all(b.ok for b in bots)
        return HealthReport(status="ok" if healthy else "degraded", database=database,
                            supervisor=supervisor, executor=executor, bots=bots)

    def _database(self) -> ComponentHealth:
        started = time.perf_counter()
        try:
            with self.ctx.session() as db:
                db.exec(text("SELECT 1"))  # type: ignore[call-overload]
        except Exception as exc:
            log.warning("health: database unreachable", extra={"error": str(exc)[:300]})
            return ComponentHealth(ok=False, detail=f"{type(exc).__name__}")
        ms = (time.perf_counter() - started) * 1000
        return ComponentHealth(ok=True, detail=f"{self.ctx.settings.database.split(':')[0]}",
                               latency_ms=round(ms, 2))

    def _supervisor(self, needed: bool) -> ComponentHealth:
        status = supervisor_status(self.ctx.settings)
        if status is None:
            return ComponentHealth(ok=not needed,
                                   detail="not running" + (" but bots need it" if needed else ""))
        return ComponentHealth(ok=True, detail=f"pid {status['pid']}", pid=int(status["pid"]))

    def _executor(self) -> ComponentHealth:
        if self._executor_state is None:
            return ComponentHealth(ok=True, detail="unknown")
        name, started = self._executor_state()
        return ComponentHealth(ok=True, detail=f"{name} ({'started' if started else 'idle'})")

    def _bots(self) -> list[BotHealth]:
        settings = self.ctx.settings
        now = utcnow()
        with self.ctx.session() as db:
            rows = db.exec(select(Deployment).order_by(col(Deployment.id))).all()
        out = []
        for dep in rows:
            age = ((now - as_utc(dep.last_heartbeat_at)).total_seconds()
                   if dep.last_heartbeat_at is not None else None)
            live = dep.state in LIVE_STATES
            if not live:
                ok = dep.state not in (DeploymentState.fatal, DeploymentState.mismatch)
            elif age is None:
                started = as_utc(dep.started_at) if dep.started_at else now
                ok = now - started <= timedelta(seconds=settings.bot_startup_grace_s)
            else:
                ok = age <= settings.bot_heartbeat_timeout_s
            out.append(BotHealth(
                deployment_id=dep.id or 0, state=dep.state, pid=dep.pid, alive=live and ok,
                heartbeat_age_s=round(age, 2) if age is not None else None, ok=ok,
                desired_running=dep.desired == "running",
            ))
        return out
