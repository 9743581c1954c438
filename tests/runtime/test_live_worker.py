"""The live worker's own pieces against the local venue (loopback): reconciliation with the
broker, client order id sequence continuity across restarts, the journal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from alpaca.trading.enums import OrderSide, TimeInForce
from alpaca.trading.requests import MarketOrderRequest

from runtime.alpaca_clients import BrokerEndpoint
from runtime.live_worker import Bot, Journal, LiveConfig, read_journal
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
    adopted = [r for r in read_journal(tmp_path / "b" / "events.jsonl")
               if r["type"] == "adopted"]
    assert [r["client_order_id"] for r in adopted] == ["dtest-1"]


def test_unexplained_differences_refuse_to_trade(venue: VenueServer, tmp_path: Path) -> None:
    ghost = make_bot(venue, tmp_path / "a", known_orders={"dtest-3": "no-such-id"})
    assert any("unknown to the broker" in p for p in ghost.reconcile())
    sold_outside = make_bot(venue, tmp_path / "b", owned={"SPY": 10.0})
    assert any("account holds 0" in p for p in sold_outside.reconcile())


def test_sequence_continues_after_a_restart(venue: VenueServer, tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    Journal(folder / "events.jsonl").write("intent", seq=41, client_order_id="dtest-41")
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
