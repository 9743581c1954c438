"""The live worker's own pieces against the local venue (loopback): reconciliation with the
broker, client order id sequence continuity across restarts, the journal."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from alpaca.trading.enums import OrderSide, TimeInForce
from alpaca.trading.requests import MarketOrderRequest

from runtime.alpaca_clients import BrokerEndpoint
from runtime.bots.config import LiveConfig
from runtime.bots.journal import (
    Adopted,
    ExitCode,
    Halted,
    Intent,
    OrderUpdate,
    Running,
    Stopped,
    Submitted,
    read_events,
    read_new_events,
)
from runtime.bots.journal import Journal as TypedJournal
from runtime.bots.live_worker import Bot, write_iteration
from runtime.venue import VenueConfig, VenueServer


@pytest.fixture
def venue(tmp_path: Path, sample_market_dir: Path) -> Iterator[VenueServer]:
    server = VenueServer(VenueConfig(root=tmp_path / "venue", market_dir=sample_market_dir,
                                     speed=0.0, start=date(2024, 6, 3), tick_interval_s=0.05))
    server.start()
    yield server
    server.stop()


def make_bot(venue: VenueServer, folder: Path, **overrides: object) -> Bot:
    folder.mkdir(parents=True, exist_ok=True)
    values: dict[str, object] = {
        "deployment_id": 7, "key": "dtest", "code_path": "x.py", "sha256": "0" * 64,
        "class_name": "X", "trading_url": venue.base_url, "data_url": venue.base_url,
        "venue": True,
    }
    values.update(overrides)
    config = LiveConfig.model_validate(values)
    endpoint = BrokerEndpoint(venue.base_url, venue.base_url, venue=True,
                              key_id=venue.key_id, secret=venue.secret_key)
    return Bot(config, endpoint, folder)


def _buy(bot: Bot, client_id: str, qty: float = 5) -> str:
    order = bot.client.submit_order(MarketOrderRequest(
        symbol="SPY", qty=qty, side=OrderSide.BUY, time_in_force=TimeInForce.DAY,
        client_order_id=client_id))
    return str(order.id)  # type: ignore[union-attr]


def test_a_clean_account_reconciles(venue: VenueServer, tmp_path: Path) -> None:
    assert make_bot(venue, tmp_path / "b").reconcile() == []


def test_an_order_the_database_missed_is_adopted_not_a_mismatch(
    venue: VenueServer, tmp_path: Path
) -> None:
    bot = make_bot(venue, tmp_path / "b")
    _buy(bot, "dtest-1")  # submitted, then the bot died before the supervisor stored it
    assert bot.reconcile() == []
    adopted = [e for e in read_events(tmp_path / "b" / "events.jsonl") if isinstance(e, Adopted)]
    assert [e.client_order_id for e in adopted] == ["dtest-1"]


def test_unexplained_differences_refuse_to_trade(venue: VenueServer, tmp_path: Path) -> None:
    ghost = make_bot(venue, tmp_path / "a", known_orders={"dtest-3": "no-such-id"})
    assert any("unknown to the broker" in p for p in ghost.reconcile())
    sold_outside = make_bot(venue, tmp_path / "b", owned={"SPY": 10.0})
    assert any("account holds 0" in p for p in sold_outside.reconcile())


def test_sequence_continues_after_a_restart(venue: VenueServer, tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    TypedJournal(folder / "events.jsonl").write(Intent(seq=41, client_order_id="dtest-41"))
    with open(folder / "events.jsonl", "a") as handle:
        handle.write('{"type": "intent", "seq": 42, "client_o')  # torn by kill -9
    bot = make_bot(venue, folder, next_seq=3)
    assert bot.next_client_id() == (42, "dtest-42")
    assert bot.next_client_id() == (43, "dtest-43")
    assert make_bot(venue, tmp_path / "c", next_seq=9).next_client_id()[1] == "dtest-9"


def test_cancel_our_orders_leaves_other_orders_alone(venue: VenueServer, tmp_path: Path) -> None:
    bot = make_bot(venue, tmp_path / "b")
    _buy(bot, "dtest-1")
    _buy(bot, "dother-1")
    assert bot.cancel_our_orders() == 1
    statuses = {o.client_order_id: str(o.status.value) for o in bot.our_orders("all")}
    assert statuses == {"dtest-1": "canceled"}


def _count_requests(bot: Bot) -> list[str]:
    """The Trading API paths `bot`'s client asks for from now on, with their method."""
    calls: list[str] = []
    client = bot.client
    original = client._one_request

    def counting(method: str, url: str, opts: dict[str, object], retry: int) -> object:
        calls.append(f"{method} {url.rsplit('/v2/', 1)[-1]}")
        return original(method, url, opts, retry)

    client._one_request = counting  # type: ignore[method-assign]
    return calls


