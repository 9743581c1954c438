"""Live worker: `python -m runtime.live_worker DEPLOY_DIR` — one deployed bot.

Runs a validated strategy version live with Lumibot's Alpaca broker (injected alpaca-py
clients, polling). What it owns:

* loading the version (sha256-checked) named by `DEPLOY_DIR/config.json` (`LiveConfig`; no
  secrets in it); the broker keys arrive only in this process's environment and are removed
  from it before any strategy code is imported;
* the risk gate on every order: `GatedAlpaca._submit_order` is the single path of every
  Lumibot order to Alpaca; it numbers the order (`<deployment>-<seq>`, journaled and fsynced
  before the broker call), asks `RiskGate.check`, and refuses with a reason or submits;
* reconciliation before trading: our orders and positions at the broker against what the
  database says we own; an unexplained mismatch exits with `EXIT_MISMATCH`, trading nothing;
* heartbeats (`heartbeat.json`: time, equity, P&L), the daily-loss watch (`EXIT_HALTED`), and
  a clean stop on SIGTERM/SIGINT: cancel our open orders, stop Lumibot, exit 0.

Everything it learns goes to `events.jsonl` (one JSON object a line); the supervisor copies it
into the database. Lumibot logs to `worker.log`.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Lumibot reads these at import time: set them before anything imports it.
os.environ.setdefault("LUMIBOT_DISABLE_DOTENV", "1")
os.environ.setdefault("LUMIBOT_DISABLE_UI", "1")
os.environ["IS_BACKTESTING"] = "false"

from pydantic import BaseModel, Field

from runtime.alpaca_clients import BrokerEndpoint, lumibot_broker, trading_client
from runtime.risk_gate import (
    AccountView,
    Decision,
    OrderIntent,
    RiskGate,
    RiskLimits,
    TradingState,
    client_order_id,
    parse_client_order_id,
)

log = logging.getLogger("stratforge.live")

KEY_ENV = "STRATFORGE_BOT_KEY_ID"
SECRET_ENV = "STRATFORGE_BOT_SECRET"

EXIT_OK = 0
EXIT_CRASH = 1
EXIT_HALTED = 3
EXIT_MISMATCH = 4
EXIT_CONFIG = 5

OPEN_STATUSES = {"new", "accepted", "pending_new", "partially_filled", "accepted_for_bidding",
                 "pending_replace", "pending_cancel", "held", "calculated", "done_for_day"}


class LiveConfig(BaseModel):
    """What the supervisor tells one bot (written to DEPLOY_DIR/config.json, mode 0600)."""

    deployment_id: int
    key: str  # the deployment's stable key: client order ids are `<key>-<seq>`
    code_path: str
    sha256: str
    class_name: str
    parameters: dict[str, Any] = Field(default_factory=dict)
    limits: RiskLimits = Field(default_factory=RiskLimits)
    trading_url: str
    data_url: str
    paper: bool = True
    venue: bool = False
    next_seq: int = 1
    owned: dict[str, float] = Field(default_factory=dict)  # DB: symbol -> quantity we hold
    known_orders: dict[str, str] = Field(default_factory=dict)  # DB: client id -> broker id
    state: str = TradingState.active.value
    halt_reason: str | None = None
    polling_interval: float = 2.0
    heartbeat_s: float = 1.0
    broker_timeout_s: float = 10.0
    sleeptime: str | None = None  # overrides the strategy's own, e.g. "10S" on the venue


class Journal:
    """`events.jsonl`: append-only, each line flushed and fsynced (an intent must be on disk
    before its order can reach the broker)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def write(self, kind: str, **fields: Any) -> None:
        record = {"ts": datetime.now(UTC).isoformat(), "type": kind, **fields}
        line = json.dumps(record, default=str) + "\n"
        with self._lock, open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def records(self) -> list[dict[str, Any]]:
        return read_journal(self.path)


