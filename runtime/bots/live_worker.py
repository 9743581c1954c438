"""The bot process: `python -m runtime.bots.live_worker DEPLOY_DIR` — one deployed bot.

Runs a validated strategy version live with Lumibot's Alpaca broker (injected alpaca-py
clients, polling). What it owns:

* loading the version (sha256-checked) named by `DEPLOY_DIR/config.json`
  (`runtime.bots.config.LiveConfig`; no secrets in it); the broker keys arrive only in this
  process's environment and are removed from it before any strategy code is imported;
* the risk gate on every order: Lumibot's `_submit_order` is the single path of every
  single-leg order to Alpaca (`runtime.lumibot_hooks.gate_order_submission`); `Bot.
  gate_and_submit` numbers the order (`<deployment>-<seq>`, journaled and fsynced before the
  broker call), asks `RiskGate.check`, and refuses with a reason or submits;
* reconciliation before trading: our orders and positions at the broker against what the
  database says we own; an unexplained mismatch exits with `ExitCode.mismatch`, trading nothing.
  The start-up looks at the broker once (`Bot.look`: our orders, the positions, the account,
  and the clock: four requests) and the reconciliation, the cancel of stale orders, the first
  order sync, the book journaled with `Reconciled` and the first heartbeat all read that look
  (they were eleven requests of their own, each answered by the venue with a transaction);
* the strategy's `vars`, saved after every iteration to `vars.json` and restored when the bot
  restarts (`lumibot_hooks.persist_vars`);
* an agent bot's decision channel (`LiveConfig.agent_channel`: a local socket and a token,
  no key), handed to `runtime.agents.strategy_api` before the strategy runs;
* orders that follow the decision: iterations are numbered (`iteration.json` holds the last
  one that ended), each order is journaled with its decision (`<iteration>:<index>:<symbol>:
  <side>`), and an iteration re-run after a kill mid-iteration re-makes its decisions with the
  same client order ids: its orders still open are not cancelled at the restart, and the
  broker refusing the duplicate id is answered by adopting the order it already has;
* heartbeats (`heartbeat.json`: time, equity, P&L), the daily-loss watch (`ExitCode.halted`),
  and a clean stop on SIGTERM/SIGINT: cancel our open orders, stop Lumibot, exit 0.

Everything it learns goes to `events.jsonl` as typed events (`runtime.bots.journal`); the
supervisor copies them into the database. Lumibot logs to `worker.log`, this module to
`bot.log`.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

# Lumibot reads these at import time: set them before anything imports it.
os.environ.setdefault("LUMIBOT_DISABLE_DOTENV", "1")
os.environ.setdefault("LUMIBOT_DISABLE_UI", "1")
os.environ["IS_BACKTESTING"] = "false"
# what a bot does not load (a forked bot has it from the launcher; a spawned one sets it here,
# before anything imports pandas)
from runtime.bots.import_policy import block_imports_from_env

block_imports_from_env()

from core.logging import KeyValueFormatter, get_logger
from runtime import lumibot_hooks
from runtime.alpaca_clients import (
    BrokerEndpoint,
    broker_unavailable,
    lumibot_broker,
    trading_client,
)
from runtime.bots.config import KEY_ENV, SECRET_ENV, LiveConfig, read_config
from runtime.bots.journal import (
    EVENTS_FILE,
    HEARTBEAT_FILE,
    Adopted,
    Cancelled,
    Crashed,
    ExitCode,
    Halted,
    Heartbeat,
    Intent,
    Journal,
    Mismatch,
    OrderEvent,
    OrderUpdate,
    Reconciled,
    Refused,
    Running,
    Starting,
    Stopped,
    Stopping,
    StrategyEnded,
    SubmitFailed,
    Submitted,
    write_heartbeat,
)
from runtime.bots.startup_slots import StartupSlot
from runtime.risk_gate import (
    AccountView,
    Decision,
    OrderIntent,
    RiskGate,
    TradingState,
    client_order_id,
    parse_client_order_id,
)
from runtime.signal_event import SignalSafeEvent

log = get_logger(__spec__.name if __spec__ else __name__)  # run as `-m`: not "__main__"

VARS_FILE = "vars.json"  # the strategy's `vars`, kept across restarts (lumibot_hooks.persist_vars)
ITERATION_FILE = "iteration.json"  # {"ended": N}: the last trading iteration that ended
IDLE_SYNC_S = 60.0  # with none of our orders open, the order sync (ours and Lumibot's) runs
# this seldom
LUMIBOT_IDLE_WAIT_S = 5.0  # Lumibot's event and order threads, idle (patient_idle_waits)
# a start-up slot is given back this long after RUNNING when the first iteration, due at once,
# has not ended by then (one whose first iteration is not due at once gives it back at RUNNING)
FIRST_ITERATION_GRACE_S = 2.0
# the same read (account, positions, orders, clock) asked again within this many seconds is
# answered from the first answer, until the bot's next order, replace or cancel
# (alpaca_clients.IdempotentTradingClient): the bot and its Lumibot broker share one client
REUSE_READS_S = 1.0
STOP_JOIN_S = 5.0  # how long a stopping bot waits for Lumibot's threads, all together
LOOP_WAIT_S = 1.0  # the main loop's longest sleep: how late a sync after a submit may start
# an order in one of these states changes no more (Alpaca's terminal statuses)
FINAL_STATUSES = frozenset({"filled", "canceled", "expired", "rejected", "replaced"})
BROKER_REST_MAX_S = 30.0  # the longest pause between two looks at a broker that does not answer


class BrokerRest:
    """After a broker call of the bot's loop fails (`broker_unavailable`: no answer, a 5xx),
    the loop leaves the broker alone for a pause that doubles with each failure, from the
    heartbeat period up to `BROKER_REST_MAX_S`, and beats meanwhile with the last error: a
    broker that hangs (a partition) costs one timeout per pause instead of one per call, so
    the heartbeat keeps a pace the supervisor's watchdog accepts and the bot is not killed
    for its broker's silence. Lumibot's own threads keep their polling."""

    def __init__(self, first_s: float) -> None:
        self.first_s = max(first_s, 0.5)
        self.pause = 0.0
        self.until = 0.0

    def resting(self, now: float) -> bool:
        return now < self.until

    def failed(self, now: float) -> None:
        self.pause = min(BROKER_REST_MAX_S, max(self.first_s, self.pause * 2))
        self.until = now + self.pause

    def answered(self) -> None:
        self.pause = self.until = 0.0


class RiskRefused(Exception):
    def __init__(self, decision: Decision) -> None:
        super().__init__(f"refused by the risk gate ({decision.code}): {decision.reason}")
        self.decision = decision


def _float(value: Any, default: float = 0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _status(order: Any) -> str:
    status = getattr(order, "status", "")
    return str(getattr(status, "value", status)).lower()


def _side(order: Any) -> str:
    return str(getattr(order.side, "value", order.side)).lower()


_Seen = TypeVar("_Seen", OrderUpdate, Adopted)


def _broker_order(cls: type[_Seen], order: Any) -> _Seen:
    """One of our alpaca-py orders as a journal event (`OrderUpdate` or `Adopted`)."""
    parsed = parse_client_order_id(order.client_order_id)
    return cls(
        seq=parsed[1] if parsed else None,
        client_order_id=order.client_order_id,
        broker_id=str(order.id),
        symbol=order.symbol,
        side=_side(order),
        qty=_float(order.qty),
        filled_qty=_float(order.filled_qty),
        filled_avg_price=_float(order.filled_avg_price) if order.filled_avg_price else None,
        status=_status(order),
    )


@dataclass(frozen=True)
class BrokerLook:
    """One look at the broker (alpaca-py objects): our orders of every status, the account's
    positions and the account."""

    orders: list[Any]
    positions: list[Any]
    account: Any

    def open_orders(self) -> list[Any]:
        return [o for o in self.orders if _status(o) not in FINAL_STATUSES]


class BrokerClock:
    """The broker's clock, kept: how far it runs ahead of ours (the local venue's clock is
    simulated; `lumibot_hooks.shift_data_clock` makes Lumibot's data modules follow it) and
    whether the market is open.

    Alpaca's clock names the next open and the next close, so whether the market is open is
    known without asking again until one of them has passed (`market_open` then asks once
    more); a simulated clock, whose speed may change, is refreshed by the bot at every
    heartbeat."""

    def __init__(self) -> None:
        self.offset = timedelta(0)
        self.is_open = False
        self._until: datetime | None = None  # when `is_open` may change: the next open or close
        self._lock = threading.Lock()

    def refresh(self, client: Any) -> Any:
        """Read the broker's clock; returns what it answered."""
        clock: Any = client.get_clock()
        stamp = clock.timestamp.astimezone(UTC)
        boundary = clock.next_close if clock.is_open else clock.next_open
        with self._lock:
            self.offset = stamp - datetime.now(UTC)
            self.is_open = bool(clock.is_open)
            self._until = boundary.astimezone(UTC) if boundary is not None else None
        return clock

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def market_open(self, client: Any) -> bool:
        """Whether the market is open; asks the broker only once the last answer's next open
        or close has passed (or the clock was never read)."""
        with self._lock:
            until, is_open = self._until, self.is_open
        if until is None or self.now() >= until:
            self.refresh(client)
            with self._lock:
                is_open = self.is_open
        return is_open


