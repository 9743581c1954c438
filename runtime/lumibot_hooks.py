"""Every change stratforge makes to Lumibot's own code, and every Lumibot internal it relies on.

Lumibot's internals move between releases, so each hook here is a named function that says
what it changes and why, `CHECKED_AGAINST` is the Lumibot release they were read against, and
`check_lumibot_version` logs a warning (once per process) when another release is installed.
`tests/runtime/test_lumibot_hooks.py` asserts that everything patched or read here still
exists in the installed Lumibot with the expected signature and behaviour.

The hooks:

* `set_market_input_evidence` — backtests: switch Lumibot's market-input evidence recorder
  (`lumibot.backtesting.market_input_evidence.record_market_input`) off or back on;
* `gate_order_submission` — live: route `Broker._submit_order`, the one call every single-leg
  order takes to the broker, through stratforge's risk gate;
* `market_hours_from_broker_clock` — live: `is_market_open` / `_await_market_to_open` /
  `_await_market_to_close` follow the broker's clock instead of the exchange calendar at the
  machine's time (the local venue's clock is simulated);
* `cached_market_hours` — live: `Broker.market_hours` reads the exchange's sessions off a kept
  schedule of the year instead of computing one at every call (Lumibot's live loop asks three
  times a second);
* `warm_live_schedules` — the bot launcher: compute the schedules a starting bot asks for
  (Lumibot's among them) once, before it forks the bots;
* `quiet_order_polling` — live: Lumibot's order-and-position poll (`Alpaca.do_polling`) runs
  every polling period only while an order is open or was just sent, else once per `idle_s`;
  so do the position refreshes of its strategy accessors (`Broker.refresh_positions`) after a
  position sync;
* `quiet_iteration_sync` — live: the broker sync before every iteration refreshes only the
  balances while nothing of ours is open or was sent, a full sync at least once per `idle_s`;
* `gated_alpaca_class` — Lumibot's Alpaca broker with the live hooks above;
* `shift_data_clock` — live on a simulated clock: the `now()` Lumibot's data modules see
  (`alpaca_data.dt`, `data_source.datetime`) follows the broker's clock;
* `force_sleeptime` — live: a deployment's sleeptime survives the strategy's `initialize`;
* `first_iteration_at_once` — live: the first trading iteration runs when Lumibot's scheduler
  is set up, not at the first whole second (or minute) of its cron trigger;
* `patient_idle_waits` — live: Lumibot's event loop (`check_queue`, every 0.5 s) and order
  thread (`_wait_for_orders`, every 0.1 s) wake on news, and on a timer only while busy;
* `persist_vars` — live: `strategy.vars` written to a file after every iteration and read back
  once before the first iteration of a restarted bot, in Lumibot's own variable encoding;
* `numbered_iterations` — live: a subclass of the strategy class whose `on_trading_iteration`
  tells the bot when each iteration starts and ends (client order ids follow the decision);
* `strategy_threads` — reads `Trader._pool`, Lumibot's list of strategy threads.
"""

from __future__ import annotations

import datetime as _dt
import functools
import threading
import time
import types
from collections.abc import Callable
from importlib import metadata
from typing import Any, cast

from core.logging import get_logger

log = get_logger(__name__)

CHECKED_AGAINST = "4.6.30"

# (broker, order, submit) -> order: `submit` is Lumibot's own `_submit_order` of that broker.
SubmitGate = Callable[[Any, Any, Callable[[Any], Any]], Any]

_ORIGINALS: dict[str, Any] = {}


def installed_lumibot_version() -> str | None:
    try:
        return metadata.version("lumibot")
    except metadata.PackageNotFoundError:
        return None


@functools.cache
def check_lumibot_version() -> bool:
    """True when the installed Lumibot is the release the hooks were checked against; else
    logs a warning (once per process) and returns False. The hooks still apply."""
    installed = installed_lumibot_version()
    if installed == CHECKED_AGAINST:
        return True
    log.warning(
        "installed lumibot differs from the release its hooks were checked against; "
        "run tests/runtime/test_lumibot_hooks.py",
        extra={"installed": installed, "checked_against": CHECKED_AGAINST},
    )
    return False


# -- backtests -----------------------------------------------------------------------------------
def _no_evidence(**_: Any) -> None:
    return None