def read_journal(path: Path, offset: int = 0) -> list[dict[str, Any]]:
    try:
        with open(path, encoding="utf-8") as handle:
            handle.seek(offset)
            lines = handle.read().splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        try:
            out.append(json.loads(line))
        except ValueError:
            continue  # a torn last line after kill -9
    return out


def write_json_atomic(path: Path, data: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, default=str), encoding="utf-8")
    os.replace(tmp, path)


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


class Bot:
    """The state one worker shares between Lumibot's threads, the heartbeat and the main loop."""

    def __init__(self, config: LiveConfig, endpoint: BrokerEndpoint, folder: Path) -> None:
        self.config = config
        self.endpoint = endpoint
        self.folder = folder
        self.journal = Journal(folder / "events.jsonl")
        self.client = trading_client(endpoint, timeout_s=config.broker_timeout_s)
        self.gate = RiskGate(
            config.limits,
            state=TradingState(config.state),
            halt_reason=config.halt_reason,
        )
        self.seq = max(config.next_seq, self._journal_next_seq())
        self.seq_lock = threading.Lock()
        self.stop = threading.Event()
        self.exit_code = EXIT_OK
        self.started = time.time()
        self.prefix = f"{config.key}-"

    def _journal_next_seq(self) -> int:
        seqs = [int(r["seq"]) for r in self.journal.records() if "seq" in r]
        return max(seqs, default=0) + 1

    def next_client_id(self) -> tuple[int, str]:
        with self.seq_lock:
            seq = self.seq
            self.seq += 1
        return seq, client_order_id(self.config.key, seq)

    def ours(self, client_id: str | None) -> bool:
        parsed = parse_client_order_id(client_id)
        return parsed is not None and parsed[0] == self.config.key

    # -- broker views --------
    def account_view(self, market_open: bool | None = None) -> AccountView:
        account: Any = self.client.get_account()
        positions: Any = self.client.get_all_positions()
        from alpaca.trading.enums import QueryOrderStatus
        from alpaca.trading.requests import GetOrdersRequest

        orders: Any = self.client.get_orders(GetOrdersRequest(status=QueryOrderStatus.OPEN,
                                                              limit=500))
        if market_open is None:
            clock: Any = self.client.get_clock()
            market_open = bool(clock.is_open)
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

    def cancel_our_orders(self) -> int:
        cancelled = 0
        for order in self.our_orders("open"):
            try:
                self.client.cancel_order_by_id(order.id)
                cancelled += 1
                self.journal.write("cancelled", client_order_id=order.client_order_id,
                                   broker_id=str(order.id))
            except Exception as exc:  # already filled or gone
                log.warning("cancel failed deployment=%s client_order_id=%s error=%s",
                            self.config.deployment_id, order.client_order_id, exc)
        return cancelled

    # -- reconciliation --------
    def reconcile(self) -> list[str]:
        """Compare the broker with what the database says we own; return what cannot be
        explained (empty: safe to trade). Our orders the database never heard of (submitted
        just before a crash) are explained by our own journal and adopted."""
        problems: list[str] = []
        broker_orders = {str(o.client_order_id): o for o in self.our_orders("all")}
        journal_ids = {r.get("client_order_id") for r in self.journal.records()
                       if r.get("type") == "intent"}
        for client_id, broker_id in self.config.known_orders.items():
            if client_id not in broker_orders:
                problems.append(f"order {client_id} ({broker_id}) is unknown to the broker")
        net: dict[str, float] = {}
        for client_id, order in broker_orders.items():
            filled = _float(order.filled_qty)
            side = str(getattr(order.side, "value", order.side)).lower()
            net[order.symbol] = net.get(order.symbol, 0.0) + (filled if side == "buy"
                                                              else -filled)
            if client_id not in self.config.known_orders and (
                client_id in journal_ids or client_id.startswith(self.prefix)
            ):
                self.journal.write("adopted", **_order_fields(order))
        positions: Any = self.client.get_all_positions()
        held = {p.symbol: _float(p.qty) for p in positions}
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

    # -- heartbeat --------
    def heartbeat(self) -> None:
        beat: dict[str, Any] = {"ts": time.time(), "pid": os.getpid(),
                                "started": self.started, "state": self.gate.state.value}
        try:
            account = self.account_view()
            beat.update(equity=account.equity, start_of_day_equity=account.start_of_day_equity,
                        pnl_day=account.equity - account.start_of_day_equity,
                        open_orders=account.open_orders, market_open=account.market_open)
            if not self.gate.halted:
                decision = self.gate.check_daily_loss(account)
                if decision.halt:
                    self.halt(decision)
        except Exception as exc:
            beat["broker_error"] = f"{type(exc).__name__}: {exc}"[:300]
        write_json_atomic(self.folder / "heartbeat.json", beat)

    def halt(self, decision: Decision) -> None:
        log.error("deployment halted deployment=%s reason=%s", self.config.deployment_id,
                  decision.reason)
        self.journal.write("halted", code=decision.code, reason=decision.reason)
        self.exit_code = EXIT_HALTED
        self.stop.set()

    # -- the gate --------
    def gate_and_submit(self, broker: Any, order: Any, submit: Any) -> Any:
        params = dict(getattr(order, "custom_params", None) or {})
        client_id = params.get("client_order_id")
        if client_id and self.ours(client_id):
            return submit(order)  # a retry of an order already numbered and allowed
        seq, client_id = self.next_client_id()
        symbol = order.asset.symbol
        side = str(getattr(order.side, "value", order.side)).lower()
        quantity = _float(order.quantity)
        price = _float(order.limit_price) if order.limit_price is not None else 0.0
        try:
            if price <= 0:
                price = _float(broker.data_source.get_last_price(order.asset))
            account = self.account_view()
            decision = self.gate.check(OrderIntent(symbol, side, quantity, price), account)
        except Exception as exc:  # fail closed: no answer from the broker, no order
            decision = Decision(False, "broker_unavailable", f"cannot check the order: {exc}")
        fields = {"seq": seq, "client_order_id": client_id, "symbol": symbol, "side": side,
                  "qty": quantity, "price": price, "order_type": str(order.order_type)}
        if not decision.allowed:
            self.journal.write("refused", **fields, code=decision.code, reason=decision.reason)
            log.warning("order refused deployment=%s client_order_id=%s code=%s reason=%s",
                        self.config.deployment_id, client_id, decision.code, decision.reason)
            order.set_error(RiskRefused(decision))
            if decision.halt:
                self.halt(decision)
            return order
        self.journal.write("intent", **fields)
        params["client_order_id"] = client_id
        order.custom_params = params
        try:
            submitted = submit(order)
        except Exception as exc:
            self.journal.write("submit_failed", **fields, error=str(exc)[:300])
            raise
        self.journal.write("submitted", **fields, broker_id=str(submitted.identifier),
                           status=str(submitted.status))
        log.info("order submitted deployment=%s client_order_id=%s symbol=%s side=%s qty=%s",
                 self.config.deployment_id, client_id, symbol, side, quantity)
        return submitted


