"""Every Lumibot internal `runtime.lumibot_hooks` patches or reads still exists in the installed
Lumibot with the signature and behaviour the hooks expect: moving Lumibot's version fails here,
loudly, instead of a hook silently doing nothing."""

from __future__ import annotations

import inspect
import json
import logging
import os
import threading
import time
import types
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest

os.environ.setdefault("LUMIBOT_DISABLE_DOTENV", "1")
os.environ.setdefault("LUMIBOT_DISABLE_UI", "1")

from runtime import lumibot_hooks, shared_calendars


def _params(func: Any) -> list[str]:
    return list(inspect.signature(func).parameters)


def _source(obj: Any) -> str:
    return inspect.getsource(obj)


# -- the version -----------------------------------------------------------------------------------
def test_the_installed_lumibot_is_the_release_the_hooks_were_checked_against() -> None:
    # Moving Lumibot: re-read each hook against its source, make this file pass, then bump
    # lumibot_hooks.CHECKED_AGAINST.
    assert lumibot_hooks.installed_lumibot_version() == lumibot_hooks.CHECKED_AGAINST
    lumibot_hooks.check_lumibot_version.cache_clear()
    assert lumibot_hooks.check_lumibot_version()


def test_another_lumibot_release_is_logged(monkeypatch: pytest.MonkeyPatch,
                                            caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(lumibot_hooks, "installed_lumibot_version", lambda: "9.9.9")
    lumibot_hooks.check_lumibot_version.cache_clear()
    logger = logging.getLogger("stratforge")
    monkeypatch.setattr(logger, "propagate", True)
    try:
        with caplog.at_level(logging.WARNING, logger="stratforge"):
            assert not lumibot_hooks.check_lumibot_version()
            assert not lumibot_hooks.check_lumibot_version()  # warned once
    finally:
        lumibot_hooks.check_lumibot_version.cache_clear()
    warnings = [r for r in caplog.records if "checked against" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].__dict__["installed"] == "9.9.9"


# -- set_market_input_evidence ------------------------------------------------------------------
def test_the_evidence_recorder_is_looked_up_at_call_time() -> None:
    from lumibot.backtesting import market_input_evidence as evidence
    from lumibot.indicators import indicators
    from lumibot.strategies import strategy

    params = inspect.signature(evidence.record_market_input).parameters
    assert {p.name for p in params.values() if p.kind is p.KEYWORD_ONLY} == {
        "source", "asset", "timestep", "when", "frame", "purpose", "quote"}
    for caller in (strategy, indicators):
        # imported inside the functions that call it, so the module attribute is what runs
        assert "record_market_input" not in vars(caller)
        assert "from lumibot.backtesting.market_input_evidence import record_market_input" \
            in _source(caller)


def test_market_input_evidence_switches_off_and_back_on() -> None:
    from lumibot.backtesting import market_input_evidence as evidence

    original = evidence.record_market_input

    def record(source: Any) -> None:
        evidence.record_market_input(source=source, asset="SPY", timestep="day",
                                     when=datetime(2024, 6, 3, tzinfo=UTC), frame=None,
                                     purpose="test")

    try:
        lumibot_hooks.set_market_input_evidence(False)
        off = types.SimpleNamespace()
        record(off)
        assert not hasattr(off, "_market_input_evidence")
    finally:
        lumibot_hooks.set_market_input_evidence(True)
    assert evidence.record_market_input is original
    on = types.SimpleNamespace()
    record(on)
    assert isinstance(on._market_input_evidence, evidence.MarketInputEvidence)
    assert len(on._market_input_evidence.observations) == 1


# -- gate_order_submission -----------------------------------------------------------------------
def test_every_single_leg_order_goes_through_submit_order() -> None:
    from lumibot.brokers import Alpaca, Broker

    assert _params(Alpaca._submit_order) == ["self", "order"]
    assert _params(Broker._submit_order) == ["self", "order"]
    assert "return self._submit_order(order)" in _source(Broker.submit_order)
    assert "self._submit_order(block)" in _source(Broker._wait_for_orders)


def test_the_gate_sees_the_order_and_lumibots_own_submit() -> None:
    calls: list[tuple[Any, Any]] = []

    class Base:
        def _submit_order(self, order: Any) -> Any:
            return ("sent", order)

    def gate(broker: Any, order: Any, submit: Any) -> Any:
        calls.append((broker, order))
        return submit(order) if order != "refuse" else "refused"

    broker: Any = type("B", (lumibot_hooks.gate_order_submission(gate), Base), {})()
    assert broker._submit_order("o1") == ("sent", "o1")
    assert broker._submit_order("refuse") == "refused"
    assert calls == [(broker, "o1"), (broker, "refuse")]


# -- market_hours_from_broker_clock -------------------------------------------------------------
def test_lumibot_asks_the_broker_for_market_hours() -> None:
    from lumibot.brokers import Alpaca
    from lumibot.strategies.strategy import Strategy
    from lumibot.strategies.strategy_executor import StrategyExecutor

    assert _params(Alpaca.is_market_open) == ["self"]
    for name in ("_await_market_to_open", "_await_market_to_close"):
        assert _params(getattr(Alpaca, name)) == ["self", "timedelta", "strategy"]
    assert "self.broker._await_market_to_open(timedelta, strategy=self)" in _source(
        Strategy.await_market_to_open)
    assert "self.broker._await_market_to_close(timedelta, strategy=self)" in _source(
        Strategy.await_market_to_close)
    assert "self.broker.is_market_open()" in _source(StrategyExecutor)
    assert isinstance(inspect.getattr_static(Alpaca, "api"), property)  # the TradingClient


def test_market_hours_follow_the_broker_clock_and_waits_end_on_stop() -> None:
    class Clock:
        def __init__(self) -> None:
            self.answers = [False, False, True]

        def get_clock(self) -> Any:
            is_open = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
            return types.SimpleNamespace(is_open=is_open)

    class NoSleep(threading.Event):
        waits = 0

        def wait(self, timeout: float | None = None) -> bool:
            self.waits += 1
            return self.is_set()

    stop = NoSleep()
    broker: Any = type("B", (lumibot_hooks.market_hours_from_broker_clock(stop),), {})()
    broker.api = Clock()
    assert broker.is_market_open() is False
    broker._await_market_to_open(None, strategy=None)  # returns once the clock says open
    assert stop.waits == 1
    assert broker.is_market_open() is True
    stop.set()
    broker._await_market_to_close(timedelta=0, strategy=None)  # open, but stopping: returns
    assert stop.waits == 1


def test_market_hours_from_a_kept_clock_ask_no_broker() -> None:
    answers = [False, True]
    broker: Any = type("B", (lumibot_hooks.market_hours_from_broker_clock(
        threading.Event(), market_open=lambda: answers.pop(0)),), {})()
    broker.api = None  # never asked
    assert broker.is_market_open() is False
    assert broker.is_market_open() is True


def test_the_bot_broker_is_lumibots_alpaca_with_both_hooks() -> None:
    from lumibot.brokers import Alpaca

    cls = lumibot_hooks.gated_alpaca_class(lambda b, o, submit: submit(o), threading.Event(),
                                           idle_poll_s=60.0)
    assert issubclass(cls, Alpaca)
    for name in ("_submit_order", "is_market_open", "_await_market_to_open",
                 "_await_market_to_close", "market_hours", "do_polling", "refresh_positions",
                 "sync_positions"):
        owner = next(c for c in cls.__mro__ if name in vars(c))
        assert owner.__module__ == lumibot_hooks.__name__, name
    assert isinstance(inspect.getattr_static(cls, "api"), property)  # not shadowed


# -- cached_market_hours ---------------------------------------------------------------------------
def test_lumibots_live_loop_asks_market_hours_through_the_broker() -> None:
    from lumibot.brokers.broker import Broker
    from lumibot.strategies.strategy_executor import StrategyExecutor

    assert _params(Broker.market_hours) == ["self", "market", "close", "next", "date"]
    assert "self.market_hours(close=True)" in _source(Broker.market_close_time)
    assert "self.market_hours(close=False)" in _source(Broker.market_open_time)
    assert "self.broker.market_close_time()" in _source(StrategyExecutor._handle_lifecycle_methods)
    assert "mkt_cal.schedule(" in _source(Broker.market_hours)


@pytest.mark.parametrize("market", ["NASDAQ", "NYSE"])
def test_cached_market_hours_answer_as_lumibot_does_and_compute_once_a_year(
    market: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lumibot.brokers.broker import Broker

    hours = lumibot_hooks.cached_market_hours().market_hours  # what the mixin puts first
    lumibot_hooks._SCHEDULES.clear()
    lumibot_hooks._HOURS.clear()
    days = [datetime(2026, 12, 24, 15, tzinfo=UTC),  # an early close
            datetime(2026, 12, 25, 15, tzinfo=UTC),  # a holiday: the next session
            datetime(2026, 7, 3, 23, 59, tzinfo=UTC), datetime(2027, 1, 4, 0, 1, tzinfo=UTC)]
    for minutes in (0, 30):
        broker = types.SimpleNamespace(market=market, extended_trading_minutes=minutes)
        for day in days:
            for close in (True, False):
                for nxt in (False, True):
                    assert hours(broker, close=close, next=nxt, date=day) == \
                        Broker.market_hours(broker, close=close, next=nxt, date=day)
    calls = _count_schedules(monkeypatch)
    monkeypatch.setattr(shared_calendars, "_SHARED", {})  # a calendar that kept nothing yet
    lumibot_hooks._SCHEDULES.clear()
    lumibot_hooks._HOURS.clear()
    broker = types.SimpleNamespace(market=market, extended_trading_minutes=0)
    for hour in (1, 9, 13, 20):
        hours(broker, close=True, date=datetime(2026, 3, 10, hour, tzinfo=UTC))
        hours(broker, close=False, date=datetime(2026, 3, 10, hour, tzinfo=UTC))
    assert len(calls) == 1  # the year's schedule
    hours(broker, date=datetime(2026, 3, 11, 1, tzinfo=UTC))
    hours(broker, next=True, date=datetime(2026, 12, 30, 1, tzinfo=UTC))
    assert len(calls) == 1  # the same year's
    assert hours(broker, next=True, date=datetime(2026, 12, 31, 1, tzinfo=UTC)) == \
        Broker.market_hours(broker, next=True, date=datetime(2026, 12, 31, 1, tzinfo=UTC))
    assert calls[1:2] == [pd.Timestamp(2027, 1, 1)]  # its next session is the next year's


def test_warm_live_schedules_computes_what_lumibot_asks_for_at_start(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bot launcher warms these before it forks: a starting bot's Lumibot then computes
    no schedule for its year of trading days nor its continuous-market probe."""
    import pandas_market_calendars as mcal
    from lumibot.constants import LUMIBOT_DEFAULT_TIMEZONE
    from lumibot.strategies.strategy_executor import StrategyExecutor
    from lumibot.tools import helpers

    assert LUMIBOT_DEFAULT_TIMEZONE == lumibot_hooks.LUMIBOT_TIMEZONE
    monkeypatch.setattr(shared_calendars, "_SHARED", {})
    monkeypatch.setattr(shared_calendars, "_ORIGINAL", {})
    monkeypatch.setattr(mcal, "get_calendar", mcal.get_calendar)  # restored after the test
    shared_calendars.share_calendars()
    today = datetime.now(UTC).date()
    lumibot_hooks.warm_live_schedules("NYSE", today)
    calls = _count_schedules(monkeypatch)
    helpers._get_trading_schedule_for_year.cache_clear()
    try:
        for market in ("NASDAQ", "NYSE"):  # Lumibot's Alpaca default and its alias
            for year in (today.year, today.year + 1):
                kept = helpers._get_trading_schedule_for_year(
                    market, year, LUMIBOT_DEFAULT_TIMEZONE)
                assert len(kept) > 200 and str(kept.index.tz) == LUMIBOT_DEFAULT_TIMEZONE
            executor = types.SimpleNamespace(_market_type_cache={})
            assert StrategyExecutor._is_continuous_market(executor, market) is False
            lumibot_hooks._SCHEDULES.clear()
            lumibot_hooks._HOURS.clear()
            hours = lumibot_hooks.cached_market_hours().market_hours
            hours(types.SimpleNamespace(market=market, extended_trading_minutes=0))
        assert calls == []
    finally:
        helpers._get_trading_schedule_for_year.cache_clear()


# -- quiet_order_polling ---------------------------------------------------------------------------
def test_lumibots_polling_stream_runs_do_polling_for_injected_clients() -> None:
    from lumibot.brokers import Alpaca
    from lumibot.brokers.broker import Broker

    assert _params(Alpaca.do_polling) == ["self"]
    assert "self.do_polling()" in _source(Alpaca._register_stream_events)
    assert "return PollingStream(self.polling_interval)" in _source(Alpaca._get_stream_object)
    assert _params(Broker.get_active_tracked_orders) == ["self", "strategy", "asset"]


def test_order_polling_is_quiet_while_nothing_is_open(monkeypatch: pytest.MonkeyPatch) -> None:
    polls: list[float] = []
    active: list[str] = []
    clock = [1000.0]
    monkeypatch.setattr(lumibot_hooks.time, "monotonic", lambda: clock[0])

    class Base:
        def do_polling(self) -> None:
            polls.append(clock[0])

        def _submit_order(self, order: Any) -> Any:
            return order

        def get_active_tracked_orders(self) -> list[str]:
            return list(active)

    broker: Any = type("B", (lumibot_hooks.quiet_order_polling(60.0), Base), {})()
    broker.do_polling()  # the first poll always runs
    for _ in range(5):
        clock[0] += 2.0
        broker.do_polling()
    assert polls == [1000.0]  # idle: skipped until 60 s have passed
    broker._submit_order("o")  # sent: the next poll runs whatever Lumibot tracks
    clock[0] += 2.0
    broker.do_polling()
    assert polls[-1] == clock[0]
    active.append("o")  # open: every poll runs
    for _ in range(3):
        clock[0] += 2.0
        broker.do_polling()
    assert len(polls) == 5
    active.clear()
    clock[0] += 2.0
    broker.do_polling()
    assert len(polls) == 5
    clock[0] += 60.0
    broker.do_polling()  # idle, but a minute passed
    assert len(polls) == 6


def test_lumibot_refreshes_positions_through_the_broker_and_syncs_them_there() -> None:
    from lumibot.brokers import Alpaca
    from lumibot.brokers.broker import Broker
    from lumibot.strategies.strategy import Strategy
    from lumibot.strategies.strategy_executor import StrategyExecutor

    assert _params(Broker.refresh_positions) == ["self", "strategy", "ttl_seconds"]
    assert _params(Broker.sync_positions) == ["self", "strategy"]
    assert "refresh_positions(self, ttl_seconds=" in _source(Strategy._refresh_live_positions)
    assert "self.sync_positions(" in _source(Broker.refresh_positions)
    assert "self.broker.sync_positions(" in _source(StrategyExecutor.sync_broker)
    assert "self.sync_positions(" in _source(Alpaca.do_polling)


def test_position_refreshes_are_quiet_after_a_sync_while_nothing_is_open(
        monkeypatch: pytest.MonkeyPatch) -> None:
    syncs: list[float] = []
    active: list[str] = []
    clock = [1000.0]
    monkeypatch.setattr(lumibot_hooks.time, "monotonic", lambda: clock[0])

    class Base:
        def sync_positions(self, strategy: Any) -> None:
            syncs.append(clock[0])

        def refresh_positions(self, strategy: Any, ttl_seconds: float = 0.0) -> None:
            self.sync_positions(strategy)

        def _submit_order(self, order: Any) -> Any:
            return order

        def get_active_tracked_orders(self) -> list[str]:
            return list(active)

    broker: Any = type("B", (lumibot_hooks.quiet_order_polling(60.0), Base), {})()
    broker.refresh_positions("s")  # never synced: asked
    assert syncs == [1000.0]
    for _ in range(5):  # Lumibot's tracer, once a second
        clock[0] += 1.0
        broker.refresh_positions("s", ttl_seconds=0.0)
    assert syncs == [1000.0]
    broker.sync_positions("s")  # an iteration's sync_broker or a poll: stamped
    assert len(syncs) == 2
    broker._submit_order("o")  # sent: refreshes are asked again
    clock[0] += 1.0
    broker.refresh_positions("s")
    assert len(syncs) == 3
    broker._quiet_submitted = False  # a poll ran; the order is open
    active.append("o")
    clock[0] += 1.0
    broker.refresh_positions("s")
    assert len(syncs) == 4
    active.clear()  # filled
    clock[0] += 1.0
    broker.refresh_positions("s")
    assert len(syncs) == 4
    clock[0] += 60.0
    broker.refresh_positions("s")  # idle, but a minute passed since the last sync
    assert len(syncs) == 5


# -- quiet_iteration_sync ----------------------------------------------------------------------
def test_lumibot_syncs_the_broker_before_every_live_iteration() -> None:
    from lumibot.strategies._strategy import _Strategy
    from lumibot.strategies.strategy_executor import StrategyExecutor

    assert "self.sync_broker()" in _source(StrategyExecutor._on_trading_iteration)
    sync = _source(StrategyExecutor.sync_broker)
    for step in ("_get_balances_at_broker(", "self.broker.sync_positions(",
                 "self.broker._pull_all_orders("):
        assert step in sync
    assert _params(_Strategy.update_broker_balances) == ["self", "force_update"]
    balances = _source(_Strategy.update_broker_balances)
    assert "_get_balances_at_broker(" in balances and "self._portfolio_value =" in balances


def test_the_iteration_sync_is_balances_only_while_nothing_is_open(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    active: list[str] = []
    clock = [1000.0]
    monkeypatch.setattr(lumibot_hooks.time, "monotonic", lambda: clock[0])

    class Base:
        def _submit_order(self, order: Any) -> Any:
            return order

        def get_active_tracked_orders(self) -> list[str]:
            return list(active)

    broker: Any = type("B", (lumibot_hooks.quiet_order_polling(60.0), Base), {})()
    executor: Any = types.SimpleNamespace(sync_broker=lambda: calls.append("full"))
    strategy: Any = types.SimpleNamespace(
        _executor=executor, broker=broker,
        update_broker_balances=lambda force_update: calls.append(f"balances {force_update}"))
    lumibot_hooks.quiet_iteration_sync(strategy, 60.0)

    def iterate(seconds: float = 5.0) -> str:
        clock[0] += seconds
        executor.sync_broker()
        return calls[-1]

    assert iterate() == "full"  # the first iteration: Lumibot's recovery of orders
    assert [iterate() for _ in range(3)] == ["balances True"] * 3  # idle
    broker._submit_order("o")  # an order sent during the iteration
    assert iterate() == "full"
    active.append("o")  # open: every iteration syncs in full
    assert [iterate() for _ in range(2)] == ["full", "full"]
    active.clear()  # filled: that full sync saw it
    assert iterate() == "full"
    assert iterate() == "balances True"
    assert iterate(60.0) == "full"  # idle, but the last full sync is a minute old


# -- first_iteration_at_once ---------------------------------------------------------------------
def test_lumibots_iteration_job_is_the_one_the_hook_brings_forward() -> None:
    from lumibot.strategies.strategy_executor import StrategyExecutor

    setup = _source(StrategyExecutor._setup_live_trading_scheduler)
    job_id, store = lumibot_hooks.ITERATION_JOB
    assert f'id="{job_id}"' in setup and f'jobstore="{store}"' in setup
    assert "self.cron_count = self.cron_count_target" in setup  # the first run iterates
    assert '"second"' in _source(StrategyExecutor.calculate_strategy_trigger)


def test_the_first_iteration_runs_at_once_and_later_ones_on_the_trigger() -> None:
    moved: list[tuple[str, str, Any]] = []
    setups: list[int] = []

    class Scheduler:
        timezone = UTC

        def modify_job(self, job_id: str, jobstore: str, next_run_time: Any) -> None:
            moved.append((job_id, jobstore, next_run_time))

    def made(sleeptime: str) -> Any:
        executor = types.SimpleNamespace(scheduler=Scheduler())
        executor._setup_live_trading_scheduler = lambda: setups.append(1)
        return types.SimpleNamespace(_executor=executor, sleeptime=sleeptime)

    seconds = made("5S")
    lumibot_hooks.first_iteration_at_once(seconds)
    before = datetime.now(UTC)
    seconds._executor._setup_live_trading_scheduler()
    assert len(setups) == 1  # Lumibot's own set-up ran
    [(job_id, store, when)] = moved
    assert (job_id, store) == lumibot_hooks.ITERATION_JOB and when >= before
    seconds._executor._setup_live_trading_scheduler()  # a later session: the trigger's cadence
    assert len(moved) == 1 and len(setups) == 2
    hours = made("1H")  # Lumibot starts it on the hour: left alone
    lumibot_hooks.first_iteration_at_once(hours)
    hours._executor._setup_live_trading_scheduler()
    assert len(moved) == 1


# -- patient_idle_waits ----------------------------------------------------------------------------
def test_lumibots_idle_loops_wait_where_the_hook_lengthens_them() -> None:
    from lumibot.brokers.broker import Broker
    from lumibot.strategies.strategy_executor import StrategyExecutor

    check_queue = _source(StrategyExecutor.check_queue)
    assert "self._queue_wakeup.wait(timeout=timeout)" in check_queue
    assert "while not self.check_queue_stop_event.is_set():" in check_queue
    assert "self._queue_wakeup.set()" in _source(StrategyExecutor.add_event)
    assert "self._orders_queue.get(timeout=0.1)" in _source(Broker._wait_for_orders)
    assert "subscriber.add_event(" in _source(Broker)


def test_idle_waits_are_long_until_something_happens() -> None:
    import queue

    from lumibot.strategies.strategy_executor import StrategyExecutor

    executor: Any = StrategyExecutor.__new__(StrategyExecutor)
    executor._queue_wakeup = threading.Event()
    executor.check_queue_stop_event = threading.Event()
    executor._in_trading_iteration = False
    executor.queue = queue.Queue()
    executor.priority_queue = queue.Queue()
    active: list[str] = []
    broker: Any = types.SimpleNamespace(_orders_queue=queue.Queue(),
                                        get_active_tracked_orders=lambda: list(active))
    strategy = types.SimpleNamespace(_executor=executor, broker=broker)
    lumibot_hooks.patient_idle_waits(strategy, 30.0)
    wakeup = executor._queue_wakeup
    waits: list[float | None] = []
    original_wait = threading.Event.wait

    def recording(self: threading.Event, timeout: float | None = None) -> bool:
        waits.append(timeout)
        return original_wait(self, 0)

    threading.Event.wait = recording  # type: ignore[method-assign]
    try:
        wakeup.wait(0.5)  # idle: the long wait
        executor._in_trading_iteration = True
        wakeup.wait(0.1)  # an iteration runs: Lumibot's own
        executor._in_trading_iteration = False
        active.append("o")
        wakeup.wait(0.5)  # an order is open: Lumibot's own
    finally:
        threading.Event.wait = original_wait  # type: ignore[method-assign]
    assert waits == [30.0, 0.1, 0.5]
    executor.add_event("new", {"order": "o"})  # any event wakes the loop at once
    assert wakeup.is_set() and executor.queue.get_nowait() == ("new", {"order": "o"})
    wakeup.clear()
    executor.check_queue_stop_event.set()  # and so does a stop
    assert wakeup.is_set()
    orders = broker._orders_queue
    orders.put("block")
    assert orders.get(timeout=0.1) == "block"  # a put is taken at once
    started = time.monotonic()
    orders.floor_s = 0.3
    with pytest.raises(queue.Empty):
        orders.get(timeout=0.1)  # waits the floor, not 0.1 s
    assert time.monotonic() - started >= 0.3


# -- persist_vars ----------------------------------------------------------------------------------
def test_lumibots_live_executor_loads_and_backs_up_vars_around_each_iteration() -> None:
    from lumibot.strategies.strategy import Strategy
    from lumibot.strategies.strategy_executor import StrategyExecutor

    source = _source(StrategyExecutor)
    assert "self.strategy.load_variables_from_db()" in source
    assert "self.strategy.backup_variables_to_db()" in source
    for name in ("_serialize_variables_for_backup", "_deserialize_variables_from_backup"):
        assert isinstance(inspect.getattr_static(Strategy, name), classmethod), name


def _vars_strategy() -> Any:
    from lumibot.strategies._strategy import Vars
    from lumibot.strategies.strategy import Strategy

    return types.SimpleNamespace(
        vars=Vars(),
        _serialize_variables_for_backup=Strategy._serialize_variables_for_backup,
        _deserialize_variables_from_backup=Strategy._deserialize_variables_from_backup,
    )


def test_vars_survive_a_restart_in_lumibots_encoding(tmp_path: Any) -> None:
    from datetime import date

    path = tmp_path / "vars.json"
    first = _vars_strategy()
    lumibot_hooks.persist_vars(first, path)
    first.load_variables_from_db()  # nothing saved yet: a fresh start
    first.vars.last_evaluated = (2026, 3)
    first.vars.peak_close = {"SPY": 412.5}
    first.vars.entered = date(2026, 3, 2)
    first.vars.seen_at = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
    first.backup_variables_to_db()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    inode = path.stat().st_ino
    first.backup_variables_to_db()  # unchanged: not rewritten
    assert path.stat().st_ino == inode

    again = _vars_strategy()
    again.vars.last_evaluated = None  # what `initialize` sets
    again.vars.peak_close = {}
    lumibot_hooks.persist_vars(again, path)
    again.load_variables_from_db()
    assert again.vars.all() == first.vars.all()
    assert again.vars.last_evaluated == (2026, 3)  # a tuple again, not a list
    again.vars.peak_close = {"SPY": 420.0}
    again.load_variables_from_db()  # only before the first iteration: memory wins after
    assert again.vars.peak_close == {"SPY": 420.0}


def test_unreadable_vars_are_logged_and_the_bot_starts_without_them(
    tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "vars.json"
    path.write_text("{torn")
    strategy = _vars_strategy()
    strategy.vars.count = 0
    lumibot_hooks.persist_vars(strategy, path)
    with caplog.at_level(logging.ERROR):
        strategy.load_variables_from_db()
    assert strategy.vars.count == 0
    assert "strategy variables unreadable" in caplog.text
    strategy.vars.count = 1
    strategy.backup_variables_to_db()  # the next save replaces the torn file
    assert json.loads(path.read_text()) == {"count": 1}
    (tmp_path / "vars.json").unlink()
    (tmp_path / "vars.json").mkdir()  # cannot be written: logged, never raised
    strategy.vars.count = 2
    with caplog.at_level(logging.ERROR):
        strategy.backup_variables_to_db()
    assert "strategy variables not saved" in caplog.text


# -- shift_data_clock ------------------------------------------------------------------------------
def test_lumibot_data_modules_read_now_where_the_hook_shifts_it() -> None:
    import datetime as real_datetime

    from lumibot.data_sources import alpaca_data, data_source
    from lumibot.data_sources.alpaca_data import AlpacaData
    from lumibot.data_sources.data_source import DataSource

    assert alpaca_data.dt.datetime is real_datetime.datetime
    # the end of every bar request: one symbol (via _get_dataframe_from_api) or several
    assert "self._get_dataframe_from_api(" in _source(AlpacaData.get_historical_prices)
    for method in (AlpacaData._get_dataframe_from_api, AlpacaData.get_bars):
        assert "now = dt.datetime.now(self.tzinfo)" in _source(method)
    assert data_source.datetime.now is not None  # a (lazy) reference to datetime.datetime
    assert "datetime.now()" in _source(DataSource.get_datetime)


def test_the_data_clock_is_shifted_and_restored() -> None:
    from lumibot.data_sources import alpaca_data, data_source

    before = (alpaca_data.dt, data_source.datetime)
    offset = timedelta(days=-400)
    undo = lumibot_hooks.shift_data_clock(lambda: offset)
    try:
        shifted = alpaca_data.dt.datetime.now(UTC) - datetime.now(UTC)
        assert abs(shifted - offset) < timedelta(seconds=5)
        assert abs(data_source.datetime.now() - datetime.now() - offset) < timedelta(seconds=5)
        assert isinstance(datetime.now(), alpaca_data.dt.datetime)  # real datetimes pass
        assert isinstance(alpaca_data.dt.datetime.now(), datetime)  # and so do shifted ones
        assert alpaca_data.dt.timedelta is timedelta
        offset = timedelta(days=-1)  # refreshed: the next now() follows
        assert abs(alpaca_data.dt.datetime.now() - datetime.now() - offset) < timedelta(seconds=5)
    finally:
        undo()
    assert (alpaca_data.dt, data_source.datetime) == before


# -- force_sleeptime / strategy_threads ----------------------------------------------------------
def test_lumibot_calls_the_instances_initialize_and_sleeptime_is_settable() -> None:
    from lumibot.strategies.strategy import Strategy
    from lumibot.strategies.strategy_executor import StrategyExecutor

    assert "self.strategy.initialize(**safe_params_to_pass)" in _source(
        StrategyExecutor._initialize)
    prop = inspect.getattr_static(Strategy, "sleeptime")
    assert isinstance(prop, property) and prop.fset is not None


def test_force_sleeptime_survives_initialize() -> None:
    class Strategyish:
        sleeptime: Any = "1D"

        def initialize(self) -> None:
            self.sleeptime = "1D"

    strategy = Strategyish()
    lumibot_hooks.force_sleeptime(strategy, "10S")
    assert strategy.sleeptime == "10S"
    strategy.initialize()
    assert strategy.sleeptime == "10S"


def test_the_trader_keeps_its_strategy_threads_in_pool() -> None:
    from lumibot.strategies.strategy_executor import StrategyExecutor
    from lumibot.traders import Trader

    trader = Trader()
    assert lumibot_hooks.strategy_threads(trader) == []
    assert "self._pool = [strategy._executor for strategy in self._strategies]" in _source(
        Trader._init_pool)
    assert issubclass(StrategyExecutor, threading.Thread)


def _count_schedules(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """From now on, every schedule a market calendar computes appends its start date here."""
    import pandas_market_calendars as mcal

    calls: list[Any] = []
    original = mcal.MarketCalendar.schedule

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("start_date", args[0] if args else None))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(mcal.MarketCalendar, "schedule", counting)
    return calls
