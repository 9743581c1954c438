"""What a bot tells its supervisor: the journal, the heartbeat and the exit codes.

* `events.jsonl` — append-only, one JSON object a line, each line flushed and fsynced before
  the bot goes on (an order's intent is on disk before the order can reach the broker). Every
  line is one of the typed events below, told apart by its `kind` (the `"type"` key on disk):
  the bot writes them with `Journal.write`, the supervisor reads them with `read_events` /
  `read_new_events`. A line that is torn (kill -9), malformed or of an unknown kind is logged
  and skipped; it never stops the reader.
* `heartbeat.json` — rewritten atomically every few seconds (`Heartbeat`).
* the bot's exit code (`ExitCode`), which says whether the supervisor may restart it.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_serializer

from core.logging import get_logger
from runtime.risk_gate import TradingState

log = get_logger(__name__)

EVENTS_FILE = "events.jsonl"
HEARTBEAT_FILE = "heartbeat.json"


class ExitCode(IntEnum):
    ok = 0  # stopped when asked
    crash = 1  # an exception, or the strategy's threads ended: restart after a backoff
    halted = 3  # a risk limit or the kill switch: never restarted
    mismatch = 4  # reconciliation found what it cannot explain: never restarted
    config = 5  # started with the wrong arguments


def _now() -> datetime:
    return datetime.now(UTC)


class _Event(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    ts: datetime = Field(default_factory=_now)

    @field_serializer("ts")
    def _iso(self, value: datetime) -> str:
        return value.isoformat()

    def record(self) -> dict[str, Any]:
        """The event as its journal line holds it: ts, type, then its fields (None left out)."""
        fields = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        head = {"ts": fields.pop("ts"), "type": fields.pop("type")}
        return {**head, **fields}


# -- the bot's life -------------------------------------------------------------------------------
class Starting(_Event):
    kind: Literal["starting"] = Field(default="starting", alias="type")
    pid: int
    next_seq: int


class Reconciled(_Event):
    """The broker agreed with the database; `stale_cancelled` open orders of a previous run
    were cancelled. The starting book the strategy then trades from (the account's cash and
    positions, and the broker's clock, which is simulated on the local venue) is what a
    paper-vs-backtest replay starts from (`runtime.bots.drift`)."""

    kind: Literal["reconciled"] = Field(default="reconciled", alias="type")
    stale_cancelled: int = 0
    broker_time: datetime | None = None
    cash: float | None = None
    positions: dict[str, float] = Field(default_factory=dict)


class Running(_Event):
    kind: Literal["running"] = Field(default="running", alias="type")


class Halted(_Event):
    kind: Literal["halted"] = Field(default="halted", alias="type")
    code: str = "halted"
    reason: str = "halted"


class Mismatch(_Event):
    kind: Literal["mismatch"] = Field(default="mismatch", alias="type")
    problems: list[str] = Field(default_factory=list)


class StrategyEnded(_Event):
    kind: Literal["strategy_ended"] = Field(default="strategy_ended", alias="type")


class Stopping(_Event):
    kind: Literal["stopping"] = Field(default="stopping", alias="type")
    exit_code: int = ExitCode.ok


class Stopped(_Event):
    kind: Literal["stopped"] = Field(default="stopped", alias="type")
    exit_code: int = ExitCode.ok
    broker_time: datetime | None = None  # the broker's clock as the bot stopped


class Crashed(_Event):
    kind: Literal["crashed"] = Field(default="crashed", alias="type")
    error: str = ""


# -- orders -------------------------------------------------------------------------------------
class OrderEvent(_Event):
    """Something about one of our orders, named by its client order id `<key>-<seq>`."""

    client_order_id: str
    seq: int | None = None


class Cancelled(OrderEvent):
    kind: Literal["cancelled"] = Field(default="cancelled", alias="type")
    broker_id: str | None = None


class OrderLine(OrderEvent):
    """An order event that says what the order is."""

    symbol: str = ""
    side: str = ""
    qty: float = 0.0


class GateEvent(OrderLine):
    """An order as the risk gate saw it (`price`: limit price, else the last price)."""

    price: float = 0.0
    order_type: str = ""
    # `<iteration>:<index>:<symbol>:<side>`: the strategy's decision this order carries out;
    # re-made after a restart mid-iteration, it gets the same client order id
    decision: str | None = None


class Intent(GateEvent):
    """Allowed by the gate; written before the order is sent."""

    kind: Literal["intent"] = Field(default="intent", alias="type")


class Refused(GateEvent):
    kind: Literal["refused"] = Field(default="refused", alias="type")
    code: str = ""
    reason: str = ""
    # the broker's clock at the refusal (the order never reaches the broker to be dated there);
    # None in journals written before it was kept
    broker_time: datetime | None = None


class SubmitFailed(GateEvent):
    kind: Literal["submit_failed"] = Field(default="submit_failed", alias="type")
    error: str = ""


class Submitted(GateEvent):
    kind: Literal["submitted"] = Field(default="submitted", alias="type")
    broker_id: str | None = None
    status: str | None = None


class BrokerOrder(OrderLine):
    """One of our orders as the broker shows it."""

    broker_id: str | None = None
    filled_qty: float | None = None
    filled_avg_price: float | None = None
    status: str | None = None


class OrderUpdate(BrokerOrder):
    """The broker's view of the order changed (status or filled quantity)."""

    kind: Literal["order"] = Field(default="order", alias="type")


class Adopted(BrokerOrder):
    """Reconciliation found an order of ours the database never heard of (sent just before a
    crash): it is ours, so it is adopted rather than a mismatch."""

    kind: Literal["adopted"] = Field(default="adopted", alias="type")


JournalEvent = Annotated[
    Starting | Reconciled | Running | Halted | Mismatch | StrategyEnded | Stopping | Stopped
    | Crashed | Cancelled | Intent | Refused | SubmitFailed | Submitted | OrderUpdate | Adopted,
    Field(discriminator="kind"),
]
_EVENT: TypeAdapter[JournalEvent] = TypeAdapter(JournalEvent)


def parse_event(record: Any) -> JournalEvent:
    """One journal record (a dict) as its typed event; raises `ValidationError`."""
    return _EVENT.validate_python(record)


def _parse_line(line: str, path: Path) -> JournalEvent | None:
    try:
        return _EVENT.validate_json(line)
    except ValidationError as exc:
        log.warning("journal line skipped", extra={"path": str(path), "line": line[:200],
                                                    "error": str(exc.errors()[:1])[:300]})
        return None


# -- writing -------------------------------------------------------------------------------------
class Journal:
    """The bot's `events.jsonl`: append-only, each line flushed and fsynced."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def write(self, event: JournalEvent) -> None:
        line = json.dumps(event.record()) + "\n"
        with self._lock, open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def events(self) -> list[JournalEvent]:
        return read_events(self.path)


# -- reading -------------------------------------------------------------------------------------
def read_new_events(path: Path, offset: int = 0) -> tuple[list[JournalEvent], int]:
    """The events of the complete lines after byte `offset`, and the offset after them (a last
    line without its newline is being written, or was torn by kill -9: it is left for later)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            data = handle.read()
    except OSError:
        return [], offset
    end = data.rfind(b"\n")
    if end < 0:
        return [], offset
    chunk = data[: end + 1]
    events = []
    for line in chunk.decode("utf-8", errors="replace").splitlines():
        if line.strip():
            event = _parse_line(line, path)
            if event is not None:
                events.append(event)
    return events, offset + len(chunk)


def read_events(path: Path) -> list[JournalEvent]:
    """Every event of the journal (none when there is no journal yet)."""
    return read_new_events(path)[0]


# -- heartbeat -------------------------------------------------------------------------------------
class Heartbeat(BaseModel):
    """`heartbeat.json`: the bot is alive at `ts` (epoch seconds); equity and the day's P&L
    when the broker answered, else `broker_error`."""

    model_config = ConfigDict(extra="ignore")

    ts: float
    pid: int | None = None
    started: float | None = None
    state: TradingState | None = None
    equity: float | None = None
    start_of_day_equity: float | None = None
    pnl_day: float | None = None
    open_orders: int | None = None
    market_open: bool | None = None
    broker_error: str | None = None


def write_heartbeat(path: Path, beat: Heartbeat) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(beat.model_dump_json(exclude_none=True), encoding="utf-8")
    os.replace(tmp, path)


def read_heartbeat(path: Path) -> Heartbeat | None:
    try:
        return Heartbeat.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # not written yet, or unreadable: no beat
        return None
