"""Database tables (SQLModel). Every row that a user makes is owned by a user.

Large artifacts (equity curves, trade lists, tearsheets) live as files in the run's folder;
the tables keep what is searched and shown in lists.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, overload

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


@overload
def as_utc(value: datetime) -> datetime: ...


@overload
def as_utc(value: None) -> None: ...


def as_utc(value: datetime | None) -> datetime | None:
    """A stored timestamp as UTC-aware: SQLite hands back naive datetimes for what was
    written aware, PostgreSQL aware ones."""
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=80)
    created_at: datetime = Field(default_factory=utcnow)
    # migration 0007: accounts. A user without a password (the local default user) cannot log in
    # over HTTP; it acts for loopback requests in single-user mode and for the shared API key.
    email: str | None = Field(default=None, index=True, unique=True, max_length=254)
    password_hash: str | None = Field(default=None, max_length=200)
    role: str = Field(default="trader", max_length=10)  # admin | trader | viewer
    disabled: bool = False
    display_name: str = Field(default="", max_length=120)
    settings: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # access tokens carry the epoch they were issued in; bumping it (password change, logout
    # everywhere) ends every session at once
    session_epoch: int = 0


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
    imported = "imported"  # code from a file (`stratforge import`), not from a spec


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
    cancelled = "cancelled"  # 0003: a batch was cancelled before or while the run ran


class BacktestRun(SQLModel, table=True):
    __tablename__ = "backtest_runs"
    # 0011: the owner's rows narrowed by another column first (`core.scope` adds the owner)
    __table_args__ = (
        Index("ix_backtest_runs_strategy_owner", "strategy_id", "owner_id"),
        Index("ix_backtest_runs_batch_owner", "batch_id", "owner_id"),
        Index("ix_backtest_runs_version_status", "version_id", "status", "owner_id"),
        Index("ix_backtest_runs_owner_status", "owner_id", "status"),
    )

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
    # 0003: the batch the run belongs to, and how many times a dead worker made it start over
    batch_id: int | None = Field(default=None, foreign_key="batches.id", index=True)
    attempts: int = 0


class BatchStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"  # every run ended; some may have failed (see the counts)
    cancelled = "cancelled"
    failed = "failed"  # the batch itself could not go on (e.g. no run could be created)


class Batch(SQLModel, table=True):
    """A named set of backtest runs: explicit, a parameter sweep or a walk-forward."""

    __tablename__ = "batches"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", index=True)
    name: str = Field(max_length=120)
    kind: str = Field(max_length=20)  # explicit | sweep | walk_forward
    spec: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    status: str = Field(default=BatchStatus.queued.value, index=True)
    cancel_requested: bool = False
    schedule_id: int | None = Field(default=None, foreign_key="schedules.id", index=True)
    executor: str = Field(default="local", max_length=20)
    error: str | None = Field(default=None, sa_column=Column(Text))
    # what the fast engine's screens found (variants tried, the best, overfitting statistics)
    summary: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None


class Schedule(SQLModel, table=True):
    """A cron expression in a time zone that starts a batch at each occurrence."""

    __tablename__ = "schedules"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", index=True)
    name: str = Field(max_length=120)
    cron: str = Field(max_length=120)
    timezone: str = Field(default="UTC", max_length=64)
    batch_spec: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    enabled: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class ScheduleFire(SQLModel, table=True):
    """One occurrence of a schedule, inserted once: the unique key is the lease that stops two
    schedulers (threads, processes, API servers) from firing the same occurrence twice."""

    __tablename__ = "schedule_fires"
    __table_args__ = (UniqueConstraint("schedule_id", "fire_at"),)

    id: int | None = Field(default=None, primary_key=True)
    schedule_id: int = Field(foreign_key="schedules.id", index=True)
    fire_at: datetime  # the occurrence, UTC
    fired_by: str = Field(default="", max_length=120)  # host:pid of the scheduler that won
    batch_id: int | None = Field(default=None, foreign_key="batches.id")
    error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow)


# -- deployments (live bots), their orders, and broker credentials ---------------------------------
class DeploymentDesired(StrEnum):
    """What a person asked of a deployment; the supervisor moves its state towards it."""

    running = "running"
    stopped = "stopped"


class DeploymentState(StrEnum):
    starting = "STARTING"
    running = "RUNNING"
    stopping = "STOPPING"
    stopped = "STOPPED"
    crashed = "CRASHED"  # exited unexpectedly; the supervisor restarts it after a backoff
    fatal = "FATAL"  # too many quick crashes; a person must redeploy
    halted = "HALTED"  # risk limit or kill switch; survives restarts until a person clears it
    mismatch = "MISMATCH"  # reconciliation found what it cannot explain; refuses to trade


# states in which a deployment's bot process is (or is about to be) alive
LIVE_STATES = frozenset(
    {DeploymentState.starting.value, DeploymentState.running.value, DeploymentState.stopping.value}
)


class Deployment(SQLModel, table=True):
    __tablename__ = "deployments"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", index=True)
    strategy_id: int = Field(foreign_key="strategies.id", index=True)
    version_id: int = Field(foreign_key="strategy_versions.id", index=True)
    key: str = Field(index=True, unique=True, max_length=40)  # client order ids: <key>-<seq>
    mode: str = Field(default="paper", max_length=10)  # venue | paper | live
    state: str = Field(default=DeploymentState.starting.value, index=True, max_length=12)
    desired: str = Field(default="running", max_length=10)  # running | stopped
    halt_reason: str | None = Field(default=None, sa_column=Column(Text))
    limits: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    parameters: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    sleeptime: str | None = Field(default=None, max_length=10)
    pid: int | None = None
    pid_start: str | None = Field(default=None, max_length=40)  # /proc start time: PID reuse
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    stop_requested_at: datetime | None = None
    restarts: int = 0
    quick_crashes: int = 0
    next_start_at: datetime | None = None
    last_heartbeat_at: datetime | None = None
    equity: float | None = None
    pnl_day: float | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    next_seq: int = 1
    journal_offset: int = 0  # bytes of the worker's events.jsonl already stored
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    broker_error: str | None = Field(default=None, sa_column=Column(Text))  # migration 0006


class DeploymentOrder(SQLModel, table=True):
    __tablename__ = "deployment_orders"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", index=True)
    deployment_id: int | None = Field(default=None, foreign_key="deployments.id", index=True)
    seq: int | None = None
    client_order_id: str = Field(index=True, unique=True, max_length=128)
    broker_id: str | None = Field(default=None, max_length=64, index=True)
    symbol: str = Field(max_length=20)
    side: str = Field(max_length=10)
    qty: float
    filled_qty: float = 0.0
    filled_avg_price: float | None = None
    status: str = Field(default="intent", max_length=20)  # intent|new|filled|...|refused|lost
    reason: str | None = Field(default=None, sa_column=Column(Text))  # why refused
    manual: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class BrokerCredential(SQLModel, table=True):
    """A user's Alpaca keys, Fernet-encrypted (core.credentials); never returned or logged."""

    __tablename__ = "broker_credentials"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", index=True, unique=True)
    key_id_enc: str = Field(sa_column=Column(Text, nullable=False))
    secret_enc: str = Field(sa_column=Column(Text, nullable=False))
    paper: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class AgentDecision(SQLModel, table=True):
    """One decision of an agent strategy, and the decision cache: `cache_key` is the sha256 of
    (model, prompt version, agent version, snapshot hash, simulated day). A rerun serves the
    stored row instead of asking the model; `--refresh` asks again and overwrites it."""

    __tablename__ = "agent_decisions"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", index=True)
    strategy_id: int = Field(foreign_key="strategies.id", index=True)
    version_id: int = Field(foreign_key="strategy_versions.id", index=True)
    run_id: int | None = Field(default=None, index=True)  # the run that first asked
    # the deployment whose live bot asked (a live decision), else None
    deployment_id: int | None = Field(default=None, index=True)
    cache_key: str = Field(max_length=64, index=True, unique=True)
    model: str = Field(max_length=120)
    prompt_version: str = Field(max_length=40)
    snapshot_hash: str = Field(max_length=64)
    decided_for: str = Field(max_length=10, index=True)  # the simulated (or live) day, ISO
    outcome: str = Field(max_length=10)  # decided | held
    target_weights: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    rationale: str | None = Field(default=None, sa_column=Column(Text))
    confidence: float | None = None
    reason: str | None = Field(default=None, sa_column=Column(Text))  # why it held
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    latency_ms: float = 0.0
    llm_calls: int = 0
    created_at: datetime = Field(default_factory=utcnow)