def set_market_input_evidence(enabled: bool) -> None:
    """Switch Lumibot's market-input evidence recorder off (`enabled=False`) or back on.

    Patches `lumibot.backtesting.market_input_evidence.record_market_input`. Lumibot 4.6
    fingerprints every bar of every history call (float.hex, sha256) for its own provenance
    files (logs/market_input*.csv): about half of a daily backtest's time, measured with
    cProfile here. stratforge reads none of those files, and the recorder is a diagnostic that
    never changes data or orders (tests compare pooled fills with a fresh worker's). Lumibot's
    callers import the function at call time, so the module attribute is what they get.
    Any backtest process may call this before it runs a backtest."""
    check_lumibot_version()
    from lumibot.backtesting import market_input_evidence as evidence

    original = _ORIGINALS.setdefault("record_market_input", evidence.record_market_input)
    evidence.record_market_input = original if enabled else _no_evidence


# -- live brokers ---------------------------------------------------------------------------------
def gate_order_submission(gate: SubmitGate) -> type:
    """A mixin for a Lumibot broker class: its `_submit_order(order)` goes through `gate`.

    Overrides `Broker._submit_order`. In Lumibot every single-leg order reaches the broker
    through it (from `Broker.submit_order` and from the broker's order-queue thread), so it is
    the one place where a risk gate sees every order before the broker does. `gate` gets the
    broker, the order and Lumibot's own `_submit_order`, and decides whether to call it."""
    check_lumibot_version()

    class GatedSubmission:
        def _submit_order(self, order: Any) -> Any:
            parent = cast(Any, super())._submit_order
            return gate(self, order, parent)

    return GatedSubmission


def market_hours_from_broker_clock(stop: threading.Event,
                                   market_open: Callable[[], bool] | None = None) -> type:
    """A mixin for Lumibot's Alpaca broker: market hours are what the broker's clock says.

    Overrides `is_market_open`, `_await_market_to_open(timedelta, strategy)` and
    `_await_market_to_close(timedelta, strategy)`. Lumibot's versions read the exchange
    calendar at the machine's wall-clock time and sleep until the computed open or close; the
    local venue's clock is simulated, so they would be wrong there, and a long sleep would not
    end on a stop. These ask the broker (`market_open()`, a clock the caller keeps — the bot's
    asks the broker again once the last answer's next open or close has passed — else
    `self.api.get_clock()` at every call) and wait in 1 s steps that end as soon as `stop` is
    set."""
    check_lumibot_version()

    class BrokerClockHours:
        api: Any  # Lumibot's Alpaca broker: its alpaca-py TradingClient

        def is_market_open(self) -> bool:
            if market_open is not None:
                return market_open()
            return bool(self.api.get_clock().is_open)

        def _await_market_to_open(self, timedelta: Any = None, strategy: Any = None) -> None:
            while not stop.is_set() and not self.is_market_open():
                stop.wait(1.0)

        def _await_market_to_close(self, timedelta: Any = None, strategy: Any = None) -> None:
            while not stop.is_set() and self.is_market_open():
                stop.wait(1.0)

    return BrokerClockHours


_SCHEDULES: dict[tuple[str, Any], Any] = {}
_SCHEDULES_LOCK = threading.Lock()
_SCHEDULES_KEPT = 16
# the answers themselves: (market, day, close, next, extended minutes) -> Timestamp
_HOURS: dict[tuple[Any, ...], Any] = {}
_HOURS_KEPT = 256