class Bot:
    """The state one worker shares between Lumibot's threads, the heartbeat and the main loop."""

    def __init__(self, config: LiveConfig, endpoint: BrokerEndpoint, folder: Path) -> None:
        self.config = config
        self.endpoint = endpoint
        self.folder = folder
        self.journal = Journal(folder / EVENTS_FILE)
        self.client = trading_client(endpoint, timeout_s=config.broker_timeout_s,
                                     reuse_reads_s=REUSE_READS_S)
        self.clock = BrokerClock()
        self.gate = RiskGate(
            config.limits,
            state=TradingState(config.state),
            halt_reason=config.halt_reason,
        )
        self.seq = max(config.next_seq, self._journal_next_seq())
        self.seq_lock = threading.Lock()
        self.stop = SignalSafeEvent()  # set by SIGTERM's handler
        self.exit_code = ExitCode.ok
        self.started = time.time()
        self.prefix = f"{config.key}-"
        self._seen: dict[str, tuple[str | None, float | None]] = {}
        # whether the broker may have news of our orders: one is open, or one was sent since
        # the last sync (an idle bot's order sync is skipped: it was a third of its requests)
        self.orders_in_flight = True
        self._last_look: dict[str, Any] = {}  # what the heartbeat's last account look saw
        self.ended = read_iteration(folder)
        self.iteration = self.ended + 1
        self.order_index = 0
        events = self.journal.events()
        self.restarted = any(isinstance(e, Starting) for e in events)
        # decision -> (seq, client order id) of every order journaled as allowed
        self.decisions: dict[str, tuple[int, str]] = {
            e.decision: (e.seq if e.seq is not None else 0, e.client_order_id)
            for e in events if isinstance(e, Intent) and e.decision}

    @property
    def ids(self) -> dict[str, Any]:
        return {"deployment": self.config.deployment_id}

    def _journal_next_seq(self) -> int:
        seqs = [e.seq for e in self.journal.events()
                if isinstance(e, OrderEvent) and e.seq is not None]
        return max(seqs, default=0) + 1

    def next_client_id(self) -> tuple[int, str]:
        with self.seq_lock:
            seq = self.seq
            self.seq += 1
        return seq, client_order_id(self.config.key, seq)

    # -- iterations and decisions --------
    def iteration_started(self) -> None:
        with self.seq_lock:
            self.iteration = self.ended + 1
            self.order_index = 0

    def iteration_ended(self) -> None:
        with self.seq_lock:
            self.ended = self.iteration
        write_iteration(self.folder, self.ended)

    def decision(self, symbol: str, side: str) -> str:
        """The decision an order carries out: the iteration, its place among the iteration's
        orders, the symbol and the side. A re-run of the same iteration re-makes it."""
        with self.seq_lock:
            index = self.order_index
            self.order_index += 1
            return f"{self.iteration}:{index}:{symbol}:{side}"

    def unfinished_iteration_ids(self) -> set[str]:
        """Client ids of the orders of the iteration a kill interrupted (it runs again)."""
        prefix = f"{self.ended + 1}:"
        return {cid for d, (_, cid) in self.decisions.items() if d.startswith(prefix)}

    def ours(self, client_id: str | None) -> bool:
        parsed = parse_client_order_id(client_id)
        return parsed is not None and parsed[0] == self.config.key

    # -- broker views --------
    def account_view(self, market_open: bool | None = None) -> AccountView:
        """What the risk gate checks an order against: the account, the positions and our
        open orders, read now; whether the market is open from the kept clock (the heartbeat
        follows a simulated one) unless `market_open` says."""
        account: Any = self.client.get_account()
        positions: Any = self.client.get_all_positions()
        from alpaca.trading.enums import QueryOrderStatus
        from alpaca.trading.requests import GetOrdersRequest

        orders: Any = self.client.get_orders(GetOrdersRequest(status=QueryOrderStatus.OPEN,
                                                              limit=500))
        if market_open is None:
            market_open = self.clock.market_open(self.client)
        equity = _float(account.equity)
        return AccountView(
            equity=equity,
            start_of_day_equity=_float(account.last_equity, equity),
            positions={p.symbol: _float(p.qty) for p in positions},
            open_orders=sum(1 for o in orders if self.ours(o.client_order_id)),
            market_open=market_open,
        )

    def our_orders(self, status: str = "all") -> list[Any]:
        from alpaca.trading.enums import QueryOrderStatus
        from alpaca.trading.requests import GetOrdersRequest

        request = GetOrdersRequest(status=QueryOrderStatus(status), limit=500)
        orders: Any = self.client.get_orders(request)
        return [o for o in orders if self.ours(o.client_order_id)]

    def look(self) -> BrokerLook:
        """Our orders (every status), the positions and the account: three requests."""
        orders = self.our_orders("all")
        positions: Any = self.client.get_all_positions()
        account: Any = self.client.get_account()
        return BrokerLook(orders=orders, positions=list(positions), account=account)

    def cancel_our_orders(self, keep: set[str] | None = None,
                          open_orders: list[Any] | None = None) -> int:
        """Cancel our open orders but those in `keep`; `open_orders`: ours already read
        (else asked for)."""
        cancelled = 0
        for order in self.our_orders("open") if open_orders is None else open_orders:
            if keep and order.client_order_id in keep:
                continue
            try:
                self.client.cancel_order_by_id(order.id)
                cancelled += 1
                self.journal.write(Cancelled(client_order_id=order.client_order_id,
                                             broker_id=str(order.id)))
            except Exception as exc:  # already filled or gone
                log.warning("cancel failed", extra={**self.ids, "error": str(exc),
                                                    "client_order_id": order.client_order_id})
        return cancelled

    def book(self, seen: BrokerLook | None = None, broker_time: datetime | None = None
             ) -> dict[str, Any]:
        """The account's cash and positions and the broker's clock: what the strategy starts
        trading from (journaled with `Reconciled` for the paper-vs-backtest replay); from
        `seen` and `broker_time` when given (cancelling an order changes neither the cash nor
        the positions), else read now."""
        if seen is None:
            seen = self.look()
        if broker_time is None:
            broker_time = self.clock.refresh(self.client).timestamp
        return {"broker_time": broker_time, "cash": _float(seen.account.cash),
                "positions": {p.symbol: _float(p.qty) for p in seen.positions
                              if _float(p.qty)}}

    # -- reconciliation --------
    def reconcile(self, seen: BrokerLook | None = None) -> list[str]:
        """Compare the broker (`seen`, else a look now) with what the database says we own;
        return what cannot be explained (empty: safe to trade). Our orders the database never
        heard of (submitted just before a crash) are explained by our own journal and
        adopted."""
        if seen is None:
            seen = self.look()
        problems: list[str] = []
        broker_orders = {str(o.client_order_id): o for o in seen.orders}
        journal_ids = {e.client_order_id for e in self.journal.events()
                       if isinstance(e, Intent)}
        for client_id, broker_id in self.config.known_orders.items():
            if client_id not in broker_orders:
                problems.append(f"order {client_id} ({broker_id}) is unknown to the broker")
        net: dict[str, float] = {}
        for client_id, order in broker_orders.items():
            filled = _float(order.filled_qty)
            net[order.symbol] = net.get(order.symbol, 0.0) + (filled if _side(order) == "buy"
                                                              else -filled)
            if client_id not in self.config.known_orders and (
                client_id in journal_ids or client_id.startswith(self.prefix)
            ):
                self.journal.write(_broker_order(Adopted, order))
        held = {p.symbol: _float(p.qty) for p in seen.positions}
        for symbol, qty in self.config.owned.items():
            account_qty = held.get(symbol, 0.0)
            if qty > 0 and account_qty + 1e-6 < qty:
                problems.append(
                    f"database owns {qty:g} {symbol} but the account holds {account_qty:g}"
                )
        for symbol, qty in net.items():
            if qty > 0 and held.get(symbol, 0.0) + 1e-6 < qty:
                problems.append(
                    f"our orders bought {qty:g} {symbol} but the account holds "
                    f"{held.get(symbol, 0.0):g}"
                )
        return sorted(set(problems))

    def start_up(self) -> BrokerLook | None:
        """Before trading: one look at the broker and at its clock (four requests), the
        reconciliation (None: a mismatch, journaled), the cancel of our stale orders, the
        first order sync and the `Reconciled` book, all from that look; returns it."""
        seen = self.look()
        problems = self.reconcile(seen)
        if problems:
            self.journal.write(Mismatch(problems=problems))
            log.error("reconciliation failed", extra={**self.ids, "problems": problems})
            return None
        # Orders of ours still open from a previous run: their author is gone, so cancel them
        # (their fills so far are kept) rather than let the restarted strategy add to them.
        stale = self.cancel_our_orders(keep=self.unfinished_iteration_ids(),
                                       open_orders=seen.open_orders())
        self.sync_orders(None if stale else seen.orders)  # a cancel changed them: read again
        broker_clock = self.clock.refresh(self.client)
        self.journal.write(Reconciled(stale_cancelled=stale,
                                      **self.book(seen, broker_clock.timestamp)))
        return seen

    # -- heartbeat --------
    def open_order_count(self) -> int:
        """Our orders not yet final, as the last order sync saw them (it runs every polling
        period while one is open or was sent)."""
        return sum(1 for status, _ in self._seen.values() if status not in FINAL_STATUSES)

    def broker_failed(self, exc: BaseException) -> None:
        """A call to the broker failed: the beats without a look say so until one answers."""
        self._last_look["broker_error"] = _error_text(exc)

    def heartbeat(self, account: Any = None, look: bool = True) -> bool:
        """Write `heartbeat.json` after one look at the account (`account`: one just read):
        equity and the day's P&L, checked against the daily-loss limit (one request; the order
        count comes from the order sync and whether the market is open from the kept
        clock). `look=False`: no request; the beat repeats what the last look saw. Returns
        False when the look failed."""
        beat: dict[str, Any] = {"ts": time.time(), "pid": os.getpid(), "started": self.started,
                                "state": self.gate.state}
        if not look:
            beat.update(self._last_look, open_orders=self.open_order_count())
            write_heartbeat(self.folder / HEARTBEAT_FILE, Heartbeat(**beat))
            return True
        looked = beat.copy()
        try:
            raw: Any = self.client.get_account() if account is None else account
            equity = _float(raw.equity)
            account = AccountView(equity=equity,
                                  start_of_day_equity=_float(raw.last_equity, equity),
                                  open_orders=self.open_order_count(),
                                  market_open=self.clock.market_open(self.client))
            beat.update(equity=account.equity, start_of_day_equity=account.start_of_day_equity,
                        pnl_day=account.equity - account.start_of_day_equity,
                        open_orders=account.open_orders, market_open=account.market_open)
            if not self.gate.halted:
                decision = self.gate.check_daily_loss(account)
                if decision.halt:
                    self.halt(decision)
        except Exception as exc:
            beat["broker_error"] = _error_text(exc)
        self._last_look = {k: v for k, v in beat.items() if k not in looked}
        write_heartbeat(self.folder / HEARTBEAT_FILE, Heartbeat(**beat))
        return "broker_error" not in beat

    def halt(self, decision: Decision) -> None:
        log.error("deployment halted", extra={**self.ids, "reason": decision.reason})
        self.journal.write(Halted(code=decision.code, reason=decision.reason))
        self.exit_code = ExitCode.halted
        self.stop.set()

    # -- the gate --------
    def gate_and_submit(self, broker: Any, order: Any, submit: Any) -> Any:
        """Lumibot's `_submit_order`, gated (`lumibot_hooks.gate_order_submission`)."""
        params = dict(getattr(order, "custom_params", None) or {})
        client_id = params.get("client_order_id")
        if client_id and self.ours(client_id):
            return submit(order)  # a retry of an order already numbered and allowed
        symbol = order.asset.symbol
        side = _side(order)
        made = self.decision(symbol, side)
        earlier = self.decisions.get(made)
        if earlier is not None:  # made before a restart interrupted this iteration
            return self.submit_again(broker, order, submit, made, *earlier)
        seq, client_id = self.next_client_id()
        quantity = _float(order.quantity)
        price = _float(order.limit_price) if order.limit_price is not None else 0.0
        try:
            if price <= 0:
                price = _float(broker.data_source.get_last_price(order.asset))
            account = self.account_view()
            decision = self.gate.check(OrderIntent(
                symbol, side, quantity, price, limit=order.limit_price is not None,
                extended_hours=bool(params.get("extended_hours"))), account)
        except Exception as exc:  # fail closed: no answer from the broker, no order
            decision = Decision(False, "broker_unavailable", f"cannot check the order: {exc}")
        fields: dict[str, Any] = {"seq": seq, "client_order_id": client_id, "symbol": symbol,
                                  "side": side, "qty": quantity, "price": price,
                                  "order_type": str(order.order_type), "decision": made}
        if not decision.allowed:
            self.journal.write(Refused(**fields, code=decision.code, reason=decision.reason,
                                       broker_time=self.clock.now()))
            log.warning("order refused", extra={**self.ids, "client_order_id": client_id,
                                                "code": decision.code,
                                                "reason": decision.reason})
            order.set_error(RiskRefused(decision))
            if decision.halt:
                self.halt(decision)
            return order
        self.journal.write(Intent(**fields))
        self.orders_in_flight = True
        self.decisions[made] = (seq, client_id)
        params["client_order_id"] = client_id
        order.custom_params = params
        try:
            submitted = submit(order)
        except Exception as exc:
            self.journal.write(SubmitFailed(**fields, error=str(exc)[:300]))
            raise
        if self.config.fault == "kill_after_submit" and not self.restarted:
            os.kill(os.getpid(), signal.SIGKILL)  # a test's crash: accepted, not journaled
        self.journal.write(Submitted(**fields, broker_id=str(submitted.identifier),
                                     status=str(submitted.status)))
        log.info("order submitted", extra={**self.ids, "client_order_id": client_id,
                                           "symbol": symbol, "side": side, "qty": quantity})
        return submitted

    def submit_again(self, broker: Any, order: Any, submit: Any, decision: str, seq: int,
                     client_id: str) -> Any:
        """A decision re-made by an iteration re-run after a restart: the same client order
        id again. A broker that never got it takes it now; one that has it refuses the
        duplicate, and the order it has is adopted in its place (no second order): our
        trading client answers the refusal with that order (`runtime.alpaca_clients`), and
        should the refusal reach us, it is looked up here."""
        log.info("decision re-made after a restart; same client order id",
                 extra={**self.ids, "client_order_id": client_id, "decision": decision})
        self.orders_in_flight = True
        params = dict(getattr(order, "custom_params", None) or {})
        params["client_order_id"] = client_id
        order.custom_params = params
        fields: dict[str, Any] = {"seq": seq, "client_order_id": client_id,
                                  "symbol": order.asset.symbol, "side": _side(order),
                                  "qty": _float(order.quantity), "decision": decision}
        try:
            submitted = submit(order)
        except Exception as exc:
            try:
                existing: Any = self.client.get_order_by_client_id(client_id)
            except Exception:
                self.journal.write(SubmitFailed(**fields, error=str(exc)[:300]))
                raise exc from None
            order.set_identifier(str(existing.id))
            order.status = _status(existing)
            order.update_raw(existing)
            broker._unprocessed_orders.append(order)
            self.journal.write(_broker_order(Adopted, existing))
            log.info("re-made decision adopted the broker's order",
                     extra={**self.ids, "client_order_id": client_id, "decision": decision})
            return order
        self.journal.write(Submitted(**fields, broker_id=str(submitted.identifier),
                                     status=str(submitted.status)))
        return submitted

    def sync_orders(self, orders: list[Any] | None = None) -> None:
        """Journal every change of our orders' broker view (the supervisor stores them);
        `orders`: ours of every status, just read (else asked for)."""
        self.orders_in_flight = False
        for order in self.our_orders("all") if orders is None else orders:
            event = _broker_order(OrderUpdate, order)
            if event.status not in FINAL_STATUSES:
                self.orders_in_flight = True
            seen = (event.status, event.filled_qty)
            if self._seen.get(event.client_order_id) != seen:
                self._seen[event.client_order_id] = seen
                self.journal.write(event)