# -- notifications (issue 16) ---------------------------------------------------------------------
class NotifyEvent(StrEnum):
    """What a user can be told about."""

    fill = "fill"
    refusal = "refusal"  # the risk gate refused an order
    halt = "halt"  # a risk limit, the kill switch, or a reconciliation mismatch
    crash = "crash"  # a bot exited unexpectedly (restarted after a backoff)
    fatal = "fatal"  # too many quick crashes: not restarted
    broker_lost = "broker_lost"  # a bot's broker stopped answering
    reconnect = "reconnect"  # ... and answers again
    backtest_failed = "backtest_failed"
    batch_finished = "batch_finished"
    agent_cost_cap = "agent_cost_cap"  # a deployed agent reached its model cost cap: it holds
    drift = "drift"  # paper drifted from its backtest beyond the tolerance (reconciliation)
    test = "test"  # sent by `stratforge notify test`


class ChannelKind(StrEnum):
    email = "email"
    slack = "slack"
    discord = "discord"
    telegram = "telegram"
    webhook = "webhook"


class NotificationChannel(SQLModel, table=True):
    """Where one user wants to be told what. `config_enc` is the channel's settings as JSON,
    Fernet-encrypted (webhook URLs and bot tokens are secrets); `target` is what may be shown."""

    __tablename__ = "notification_channels"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", index=True)
    name: str = Field(max_length=80)
    kind: str = Field(max_length=12)
    target: str = Field(default="", max_length=200)
    config_enc: str = Field(sa_column=Column(Text, nullable=False))
    events: list[str] = Field(default_factory=list, sa_column=Column(JSON))  # empty: every event
    quiet_start: str | None = Field(default=None, max_length=5)  # "22:00", local to `timezone`
    quiet_end: str | None = Field(default=None, max_length=5)
    timezone: str = Field(default="UTC", max_length=64)
    enabled: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class DeliveryStatus(StrEnum):
    pending = "pending"  # waiting for its next attempt (or for quiet hours to end)
    sending = "sending"  # claimed by a dispatcher
    sent = "sent"
    failed = "failed"  # gave up: a refusal that retrying cannot fix, or attempts used up