def cached_market_hours() -> type:
    """A mixin for Lumibot's brokers: `market_hours` with the exchange schedule cached.

    Overrides `Broker.market_hours(market, close, next, date)`. Lumibot's live loop
    (`StrategyExecutor._handle_lifecycle_methods`, every second) calls `market_close_time()`
    twice and `market_open_time()` once, and each call builds a pandas_market_calendars
    schedule from scratch — every holiday rule evaluated over the years: profiled with py-spy,
    86 % of an idle bot's CPU. The schedule depends only on the market and the day
    (pandas_market_calendars strips time and zone from both ends): its first two sessions are
    read off the year's schedule, computed once per (market, year) by the shared calendar
    (`runtime.shared_calendars.year_schedule`; the bot launcher computes this year's and the
    next before it forks bots), kept per (market, day) and shared by every broker of the
    process; the answer is Lumibot's own (the same rows, the same `extended_trading_minutes`).
    The answers are kept too, keyed by the day read straight off a datetime (the loop asks
    once a second; building pandas Timestamps for the key and picking the row was most of
    what was left of each call)."""
    check_lumibot_version()

    class CachedMarketHours:
        market: Any
        extended_trading_minutes: Any

        def market_hours(self, market: str = "NASDAQ", close: bool = True, next: bool = False,
                         date: Any = None) -> Any:
            market = self.market if self.market is not None else market
            date = date if date is not None else _dt.datetime.now(_dt.UTC)
            quick = None
            if isinstance(date, _dt.datetime):  # its own wall-clock day, as pandas reads it
                quick = (market, date.date(), close, next, self.extended_trading_minutes)
                answer = _HOURS.get(quick)
                if answer is not None:
                    return answer
            answer = _market_hours_of_day(market, close, next, date,
                                          self.extended_trading_minutes)
            if quick is not None:
                with _SCHEDULES_LOCK:
                    if len(_HOURS) >= _HOURS_KEPT:
                        _HOURS.clear()
                    _HOURS[quick] = answer
            return answer

    return CachedMarketHours


def _market_hours_of_day(market: str, close: bool, next: bool, date: Any,
                         extended_minutes: Any) -> Any:
    """Lumibot's `Broker.market_hours` answer, from the (market, day) schedule cache."""
    import pandas as pd

    from runtime.shared_calendars import year_schedule

    day = pd.Timestamp(date).tz_localize(None).normalize()  # the day, as the calendar reads it
    key = (market, day)
    with _SCHEDULES_LOCK:
        hours = _SCHEDULES.get(key)
    if hours is None:
        # Lumibot's `schedule(date, date + 1 week).head(2)`: the first two sessions from that
        # day, read off the kept schedules of its year (and the next, at the year's end)
        sessions = year_schedule(market, day.year)
        hours = sessions[sessions.index >= day].head(2)
        if len(hours) < 2:
            hours = pd.concat([hours, year_schedule(market, day.year + 1)]).head(2)
        with _SCHEDULES_LOCK:
            if len(_SCHEDULES) >= _SCHEDULES_KEPT:
                _SCHEDULES.pop(_oldest(_SCHEDULES), None)
            _SCHEDULES[key] = hours
    row = hours.iloc[1 if next else 0, :]
    market_open, market_close = row.iloc[0], row.iloc[1]
    if close:
        return market_close + _dt.timedelta(minutes=extended_minutes)
    return market_open


LUMIBOT_TIMEZONE = "America/New_York"  # lumibot.constants.LUMIBOT_DEFAULT_TIMEZONE
CONTINUOUS_PROBE_DAY = "2025-01-13"  # StrategyExecutor._is_continuous_market's reference day


def warm_live_schedules(market: str = "NYSE", today: _dt.date | None = None) -> None:
    """Compute, in the shared calendar of `market` (`runtime.shared_calendars`), the schedules
    a live bot asks for before its first order, so that a process forked afterwards gets them
    kept (the bot launcher calls this; it imports no Lumibot, and neither does this):

    * `cached_market_hours`: the calendar years of `today` and the next (`year_schedule`);
    * Lumibot's `lumibot.tools.helpers._get_trading_schedule_for_year(market, year, tz)`
      (behind `StrategyExecutor._initialize_live_market_calendars`, two weeks either side of
      the machine's now): the same years, Jan 1 to Dec 31, columns in Lumibot's timezone;
    * Lumibot's `StrategyExecutor._is_continuous_market`: the days around its reference day.

    Only what is computed here is affected: a bot asking for anything else computes it."""
    import pandas as pd
    import pytz

    from runtime.shared_calendars import shared_calendar, year_schedule

    today = today or _dt.datetime.now(_dt.UTC).date()
    calendar = shared_calendar(market)
    lumibot_tz = pytz.timezone(LUMIBOT_TIMEZONE)
    for year in sorted({(today - _dt.timedelta(days=14)).year, today.year, today.year + 1}):
        year_schedule(market, year)
        calendar.schedule(start_date=pd.Timestamp(year=year, month=1, day=1),
                          end_date=pd.Timestamp(year=year, month=12, day=31), tz=lumibot_tz)
    probe = pd.Timestamp(CONTINUOUS_PROBE_DAY, tz="UTC")
    calendar.schedule(start_date=probe - _dt.timedelta(days=3),
                      end_date=probe + _dt.timedelta(days=7))