def _order_fields(order: Any) -> dict[str, Any]:
    parsed = parse_client_order_id(order.client_order_id)
    return {
        "seq": parsed[1] if parsed else None,
        "client_order_id": order.client_order_id,
        "broker_id": str(order.id),
        "symbol": order.symbol,
        "side": str(getattr(order.side, "value", order.side)).lower(),
        "qty": _float(order.qty),
        "filled_qty": _float(order.filled_qty),
        "filled_avg_price": _float(order.filled_avg_price) if order.filled_avg_price else None,
        "status": _status(order),
    }


def _gated_broker_class(bot: Bot) -> type:
    from lumibot.brokers import Alpaca

    class GatedAlpaca(Alpaca):
        """Lumibot's Alpaca broker; every single-leg order goes through the risk gate."""

        def _submit_order(self, order: Any) -> Any:
            parent = super()._submit_order
            return bot.gate_and_submit(self, order, parent)

        # The broker's clock is the truth (the venue's is simulated); Lumibot's Alpaca broker
        # would otherwise read the exchange calendar at the machine's wall-clock time.
        def is_market_open(self) -> bool:
            return bool(self.api.get_clock().is_open)

        def _await_market_to_open(self, timedelta: Any = None, strategy: Any = None) -> None:
            while not bot.stop.is_set() and not self.is_market_open():
                bot.stop.wait(1.0)

        def _await_market_to_close(self, timedelta: Any = None, strategy: Any = None) -> None:
            while not bot.stop.is_set() and self.is_market_open():
                bot.stop.wait(1.0)

    return GatedAlpaca


