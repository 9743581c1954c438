"""Tests for the parts behind the venue's PaperBroker facade, called directly (no HTTP):
order validation and lifecycle (runtime.venue.orders), the ledger, the read-only reports."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from runtime.venue import VenueConfig
from runtime.venue.errors import Forbidden, InvalidRequest
from runtime.venue.orders import (
    OrderChanges,
    OrderSubmission,
    closing_submission,
    replacement,
    validate,
)
from runtime.venue.paper_broker import PaperBroker
from runtime.venue.reports import lists_fills, period_start
from runtime.venue.state_db import VenueOrder, VenuePosition

VENUE_START = date(2024, 6, 3)  # a Monday, as in conftest


def test_validate_refuses_what_the_venue_does_not_simulate() -> None:
    validate(OrderSubmission("SPY", "buy", "limit", "gtc", qty=1, limit_price=10))
    cases = {
        "qty or notional is required, not both": OrderSubmission("SPY", "buy", "market", "day"),
        "notional orders must be market orders": OrderSubmission(
            "SPY", "buy", "limit", "day", notional=100, limit_price=1
        ),
        "stop_price is not allowed for limit orders": OrderSubmission(
            "SPY", "buy", "limit", "day", qty=1, limit_price=3, stop_price=2
        ),
        "extended hours trading is not simulated by the venue": OrderSubmission(
            "SPY", "buy", "market", "day", qty=1, extended_hours=True
        ),
    }
    for message, sub in cases.items():
        with pytest.raises(InvalidRequest, match=message):
            validate(sub)


def _order(**fields: object) -> VenueOrder:
    values: dict[str, object] = {
        "symbol": "SPY",
        "side": "buy",
        "type": "limit",
        "time_in_force": "day",
        "qty": 5.0,
        "notional": None,
        "limit_price": 100.0,
        "stop_price": None,
    }
    values.update(fields)
    return VenueOrder(**values)


def test_replacement_keeps_the_old_terms_it_does_not_change() -> None:
    sub = replacement(_order(), OrderChanges(limit_price=99.0, client_order_id="new"))
    assert (sub.qty, sub.limit_price, sub.time_in_force, sub.client_order_id) == (
        5.0,
        99.0,
        "day",
        "new",
    )
    with pytest.raises(InvalidRequest, match="qty cannot replace a notional"):
        replacement(_order(type="market", qty=None, notional=500.0), OrderChanges(qty=3))


def test_closing_submission_sells_all_part_or_a_percentage() -> None:
    position = VenuePosition(symbol="SPY", qty=3.0, avg_entry_price=10.0)
    assert closing_submission(position).qty == 3.0
    assert closing_submission(position, qty=1.0).qty == 1.0
    assert closing_submission(position, percentage=33.3).qty == pytest.approx(0.999)
    assert closing_submission(position).side == "sell"
    with pytest.raises(InvalidRequest, match="not both"):
        closing_submission(position, qty=1.0, percentage=5)
    with pytest.raises(InvalidRequest, match=r"percentage must be in \(0, 100\]"):
        closing_submission(position, percentage=150)


def test_period_start_and_activity_types() -> None:
    now = datetime(2024, 6, 12, 15, 0, tzinfo=UTC)
    assert period_start(None, now) is None
    assert period_start("1W", now) == date(2024, 6, 5)
    assert period_start("1a", now) == date(2023, 6, 13)
    for bad in ("3Q", "xx"):
        with pytest.raises(InvalidRequest, match="invalid period"):
            period_start(bad, now)
    assert lists_fills(None) and lists_fills(["fill"]) and not lists_fills(["DIV"])


def test_broker_books_a_fill_through_its_parts(tmp_path: Path, sample_market_dir: Path) -> None:
    config = VenueConfig(
        root=tmp_path / "venue",
        market_dir=sample_market_dir,
        speed=0.0,
        start=VENUE_START,
        slippage_bps=0.0,
        fee_per_share=0.01,
    )
    broker = PaperBroker(config)
    try:
        order = broker.submit_order(OrderSubmission("spy", "buy", "market", "day", qty=10))
        assert order["status"] == "new" and order["symbol"] == "SPY"
        with pytest.raises(Forbidden, match="insufficient qty available"):
            broker.submit_order(OrderSubmission("SPY", "sell", "market", "day", qty=1))
        broker.advance(seconds=60)
        filled = broker.get_order(order["id"])
        assert filled["status"] == "filled"
        price = float(filled["filled_avg_price"])
        account = broker.account()
        assert float(account["cash"]) == pytest.approx(100_000 - 10 * price - 0.10, abs=0.01)
        assert account["accrued_fees"] == "0.1"
        [position] = broker.positions()
        held = (position["symbol"], position["qty"], position["qty_available"])
        assert held == ("SPY", "10", "10")
        [activity] = broker.activities()
        assert activity["order_id"] == order["id"] and activity["qty"] == "10"
        broker.advance(until="next_close")
        history = broker.portfolio_history()
        assert history["base_value"] == 100_000.0 and len(history["equity"]) >= 1
    finally:
        broker.engine.dispose()


def test_a_frozen_clock_costs_no_matching_pass_after_the_first(
    tmp_path: Path, sample_market_dir: Path
) -> None:
    broker = PaperBroker(VenueConfig(root=tmp_path / "venue", market_dir=sample_market_dir,
                                     speed=0.0, start=VENUE_START, slippage_bps=0.0))
    passes: list[datetime] = []
    run = broker.matching.run

    def counted(session: object, now: datetime) -> None:
        passes.append(now)
        run(session, now)  # type: ignore[arg-type]

    broker.matching.run = counted  # type: ignore[method-assign]
    try:
        broker.account()  # the book was matched up to the start when it was created
        order = broker.submit_order(OrderSubmission("SPY", "buy", "market", "day", qty=10))
        broker.positions()
        assert passes == []
        assert broker.get_order(order["id"])["status"] == "new"  # placed at now: fills after
        broker.advance(seconds=60)  # the clock moved: one pass, and the order fills
        assert len(passes) == 1
        assert broker.get_order(order["id"])["status"] == "filled"
        assert len(passes) == 1
    finally:
        broker.engine.dispose()
