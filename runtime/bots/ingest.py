"""The supervisor's side of the journal: a bot's events and heartbeat into the database.

`ingest_journal` reads the events a bot appended since the deployment's `journal_offset` and
applies each to its `Deployment` and `DeploymentOrder` rows (one row per client order id),
then copies the heartbeat (time, equity, P&L). The row is written only when something changed
(new events, a new heartbeat, the broker's health): an idle bot between two heartbeats costs
its supervisor's pass no UPDATE. `last_exit_code` says how a bot that was not our
child ended, from the last events it wrote. What a user may want to hear of (fills, refusals,
halts, a mismatch, the broker lost and back) is queued in the notification outbox in the same
transaction (`runtime.notifications.outbox`): the bot itself never waits on a notification.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, select

from core.models import (
    Deployment,
    DeploymentDesired,
    DeploymentOrder,
    DeploymentState,
    NotifyEvent,
    as_utc,
    utcnow,
)
from runtime.bots.journal import (
    EVENTS_FILE,
    HEARTBEAT_FILE,
    Adopted,
    BrokerOrder,
    Cancelled,
    Crashed,
    ExitCode,
    Halted,
    Intent,
    JournalEvent,
    Mismatch,
    OrderEvent,
    OrderLine,
    OrderUpdate,
    Refused,
    Running,
    Starting,
    Stopped,
    SubmitFailed,
    Submitted,
    read_events,
    read_heartbeat,
    read_new_events,
)
from runtime.notifications.outbox import notify


def ingest_journal(db: Session, dep: Deployment, folder: Path) -> bool:
    """Copy new lines of the bot's events.jsonl and its heartbeat into the database; whether
    the deployment changed (only then is `updated_at` moved and the row dirty)."""
    events, offset = read_new_events(folder / EVENTS_FILE, dep.journal_offset)
    changed = offset != dep.journal_offset
    if changed:
        dep.journal_offset = offset
    for event in events:
        apply_event(db, dep, event)
    beat = read_heartbeat(folder / HEARTBEAT_FILE)
    if beat is not None:
        at = datetime.fromtimestamp(beat.ts, UTC)
        if as_utc(dep.last_heartbeat_at) != at:
            dep.last_heartbeat_at = at
            changed = True
        if beat.equity is not None and (dep.equity, dep.pnl_day) != (beat.equity,
                                                                     beat.pnl_day or 0.0):
            dep.equity = beat.equity
            dep.pnl_day = beat.pnl_day or 0.0
            changed = True
        changed = _broker_health(db, dep, beat.broker_error) or changed
    if changed:
        dep.updated_at = utcnow()
    return changed


def _broker_health(db: Session, dep: Deployment, error: str | None) -> bool:
    """A bot's broker stopped answering, or answers again: told once per change. Whether the
    row changed."""
    if error == dep.broker_error:
        return False
    if bool(error) == bool(dep.broker_error):
        dep.broker_error = error
        return True
    if error:
        _tell(db, dep, NotifyEvent.broker_lost, f"Deployment {dep.id}: broker unreachable",
              error[:500])
    else:
        _tell(db, dep, NotifyEvent.reconnect, f"Deployment {dep.id}: broker reachable again",
              f"the broker answers again after: {dep.broker_error}"[:500])
    dep.broker_error = error
    return True


def _tell(db: Session, dep: Deployment, event: NotifyEvent, title: str, body: str = "",
          **data: object) -> None:
    notify(db, dep.owner_id, event, title, body,
           {"deployment": dep.id, "strategy": dep.strategy_id, **data})


def apply_event(db: Session, dep: Deployment, event: JournalEvent) -> None:
    """What one event changes in the database."""
    if isinstance(event, OrderEvent):
        _apply_order_event(db, dep, event)
    elif isinstance(event, Running):
        if dep.state == DeploymentState.starting:
            dep.state = DeploymentState.running.value
    elif isinstance(event, Halted):
        dep.state = DeploymentState.halted.value
        dep.desired = DeploymentDesired.stopped.value
        dep.halt_reason = dep.halt_reason or event.reason
        _tell(db, dep, NotifyEvent.halt, f"Deployment {dep.id} HALTED", event.reason,
              code=event.code)
    elif isinstance(event, Mismatch):
        dep.last_error = "reconciliation: " + "; ".join(event.problems)
        _tell(db, dep, NotifyEvent.halt,
              f"Deployment {dep.id} refuses to trade: the broker disagrees",
              "; ".join(event.problems)[:2000], code="mismatch")
    elif isinstance(event, Crashed):
        dep.last_error = event.error[:500]


def _order_row(db: Session, dep: Deployment, event: OrderEvent) -> DeploymentOrder:
    row = db.exec(
        select(DeploymentOrder).where(DeploymentOrder.client_order_id == event.client_order_id)
    ).first()
    if row is None:
        line = event if isinstance(event, OrderLine) else None
        row = DeploymentOrder(
            owner_id=dep.owner_id,
            deployment_id=dep.id,
            seq=event.seq,
            client_order_id=event.client_order_id,
            symbol=line.symbol if line else "",
            side=line.side if line else "",
            qty=line.qty if line else 0.0,
        )
    return row


def _apply_order_event(db: Session, dep: Deployment, event: OrderEvent) -> None:
    if not event.client_order_id:
        return
    row = _order_row(db, dep, event)
    if event.seq:
        dep.next_seq = max(dep.next_seq, event.seq + 1)
    if isinstance(event, Intent):
        pass  # a new row is an intent already; a known row keeps what it learnt since
    elif isinstance(event, Refused):
        row.status = "refused"
        row.reason = f"{event.code}: {event.reason}"
        _tell(db, dep, NotifyEvent.refusal,
              f"Deployment {dep.id}: {event.side} {event.qty:g} {event.symbol} refused",
              row.reason, client_order_id=event.client_order_id, code=event.code)
    elif isinstance(event, SubmitFailed):
        row.status = "submit_failed"
        row.reason = event.error[:500]
    if isinstance(event, Cancelled | Submitted | BrokerOrder) and event.broker_id:
        row.broker_id = event.broker_id
    if isinstance(event, Submitted | OrderUpdate | Adopted) and event.status:
        row.status = event.status.split(".")[-1].lower()  # "OrderStatus.NEW" or "new"
    if isinstance(event, BrokerOrder):
        if event.filled_qty is not None and event.filled_qty > row.filled_qty + 1e-9:
            _tell_fill(db, dep, row, event)
        if event.filled_qty is not None:
            row.filled_qty = event.filled_qty
        if event.filled_avg_price is not None:
            row.filled_avg_price = event.filled_avg_price
    row.updated_at = utcnow()
    db.add(row)
    db.flush()


def _tell_fill(db: Session, dep: Deployment, row: DeploymentOrder, event: BrokerOrder) -> None:
    filled = event.filled_qty or 0.0
    price = event.filled_avg_price if event.filled_avg_price is not None else row.filled_avg_price
    side = event.side or row.side
    symbol = event.symbol or row.symbol
    whole = filled >= (event.qty or row.qty) - 1e-9
    at = f" @ {price:,.2f}" if price is not None else ""
    _tell(db, dep, NotifyEvent.fill,
          f"Deployment {dep.id}: {'filled' if whole else 'partly filled'} {side} "
          f"{filled:g} {symbol}{at}",
          f"order {row.client_order_id}: {filled:g} of {event.qty or row.qty:g}",
          client_order_id=row.client_order_id, symbol=symbol, side=side, filled_qty=filled,
          price=price)


def last_exit_code(folder: Path) -> int | None:
    """How a bot that was not our child ended, from the last events it wrote (None: it said
    nothing after it started or crashed, so it died)."""
    for event in reversed(read_events(folder / EVENTS_FILE)):
        if isinstance(event, Stopped):
            return event.exit_code
        if isinstance(event, Starting | Crashed):
            return None
        if isinstance(event, Halted):
            return ExitCode.halted
        if isinstance(event, Mismatch):
            return ExitCode.mismatch
    return None