class VenueTime:
    """Lumibot's notion of "now" on the local venue, whose clock is simulated.

    Lumibot's Alpaca data source asks for bars up to the machine's `datetime.now()`; against the
    venue that is years after its data. In venue mode the worker shifts the `now()` that
    Lumibot's data modules see by (venue clock - wall clock), refreshed with every heartbeat.
    Instances stay ordinary datetimes (isinstance checks keep working)."""

    offset = _dt.timedelta(0)

    @classmethod
    def refresh(cls, client: Any) -> None:
        clock: Any = client.get_clock()
        venue_now = clock.timestamp.astimezone(UTC)
        cls.offset = venue_now - datetime.now(UTC)

    @classmethod
    def install(cls) -> None:
        import types

        from lumibot.data_sources import alpaca_data, data_source

        real: Any = _dt.datetime

        class _Meta(type):
            def __instancecheck__(self, obj: object) -> bool:
                return isinstance(obj, real)

            def __subclasscheck__(self, sub: type) -> bool:
                return issubclass(sub, real)

        class ShiftedDatetime(real, metaclass=_Meta):
            @classmethod
            def now(cls_, tz: Any = None) -> Any:
                return real.now(tz) + cls.offset

        shifted_module = types.ModuleType("datetime")
        shifted_module.__dict__.update(_dt.__dict__)
        shifted_module.datetime = ShiftedDatetime  # type: ignore[attr-defined]
        alpaca_data.dt = shifted_module
        data_source.datetime = ShiftedDatetime


_last_seen: dict[str, tuple[str, float]] = {}


def _order_sync(bot: Bot) -> None:
    """Write changes of our orders' broker view to the journal (the supervisor stores them)."""
    for order in bot.our_orders("all"):
        fields = _order_fields(order)
        seen = (fields["status"], fields["filled_qty"])
        if _last_seen.get(fields["client_order_id"]) != seen:
            _last_seen[fields["client_order_id"]] = seen
            bot.journal.write("order", **fields)


def _load_strategy(config: LiveConfig) -> type:
    from runtime.backtest_worker import load_strategy_class

    return load_strategy_class(Path(config.code_path), config.class_name, config.sha256)