def test_the_start_up_looks_at_the_broker_once(venue: VenueServer, tmp_path: Path) -> None:
    """Reconciliation, stale cancels, the first order sync and the book read one look (our
    orders, positions, account, clock); the first heartbeat reads its account."""
    from runtime.bots.journal import Reconciled

    _buy(make_bot(venue, tmp_path / "other"), "dother-1", qty=2)
    venue.advance(600)  # filled: the account holds SPY
    bot = make_bot(venue, tmp_path / "b")
    calls = _count_requests(bot)
    seen = bot.start_up()
    assert seen is not None
    assert calls == ["GET orders", "GET positions", "GET account", "GET clock"]
    booked = [e for e in read_events(tmp_path / "b" / "events.jsonl")
              if isinstance(e, Reconciled)]
    assert len(booked) == 1 and booked[0].stale_cancelled == 0
    assert booked[0].positions == {"SPY": 2.0}
    assert booked[0].cash == pytest.approx(float(bot.client.get_account().cash))
    calls.clear()
    bot.heartbeat(seen.account)
    assert calls == []


def test_a_beat_without_a_look_repeats_the_last_look_and_asks_nothing(
    venue: VenueServer, tmp_path: Path
) -> None:
    """Between account looks (`account_check_s`, while nothing of ours is open) the heartbeat
    is written from what the last look saw: no request, the same equity and P&L."""
    from runtime.bots.journal import read_heartbeat

    bot = make_bot(venue, tmp_path / "b")
    calls = _count_requests(bot)
    bot.heartbeat()
    assert "GET account" in calls  # (and the clock: this bot has not read it yet)
    looked = read_heartbeat(tmp_path / "b" / "heartbeat.json")
    assert looked is not None and looked.equity and looked.equity > 0
    calls.clear()
    bot.heartbeat(look=False)
    assert calls == []
    again = read_heartbeat(tmp_path / "b" / "heartbeat.json")
    assert again is not None and again.ts >= looked.ts
    assert (again.equity, again.pnl_day, again.market_open) == (
        looked.equity, looked.pnl_day, looked.market_open)


def test_a_restart_cancels_its_stale_orders_and_syncs_them_again(
    venue: VenueServer, tmp_path: Path
) -> None:
    folder = tmp_path / "b"
    first = make_bot(venue, folder)
    broker_id = _buy(first, "dtest-1")
    TypedJournal(folder / "events.jsonl").write(Intent(seq=1, client_order_id="dtest-1"))
    write_iteration(folder, 1)  # its iteration ended: the open order is stale
    bot = make_bot(venue, folder, known_orders={"dtest-1": broker_id}, next_seq=2)
    calls = _count_requests(bot)
    assert bot.start_up() is not None
    assert calls == ["GET orders", "GET positions", "GET account",
                     f"DELETE orders/{broker_id}", "GET orders", "GET clock"]
    updates = [e for e in read_events(folder / "events.jsonl") if isinstance(e, OrderUpdate)]
    assert [(e.client_order_id, e.status) for e in updates] == [("dtest-1", "canceled")]