def read_iteration(folder: Path) -> int:
    """The last trading iteration that ended (0: none yet, or unreadable)."""
    try:
        return int(json.loads((folder / ITERATION_FILE).read_text(encoding="utf-8"))["ended"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def write_iteration(folder: Path, ended: int) -> None:
    """Atomically (temp file, fsync, rename): a kill leaves the old number or the new one."""
    path = folder / ITERATION_FILE
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(json.dumps({"ended": ended}))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _load_strategy(config: LiveConfig) -> type:
    from runtime.backtest_worker import load_strategy_class

    return load_strategy_class(Path(config.code_path), config.class_name, config.sha256)


def _set_up_logging(folder: Path) -> None:
    handler = logging.FileHandler(folder / "bot.log", encoding="utf-8")
    handler.setFormatter(KeyValueFormatter())
    root = logging.getLogger("stratforge")
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def rest_the_broker(bot: Bot, rest: BrokerRest, exc: BaseException) -> bool:
    """When `exc` says the broker did not answer (`broker_unavailable`): the beats say so and
    `rest` starts (or lengthens) its pause; returns whether it did."""
    if not broker_unavailable(exc):
        return False
    bot.broker_failed(exc)
    rest.failed(time.monotonic())
    return True


class StopRequested(Exception):
    """The bot was told to stop while it waited for its broker at start-up."""


def start_up_when_the_broker_answers(bot: Bot, rest: BrokerRest) -> BrokerLook | None:
    """`Bot.start_up`, tried again (after `rest`'s pauses, beating meanwhile with the broker's
    error, so the supervisor sees why and its watchdog sees a live bot) while the broker does
    not answer; a bot started during an outage waits it out instead of crashing into the
    supervisor's restart limit. Other errors end the start-up as before."""
    while True:
        try:
            seen = bot.start_up()
            rest.answered()
            return seen
        except Exception as exc:
            if not rest_the_broker(bot, rest, exc):
                raise
            log.warning("broker unavailable at start-up; waiting",
                        extra={**bot.ids, "error": _error_text(exc),
                               "retry_in_s": rest.pause})
        while rest.resting(time.monotonic()):
            bot.heartbeat(look=False)
            if bot.stop.wait(min(bot.config.heartbeat_s, rest.until - time.monotonic())):
                raise StopRequested


def run(folder: Path) -> int:
    config = read_config(folder)
    key_id = os.environ.pop(KEY_ENV, "")
    secret = os.environ.pop(SECRET_ENV, "")
    _set_up_logging(folder)
    endpoint = BrokerEndpoint(config.trading_url, config.data_url, paper=config.paper,
                              venue=config.venue, key_id=key_id, secret=secret)
    del key_id, secret
    bot = Bot(config, endpoint, folder)
    bot.journal.write(Starting(pid=os.getpid(), next_seq=bot.seq))
    stop_signals = (signal.SIGTERM, signal.SIGINT)
    for sig in stop_signals:
        signal.signal(sig, lambda *_: bot.stop.set())

    if bot.gate.halted:
        bot.journal.write(Halted(code="halted", reason=bot.gate.halt_reason or "halted"))
        bot.cancel_our_orders()
        return ExitCode.halted
    # one of a few bots starting at once (runtime.bots.startup_slots); given back when the
    # first iteration ends, at RUNNING when that iteration is not due at once (hourly and
    # daily strategies, a closed market), or when the process ends
    slot = StartupSlot.take(folder.parent, config.startup_slots, bot.stop,
                            hold_s=config.startup_hold_s)
    if bot.stop.is_set():
        slot.release()
    strategy_class = _load_strategy(config)
    if config.agent_channel is not None:  # an agent bot: decisions come from the service
        from runtime.agents.strategy_api import use_channel

        use_channel(config.agent_channel)
    rest = BrokerRest(config.heartbeat_s)
    try:
        seen = start_up_when_the_broker_answers(bot, rest)
    except StopRequested:
        bot.journal.write(Stopping(exit_code=bot.exit_code))
        bot.heartbeat(look=False)
        bot.journal.write(Stopped(exit_code=bot.exit_code))
        return bot.exit_code
    if seen is None:
        return ExitCode.mismatch
    clock = bot.clock

    from lumibot.traders import Trader

    from runtime.shared_calendars import share_calendars

    share_calendars()  # forked from the launcher: done there already, its holidays computed

    # The local venue's clock is simulated; so may be any Alpaca-compatible server named by
    # STRATFORGE_ALPACA_TRADING_URL. Real Alpaca agrees with our clock and is left alone.
    simulated_clock = config.venue or abs(clock.offset.total_seconds()) > 120
    if simulated_clock:
        lumibot_hooks.shift_data_clock(lambda: clock.offset)
    broker_class = lumibot_hooks.gated_alpaca_class(
        bot.gate_and_submit, bot.stop, market_open=lambda: clock.market_open(bot.client),
        idle_poll_s=IDLE_SYNC_S)
    broker = lumibot_broker(endpoint, broker_class=broker_class,
                            polling_interval=config.polling_interval,
                            timeout_s=config.broker_timeout_s, trading=bot.client)

    def iteration_ended() -> None:
        bot.iteration_ended()
        slot.release()

    strategy_class = lumibot_hooks.numbered_iterations(strategy_class, bot.iteration_started,
                                                       iteration_ended)
    strategy = strategy_class(broker=broker, parameters=config.parameters or None)
    if config.sleeptime:
        lumibot_hooks.force_sleeptime(strategy, config.sleeptime)
    lumibot_hooks.persist_vars(strategy, folder / VARS_FILE)
    lumibot_hooks.patient_idle_waits(strategy, LUMIBOT_IDLE_WAIT_S)
    lumibot_hooks.quiet_iteration_sync(strategy, IDLE_SYNC_S)
    lumibot_hooks.first_iteration_at_once(strategy)
    at_once = lumibot_hooks.iterates_at_once(strategy)
    trader = Trader(logfile=str(folder / "worker.log"))
    trader.add_strategy(strategy)
    trader.run_all(async_=True)
    for sig in stop_signals:  # Lumibot installs its own SIGINT handler; ours wins
        signal.signal(sig, lambda *_: bot.stop.set())
    last_sync = time.monotonic()  # the start-up synced our orders
    next_beat = 0.0
    announced = False
    first_account: Any = seen.account  # the first beat reads the start-up's look
    next_look = 0.0
    while not bot.stop.is_set():
        now = time.monotonic()
        if now >= next_beat:
            # the account (and a simulated clock) is read every `account_check_s` while
            # nothing of ours is open, at every beat while something is; not at all while
            # the broker rests after a failure
            look = first_account is not None or (not rest.resting(now) and (
                now >= next_look or bot.orders_in_flight or bot.open_order_count() > 0))
            if look and simulated_clock and first_account is None:  # its speed may change
                try:
                    clock.refresh(bot.client)
                except Exception as exc:
                    log.warning("venue clock unavailable", extra={**bot.ids, "error": str(exc)})
                    if rest_the_broker(bot, rest, exc):
                        look = False
            answered = bot.heartbeat(first_account, look=look)
            if look:
                next_look = now + config.account_check_s
                if answered:
                    rest.answered()
                else:
                    rest.failed(time.monotonic())
            first_account = None
            next_beat = now + config.heartbeat_s
            if not announced:  # RUNNING means a heartbeat is there for the watchdog to age
                bot.journal.write(Running())
                announced = True
                # the first iteration is part of the start-up when it runs now; else the
                # start-up is over
                try:
                    due_now = (at_once and not rest.resting(time.monotonic())
                               and bot.clock.market_open(bot.client))
                except Exception:  # the broker did not answer: the start-up is over anyway
                    due_now = False
                if due_now:
                    slot.release_after(FIRST_ITERATION_GRACE_S)
                else:
                    slot.release()
        since_sync = now - last_sync
        sync_every = max(config.polling_interval, 1.0) if bot.orders_in_flight else IDLE_SYNC_S
        if since_sync >= sync_every and not rest.resting(now):
            try:
                bot.sync_orders()
            except Exception as exc:
                log.warning("order sync failed", extra={**bot.ids, "error": str(exc)})
                rest_the_broker(bot, rest, exc)
            last_sync = now
        if not any(t.is_alive() for t in lumibot_hooks.strategy_threads(trader)):
            bot.journal.write(StrategyEnded())
            bot.exit_code = ExitCode.crash
            break
        # sleep until the next beat, at most a second (a submit sets `orders_in_flight`, and
        # the sync then follows within `LOOP_WAIT_S`)
        bot.stop.wait(min(LOOP_WAIT_S, max(0.05, next_beat - time.monotonic())))
    slot.release()
    bot.journal.write(Stopping(exit_code=bot.exit_code))
    cancel_error: Exception | None = None
    try:
        bot.cancel_our_orders()  # tried even while the broker rests: it matters most
    except Exception as exc:
        cancel_error = exc
    # Lumibot's stop may itself wait on the broker (a closing look at the account, tried three
    # times): it runs beside us, and one wait covers it and Lumibot's threads, so a bot whose
    # broker hangs still ends (and journals it) within the supervisor's stop grace
    stopper = threading.Thread(target=trader.stop_all, name="stop-all", daemon=True)
    stopper.start()
    joined_by = time.monotonic() + STOP_JOIN_S
    for thread in (stopper, *lumibot_hooks.strategy_threads(trader)):
        thread.join(timeout=max(0.0, joined_by - time.monotonic()))
    if cancel_error is not None:
        if not rest_the_broker(bot, rest, cancel_error):
            raise cancel_error
        log.error("our open orders were not cancelled: the broker did not answer (the next "
                  "start cancels them)", extra={**bot.ids, "error": _error_text(cancel_error)})
    resting = rest.resting(time.monotonic())  # the broker did not answer: no more waits on it
    if not resting:
        try:
            bot.sync_orders()
        except Exception:
            pass
    if simulated_clock and not resting:
        try:
            clock.refresh(bot.client)
        except Exception:
            pass  # the last offset stands
    bot.heartbeat(look=not resting)
    bot.journal.write(Stopped(exit_code=bot.exit_code,
                              broker_time=datetime.now(UTC) + clock.offset))
    return bot.exit_code


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m runtime.bots.live_worker DEPLOY_DIR\n")
        return ExitCode.config
    folder = Path(args[0])
    try:
        return run(folder)
    except Exception as exc:
        log.exception("live worker crashed")
        try:
            Journal(folder / EVENTS_FILE).write(
                Crashed(error=f"{type(exc).__name__}: {exc}"[:500])
            )
        except OSError:
            pass
        return ExitCode.crash


if __name__ == "__main__":
    code = main()
    logging.shutdown()
    os._exit(code)  # Lumibot leaves non-daemon threads behind