def _set_up_logging(folder: Path) -> None:
    handler = logging.FileHandler(folder / "bot.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("stratforge")
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def run(folder: Path) -> int:
    config = LiveConfig.model_validate_json((folder / "config.json").read_text("utf-8"))
    key_id = os.environ.pop(KEY_ENV, "")
    secret = os.environ.pop(SECRET_ENV, "")
    _set_up_logging(folder)
    endpoint = BrokerEndpoint(config.trading_url, config.data_url, paper=config.paper,
                              venue=config.venue, key_id=key_id, secret=secret)
    del key_id, secret
    bot = Bot(config, endpoint, folder)
    bot.journal.write("starting", pid=os.getpid(), next_seq=bot.seq)
    stop_signals = (signal.SIGTERM, signal.SIGINT)
    for sig in stop_signals:
        signal.signal(sig, lambda *_: bot.stop.set())

    if bot.gate.halted:
        bot.journal.write("halted", code="halted", reason=bot.gate.halt_reason or "halted")
        bot.cancel_our_orders()
        return EXIT_HALTED
    strategy_class = _load_strategy(config)
    problems = bot.reconcile()
    if problems:
        bot.journal.write("mismatch", problems=problems)
        log.error("reconciliation failed deployment=%s problems=%s", config.deployment_id,
                  problems)
        return EXIT_MISMATCH
    # Orders of ours still open from a previous run: their author is gone, so cancel them
    # (their fills so far are kept) rather than let the restarted strategy add to them.
    stale = bot.cancel_our_orders()
    _order_sync(bot)
    bot.journal.write("reconciled", stale_cancelled=stale)

    from lumibot.traders import Trader

    VenueTime.refresh(bot.client)
    # The local venue's clock is simulated; so may be any Alpaca-compatible server named by
    # STRATFORGE_ALPACA_TRADING_URL. Real Alpaca agrees with our clock and is left alone.
    simulated_clock = config.venue or abs(VenueTime.offset.total_seconds()) > 120
    if simulated_clock:
        VenueTime.install()
    broker = lumibot_broker(endpoint, broker_class=_gated_broker_class(bot),
                            polling_interval=config.polling_interval,
                            timeout_s=config.broker_timeout_s)
    strategy = strategy_class(broker=broker, parameters=config.parameters or None)
    if config.sleeptime:
        strategy.sleeptime = config.sleeptime
        original_initialize = strategy.initialize

        def initialize(*args: Any, **kwargs: Any) -> Any:
            result = original_initialize(*args, **kwargs)
            strategy.sleeptime = config.sleeptime
            return result

        strategy.initialize = initialize
    trader = Trader(logfile=str(folder / "worker.log"))
    trader.add_strategy(strategy)
    trader.run_all(async_=True)
    for sig in stop_signals:  # Lumibot installs its own SIGINT handler; ours wins
        signal.signal(sig, lambda *_: bot.stop.set())
    bot.journal.write("running")
    last_sync = 0.0
    next_beat = 0.0
    while not bot.stop.is_set():
        now = time.monotonic()
        if now >= next_beat:
            if simulated_clock:
                try:
                    VenueTime.refresh(bot.client)
                except Exception as exc:
                    log.warning("venue clock unavailable deployment=%s error=%s",
                                config.deployment_id, exc)
            bot.heartbeat()
            next_beat = now + config.heartbeat_s
        if now - last_sync >= max(config.polling_interval, 1.0):
            try:
                _order_sync(bot)
            except Exception as exc:
                log.warning("order sync failed deployment=%s error=%s", config.deployment_id,
                            exc)
            last_sync = now
        if not any(t.is_alive() for t in trader._pool):
            bot.journal.write("strategy_ended")
            bot.exit_code = EXIT_CRASH
            break
        bot.stop.wait(0.2)
    bot.journal.write("stopping", exit_code=bot.exit_code)
    try:
        bot.cancel_our_orders()
    finally:
        trader.stop_all()
        for thread in trader._pool:
            thread.join(timeout=5.0)
    try:
        _order_sync(bot)
    except Exception:
        pass
    bot.heartbeat()
    bot.journal.write("stopped", exit_code=bot.exit_code)
    return bot.exit_code


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m runtime.live_worker DEPLOY_DIR\n")
        return EXIT_CONFIG
    folder = Path(args[0])
    try:
        return run(folder)
    except Exception as exc:
        logging.getLogger("stratforge.live").exception("live worker crashed")
        try:
            Journal(folder / "events.jsonl").write("crashed", error=f"{type(exc).__name__}: "
                                                   f"{exc}"[:500])
        except OSError:
            pass
        return EXIT_CRASH


if __name__ == "__main__":
    code = main()
    logging.shutdown()
    os._exit(code)  # Lumibot leaves non-daemon threads behind
