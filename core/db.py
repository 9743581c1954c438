"""Database engine and sessions: SQLite (WAL) by default, PostgreSQL when `DATABASE_URL` says so.

The schema is owned by Alembic (`core/migrations`); `migrate` brings any database to head and is
called on every start, so a fresh data directory and an old one both just work.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Executable
from sqlmodel import Session, create_engine, select

import core.changes  # (installs the audit log's change summaries on every Session)
import core.scope  # noqa: F401  (installs the per-owner session scope on every Session)
from core.config import Settings
from core.models import User
from core.rls import apply_row_security

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

_engines: dict[str, Engine] = {}
# one `fetch_all` at a time per process on SQLite (see there)
_sqlite_fetch = threading.Lock()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def json_loads(text: str | bytes) -> Any:
    """How JSON columns are read: orjson (several times faster than the standard library on the
    specs and reports every list reads), falling back to `json.loads` for what orjson refuses
    and the standard library wrote (NaN, Infinity, integers past 64 bits, lone surrogates)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def get_engine(settings: Settings) -> Engine:
    url = settings.database
    engine = _engines.get(url)
    if engine is None:
        if url.startswith("sqlite"):
            settings.home.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                                   json_deserializer=json_loads)
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True, json_deserializer=json_loads)
        _engines[url] = engine
    return engine


def dispose_engines() -> None:
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(settings: Settings) -> None:
    """Bring the database to the newest schema."""
    engine = get_engine(settings)
    config = alembic_config(settings.database)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # the server's own transaction (core.rls)
            connection.exec_driver_sql("SELECT set_config('app.user_id', 'system', true)")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        # every owned table, those of later migrations included, gets the owner policy
        apply_row_security(connection)
    if settings.database.startswith("sqlite:///"):  # the file holds every user's rows: 0600
        path = Path(settings.database.removeprefix("sqlite:///"))
        for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if file.exists():
                file.chmod(0o600)


@contextmanager
def session_scope(settings: Settings) -> Iterator[Session]:
    with Session(get_engine(settings), expire_on_commit=False) as session:
        yield session


def fetch_all(session: Session, statement: Executable) -> Sequence[Any]:
    """`session.exec(statement).all()`; on SQLite, one such fetch at a time in this process.

    Python's sqlite3 steps a result row by row with the GIL released around each step, so
    threads fetching at once (concurrent requests on the thread pool) hand the GIL to each
    other at every row: measured on 16 concurrent `GET /strategies` of 100 rows, ~150 thread
    switches a request, ~30 when they take turns, and a busy server's CPU per request went
    down with them (`bench/api.py`). Little is lost: the rows become Python objects under
    the GIL either way; only SQLite's own stepping no longer overlaps. The session holds its
    connection before the turn is taken, so a turn never waits for the pool."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return session.exec(statement).all()  # type: ignore[call-overload]
    with _sqlite_fetch:
        return session.exec(statement).all()  # type: ignore[call-overload]


def ensure_user(session: Session, name: str, role: str = "admin") -> User:
    """The user called `name`, made (with `role`) when missing; the local default user is the
    admin of a single-user install."""
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None:
        user = User(name=name, role=role)
        session.add(user)
        session.commit()
        session.refresh(user)
    return user