class NotificationDelivery(SQLModel, table=True):
    """One message to one channel, and what happened to it: the outbox and the delivery log."""

    __tablename__ = "notification_deliveries"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", index=True)
    channel_id: int = Field(foreign_key="notification_channels.id", index=True)
    event: str = Field(max_length=20)
    title: str = Field(max_length=200)
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    status: str = Field(default=DeliveryStatus.pending.value, index=True, max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    claimed_at: datetime | None = None
    claimed_by: str | None = Field(default=None, max_length=80)
    response_status: int | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


# -- accounts: sessions, personal tokens, integrations, audit, throttling (migration 0007) ---
class UserRole(StrEnum):
    admin = "admin"
    trader = "trader"
    viewer = "viewer"



class RefreshToken(SQLModel, table=True):
    """One refresh token of a login session. A token works once: refreshing marks it used and
    issues the next one of the same `family`; a used token presented again revokes the family."""

    __tablename__ = "refresh_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    family: str = Field(index=True, max_length=40)
    token_hash: str = Field(index=True, unique=True, max_length=64)  # sha256 hex
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None
    created_from: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)



class ApiToken(SQLModel, table=True):
    """A personal API token for scripts and the CLI: shown once, stored as its sha256."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", index=True)
    name: str = Field(max_length=80)
    prefix: str = Field(max_length=16)  # the first characters, to recognise a token in a list
    token_hash: str = Field(index=True, unique=True, max_length=64)
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)



class Integration(SQLModel, table=True):
    """A user's key for an outside service (Alpaca paper/live, an LLM), MultiFernet-encrypted
    (core.credentials); only `masked` is ever shown."""

    __tablename__ = "integrations"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", index=True)
    # alpaca_paper | alpaca_live | openai | anthropic | openai_compatible
    kind: str = Field(max_length=30)
    name: str = Field(default="", max_length=80)
    base_url: str | None = Field(default=None, max_length=400)
    model: str | None = Field(default=None, max_length=120)
    key_id_enc: str | None = Field(default=None, sa_column=Column(Text))  # Alpaca key id
    secret_enc: str = Field(sa_column=Column(Text, nullable=False))
    masked: str = Field(default="", max_length=40)
    last_tested_at: datetime | None = None
    last_test_ok: bool | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)



class AuditEvent(SQLModel, table=True):
    """Append-only (a trigger refuses UPDATE and DELETE): who did what to which object."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = Field(default=None, index=True)
    action: str = Field(max_length=80, index=True)
    object_type: str | None = Field(default=None, max_length=40)
    object_id: str | None = Field(default=None, max_length=40)
    summary: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    address: str | None = Field(default=None, max_length=64)
    request_id: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=utcnow, index=True)



class AuthThrottle(SQLModel, table=True):
    """Failed sign-ins per key (`account:<email>` or `address:<ip>`), for lock-out with backoff."""

    __tablename__ = "auth_throttle"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True, max_length=300)
    failures: int = 0
    window_start: datetime = Field(default_factory=utcnow)
    locked_until: datetime | None = None



# -- teams (migration 0010) ------------------------------------------------------------------
class Team(SQLModel, table=True):
    """A group of users who may read each other's results (`core.scope.TEAM_READABLE`); made
    and filled by an admin."""

    __tablename__ = "teams"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=80)
    created_at: datetime = Field(default_factory=utcnow)


class TeamMember(SQLModel, table=True):
    __tablename__ = "team_members"

    team_id: int = Field(foreign_key="teams.id", primary_key=True)
    user_id: int = Field(foreign_key="users.id", primary_key=True, index=True)
    added_at: datetime = Field(default_factory=utcnow)