def _oldest(mapping: dict[Any, Any]) -> Any:
    """The first key of a dict in insertion order (`market_hours` shadows `next`)."""
    return next(iter(mapping))


def quiet_order_polling(idle_s: float) -> type:
    """A mixin for Lumibot's Alpaca broker: its poll runs when it can learn something.

    Overrides `Alpaca.do_polling` (the action of the `PollingStream` Lumibot uses with injected
    HTTP clients, every `polling_interval`: the account's positions and all its orders, two
    requests and the parsing of every order) and `_submit_order`. The poll runs as before
    while Lumibot tracks an active order (`get_active_tracked_orders`: unprocessed, new,
    partially filled) or an order was submitted since the last poll; otherwise at most once
    per `idle_s`, which still catches a change made outside the strategy. Lumibot's strategy
    refreshes positions itself when it asks for them (`Strategy._refresh_live_positions`).

    Also overrides `Broker.refresh_positions(strategy, ttl_seconds)` (behind every
    `Strategy.get_positions` / `get_position`: Lumibot's stats tracer asks once a second, its
    live loop ticking at whole seconds, and the strategy once more right after the iteration's
    own `sync_broker`) and stamps `Broker.sync_positions`: while nothing is active or sent,
    positions synced less than `idle_s` ago are not asked for again (a sync runs at every
    iteration's start and in every poll; positions change by fills, which the busy poll sees).
    A starting bot asked the venue for positions ten times before its first order; an idle one
    once a second."""
    check_lumibot_version()

    class QuietOrderPolling:
        _quiet_polled_at = -float("inf")
        _quiet_submitted = False
        _quiet_positions_at = -float("inf")
        quiet_submits = 0  # orders sent so far (read by `quiet_iteration_sync`)

        def _quiet_busy(self) -> bool:
            return self._quiet_submitted or bool(cast(Any, self).get_active_tracked_orders())

        def quiet_since(self, submits: int) -> bool:
            """Nothing of ours is active and no order was sent since `quiet_submits` read
            `submits`."""
            return self.quiet_submits == submits and not cast(Any, self).get_active_tracked_orders()

        def sync_positions(self, strategy: Any) -> Any:
            result = cast(Any, super()).sync_positions(strategy)
            self._quiet_positions_at = time.monotonic()
            return result

        def refresh_positions(self, strategy: Any, ttl_seconds: float = 0.0) -> Any:
            if not self._quiet_busy() and time.monotonic() - self._quiet_positions_at < idle_s:
                return None
            return cast(Any, super()).refresh_positions(strategy, ttl_seconds=ttl_seconds)

        def _submit_order(self, order: Any) -> Any:
            self._quiet_submitted = True
            self.quiet_submits += 1
            return cast(Any, super())._submit_order(order)

        def do_polling(self) -> Any:
            now = time.monotonic()
            busy = self._quiet_busy()
            if not busy and now - self._quiet_polled_at < idle_s:
                return None
            self._quiet_submitted = False
            self._quiet_polled_at = now
            return cast(Any, super()).do_polling()

    return QuietOrderPolling


def quiet_iteration_sync(strategy: Any, idle_s: float) -> None:
    """Make the broker sync at the start of every live iteration cheap while nothing happens.

    Lumibot's `StrategyExecutor.sync_broker` runs before every trading iteration (and while
    the market is closed): the account's balances, every position, and the last 100 orders of
    the account (`status=all`), each parsed and compared with Lumibot's own — three requests
    and work that grows with the bot's order history, every 5 s for a 5-second bot. Positions
    and orders change only by fills of our orders or by outside hands. So while the broker (a
    `quiet_order_polling` one) tracks no active order, none was sent since the last full sync,
    that sync began with none active and is less than `idle_s` old, the iteration refreshes
    only the balances (`Strategy.update_broker_balances`: cash and the portfolio value, which
    moves with prices and sizes orders) and skips the rest. A full sync runs at the first
    iteration (Lumibot's restart recovery), after any order, while one is open and once
    after, and at least once per `idle_s`: how late a change made outside the strategy (a
    position closed by hand) is seen. An instance patch; call it after the strategy is built
    and before the trader runs it."""
    check_lumibot_version()
    executor = strategy._executor
    broker = strategy.broker
    full_sync = executor.sync_broker
    synced_at = -float("inf")
    submits_then = -1
    settled = False  # the last full sync began with nothing of ours active

    def sync_broker() -> None:
        nonlocal synced_at, submits_then, settled
        now = time.monotonic()
        if settled and now - synced_at < idle_s and broker.quiet_since(submits_then):
            strategy.update_broker_balances(force_update=True)
            return
        submits = broker.quiet_submits  # read first: an order sent during the sync counts
        quiet = broker.quiet_since(submits)
        full_sync()
        synced_at, submits_then, settled = now, submits, quiet

    executor.sync_broker = sync_broker


