"""What a unit of work changed, summarised for the audit log: before and after of every row a
session flushes while a change set is open (`collect_changes()`), small and without secrets.

A request opens one change set (`api.app`); every `Session` flushing inside it — in the
request's thread or any thread that inherited its context — adds a `RowChange` per inserted,
updated or deleted row: the table, the row's id and, per changed column, a short form of the old
and new value. Secrets never enter it: a column whose name says key material, a password, a
token or a hash (`SECRET_COLUMN`) is shown only as `"(secret)"`, JSON columns only as their
size, long text cut to `MAX_TEXT` characters. At most `MAX_ROWS` rows are kept (the rest
counted), the audit log itself is never summarised.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session as OrmSession

SECRET_COLUMN = re.compile(
    r"password|secret|token(?!s_)|hash|_enc$|key|masked|credential|settings", re.IGNORECASE)
SECRET = "(secret)"
UNKNOWN = "(not loaded)"
MAX_TEXT = 60
MAX_ROWS = 20
MAX_COLUMNS = 12
NOT_SUMMARISED = frozenset({"audit_log"})
NOISE = frozenset({"updated_at", "created_at", "last_used_at", "added_at"})


@dataclass
class RowChange:
    table: str
    row_id: Any
    op: str  # insert | update | delete
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"table": self.table, "id": self.row_id, "op": self.op}
        if self.before:
            out["before"] = self.before
        if self.after:
            out["after"] = self.after
        return out


@dataclass
class ChangeSet:
    rows: list[RowChange] = field(default_factory=list)
    dropped: int = 0

    def add(self, change: RowChange) -> None:
        if len(self.rows) < MAX_ROWS:
            self.rows.append(change)
        else:
            self.dropped += 1

    def as_json(self) -> list[dict[str, Any]]:
        rows = [r.as_json() for r in self.rows]
        if self.dropped:
            rows.append({"more_rows": self.dropped})
        return rows


_open: ContextVar[ChangeSet | None] = ContextVar("stratforge_changes", default=None)


@contextmanager
def collect_changes() -> Iterator[ChangeSet]:
    """Record what every session flushes inside the block (and in tasks and threads that copy
    its context)."""
    changes = ChangeSet()
    token = _open.set(changes)
    try:
        yield changes
    finally:
        _open.reset(token)


def short(column: str, value: Any) -> Any:
    """A value as the audit log may show it."""
    if SECRET_COLUMN.search(column):
        return SECRET
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Enum):
        return short(column, value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return f"({len(value)} keys)"
    if isinstance(value, list | tuple):
        return f"({len(value)} items)"
    text = str(value)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + f"… ({len(text)} chars)"


def _row_id(state: Any) -> Any:
    key = state.identity or tuple(getattr(state.obj(), c.key, None)
                                  for c in state.mapper.primary_key)
    return key[0] if key and len(key) == 1 else list(key or ())


def _summarise(state: Any, op: str) -> RowChange | None:
    table = getattr(state.mapper.local_table, "name", "")
    if table in NOT_SUMMARISED:
        return None
    change = RowChange(table=table, row_id=_row_id(state), op=op)
    for attr in state.mapper.column_attrs:
        name = attr.key
        if name in NOISE or any(c.primary_key for c in attr.columns):
            continue
        history = state.attrs[name].history
        if op == "insert":
            value = getattr(state.obj(), name, None)
            if value is not None and len(change.after) < MAX_COLUMNS:
                change.after[name] = short(name, value)
        elif op == "delete":
            if len(change.before) < MAX_COLUMNS and name in ("name", "slug", "owner_id",
                                                             "kind", "status", "user_id"):
                change.before[name] = short(name, getattr(state.obj(), name, None))
        elif history.added or history.deleted:
            # a value set on an unloaded (expired) attribute has no known old value
            old = history.deleted[0] if history.deleted else UNKNOWN
            new = history.added[0] if history.added else None
            if old == new or len(change.after) >= MAX_COLUMNS:
                continue
            change.before[name] = old if old is UNKNOWN else short(name, old)
            change.after[name] = short(name, new)
    if op == "update" and not change.after:
        return None
    return change


@event.listens_for(OrmSession, "after_flush")
def _record_flush(session: OrmSession, _ctx: Any) -> None:
    changes = _open.get()
    if changes is None:
        return
    for op, objects in (("insert", session.new), ("update", session.dirty),
                        ("delete", session.deleted)):
        for obj in objects:
            summary = _summarise(inspect(obj), op)
            if summary is not None:
                changes.add(summary)


def describe(changes: list[dict[str, Any]], limit: int = 3) -> str:
    """One line for a terminal: `table id op: column old → new; …` for the first rows."""
    parts: list[str] = []
    for change in changes[:limit]:
        if "more_rows" in change:
            continue
        head = f"{change.get('table')} {change.get('id')} {change.get('op')}"
        before, after = change.get("before", {}), change.get("after", {})
        if change.get("op") == "update":
            cols = [f"{k} {before.get(k)!r} → {v!r}" for k, v in after.items()]
        else:
            cols = [f"{k}={v!r}" for k, v in list((after or before).items())[:3]]
        parts.append(f"{head}: {', '.join(cols)}" if cols else head)
    more = len(changes) - limit
    return "; ".join(parts) + (f"; +{more} more" if more > 0 else "")
