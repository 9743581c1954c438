"""The venue's own database: account, orders, fills, positions, equity marks and the clock.

This module owns the venue's tables and their engine. They live in ``<venue root>/venue.db``
(SQLite, WAL), never in stratforge's main database: the venue plays the part of an outside
broker, and a broker's books are not ours. The tables are declared on a private SQLAlchemy
``DeclarativeBase`` rather than on ``SQLModel.metadata`` so that stratforge's Alembic
migrations and ``create_all`` calls never see them; the venue creates its own tables with
``create_all`` (its schema is small and versioned by ``VenueMeta.schema_version``).

Money and quantities are floats (SQLite has no decimal type); every amount the API shows is
rounded when rendered. Datetimes are stored as naive UTC and come back aware (:class:`UtcDateTime`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    Integer,
    String,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = [
    "SCHEMA_VERSION",
    "VenueAccount",
    "VenueBase",
    "VenueEquityMark",
    "VenueFill",
    "VenueMeta",
    "VenueOrder",
    "VenuePosition",
    "open_engine",
]

SCHEMA_VERSION = 1


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes stored naive (SQLite keeps no offset)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the venue database")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class VenueBase(DeclarativeBase):
    pass


class VenueMeta(VenueBase):
    """One row: schema version and the simulated clock as last saved."""

    __tablename__ = "venue_meta"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schema_version: Mapped[int] = mapped_column(Integer)
    start_day: Mapped[date] = mapped_column(Date)
    sim_time: Mapped[datetime] = mapped_column(UtcDateTime)
    # Everything up to this simulated moment has been matched (fills, expiries, equity marks).
    matched_until: Mapped[datetime] = mapped_column(UtcDateTime)


class VenueAccount(VenueBase):
    __tablename__ = "venue_account"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_number: Mapped[str] = mapped_column(String(20))
    cash: Mapped[float] = mapped_column(Float)
    initial_cash: Mapped[float] = mapped_column(Float)
    fees_paid: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class VenueOrder(VenueBase):
    __tablename__ = "venue_order"
    __table_args__ = (UniqueConstraint("account_id", "client_order_id"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True, index=True)
    account_id: Mapped[str] = mapped_column(String(36))
    client_order_id: Mapped[str] = mapped_column(String(128))
    symbol: Mapped[str] = mapped_column(String(20), index=True)
    side: Mapped[str] = mapped_column(String(4))
    type: Mapped[str] = mapped_column(String(16))
    time_in_force: Mapped[str] = mapped_column(String(8))
    qty: Mapped[float | None] = mapped_column(Float, nullable=True)
    notional: Mapped[float | None] = mapped_column(Float, nullable=True)
    limit_price: Mapped[float | None] = mapped_column(Float, nullable=True)
    stop_price: Mapped[float | None] = mapped_column(Float, nullable=True)
    extended_hours: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), index=True)
    filled_qty: Mapped[float] = mapped_column(Float, default=0.0)
    filled_avg_price: Mapped[float | None] = mapped_column(Float, nullable=True)
    # Cash set aside for an open buy (buying-power check at submission).
    reserve: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    filled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    expired_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    canceled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    replaced_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    replaced_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    replaces: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # Stop-limit orders: when the stop was hit (the limit part starts from there).
    triggered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # The matching engine has looked at this order's window up to here.
    checked_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class VenuePosition(VenueBase):
    __tablename__ = "venue_position"

    symbol: Mapped[str] = mapped_column(String(20), primary_key=True)
    qty: Mapped[float] = mapped_column(Float)
    avg_entry_price: Mapped[float] = mapped_column(Float)


class VenueFill(VenueBase):
    __tablename__ = "venue_fill"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    order_id: Mapped[str] = mapped_column(String(36), index=True)
    symbol: Mapped[str] = mapped_column(String(20))
    side: Mapped[str] = mapped_column(String(4))
    qty: Mapped[float] = mapped_column(Float)
    price: Mapped[float] = mapped_column(Float)
    fee: Mapped[float] = mapped_column(Float)
    time: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class VenueEquityMark(VenueBase):
    """Account equity at a session close (portfolio history, ``last_equity``)."""

    __tablename__ = "venue_equity_mark"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    time: Mapped[datetime] = mapped_column(UtcDateTime)
    equity: Mapped[float] = mapped_column(Float)
    cash: Mapped[float] = mapped_column(Float)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def open_engine(path: Path) -> Engine:
    """Engine on the venue's SQLite file, tables created if missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": 30}
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    VenueBase.metadata.create_all(engine)
    return engine