def gated_alpaca_class(gate: SubmitGate, stop: threading.Event, *,
                       market_open: Callable[[], bool] | None = None,
                       idle_poll_s: float | None = None) -> type:
    """Lumibot's Alpaca broker with `gate_order_submission`, `market_hours_from_broker_clock`,
    `cached_market_hours` and (with `idle_poll_s`) `quiet_order_polling`: the broker class of
    every deployed bot."""
    from lumibot.brokers import Alpaca

    mixins: list[type] = [gate_order_submission(gate),
                          market_hours_from_broker_clock(stop, market_open),
                          cached_market_hours()]
    if idle_poll_s is not None:
        mixins.append(quiet_order_polling(idle_poll_s))
    return type(
        "GatedAlpaca", (*mixins, Alpaca),
        {"__doc__": "Lumibot's Alpaca broker; every single-leg order goes through the gate."},
    )


def shift_data_clock(offset: Callable[[], _dt.timedelta]) -> Callable[[], None]:
    """Make the `now()` of Lumibot's data modules run `offset()` ahead of the machine's clock;
    returns a function that undoes it.

    Patches `lumibot.data_sources.alpaca_data.dt` (its `datetime` module: `dt.datetime.now`
    ends every bar request) and `lumibot.data_sources.data_source.datetime` (the class behind
    `DataSource.get_datetime`). Against the local venue, whose clock is simulated, the
    machine's `now()` is years after its data; the bot refreshes the offset (venue clock -
    wall clock) with every heartbeat. The replacement class is a subclass of the real
    `datetime` whose instances stay ordinary datetimes (isinstance checks keep working)."""
    check_lumibot_version()
    from lumibot.data_sources import alpaca_data, data_source

    original_module = _ORIGINALS.setdefault("alpaca_data.dt", alpaca_data.dt)
    original_class = _ORIGINALS.setdefault("data_source.datetime", data_source.datetime)
    real: Any = _dt.datetime

    class _Meta(type):
        def __instancecheck__(self, obj: object) -> bool:
            return isinstance(obj, real)

        def __subclasscheck__(self, sub: type) -> bool:
            return issubclass(sub, real)

    class ShiftedDatetime(real, metaclass=_Meta):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return real.now(tz) + offset()

    namespace = dict(_dt.__dict__)
    namespace["datetime"] = ShiftedDatetime
    shifted_module = types.ModuleType("datetime")
    shifted_module.__dict__.update(namespace)
    alpaca_data.dt = shifted_module
    data_source.datetime = ShiftedDatetime

    def undo() -> None:
        alpaca_data.dt = original_module
        data_source.datetime = original_class

    return undo


# -- live strategies -------------------------------------------------------------------------------
def force_sleeptime(strategy: Any, sleeptime: str) -> None:
    """Give a strategy instance `sleeptime`, and again after its own `initialize` ran.

    Replaces the instance's `initialize` (Lumibot's executor calls `strategy.initialize(...)`
    once, in the strategy's thread). Generated strategies set their own sleeptime there, but a
    deployment may override it (e.g. "10S" on the venue, whose clock runs fast)."""
    strategy.sleeptime = sleeptime
    original_initialize = strategy.initialize

    def initialize(*args: Any, **kwargs: Any) -> Any:
        result = original_initialize(*args, **kwargs)
        strategy.sleeptime = sleeptime
        return result

    strategy.initialize = initialize


