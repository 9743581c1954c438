"""How the reconciliation report dates a risk-gate refusal: on the broker's clock the bot kept
with it, or, in an older journal, from the wall-clock offset of the last line that knows both."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from api.services.reconciliation import _refusals
from runtime.bots.journal import Journal, Reconciled, Refused

WALL = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
SIMULATED = datetime(2024, 11, 18, 15, 0, tzinfo=UTC)  # the local venue's clock at WALL


def _refused(ts: datetime, broker_time: datetime | None) -> Refused:
    return Refused(ts=ts, client_order_id="b-7", seq=7, symbol="TLT", side="buy", qty=200,
                   code="max_order_notional", reason="over the limit", broker_time=broker_time)


def test_a_refusal_is_dated_on_the_broker_clock_it_carries() -> None:
    start = Reconciled(ts=WALL, broker_time=SIMULATED, cash=100_000.0)
    # the venue's clock jumped four days ahead between the start and the refusal
    jumped = SIMULATED + timedelta(days=4)
    found = _refusals([start, _refused(WALL + timedelta(minutes=1), jumped)], [])
    assert [r.day for r in found] == [date(2024, 11, 22)]
    assert (found[0].symbol, found[0].side, found[0].code) == ("TLT", "buy",
                                                                "max_order_notional")


def test_an_older_refusal_is_dated_from_the_last_anchor() -> None:
    start = Reconciled(ts=WALL, broker_time=SIMULATED, cash=100_000.0)
    found = _refusals([start, _refused(WALL + timedelta(days=1), None)], [])
    assert [r.day for r in found] == [date(2024, 11, 19)]
    assert _refusals([_refused(WALL, None)], []) == []  # nothing to date it by


def test_the_broker_time_survives_the_journal_line(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "events.jsonl")
    journal.write(_refused(WALL, SIMULATED))
    (event,) = journal.events()
    assert isinstance(event, Refused) and event.broker_time == SIMULATED
