"""Database tables (SQLModel). Every row that a user makes is owned by a user.

Large artifacts (equity curves, trade lists, tearsheets) live as files in the run's folder;
the tables keep what is searched and shown in lists.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=80)
    created_at: datetime = Field(default_factory=utcnow)


class Strategy(SQLModel, table=True):
    __tablename__ = "strategies"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", index=True)
    name: str = Field(max_length=120)
    slug: str = Field(index=True, unique=True, max_length=80)
    text: str = Field(sa_column=Column(Text, nullable=False))
    latest_version: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None


class VersionOrigin(StrEnum):
    generated = "generated"
    edited = "edited"
    restored = "restored"


class ValidationStatus(StrEnum):
    pending = "pending"
    passed = "passed"
    failed = "failed"


class StrategyVersion(SQLModel, table=True):
    __tablename__ = "strategy_versions"
    __table_args__ = (UniqueConstraint("strategy_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    strategy_id: int = Field(foreign_key="strategies.id", index=True)
    owner_id: int = Field(foreign_key="users.id", index=True)
    number: int
    parent_number: int | None = None
    origin: str = VersionOrigin.generated.value
    code_path: str = Field(max_length=400)  # relative to the generated-code folder
    sha256: str = Field(max_length=64)
    class_name: str = Field(max_length=120)
    spec: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    validation_status: str = ValidationStatus.pending.value
    validation_report: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow)


class Generation(SQLModel, table=True):
    __tablename__ = "generations"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", index=True)
    strategy_id: int | None = Field(default=None, foreign_key="strategies.id", index=True)
    provider: str = Field(max_length=40)
    model: str = Field(default="", max_length=120)
    prompt_version: str = Field(default="", max_length=40)
    text: str = Field(sa_column=Column(Text, nullable=False))
    outcome: str = Field(max_length=20)  # ok | not_understood | invalid | error
    error: str | None = Field(default=None, sa_column=Column(Text))
    tokens_in: int = 0
    tokens_out: int = 0
    latency_ms: float = 0.0
    cost_usd: float = 0.0
    created_at: datetime = Field(default_factory=utcnow, index=True)
    # 0002: what the row was for, the comparison it belongs to, every model call made
    # (provider, model, outcome, tokens, latency, cost) and what came out (spec or explanation)
    purpose: str = Field(default="spec", max_length=20)  # spec | explain
    request_id: str | None = Field(default=None, max_length=40, index=True)
    attempts: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    output: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class RunStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class BacktestRun(SQLModel, table=True):
    __tablename__ = "backtest_runs"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", index=True)
    strategy_id: int = Field(foreign_key="strategies.id", index=True)
    version_id: int = Field(foreign_key="strategy_versions.id", index=True)
    status: str = Field(default=RunStatus.queued.value, index=True)
    config: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    metrics: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    benchmark_metrics: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    progress: float = 0.0
    error: str | None = Field(default=None, sa_column=Column(Text))
    traceback: str | None = Field(default=None, sa_column=Column(Text))
    artifacts_dir: str | None = Field(default=None, max_length=400)
    worker_pid: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_s: float | None = None
