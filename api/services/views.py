"""Every model that crosses the service boundary: what routes, the CLI, the dashboard and MCP
send in and get back. Services build these from rows (the `*_view` functions here); no row
object ever leaves a service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictBool, model_validator

from core.models import (
    LIVE_STATES,
    Deployment,
    DeploymentOrder,
    Strategy,
    StrategyVersion,
    as_utc,
    utcnow,
)
from runtime.risk_gate import RiskLimits

# a database id: SQLite and PostgreSQL store 64-bit integers, so anything above is refused at
# the edge (422 naming the field) instead of overflowing in the driver
MAX_ID = 2**63 - 1
DbId = Annotated[int, Field(ge=1, le=MAX_ID)]
VersionNumber = Annotated[int, Field(ge=1, le=1_000_000)]


# -- strategies and versions ---------------------------------------------------------------------
class VersionView(BaseModel):
    number: int
    parent: int | None
    origin: str
    code_path: str
    sha256: str
    class_name: str
    summary: str
    spec: dict[str, Any] | None
    validation_status: str
    validation: dict[str, Any] | None
    created_at: datetime


class StrategyView(BaseModel):
    id: int
    name: str
    slug: str
    text: str
    latest_version: int
    created_at: datetime
    summary: str = ""
    version: VersionView | None = None


class VersionRow(BaseModel):
    number: int
    parent: int | None
    origin: str
    validation_status: str
    sha256: str
    created_at: datetime
    latest_backtest: dict[str, Any] | None = None


@dataclass
class ScanResult:
    strategy_id: int
    edited_version: int
    new_version: int
    validation_status: str
    diff: str


def version_view(row: StrategyVersion) -> VersionView:
    return VersionView(
        number=row.number,
        parent=row.parent_number,
        origin=row.origin,
        code_path=row.code_path,
        sha256=row.sha256,
        class_name=row.class_name,
        summary=row.summary,
        spec=row.spec,
        validation_status=row.validation_status,
        validation=row.validation_report,
        created_at=row.created_at,
    )


def strategy_view(row: Strategy, version: StrategyVersion | None) -> StrategyView:
    return StrategyView(
        id=row.id or 0,
        name=row.name,
        slug=row.slug,
        text=row.text,
        latest_version=row.latest_version,
        created_at=row.created_at,
        summary=version.summary if version else "",
        version=version_view(version) if version else None,
    )


# -- backtests -----------------------------------------------------------------------------------
class BacktestConfig(BaseModel):
    strategy_id: DbId
    version: int | None = Field(
        default=None, ge=1, le=1_000_000, description="Version number; default the latest"
    )
    start: date
    end: date
    cash: float = Field(default=100_000.0, gt=0, le=1e12)
    benchmark: str | None = Field(default=None, description="Symbol; default SPY or the first")
    fee_pct: float = Field(default=0.0, ge=0, le=0.05)
    slippage_per_share: float = Field(default=0.0, ge=0, le=10)
    parameters: dict[str, Any] = Field(default_factory=dict)
    tearsheet: bool | None = None


class RunView(BaseModel):
    id: int
    strategy_id: int
    version: int
    status: str
    progress: float
    config: dict[str, Any]
    metrics: dict[str, Any] | None
    benchmark: dict[str, Any] | None
    error: str | None
    traceback: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_s: float | None
    artifacts: list[str] = Field(default_factory=list)


# -- generations -----------------------------------------------------------------------------
class GenerationView(BaseModel):
    id: int
    strategy_id: int | None
    purpose: str
    request_id: str | None
    provider: str
    model: str
    prompt_version: str
    text: str
    outcome: str
    error: str | None
    tokens_in: int
    tokens_out: int
    latency_ms: float
    cost_usd: float
    created_at: datetime
    attempts: list[dict[str, Any]] = Field(default_factory=list)


class UsageTotals(BaseModel):
    generations: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0


class ModelUsage(UsageTotals):
    provider: str
    model: str


class BudgetView(BaseModel):
    tokens_today: int
    cost_today_usd: float
    token_budget: int | None
    cost_budget_usd: float | None
    resets_at: datetime


class GenerationsReport(BaseModel):
    generations: list[GenerationView]
    totals: UsageTotals
    by_model: list[ModelUsage]
    today: BudgetView


class Candidate(BaseModel):
    label: str
    generation_id: int
    provider: str
    model: str
    ok: bool
    spec: dict[str, Any] | None = None
    summary: str | None = None
    error: dict[str, Any] | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    latency_ms: float = 0.0


class SpecDifference(BaseModel):
    path: str
    values: dict[str, Any]


class Comparison(BaseModel):
    request_id: str
    text: str
    candidates: list[Candidate]
    differences: list[SpecDifference]
    identical: bool
    next_step: str


class ExplanationView(BaseModel):
    strategy_id: int
    version: int
    summary: str
    explanation: str | None
    provider: str | None = None
    model: str | None = None
    generation_id: int | None = None
    note: str | None = None


# -- batches and schedules ----------------------------------------------------------------------
class DateRange(BaseModel):
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class Target(BaseModel):
    strategy_id: DbId
    version: int | None = Field(
        default=None, ge=1, le=1_000_000, description="Version number; default the latest"
    )


class SweepParameter(BaseModel):
    """One swept parameter: explicit `values`, or `min`/`max` (and `step`, or `count` points).
    With neither, the range comes from the parameter's default and the spec's limits."""

    name: str = Field(min_length=1, max_length=80)
    values: list[Any] | None = Field(default=None, max_length=200)
    min: float | None = None
    max: float | None = None
    step: float | None = Field(default=None, gt=0)
    count: int | None = Field(default=None, ge=2, le=100)


class WalkForward(BaseModel):
    train_days: int = Field(ge=20, le=10_000)
    test_days: int = Field(ge=5, le=10_000)
    step_days: int | None = Field(default=None, ge=5, le=10_000)  # default: test_days


class BatchSpec(BaseModel):
    name: str = Field(default="batch", min_length=1, max_length=120)
    kind: Literal["explicit", "sweep", "walk_forward"] = "explicit"
    targets: list[Target] = Field(default_factory=list, max_length=200)
    all_strategies: bool = Field(
        default=False, description="Every strategy of the user at its latest version"
    )
    date_ranges: list[DateRange] = Field(min_length=1, max_length=100)
    symbols: list[list[str]] | None = Field(
        default=None, description="Symbol sets; each replaces the strategy's symbols"
    )
    parameters: dict[str, Any] = Field(default_factory=dict, description="Fixed overrides")
    sweep: list[SweepParameter] = Field(default_factory=list, max_length=10)
    mode: Literal["grid", "random"] = "grid"
    samples: int = Field(default=20, ge=1, le=10_000)
    seed: int = 0
    walk_forward: WalkForward | None = None
    metric: str = "sharpe"
    cash: float = Field(default=100_000.0, gt=0, le=1e12)
    benchmark: str | None = None
    fee_pct: float = Field(default=0.0, ge=0, le=0.05)
    slippage_per_share: float = Field(default=0.0, ge=0, le=10)
    tearsheet: bool = False
    max_runs: int = Field(default=2000, ge=1, le=20_000)

    @model_validator(mode="after")
    def _consistent(self) -> BatchSpec:
        if not self.targets and not self.all_strategies:
            raise ValueError("name at least one target (strategy_id) or set all_strategies")
        if self.kind in ("sweep", "walk_forward") and not self.sweep:
            raise ValueError(f"a {self.kind} batch needs `sweep` parameters")
        if self.kind == "walk_forward" and self.walk_forward is None:
            raise ValueError("a walk_forward batch needs `walk_forward` windows")
        return self


class BatchCounts(BaseModel):
    total: int = 0
    queued: int = 0
    running: int = 0
    succeeded: int = 0
    failed: int = 0
    cancelled: int = 0

    @property
    def done(self) -> int:
        return self.succeeded + self.failed + self.cancelled


class BatchView(BaseModel):
    id: int
    name: str
    kind: str
    status: str
    executor: str
    schedule_id: int | None
    counts: BatchCounts
    done: int
    progress: float
    eta_s: float | None
    error: str | None
    spec: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    run_ids: list[int]


class ScheduleIn(BaseModel):
    name: str = Field(default="schedule", min_length=1, max_length=120)
    cron: str = Field(min_length=9, max_length=120)
    timezone: str = Field(default="UTC", max_length=64)
    batch: BatchSpec
    enabled: bool = True


class ScheduleView(BaseModel):
    id: int
    name: str
    cron: str
    timezone: str
    enabled: bool
    batch: dict[str, Any]
    next_fire_at: datetime | None
    last_fire_at: datetime | None
    created_at: datetime


# -- deployments ------------------------------------------------------------------------------
class DeployRequest(BaseModel):
    strategy_id: DbId
    version: int | None = Field(
        default=None, ge=1, le=1_000_000, description="Version number; default the latest"
    )
    mode: str = Field(default="paper", description="paper | live | venue")
    limits: RiskLimits = Field(default_factory=RiskLimits)
    parameters: dict[str, Any] = Field(default_factory=dict)
    sleeptime: str | None = Field(
        default=None,
        pattern=r"^\d{1,5}[SMHD]$",
        description="Override the strategy's sleeptime, e.g. 30S",
    )


class DeploymentView(BaseModel):
    id: int
    strategy_id: int
    version: int
    key: str
    mode: str
    state: str
    desired: str
    pid: int | None
    uptime_s: float | None
    restarts: int
    last_heartbeat_at: datetime | None
    heartbeat_age_s: float | None
    equity: float | None
    pnl_day: float | None
    halt_reason: str | None
    last_error: str | None
    limits: dict[str, Any]
    created_at: datetime


class OrderView(BaseModel):
    id: int
    deployment_id: int | None
    client_order_id: str
    broker_id: str | None
    symbol: str
    side: str
    qty: float
    filled_qty: float
    filled_avg_price: float | None
    status: str
    reason: str | None
    manual: bool
    created_at: datetime
    updated_at: datetime


class ManualOrder(BaseModel):
    symbol: str = Field(min_length=1, max_length=20)
    qty: float = Field(gt=0, le=1e9)
    side: str = Field(pattern="^(buy|sell)$")
    mode: str = Field(default="paper", description="paper | live | venue")
    limits: RiskLimits = Field(default_factory=RiskLimits)


class KillReport(BaseModel):
    halted: list[int]
    cancelled_orders: int
    flattened: list[str]
    errors: list[str] = Field(default_factory=list)


def deployment_view(row: Deployment, version_number: int) -> DeploymentView:
    now = utcnow()
    started = as_utc(row.started_at)
    beat = as_utc(row.last_heartbeat_at)
    live = row.pid is not None and row.state in LIVE_STATES
    return DeploymentView(
        id=row.id or 0,
        strategy_id=row.strategy_id,
        version=version_number,
        key=row.key,
        mode=row.mode,
        state=row.state,
        desired=row.desired,
        pid=row.pid if live else None,
        uptime_s=(now - started).total_seconds() if live and started else None,
        restarts=row.restarts,
        last_heartbeat_at=beat,
        heartbeat_age_s=(now - beat).total_seconds() if beat else None,
        equity=row.equity,
        pnl_day=row.pnl_day,
        halt_reason=row.halt_reason,
        last_error=row.last_error,
        limits=row.limits or {},
        created_at=row.created_at,
    )


def order_view(row: DeploymentOrder) -> OrderView:
    return OrderView(
        id=row.id or 0,
        deployment_id=row.deployment_id,
        client_order_id=row.client_order_id,
        broker_id=row.broker_id,
        symbol=row.symbol,
        side=row.side,
        qty=row.qty,
        filled_qty=row.filled_qty,
        filled_avg_price=row.filled_avg_price,
        status=row.status,
        reason=row.reason,
        manual=row.manual,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


# -- request bodies of the HTTP API ----------------------------------------------------------
class KillBody(BaseModel):
    flatten: StrictBool = Field(default=False, description="Also close every position")
    all_users: StrictBool = Field(
        default=False, description="Admins, in an emergency: every user's bots and accounts")


class CredentialsBody(BaseModel):
    key_id: str = Field(min_length=1, max_length=200)
    secret: str = Field(min_length=1, max_length=200)
    paper: StrictBool = True


class CreateStrategy(BaseModel):
    text: str = Field(
        min_length=1,
        max_length=4000,
        examples=[
            "Buy SPY when the 50-day SMA crosses above the 200-day SMA and sell when it crosses "
            "back below"
        ],
    )
    provider: str | None = Field(
        default=None,
        description="provider[:model], e.g. openai:gpt-4.1-mini; default: the server's setting",
    )
    compare: list[str] | None = Field(
        default=None,
        min_length=1,
        max_length=6,
        description="Several provider[:model]s: returns their candidates side by side (200) "
        "instead of creating a strategy; accept one with POST /generations/{id}/accept",
    )


class UploadCode(BaseModel):
    code: str = Field(min_length=1, max_length=200_000)


class CreatedStrategy(StrategyView):
    code: str


class RestoreBody(BaseModel):
    version: int = Field(ge=1, le=1_000_000)


class CloneBody(BaseModel):
    name: str = Field(min_length=1, max_length=80)


class RegenerateBody(BaseModel):
    provider: str | None = None


# -- accounts, sessions, tokens, integrations, audit (issue 11) ------------------------------------
Email = Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]
Password = Annotated[str, Field(min_length=1, max_length=1024)]
NewPassword = Annotated[str, Field(min_length=10, max_length=1024)]
Role = Literal["admin", "trader", "viewer"]


class RegisterIn(BaseModel):
    model_config = {"extra": "forbid"}
    email: Email
    password: NewPassword
    name: Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[\w.@+-]+$")]


class LoginIn(BaseModel):
    model_config = {"extra": "forbid"}
    email: Email
    password: Password


class RefreshIn(BaseModel):
    model_config = {"extra": "forbid"}
    refresh_token: Annotated[str, Field(min_length=1, max_length=200)]


class LogoutIn(BaseModel):
    model_config = {"extra": "forbid"}
    refresh_token: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    everywhere: StrictBool = False


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class UserView(BaseModel):
    id: int
    name: str
    email: str | None
    role: str
    display_name: str
    disabled: bool
    created_at: datetime


class AuthStatus(BaseModel):
    authenticated: bool
    via: str  # jwt | token | api_key | local
    user: UserView
    auth_required: bool
    open_registration: bool


class TokenIn(BaseModel):
    model_config = {"extra": "forbid"}
    name: Annotated[str, Field(min_length=1, max_length=80)]
    expires_in_days: Annotated[int, Field(ge=1, le=3650)] | None = None


class TokenView(BaseModel):
    id: int
    name: str
    prefix: str
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime


class TokenCreated(TokenView):
    token: str  # shown once


class ProfileUpdate(BaseModel):
    model_config = {"extra": "forbid"}
    display_name: Annotated[str, Field(max_length=120)] | None = None
    email: Email | None = None


class PasswordChange(BaseModel):
    model_config = {"extra": "forbid"}
    current_password: Password
    new_password: NewPassword


class UserSettings(BaseModel):
    model_config = {"extra": "forbid"}
    theme: Literal["light", "dark", "system"] = "system"
    default_symbols: Annotated[list[Annotated[str, Field(pattern=r"^[A-Z.]{1,10}$")]],
                               Field(max_length=50)] = []
    notifications: dict[Annotated[str, Field(max_length=40)], StrictBool] = {}


class CreateUserIn(BaseModel):
    model_config = {"extra": "forbid"}
    name: Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[\w.@+-]+$")]
    email: Email | None = None
    password: NewPassword | None = None
    role: Role = "trader"


IntegrationKind = Literal["alpaca_paper", "alpaca_live", "openai", "anthropic", "openai_compatible"]


class IntegrationIn(BaseModel):
    model_config = {"extra": "forbid"}
    kind: IntegrationKind
    name: Annotated[str, Field(max_length=80)] = ""
    key_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None  # Alpaca key id
    secret: Annotated[str, Field(min_length=1, max_length=500)]
    base_url: Annotated[str, Field(max_length=400, pattern=r"^https?://")] | None = None
    model: Annotated[str, Field(max_length=120)] | None = None


class IntegrationUpdate(BaseModel):
    model_config = {"extra": "forbid"}
    name: Annotated[str, Field(max_length=80)] | None = None
    key_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    secret: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    base_url: Annotated[str, Field(max_length=400, pattern=r"^https?://")] | None = None
    model: Annotated[str, Field(max_length=120)] | None = None


class IntegrationView(BaseModel):
    id: int
    kind: str
    name: str
    base_url: str | None
    model: str | None
    masked: str
    last_tested_at: datetime | None
    last_test_ok: bool | None
    created_at: datetime
    updated_at: datetime


class IntegrationTest(BaseModel):
    ok: bool
    detail: str


class AuditView(BaseModel):
    id: int
    actor_id: int | None
    action: str
    object_type: str | None
    object_id: str | None
    summary: dict[str, Any] | None
    address: str | None
    request_id: str | None
    created_at: datetime