ITERATION_JOB = ("OTIM", "On_Trading_Iteration")  # Lumibot's iteration job and its job store


def iterates_at_once(strategy: Any) -> bool:
    """Whether `first_iteration_at_once` brings this strategy's first iteration forward: its
    sleeptime counts seconds or minutes (hours and days start on the hour or at a minute)."""
    sleeptime = strategy.sleeptime
    unit = sleeptime[-1:].upper() if isinstance(sleeptime, str) else "M"
    return unit in ("S", "M", "T")


def first_iteration_at_once(strategy: Any) -> None:
    """Run a live strategy's first trading iteration as soon as its scheduler is set up.

    Wraps the instance's `executor._setup_live_trading_scheduler`: Lumibot's live session
    starts an APScheduler `BackgroundScheduler` there and adds the job "OTIM"
    (`_on_trading_iteration`, job store "On_Trading_Iteration") on a cron trigger of the
    sleeptime's unit (every whole second for "5S", every whole minute for "M"), its count
    primed so that the trigger's first tick iterates: a starting bot waited for the next whole
    second or minute. The first time (only), for those two units, the job's next run is moved
    to now; later iterations keep the trigger's cadence. Hours and days, which Lumibot starts
    on the hour or at a chosen minute, are left alone. Call it before the trader runs."""
    check_lumibot_version()
    executor = strategy._executor
    original = executor._setup_live_trading_scheduler
    done = False

    def setup() -> Any:
        nonlocal done
        result = original()
        if not done and iterates_at_once(strategy):
            done = True
            scheduler = executor.scheduler
            job_id, store = ITERATION_JOB
            try:
                scheduler.modify_job(job_id, jobstore=store,
                                     next_run_time=_dt.datetime.now(scheduler.timezone))
            except Exception as exc:  # the trigger's own first tick will do
                log.warning("first iteration not brought forward", extra={"error": str(exc)})
        return result

    executor._setup_live_trading_scheduler = setup


def patient_idle_waits(strategy: Any, idle_s: float) -> None:
    """Make a live strategy's two fastest Lumibot loops sleep while nothing is happening.

    Lumibot's `StrategyExecutor.check_queue` thread wakes every 0.5 s (0.1 s during an
    iteration) to drain the strategy's event queue and work SMART_LIMIT orders, and its
    broker's `_wait_for_orders` thread wakes every 0.1 s to look at a stop flag while it waits
    for queued orders: each a few tenths of a percent of a core per idle bot. Both now wake
    at once for news and keep Lumibot's cadence while busy, and otherwise sleep up to
    `idle_s`:

    * `executor._queue_wakeup` (the Event `check_queue` waits on) waits `idle_s` instead of its
      timeout unless an iteration runs or the broker tracks an active order;
    * `executor.add_event` also sets that wakeup for every event, not only fills and cancels
      (so an order event never waits out the longer sleep), and `executor.
      check_queue_stop_event.set()` sets it too (a stop is not delayed);
    * `broker._orders_queue.get` waits at least `idle_s` (a put still wakes it at once; its
      timeout only served to look at the broker's stop flag, and Lumibot joins that daemon
      thread for at most 1 s on cleanup).

    Instances only, by class swaps onto subclasses of `threading.Event` / `queue.Queue`;
    call it after the strategy is built and before the trader runs it."""
    import queue

    check_lumibot_version()
    executor = strategy._executor
    broker = strategy.broker

    def busy() -> bool:
        return bool(getattr(executor, "_in_trading_iteration", False)) or bool(
            broker.get_active_tracked_orders())

    wakeup = executor._queue_wakeup
    wakeup.__class__ = _IdleEvent
    wakeup.idle_s, wakeup.busy = idle_s, busy
    stop = executor.check_queue_stop_event
    stop.__class__ = _LinkedEvent
    stop.linked = wakeup
    original_add_event = executor.add_event

    def add_event(event_name: Any, payload: Any) -> None:
        original_add_event(event_name, payload)
        wakeup.set()

    executor.add_event = add_event
    orders: Any = broker._orders_queue
    if type(orders) is queue.Queue:
        orders.__class__ = _patient_queue_class()
        setattr(orders, "floor_s", idle_s)  # noqa: B010 (narrowed to Queue above)


