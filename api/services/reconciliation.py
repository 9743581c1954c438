"""Paper against backtest for one deployment: `stratforge reconcile`, `GET /deployments/{id}/
reconcile`.

What it owns: gathering both sides and asking `runtime.bots.drift` to line them up. The
starting book (cash, positions, the broker's clock) is the one the bot journaled when it began
trading (`Reconciled` in its `events.jsonl`); with `since`, the latest such book on or before
that day, rolled forward over the paper fills between it and `since`. The paper side is the
deployment's orders at the broker (fill prices and times as the broker reports them); the
backtest side is a Lumibot backtest of the same version and parameters over the same trading
days from the same book, run on the executor like every backtest (its run id is in the report).
When the report is beyond the tolerance (`Settings.reconcile_tolerance_bps`,
`reconcile_max_timing_days`) the owner is notified (`drift`).

The risk gate's refusals (`Refused` in the journal) go to the report too, so that a backtest
order paper missed because the gate refused it says so. A refusal never reaches the broker,
so the bot journals the broker's clock with it (`Refused.broker_time`, its kept `BrokerClock`).
A journal written before that was kept is dated from its wall-clock time moved by the broker
clock's offset at the last journal line that knows both (the starting book, a submitted order,
a stop) — exact on Alpaca, where the two clocks agree, and the right day on the local venue
unless its simulated clock jumped between that line and the refusal.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from api.services.backtests import BacktestService
from api.services.context import AppContext
from api.services.deployments import DeploymentService
from api.services.rows import deployment_row
from api.services.views import BacktestConfig
from core.errors import BrokerUnavailable, Conflict
from core.logging import get_logger
from core.models import LIVE_STATES, NotifyEvent, StrategyVersion
from runtime.alpaca_clients import trading_client
from runtime.bots.controls import deployment_folder
from runtime.bots.drift import DriftReport, Refusal, Tolerance, Trade, report
from runtime.bots.journal import (
    EVENTS_FILE,
    JournalEvent,
    Reconciled,
    Refused,
    Stopped,
    Submitted,
    read_events,
)
from runtime.notifications.outbox import notify

log = get_logger(__name__)

NEW_YORK = ZoneInfo("America/New_York")


def _day(moment: datetime) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(NEW_YORK).date()


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _value(field: Any) -> str:
    return str(getattr(field, "value", field)).lower()


def _refusals(events: list[JournalEvent], orders: list[Any]) -> list[Refusal]:
    """The journal's risk-gate refusals, each dated on the broker's clock (module docstring)."""
    submitted_at = {str(o.client_order_id): o.submitted_at or o.created_at for o in orders}
    anchors: list[tuple[datetime, datetime]] = []  # (our clock, the broker's), in journal order
    for e in events:
        if isinstance(e, Reconciled | Stopped) and e.broker_time is not None:
            anchors.append((e.ts, e.broker_time))
        elif isinstance(e, Submitted) and submitted_at.get(e.client_order_id) is not None:
            anchors.append((e.ts, submitted_at[e.client_order_id]))
    out = []
    for e in events:
        if not isinstance(e, Refused):
            continue
        if e.broker_time is not None:  # the bot kept the broker's clock at the refusal
            when = e.broker_time
        elif anchors:  # an older journal: our clock moved onto the broker's by the last anchor
            ours, theirs = anchors[0]
            for wall, broker in anchors:
                if wall <= e.ts:
                    ours, theirs = wall, broker
            when = theirs + (e.ts - ours)
        else:
            continue
        out.append(Refusal(symbol=e.symbol, side=e.side.lower(), qty=e.qty,
                           day=_day(when), code=e.code, reason=e.reason,
                           client_order_id=e.client_order_id))
    return out


class ReconciliationService:
    def __init__(self, ctx: AppContext, backtests: BacktestService,
                 deployments: DeploymentService) -> None:
        self.ctx = ctx
        self.backtests = backtests
        self.deployments = deployments

    def tolerance(self) -> Tolerance:
        return Tolerance(price_bps=self.ctx.settings.reconcile_tolerance_bps,
                         max_timing_days=self.ctx.settings.reconcile_max_timing_days)

    def reconcile(self, user_id: int, deployment_id: int, since: date | None = None
                  ) -> DriftReport:
        with self.ctx.session() as db:
            row = deployment_row(db, user_id=user_id, deployment_id=deployment_id)
            version = db.get(StrategyVersion, row.version_id)
            assert version is not None
            key, mode, running = row.key, row.mode, row.state in LIVE_STATES
            strategy_id, number, parameters = row.strategy_id, version.number, row.parameters
        events = read_events(deployment_folder(self.ctx.settings, deployment_id) / EVENTS_FILE)
        books = [e for e in events if isinstance(e, Reconciled)
                 and e.broker_time is not None and e.cash is not None]
        if not books:
            raise Conflict(f"deployment {deployment_id} has not started trading yet: "
                           "nothing to reconcile", code="not_started")
        book = books[0]
        if since is not None:
            earlier = [b for b in books if _day(b.broker_time) <= since]  # type: ignore[arg-type]
            book = earlier[-1] if earlier else books[0]
        assert book.broker_time is not None and book.cash is not None
        client = trading_client(self.deployments._broker_endpoint(user_id, mode))
        try:
            now: Any = client.get_clock()
            orders = self._our_orders(client, key, book.broker_time)
        except Exception as exc:
            raise BrokerUnavailable(f"the broker did not answer: {exc}",
                                    code="broker_unavailable") from exc
        stops = [e.broker_time for e in events if isinstance(e, Stopped)
                 and e.broker_time is not None and e.broker_time >= book.broker_time]
        end = _day(now.timestamp) if running or not stops else _day(stops[-1])
        paper = [t for t in (self._trade(o) for o in orders)
                 if t.at is not None and t.at >= book.broker_time]
        start = _day(book.broker_time)
        cash, positions = book.cash, dict(book.positions)
        if since is not None and since > start:
            for t in paper:  # roll the book forward to `since`
                if t.day < since and t.price:
                    sign = 1.0 if t.side == "buy" else -1.0
                    cash -= sign * t.filled_qty * t.price + (t.fee or 0.0)
                    positions[t.symbol] = positions.get(t.symbol, 0.0) + sign * t.filled_qty
            positions = {s: q for s, q in positions.items() if abs(q) > 1e-9}
            start = since
        if end < start:
            raise Conflict(f"deployment {deployment_id} traded no day from {start} on",
                           code="nothing_to_reconcile")
        paper = [t for t in paper if start <= t.day <= end]
        refusals = [r for r in _refusals(events, orders) if start <= r.day <= end]
        run_id, replayed = self._replay(user_id, strategy_id, number, parameters, start, end,
                                        cash, positions)
        result = report(deployment_id, start, end, cash, positions, paper, replayed,
                        self.tolerance(), backtest_run_id=run_id, refusals=refusals)
        if result.drift:
            self._alarm(user_id, result)
        log.info("deployment reconciled", extra={
            "deployment": deployment_id, "start": str(start), "end": str(end),
            "differences": len(result.differences), "drift": result.drift, "run": run_id})
        return result

    @staticmethod
    def _our_orders(client: Any, key: str, after: datetime) -> list[Any]:
        """The deployment's orders submitted since `after`, oldest first, page by page
        (Alpaca answers at most 500 orders a request)."""
        from alpaca.common.enums import Sort
        from alpaca.trading.enums import QueryOrderStatus
        from alpaca.trading.requests import GetOrdersRequest

        page_size = 500
        seen: dict[str, Any] = {}
        cursor = after - timedelta(seconds=1)
        while True:
            page: Any = client.get_orders(GetOrdersRequest(
                status=QueryOrderStatus.ALL, limit=page_size, after=cursor, direction=Sort.ASC))
            fresh = [o for o in page if str(o.id) not in seen]
            for order in fresh:
                seen[str(order.id)] = order
            if len(page) < page_size or not fresh:
                break
            cursor = max(o.submitted_at or o.created_at for o in page)
        return [o for o in seen.values() if str(o.client_order_id or "").startswith(key + "-")]

    @staticmethod
    def _trade(order: Any) -> Trade:
        filled_at = order.filled_at
        at = filled_at or order.submitted_at or order.created_at
        price = _float(order.filled_avg_price) or None
        return Trade(symbol=order.symbol, side=_value(order.side), qty=_float(order.qty),
                     filled_qty=_float(order.filled_qty), price=price,
                     fee=None,  # Alpaca's orders and FILL activities carry no fee
                     day=_day(at) if at else date.min, at=at,
                     client_order_id=order.client_order_id, status=_value(order.status))

    def _replay(self, user_id: int, strategy_id: int, number: int, parameters: dict[str, Any],
                start: date, end: date, cash: float, positions: dict[str, float]
                ) -> tuple[int, list[Trade]]:
        """A Lumibot backtest of the version over `start`..`end` from the book; its fills."""
        # Lumibot 4.6's daily backtest first iterates on the trading day after its start
        # (measured: start Thursday, first fill Friday): start the day before.
        config = BacktestConfig(strategy_id=strategy_id, version=number,
                                start=start - timedelta(days=1), end=end + timedelta(days=1),
                                cash=cash, parameters=parameters, tearsheet=False)
        run = self.backtests.create_backtest(user_id, config, positions=positions)
        done = self.backtests.execute_backtest(run.id)
        if done.status != "succeeded":
            raise Conflict(f"the backtest replay (run {run.id}) {done.status}: {done.error}",
                           code="replay_failed")
        fills = self.backtests.backtest_trades(user_id, run.id)["fills"]
        trades = []
        for fill in fills:
            day = date.fromisoformat(str(fill["time"])[:10])
            if not start <= day <= end:
                continue
            qty = _float(fill["quantity"])
            trades.append(Trade(symbol=str(fill["symbol"]), side=str(fill["side"]).lower(),
                                qty=qty, filled_qty=qty, price=_float(fill["price"]),
                                fee=_float(fill.get("fee")), day=day))
        return run.id, trades

    def _alarm(self, user_id: int, result: DriftReport) -> None:
        beyond = [d for d in result.differences if d.beyond_tolerance]
        title = (f"Deployment {result.deployment_id} drifted from its backtest "
                 f"({result.start}..{result.end})")
        body = "\n".join(d.detail for d in beyond[:10]) or (
            f"slippage {result.totals.slippage_bps:+.1f} bps over the tolerance "
            f"{result.tolerance.price_bps:g}")
        with self.ctx.session() as db:
            notify(db, user_id, NotifyEvent.drift, title, body, data={
                "deployment_id": result.deployment_id, "start": str(result.start),
                "end": str(result.end), "differences": len(result.differences),
                "slippage_bps": round(result.totals.slippage_bps, 3),
                "backtest_run_id": result.backtest_run_id})
            db.commit()