def test_a_mismatch_at_start_up_is_journaled_and_trades_nothing(
    venue: VenueServer, tmp_path: Path
) -> None:
    from runtime.bots.journal import Mismatch

    bot = make_bot(venue, tmp_path / "b", owned={"SPY": 10.0})
    assert bot.start_up() is None
    events = read_events(tmp_path / "b" / "events.jsonl")
    assert [type(e) for e in events] == [Mismatch]


def test_the_journal_is_typed_and_a_bad_line_is_logged_and_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logging.getLogger("stratforge"), "propagate", True)
    path = tmp_path / "events.jsonl"
    journal = TypedJournal(path)
    journal.write(Intent(seq=1, client_order_id="dtest-1", symbol="SPY", side="buy", qty=2))
    journal.write(Stopped(exit_code=ExitCode.halted))
    torn = '{"type": "running"'
    with open(path, "a") as handle:
        handle.write('{"type": "from_a_newer_bot", "x": 1}\n')  # unknown kind
        handle.write("not json\n")
        handle.write('{"type": "submitted", "seq": 2}\n')  # no client order id
        handle.write(torn)  # being written, or torn by kill -9
    with caplog.at_level(logging.WARNING, logger="stratforge"):
        events, offset = read_new_events(path)
    assert [type(e) for e in events] == [Intent, Stopped]
    assert offset == len(path.read_bytes()) - len(torn)
    assert len([r for r in caplog.records if r.getMessage() == "journal line skipped"]) == 3
    assert '"type": "stopped", "exit_code": 3' in path.read_text()
    assert read_new_events(path, offset) == ([], offset)


def test_the_supervisor_ingests_typed_events_past_bad_lines(tmp_path: Path) -> None:
    from sqlmodel import Session, SQLModel, create_engine, select

    from core.models import Deployment, DeploymentOrder, DeploymentState
    from runtime.bots.ingest import ingest_journal, last_exit_code

    journal = TypedJournal(tmp_path / "events.jsonl")
    journal.write(Running())
    fields = {"seq": 4, "client_order_id": "dtest-4", "symbol": "SPY", "side": "buy", "qty": 3.0}
    journal.write(Intent(**fields))
    with open(tmp_path / "events.jsonl", "a") as handle:
        handle.write('{"type": "nonsense"}\n')
    journal.write(Submitted(**fields, broker_id="b-4", status="OrderStatus.NEW"))
    journal.write(OrderUpdate(**fields, broker_id="b-4", filled_qty=3.0, filled_avg_price=10.5,
                              status="filled"))
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as db:
        dep = Deployment(owner_id=1, strategy_id=1, version_id=1, key="dtest",
                         state=DeploymentState.starting.value)
        db.add(dep)
        db.flush()
        ingest_journal(db, dep, tmp_path)
        row = db.exec(select(DeploymentOrder)).one()
    assert dep.state == DeploymentState.running and dep.next_seq == 5
    assert dep.journal_offset == (tmp_path / "events.jsonl").stat().st_size
    assert (row.client_order_id, row.broker_id, row.status) == ("dtest-4", "b-4", "filled")
    assert (row.filled_qty, row.filled_avg_price) == (3.0, 10.5)
    assert last_exit_code(tmp_path) is None  # it never said it stopped
    journal.write(Halted(code="max_daily_loss", reason="daily loss"))
    assert last_exit_code(tmp_path) == ExitCode.halted


