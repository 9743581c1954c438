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

Teams: a scope may also carry team-mates (`enter_owner(user, team=...)`; the API sets them for
reads only, `api.deps`). Their rows of the `TEAM_READABLE` tables — results: strategies,
versions, backtests, batches — are then visible to selects too; never to updates or deletes,
and a flush that would change one is refused (`Forbidden`, code `team_read_only`). Keys,
integrations, bots, orders, schedules and everything else stay the owner's alone. Migration
0010 gives PostgreSQL the same read-only rule (`core.rls.TEAM_READ_POLICY`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import ORMExecuteState, with_loader_criteria
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import SQLModel

from core.errors import Forbidden, InternalError

SYSTEM = "system"  # the value of app.user_id for the server's own (unscoped) transactions
# the tables whose rows a user's team-mates may read (and never change): results, not keys
TEAM_READABLE = frozenset({"strategies", "strategy_versions", "backtest_runs", "batches"})
NO_TEAM: frozenset[int] = frozenset()

_owner: ContextVar[int | None] = ContextVar("stratforge_owner", default=None)
_team: ContextVar[frozenset[int]] = ContextVar("stratforge_team", default=NO_TEAM)
_owned: tuple[int, tuple[type[Any], ...]] = (-1, ())
# the loader-criteria options of one (owner, team), built once: making them is most of the
# scope's cost per statement
_criteria: dict[tuple[int, int, frozenset[int]], tuple[Any, ...]] = {}


class ScopeViolation(InternalError):
    code = "scope_violation"


def current_owner() -> int | None:
    return _owner.get()


def current_team() -> frozenset[int]:
    """The team-mates whose results the current scope may read (empty while writing)."""
    return _team.get()


def enter_owner(user_id: int | None, team: Iterable[int] = ()) -> None:
    """Set the owner (and the team-mates it may read) for the rest of the current task (a
    request's context is its own)."""
    _owner.set(user_id)
    _team.set(frozenset(team) - {user_id} if user_id is not None else NO_TEAM)


@contextmanager
def owner_scope(user_id: int | None, team: Iterable[int] = ()) -> Iterator[None]:
    """Act as `user_id` (None: the server itself) inside the block; `team`: whose results it
    may also read."""
    token = _owner.set(user_id)
    team_token = _team.set(frozenset(team) - {user_id} if user_id is not None else NO_TEAM)
    try:
        yield
    finally:
        _team.reset(team_token)
        _owner.reset(token)


def team_readable(cls_or_row: object) -> bool:
    table = getattr(cls_or_row, "__tablename__", None)
    return table in TEAM_READABLE


def readable_owners(user_id: int) -> tuple[int, ...]:
    """Whose results `user_id` may list in the current scope: its own, and its team-mates'
    while the scope carries the team."""
    return (user_id, *sorted(_team.get() - {user_id}))


def may_read(row: Any, user_id: int | None) -> bool:
    """Whether `user_id` (None: the server) may read `row` in the current scope: its own, or
    a team-mate's result while the scope carries the team."""
    if user_id is None or row.owner_id == user_id:
        return True
    return team_readable(row) and row.owner_id in _team.get()


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


def _criteria_for(owner: int, team: frozenset[int]) -> tuple[Any, ...]:
    classes = owned_classes()
    key = (owner, _owned[0], team)
    found = _criteria.get(key)
    if found is None:
        readers = tuple(sorted({owner, *team}))
        found = tuple(
            with_loader_criteria(cls, lambda c: c.owner_id.in_(readers), include_aliases=True)
            if team and team_readable(cls) else
            with_loader_criteria(cls, lambda c: c.owner_id == owner, include_aliases=True)
            for cls in classes
        )
        if len(_criteria) > 4096:  # a bound on memory, not a policy
            _criteria.clear()
        _criteria[key] = found
    return found


@event.listens_for(OrmSession, "do_orm_execute")
def _add_owner_criteria(state: ORMExecuteState) -> None:
    owner = _owner.get()
    if owner is None or not (state.is_select or state.is_update or state.is_delete):
        return
    # team-mates' rows are for selects only: an update or delete sees the owner's alone
    team = _team.get() if state.is_select else NO_TEAM
    state.statement = state.statement.options(*_criteria_for(owner, team))


@event.listens_for(OrmSession, "before_flush")
def _check_owner_on_write(session: OrmSession, _ctx: Any, _instances: Any) -> None:
    owner = _owner.get()
    if owner is None:
        return
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if not is_owned(obj):
            continue
        row_owner = getattr(obj, "owner_id", None)
        if row_owner is None or row_owner == 0:
            obj.owner_id = owner
        elif row_owner != owner:
            if row_owner in _team.get() and team_readable(obj):
                raise Forbidden(f"this {type(obj).__name__} belongs to a team-mate: you may "
                                "read it, not change it", code="team_read_only")
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
