"""Whose rows a database session may see: the current owner, and the ORM layer enforcing it.

Every table with an `owner_id` column is owned; that is the whole rule, so a table added later
is covered without being named anywhere. While an owner is set (`owner_scope(user_id)`, or
`enter_owner` for a request), every ORM statement of every `Session` — select, update and
delete, `session.get` included — gets `owner_id = <owner>` added for each owned class
(`with_loader_criteria`), and a flush refuses to write a row for anyone else (a new row without
an owner gets the current one). With no owner set the session is the server's own (background
work: the scheduler, batch coordinator, supervisor), which sees every row.

On PostgreSQL each transaction also carries the owner (`app.user_id`, or `system`) for the
row-level-security policies of `core.rls`, which enforce the same rule inside the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import ORMExecuteState, with_loader_criteria
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import SQLModel

from core.errors import InternalError

SYSTEM = "system"  # the value of app.user_id for the server's own (unscoped) transactions

_owner: ContextVar[int | None] = ContextVar("stratforge_owner", default=None)
_owned: tuple[int, tuple[type[Any], ...]] = (-1, ())


class ScopeViolation(InternalError):
    code = "scope_violation"


def current_owner() -> int | None:
    return _owner.get()


def enter_owner(user_id: int | None) -> None:
    """Set the owner for the rest of the current task (a request's context is its own)."""
    _owner.set(user_id)


@contextmanager
def owner_scope(user_id: int | None) -> Iterator[None]:
    """Act as `user_id` (None: the server itself) inside the block."""
    token = _owner.set(user_id)
    try:
        yield
    finally:
        _owner.reset(token)


def owned_classes() -> tuple[type[Any], ...]:
    """Every mapped class whose table has an `owner_id` column (recomputed when classes are
    added)."""
    global _owned
    mappers = SQLModel._sa_registry.mappers
    if _owned[0] != len(mappers):
        classes = tuple(
            m.class_ for m in mappers
            if "owner_id" in getattr(m.local_table, "c", {})
        )
        _owned = (len(mappers), classes)
    return _owned[1]


def is_owned(obj: object) -> bool:
    return isinstance(obj, owned_classes())


@event.listens_for(OrmSession, "do_orm_execute")
def _add_owner_criteria(state: ORMExecuteState) -> None:
    owner = _owner.get()
    if owner is None or not (state.is_select or state.is_update or state.is_delete):
        return
    state.statement = state.statement.options(
        *(
            with_loader_criteria(cls, lambda c: c.owner_id == owner, include_aliases=True)
            for cls in owned_classes()
        )
    )


@event.listens_for(OrmSession, "before_flush")
def _check_owner_on_write(session: OrmSession, _ctx: Any, _instances: Any) -> None:
    owner = _owner.get()
    if owner is None:
        return
    for obj in list(session.new) + list(session.dirty):
        if not is_owned(obj):
            continue
        row_owner = getattr(obj, "owner_id", None)
        if row_owner is None or row_owner == 0:
            obj.owner_id = owner
        elif row_owner != owner:
            raise ScopeViolation(
                f"refused to write a {type(obj).__name__} owned by another user"
            )


@event.listens_for(OrmSession, "after_begin")
def _tell_the_database(session: OrmSession, _transaction: Any, connection: Any) -> None:
    if connection.dialect.name != "postgresql":
        return
    owner = _owner.get()
    connection.execute(
        text("SELECT set_config('app.user_id', :who, true)"),
        {"who": SYSTEM if owner is None else str(owner)},
    )