def test_an_idle_bot_costs_its_supervisor_no_write(tmp_path: Path) -> None:
    """The supervisor ingests every bot twice a second: the deployment row is written only
    when the journal grew, a new heartbeat came or the broker's health changed."""
    import time

    from sqlalchemy import event
    from sqlmodel import Session, SQLModel, create_engine

    from core.models import Deployment
    from runtime.bots.ingest import ingest_journal
    from runtime.bots.journal import HEARTBEAT_FILE, Heartbeat, write_heartbeat

    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    SQLModel.metadata.create_all(engine)
    TypedJournal(tmp_path / "events.jsonl").write(Running())
    beat = time.time()
    write_heartbeat(tmp_path / HEARTBEAT_FILE, Heartbeat(ts=beat, equity=100.0, pnl_day=1.0))
    with Session(engine) as db:
        dep = Deployment(owner_id=1, strategy_id=1, version_id=1, key="dtest")
        db.add(dep)
        db.commit()
        dep_id = dep.id
    updates: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def count(conn: object, cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("UPDATE DEPLOYMENTS"):
            updates.append(statement)

    with Session(engine, expire_on_commit=False) as db:  # as the supervisor holds its rows
        dep = db.get_one(Deployment, dep_id)
        assert ingest_journal(db, dep, tmp_path) is True
        db.commit()
        assert len(updates) == 1
        stamp = dep.updated_at
        for _ in range(3):
            assert ingest_journal(db, dep, tmp_path) is False
            db.add(dep)
            db.commit()
        assert len(updates) == 1 and dep.updated_at == stamp
    with Session(engine) as db:  # read back (SQLite: naive datetimes): still the same beat
        dep = db.get_one(Deployment, dep_id)
        assert ingest_journal(db, dep, tmp_path) is False
        db.commit()
        assert len(updates) == 1
        write_heartbeat(tmp_path / HEARTBEAT_FILE,
                        Heartbeat(ts=beat, equity=100.0, pnl_day=1.0,
                                  broker_error="ConnectError: down"))
        assert ingest_journal(db, dep, tmp_path) is True  # same beat, but the broker is lost
        db.commit()
        assert len(updates) > 1
        written = len(updates)
        assert ingest_journal(db, dep, tmp_path) is False
        db.commit()
        write_heartbeat(tmp_path / HEARTBEAT_FILE, Heartbeat(ts=beat + 5, equity=100.0,
                                                             pnl_day=1.0,
                                                             broker_error="ConnectError: down"))
        assert ingest_journal(db, dep, tmp_path) is True  # a new beat
        db.commit()
    assert len(updates) == written + 1


def test_the_heartbeat_reads_the_account_once_and_the_clock_only_at_its_boundaries(
    venue: VenueServer, tmp_path: Path
) -> None:
    from runtime.bots.journal import HEARTBEAT_FILE, read_heartbeat

    bot = make_bot(venue, tmp_path / "bot")
    calls: list[str] = []
    client = bot.client
    original = client._one_request

    def counting(method: str, url: str, opts: dict[str, object], retry: int) -> object:
        calls.append(url.rsplit("/v2/", 1)[-1])
        return original(method, url, opts, retry)

    client._one_request = counting  # type: ignore[method-assign]
    bot.heartbeat()
    assert calls == ["account", "clock"]  # the clock was never read: read once
    beat = read_heartbeat(tmp_path / "bot" / HEARTBEAT_FILE)
    assert beat is not None and beat.equity == 100_000 and beat.open_orders == 0
    assert beat.market_open is True  # the venue opens on its first session's open
    calls.clear()
    bot.heartbeat()
    assert calls == ["account"]  # the next close has not come: the kept clock answers
    bot.clock._until = bot.clock.now()  # the next close is here: asked again
    bot.heartbeat()
    assert calls == ["account", "account", "clock"]
    _buy(bot, "dtest-1")
    bot.sync_orders()
    bot.heartbeat()
    beat = read_heartbeat(tmp_path / "bot" / HEARTBEAT_FILE)
    assert beat is not None and beat.open_orders == 1  # as the order sync saw it


def test_the_gate_reads_the_account_positions_and_open_orders_and_keeps_the_clock(
    venue: VenueServer, tmp_path: Path
) -> None:
    bot = make_bot(venue, tmp_path / "bot")
    calls = _count_requests(bot)
    view = bot.account_view()
    assert calls == ["GET account", "GET positions", "GET orders", "GET clock"]
    assert view.market_open is True
    calls.clear()
    bot.account_view()
    assert calls == ["GET account", "GET positions", "GET orders"]  # the kept clock answers