class _IdleEvent(threading.Event):
    """An Event whose waits last `idle_s` while `busy()` says nothing is going on."""

    idle_s: float = 0.0
    busy: Callable[[], bool] = staticmethod(lambda: True)

    def wait(self, timeout: float | None = None) -> bool:
        if timeout is not None and timeout < self.idle_s and not self.busy():
            timeout = self.idle_s
        return super().wait(timeout)


class _LinkedEvent(threading.Event):
    """An Event whose `set()` also sets `linked` (a stop flag that wakes its sleeper)."""

    linked: threading.Event | None = None

    def set(self) -> None:
        super().set()
        if self.linked is not None:
            self.linked.set()


@functools.cache
def _patient_queue_class() -> type:
    import queue

    class PatientQueue(queue.Queue[Any]):
        """A Queue whose timed `get` waits at least `floor_s` (a put wakes it at once)."""

        floor_s = 0.0

        def get(self, block: bool = True, timeout: float | None = None) -> Any:
            if block and timeout is not None:
                timeout = max(timeout, self.floor_s)
            return super().get(block, timeout)

    return PatientQueue


def persist_vars(strategy: Any, path: Any) -> None:
    """Keep a live strategy's `vars` in `path` (JSON, 0600) across restarts.

    Replaces the instance's `load_variables_from_db` and `backup_variables_to_db`: Lumibot's
    live executor calls the first before every trading iteration and the second after every
    iteration and at the end (its own versions write to a database, or to a file only in its
    "scheduled execution" mode, which changes much else). Here the file is read once, before
    the first iteration (after `initialize`, so restored values win over its defaults), and
    written atomically (temp file, fsync, rename) whenever the variables changed, with
    Lumibot's own encoding (`_serialize_variables_for_backup`: datetimes, dates, tuples,
    Assets). A failure to write is logged and never stops the strategy."""
    import os
    from pathlib import Path

    target = Path(path)
    restored = False

    def load_variables_from_db() -> None:
        nonlocal restored
        if restored:
            return
        restored = True
        try:
            text = target.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        try:
            data = strategy._deserialize_variables_from_backup(text, strategy.vars.all())
        except Exception as exc:
            log.error("strategy variables unreadable; starting without them",
                      extra={"path": str(target), "error": str(exc)[:300]})
            return
        for key, value in data.items():
            strategy.vars.set(key, value)
        strategy._last_backup_state = strategy._serialize_variables_for_backup(
            strategy.vars.all())
        log.info("strategy variables restored", extra={"path": str(target), "count": len(data)})

    def backup_variables_to_db() -> None:
        try:
            state = strategy._serialize_variables_for_backup(strategy.vars.all())
            if state == getattr(strategy, "_last_backup_state", None):
                return
            tmp = target.with_name(target.name + ".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(state)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
            strategy._last_backup_state = state
        except Exception as exc:
            log.error("strategy variables not saved",
                      extra={"path": str(target), "error": str(exc)[:300]})

    strategy.load_variables_from_db = load_variables_from_db
    strategy.backup_variables_to_db = backup_variables_to_db


def numbered_iterations(strategy_class: type, started: Callable[[], None],
                        ended: Callable[[], None]) -> type:
    """A subclass of `strategy_class` whose `on_trading_iteration` calls `started()` before the
    strategy's own and `ended()` after it (also when it raised).

    A subclass, not an instance attribute: Lumibot's `StrategyExecutor` takes the bound
    `on_trading_iteration` when it is built, which may be inside `Strategy.__init__`. The
    subclass keeps the class's name (Lumibot names the strategy after it)."""
    check_lumibot_version()

    def on_trading_iteration(self: Any) -> Any:
        started()
        try:
            return strategy_class.on_trading_iteration(self)  # type: ignore[attr-defined]
        finally:
            ended()

    return type(strategy_class.__name__, (strategy_class,), {
        "on_trading_iteration": on_trading_iteration,
        "__qualname__": strategy_class.__qualname__,
        "__module__": strategy_class.__module__,
    })


def strategy_threads(trader: Any) -> list[threading.Thread]:
    """The strategy threads of a Lumibot `Trader` after `run_all` (reads `Trader._pool`,
    which Lumibot has no public accessor for): a bot whose threads all ended has stopped."""
    return list(trader._pool)
