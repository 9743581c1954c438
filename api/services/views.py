"""Every model that crosses the service boundary: what routes, the CLI, the dashboard and MCP
send in and get back. Services build these from rows (the `*_view` functions here); no row
object ever leaves a service.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar
from zoneinfo import available_timezones

import orjson
from pydantic import BaseModel, BeforeValidator, Field, StrictBool, TypeAdapter, model_validator
from sqlalchemy import Text, cast
from sqlmodel import col

from core.db import json_loads
from core.models import (
    LIVE_STATES,
    Deployment,
    DeploymentOrder,
    NotifyEvent,
    Strategy,
    StrategyVersion,
    as_utc,
    utcnow,
)
from generator.agent_spec import MODEL_SELECTOR_PATTERN
from runtime.notifications.channels import EMAIL_PATTERN
from runtime.risk_gate import RiskLimits

# a database id: SQLite and PostgreSQL store 64-bit integers, so anything above is refused at
# the edge (422 naming the field) instead of overflowing in the driver
MAX_ID = 2**63 - 1
DbId = Annotated[int, Field(ge=1, le=MAX_ID)]
VersionNumber = Annotated[int, Field(ge=1, le=1_000_000)]


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day_text(value: object) -> object:
    """A day in a request is ISO text (``2024-03-01``) or a date. pydantic's lax mode would
    also read a number, or digits, as Unix seconds (``1.7e-99`` or ``"0"`` → 1970-01-01) and
    a midnight datetime as its day: neither is what the schema's ``format: date`` allows, nor
    what a user means."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


# a calendar day in a request (body or query)
Day = Annotated[date, BeforeValidator(_day_text)]


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
    owner_id: int = Field(default=0, description="whose it is (a team-mate's is read-only)")
    name: str
    slug: str
    text: str
    latest_version: int
    created_at: datetime
    summary: str = ""
    version: VersionView | None = None
    # words of the text read as carrying no trading meaning (titles, small talk); set on the
    # answer that creates the strategy
    ignored: list[str] = Field(default_factory=list)


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
        owner_id=row.owner_id,
        name=row.name,
        slug=row.slug,
        text=row.text,
        latest_version=row.latest_version,
        created_at=row.created_at,
        summary=version.summary if version else "",
        version=version_view(version) if version else None,
    )


# what a list of strategies selects: the strategy's columns, then its latest version's (None
# throughout when it has none), in the order `strategy_list_view` reads them
STRATEGY_LIST_COLUMNS = (
    Strategy.id, Strategy.owner_id, Strategy.name, Strategy.slug, Strategy.text,
    Strategy.latest_version, Strategy.created_at,
    StrategyVersion.number, StrategyVersion.parent_number, StrategyVersion.origin,
    StrategyVersion.code_path, StrategyVersion.sha256, StrategyVersion.class_name,
    StrategyVersion.summary, StrategyVersion.spec, StrategyVersion.validation_status,
    StrategyVersion.validation_report, StrategyVersion.created_at,
)


# the same columns with the two JSON ones (spec, validation report) read as the text they are
# stored as: `strategy_list_json` embeds that text instead of parsing it only to write it again
STRATEGY_LIST_JSON_COLUMNS = tuple(
    cast(col(c), Text) if c is StrategyVersion.spec or c is StrategyVersion.validation_report
    else c for c in STRATEGY_LIST_COLUMNS
)


_STRATEGY_LIST: TypeAdapter[list[StrategyView]] = TypeAdapter(list[StrategyView])


def strategy_list_views(rows: Iterable[Sequence[Any]]) -> list[StrategyView]:
    """`strategy_view` of rows of `STRATEGY_LIST_COLUMNS`, the whole list validated in one
    call (a model built per row, and 200 ORM objects before that, were most of a long list's
    cost)."""
    return _STRATEGY_LIST.validate_python([
        {"id": id_, "owner_id": owner, "name": name, "slug": slug, "text": text,
         "latest_version": latest, "created_at": created,
         "summary": summary if number is not None else "",
         "version": None if number is None else {
             "number": number, "parent": parent, "origin": origin, "code_path": code_path,
             "sha256": sha256, "class_name": class_name, "summary": summary, "spec": spec,
             "validation_status": status, "validation": report,
             "created_at": version_created}}
        for (id_, owner, name, slug, text, latest, created, number, parent, origin, code_path,
             sha256, class_name, summary, spec, status, report, version_created) in rows
    ])


def _stored_json(text: str | None) -> Any:
    """A JSON column's stored text as a part of the document orjson writes, as it is (a
    `Fragment`: no parse, no second serialisation); parsed when it holds a NaN or an
    infinity, which JSON cannot say."""
    if text is None:
        return None
    # what `json.dumps` writes for the floats JSON cannot say (SQLite keeps it; PostgreSQL
    # refuses it): such a document is parsed and written again, the float as null
    if "NaN" in text or "Infinity" in text:
        return json_loads(text)
    return orjson.Fragment(text)


def _version_json(number: int | None, parent: int | None, origin: str, code_path: str,
                  sha256: str, class_name: str, summary: str, spec: Any, status: str,
                  report: Any, created: datetime) -> dict[str, Any] | None:
    if number is None:
        return None
    return {"number": number, "parent": parent, "origin": origin, "code_path": code_path,
            "sha256": sha256, "class_name": class_name, "summary": summary, "spec": spec,
            "validation_status": status, "validation": report, "created_at": created}


def strategy_list_json(rows: Iterable[Sequence[Any]]) -> bytes:
    """Rows of `STRATEGY_LIST_JSON_COLUMNS` as the JSON array of `StrategyView`s, serialised
    straight from the rows by orjson: the same document as `strategy_list_views` dumped by
    pydantic (keys in the model's order, UTC times ending in Z, NaN as null), at a fraction
    of its CPU. The values need no validation: they come typed from the columns the models
    mirror, and the JSON columns as the text the JSON type wrote (`_stored_json`)."""
    return orjson.dumps([
        {"id": id_, "owner_id": owner, "name": name, "slug": slug, "text": text,
         "latest_version": latest, "created_at": created,
         "summary": summary if number is not None else "",
         "version": _version_json(number, parent, origin, code_path, sha256, class_name,
                                  summary, _stored_json(spec), status, _stored_json(report),
                                  version_created),
         "ignored": []}
        for (id_, owner, name, slug, text, latest, created, number, parent, origin, code_path,
             sha256, class_name, summary, spec, status, report, version_created) in rows
    ], option=orjson.OPT_UTC_Z)


@dataclass
class JsonPage:
    """One page of a list already serialised: the JSON array of its items, how many match in
    all, and the window asked for (what `Page` says, for a list the API serves as is)."""

    body: bytes
    total: int
    limit: int | None
    offset: int


# -- backtests -----------------------------------------------------------------------------------
class AgentRunOptions(BaseModel):
    """How an agent strategy's backtest gets its decisions."""

    refresh: bool = Field(default=False, description="ask the model again instead of the cache")
    max_cost_usd: float | None = Field(
        default=None, ge=0, le=10_000, description="stop asking once the run's cost reaches it"
    )


class BacktestConfig(BaseModel):
    strategy_id: DbId
    version: int | None = Field(
        default=None, ge=1, le=1_000_000, description="Version number; default the latest"
    )
    start: Day
    end: Day
    cash: float = Field(default=100_000.0, gt=0, le=1e12)
    benchmark: str | None = Field(default=None, description="Symbol; default SPY or the first")
    fee_pct: float = Field(default=0.0, ge=0, le=0.05)
    slippage_per_share: float = Field(default=0.0, ge=0, le=10)
    parameters: dict[str, Any] = Field(default_factory=dict)
    tearsheet: StrictBool | None = None
    agent: AgentRunOptions | None = None  # agent strategies only (issue 12)
    dividends: Literal["cash", "reinvest", "off"] | None = Field(
        default=None,
        description="cash: paid on the ex-date; reinvest: bought back at the next open; off: "
        "price return only. Default: cash when the store has dividends for the symbols",
    )
    engine: Literal["lumibot", "fast"] = Field(
        default="lumibot",
        description="lumibot (the run that counts) or fast (the array engine with Lumibot "
        "parity; plain specs only, refused otherwise)",
    )


class RunView(BaseModel):
    id: int
    owner_id: int = Field(default=0, description="whose it is (a team-mate's is read-only)")
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
    start: Day
    end: Day

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
    all_strategies: StrictBool = Field(
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
    tearsheet: StrictBool = False
    max_runs: int = Field(default=2000, ge=1, le=20_000)
    engine: Literal["lumibot", "fast"] | None = Field(
        default=None,
        description="fast: screen every sweep combination on the fast engine and run only the "
        "best confirm_top on Lumibot. A walk-forward searches each training window on the fast "
        "engine unless this says lumibot (and falls back, saying why, when it refuses)",
    )
    confirm_top: int = Field(default=10, ge=1, le=200,
                             description="Screened variants re-run on Lumibot")
    dividends: Literal["cash", "reinvest", "off"] | None = Field(
        default=None, description="How the runs treat dividends (default: cash when paid)")

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
    owner_id: int = Field(default=0, description="whose it is (a team-mate's is read-only)")
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
    batch: BatchSpec | None = None
    enabled: StrictBool = True
    # instead of a batch: bring every stored symbol up to the last close (`data update`)
    data_update: StrictBool = False

    @model_validator(mode="after")
    def _one_job(self) -> ScheduleIn:
        if (self.batch is None) == (not self.data_update):
            raise ValueError("a schedule runs either a batch or the market-data update")
        return self


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
DeployMode = Literal["paper", "live", "venue"]


class DeployRequest(BaseModel):
    strategy_id: DbId
    version: int | None = Field(
        default=None, ge=1, le=1_000_000, description="Version number; default the latest"
    )
    mode: DeployMode = "paper"
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
    broker_error: str | None = None  # the broker's last error, while it does not answer


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
    mode: DeployMode = "paper"
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
        broker_error=row.broker_error,
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


class ImportStrategy(BaseModel):
    content: str = Field(min_length=1, max_length=200_000, description=(
        "the file's text: a `stratforge export` file or a version's code, or JSON holding a "
        "spec (spec.json, {\"spec\": ...}, or a strategy as GET /strategies/{id} answers)"))
    filename: str | None = Field(default=None, max_length=255,
                                 description="the file's name (names code without a docstring)")
    name: str | None = Field(default=None, max_length=120,
                             description="the new strategy's name instead of the file's")


class CreatedStrategy(StrategyView):
    code: str


class RestoreBody(BaseModel):
    version: int = Field(ge=1, le=1_000_000)


class CloneBody(BaseModel):
    name: str = Field(min_length=1, max_length=80)


class RegenerateBody(BaseModel):
    provider: str | None = None


# -- agents (issue 12) -----------------------------------------------------------------------
class CreateAgent(BaseModel):
    text: str = Field(min_length=1, max_length=4000)
    model: str = Field(default="offline", max_length=120, pattern=MODEL_SELECTOR_PATTERN,
                       description="who decides: offline, openai[:model], anthropic[:model], ...")
    anonymize: bool | None = Field(default=None, description="anonymised snapshots")
    provider: str | None = Field(
        default=None, max_length=120,
        description="who reads the text: offline (default) or an LLM provider[:model]",
    )


class CompareAgent(BaseModel):
    models: list[Annotated[str, Field(max_length=120, pattern=MODEL_SELECTOR_PATTERN)]] = Field(
        min_length=1, max_length=6)
    start: Day
    end: Day
    cash: float = Field(default=100_000.0, gt=0, le=1e12)
    refresh: bool = False
    max_cost_usd: float | None = Field(default=None, ge=0, le=10_000)
    anonymize: bool | None = Field(default=None, description="override the agent's choice")


class LeaderboardRow(BaseModel):
    label: str
    kind: str  # model | baseline | buy_and_hold
    run_id: int | None
    status: str
    total_return: float | None = None
    cagr: float | None = None
    sharpe: float | None = None
    max_drawdown: float | None = None
    turnover: float | None = None
    decisions: int | None = None
    decisions_changed: int | None = None
    llm_calls: int | None = None
    cache_hits: int | None = None
    tokens: int | None = None
    cost_usd: float | None = None
    mean_latency_ms: float | None = None
    contaminated: bool = False
    contamination: str | None = None
    stopped: str | None = None
    error: str | None = None


class AgentComparisonView(BaseModel):
    strategy_id: int
    version: int
    start: date
    end: date
    rows: list[LeaderboardRow]


class AgentDecisionView(BaseModel):
    id: int
    run_id: int | None
    deployment_id: int | None = None  # the deployed bot that asked (a live decision)
    live: bool = False  # made for a deployed bot, on its live day, not in a backtest
    model: str
    day: str
    outcome: str
    target_weights: dict[str, Any] | None
    rationale: str | None
    confidence: float | None
    reason: str | None
    tokens: int
    cost_usd: float
    latency_ms: float
    prompt_version: str


class AgentUsageView(BaseModel):
    """What a deployed agent's live bot asked its model: the decisions stored for the
    deployment (a decision the cache served again is counted once) and what they cost."""

    deployment_id: int
    decisions: int = 0
    held: int = 0  # decisions that kept the portfolio as it was
    llm_calls: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    first_day: str | None = None
    last_day: str | None = None
# -- monitoring (issue 16) -----------------------------------------------------------------------
class ComponentHealth(BaseModel):
    ok: bool
    detail: str = ""
    latency_ms: float | None = None
    pid: int | None = None


class BotHealth(BaseModel):
    deployment_id: int
    state: str
    pid: int | None
    alive: bool  # a live state and a fresh heartbeat (or still within its start-up grace)
    heartbeat_age_s: float | None
    ok: bool  # alive when it should be; not FATAL or MISMATCH
    desired_running: bool


class HealthReport(BaseModel):
    status: Literal["ok", "degraded", "down"]
    database: ComponentHealth
    supervisor: ComponentHealth
    executor: ComponentHealth
    bots: list[BotHealth]


# -- notifications (issue 16) ----------------------------------------------------------------------
QUIET_HOURS = r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$"


# The host (and port) of a URL a request names: ASCII letters, digits, dots, hyphens and
# underscores (a compose service's name; an international name in its xn-- form). No userinfo,
# no IPv6 literal; and no other character, since urlsplit refuses a host with one that
# NFKC-normalises to a delimiter ("﹫" → "@"), which a pattern of excluded characters let
# through (Schemathesis sent one: schema-valid, refused).
URL_HOST = r"[A-Za-z0-9._-]+(:[0-9]{1,5})?"
HTTP_URL = rf"^https?://{URL_HOST}([/?#]|$)"  # an http(s) URL with a host


class EmailSettings(BaseModel):
    """email: the address to write to (the server's SMTP settings are used)."""

    model_config = {"extra": "forbid"}
    to: str = Field(pattern=EMAIL_PATTERN, max_length=200)


class SlackWebhookSettings(BaseModel):
    """slack through an incoming webhook."""

    model_config = {"extra": "forbid"}
    webhook_url: str = Field(pattern=HTTP_URL, max_length=500)
    api_url: str | None = Field(default=None, pattern=HTTP_URL, max_length=500)


class SlackBotSettings(BaseModel):
    """slack through the Web API: a bot token and a channel id."""

    model_config = {"extra": "forbid"}
    bot_token: str = Field(min_length=1, max_length=200)
    channel: str = Field(min_length=1, max_length=80)
    api_url: str | None = Field(default=None, pattern=HTTP_URL, max_length=500)


class DiscordSettings(BaseModel):
    model_config = {"extra": "forbid"}
    webhook_url: str = Field(pattern=HTTP_URL, max_length=500)


class TelegramSettings(BaseModel):
    model_config = {"extra": "forbid"}
    bot_token: str = Field(min_length=10, max_length=200, pattern=r"^[\w:-]+$")
    chat_id: str = Field(min_length=1, max_length=64, pattern=r"^-?\w+$|^@\w+$")
    api_url: str | None = Field(default=None, pattern=HTTP_URL, max_length=500)


class WebhookSettings(BaseModel):
    """webhook: where to POST, and the HMAC-SHA256 key that signs each delivery."""

    model_config = {"extra": "forbid"}
    url: str = Field(pattern=HTTP_URL, max_length=500)
    secret: str = Field(min_length=16, max_length=200)


# The schema lists the events and time zones there are; the service checks them itself (its
# errors, `unknown_event` and `bad_timezone`, name the problem), so here they are documented only.
EVENT_NAMES: dict[str, Any] = {"enum": [e.value for e in NotifyEvent]}


def _zone_names(schema: dict[str, Any]) -> None:
    # listed when the schema is made, not at import: reading the zone database takes ~0.2 s,
    # which every CLI command would pay
    schema["enum"] = sorted(available_timezones())


ChannelEvent = Annotated[str, Field(max_length=40, json_schema_extra=EVENT_NAMES)]
ChannelZone = Annotated[str, Field(max_length=64, json_schema_extra=_zone_names)]


class _ChannelCommon(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    events: list[ChannelEvent] = Field(default_factory=list, max_length=20)  # empty: every one
    quiet_hours: str | None = Field(default=None, pattern=QUIET_HOURS)  # "22:00-07:00"
    timezone: ChannelZone = "UTC"
    enabled: StrictBool = True


class EmailChannelCreate(_ChannelCommon):
    kind: Literal["email"]
    settings: EmailSettings


class SlackChannelCreate(_ChannelCommon):
    kind: Literal["slack"]
    settings: SlackWebhookSettings | SlackBotSettings


class DiscordChannelCreate(_ChannelCommon):
    kind: Literal["discord"]
    settings: DiscordSettings


class TelegramChannelCreate(_ChannelCommon):
    kind: Literal["telegram"]
    settings: TelegramSettings


class WebhookChannelCreate(_ChannelCommon):
    kind: Literal["webhook"]
    settings: WebhookSettings


# A notification channel: `kind` says which `settings` it needs (secrets are stored encrypted
# and never shown again). The service still parses the settings into the runtime's configs.
ChannelCreate = Annotated[
    EmailChannelCreate | SlackChannelCreate | DiscordChannelCreate | TelegramChannelCreate
    | WebhookChannelCreate,
    Field(discriminator="kind"),
]
CHANNEL_CREATE: TypeAdapter[ChannelCreate] = TypeAdapter(ChannelCreate)


class ChannelUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=80)
    events: list[ChannelEvent] | None = Field(default=None, max_length=20)
    quiet_hours: str | None = Field(default=None, pattern=QUIET_HOURS + "|^$")  # "": none
    timezone: ChannelZone | None = None
    enabled: StrictBool | None = None


class ChannelView(BaseModel):
    id: int
    name: str
    kind: str
    target: str  # what may be shown: an address, a chat id, a host — never a secret
    events: list[str]
    quiet_hours: str | None
    timezone: str
    enabled: bool
    created_at: datetime


class DeliveryView(BaseModel):
    id: int
    channel_id: int
    event: str
    title: str
    status: str
    attempts: int
    response_status: int | None
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
# -- market data: fetching, updating, what the store holds (issue 13) ---------------------------


class SymbolFetchView(BaseModel):
    """What fetching or updating one symbol did; ``error`` is set when nothing was stored."""

    symbol: str
    source: str | None = None
    added: int = 0
    bars: int = 0
    start: date | None = None
    end: date | None = None
    restated: list[str] = Field(default_factory=list)
    version: str | None = None
    new_dividends: int = 0
    warnings: list[str] = Field(default_factory=list)
    passed_over: list[dict[str, str]] = Field(default_factory=list)
    up_to_date: bool = False
    error: str | None = None


class FetchReport(BaseModel):
    symbols: list[SymbolFetchView]
    sources: list[str]
    last_close: date | None = None

    @property
    def failed(self) -> list[SymbolFetchView]:
        return [s for s in self.symbols if s.error is not None]


class MarketFetchBody(BaseModel):
    """``POST /market-data/fetch``: fetch these symbols (or, with ``update``, bring them — or
    every stored symbol when none are named — up to the last close)."""

    model_config = {"extra": "forbid"}

    symbols: list[Annotated[str, Field(min_length=1, max_length=20)]] = Field(
        default_factory=list, max_length=100
    )
    sources: list[str] | None = Field(default=None, max_length=5)
    start: Day | None = None
    end: Day | None = None
    update: bool = False


class FetchJobView(BaseModel):
    id: str
    status: Literal["running", "succeeded", "failed"]
    done: int
    total: int
    current: str | None = None
    report: FetchReport | None = None
    error: dict[str, Any] | None = None


class SymbolDetail(BaseModel):
    """``data show``: a symbol's range, source, last update, gaps and corporate actions."""

    symbol: str
    start: date
    end: date
    bars: int
    source: str
    updated_at: str | None
    dividends: int
    splits: int
    versions: list[str]
    gaps: list[str]
    missing_sessions: list[str]
    actions: list[dict[str, Any]]


class QuoteView(BaseModel):
    symbol: str
    price: float
    time: str
    source: Literal["store", "alpaca"]
    bid: float | None = None
    ask: float | None = None
# -- the bot builder (issue 10): clarification, indicators, templates --------------------------
class ClarifyIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000,
                      examples=["Buy SPY when RSI is below 30 and sell when it drops"])


class ClarificationView(BaseModel):
    """What the offline reader makes of a text: a spec when it is understood as it is, the
    questions that decide it when it is vague in a way we recognise or reads as a strategy
    without some of its sentences (`set_apart`), or the refusal."""

    needs_clarification: bool
    understood: list[str] = Field(default_factory=list)
    questions: list[str] = Field(default_factory=list)
    suggestions: list[str] = Field(default_factory=list)
    vague: str = ""
    set_apart: list[str] = Field(default_factory=list)
    not_understood: list[str] = Field(default_factory=list)
    refused: str | None = None
    spec: dict[str, Any] | None = None
    summary: str = ""
    ignored: list[str] = Field(default_factory=list)


class IndicatorView(BaseModel):
    kind: str
    name: str
    description: str
    parameters: dict[str, Any]
    say: str
    since_spec_version: int
    timeframes: list[str]


class TemplateView(BaseModel):
    key: str
    name: str
    sentence: str
    about: str
    spec: dict[str, Any]
    summary: str
    backtest_start: str
    backtest_end: str
# -- pages of a list -----------------------------------------------------------------------------
MAX_PAGE = 500  # the most rows one list request returns
DEFAULT_PAGE = 50
MAX_OFFSET = 2**31 - 1
PageLimit = Annotated[int, Field(ge=1, le=MAX_PAGE)]
PageOffset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]
SearchText = Annotated[str, Field(min_length=1, max_length=200)]


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, how many match in all, and the window asked for."""

    items: list[T]
    total: int
    limit: int | None
    offset: int


def fetch_limit(limit: int | None) -> int | None:
    """How many rows to fetch for a page: one more than it holds, so that `known_total` can
    tell whether more follow without a count query."""
    return None if limit is None else limit + 1


def known_total(fetched: int, limit: int | None, offset: int) -> int | None:
    """The total that a page fetched with `fetch_limit` already tells (nothing follows it and
    the window starts inside the list), or None: then count."""
    if (limit is None or fetched <= limit) and (fetched > 0 or offset == 0):
        return offset + fetched
    return None


# -- errors --------------------------------------------------------------------------------------
class ErrorBody(BaseModel):
    """Every error the API answers (`StratforgeError.as_dict`): a stable code, a message and
    structured details."""

    code: str = Field(description="stable, machine-readable reason, e.g. not_found, busy")
    message: str
    details: dict[str, Any] = Field(default_factory=dict)
# -- accounts, sessions, tokens, integrations, audit (issue 11) ------------------------------------
# \x85 named as well: Python's \s has it, a JSON-Schema (ECMA) \s does not
Email = Annotated[
    str, Field(min_length=3, max_length=254, pattern=r"^[^@\s\x85]+@[^@\s\x85]+$")
]
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


# a base URL: `URL_HOST`, then a path without spaces or control characters (the URL is shown
# back in views)
BASE_URL = rf"^https?://{URL_HOST}(/[^\x00-\x20\x7f]*)?$"


class IntegrationIn(BaseModel):
    """A user's key. Which fields a kind needs (an Alpaca key id, a compatible server's base
    URL) is checked by the service (422 `bad_keys`)."""

    model_config = {"extra": "forbid"}
    kind: IntegrationKind
    name: Annotated[str, Field(max_length=80)] = ""
    key_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None  # Alpaca key id
    secret: Annotated[str, Field(min_length=1, max_length=500)]
    base_url: Annotated[str, Field(max_length=400, pattern=BASE_URL)] | None = None
    model: Annotated[str, Field(max_length=120)] | None = None


class IntegrationUpdate(BaseModel):
    model_config = {"extra": "forbid"}
    name: Annotated[str, Field(max_length=80)] | None = None
    key_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    secret: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    base_url: Annotated[str, Field(max_length=400, pattern=BASE_URL)] | None = None
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


# -- teams (issue 11) ----------------------------------------------------------------------------
class TeamMemberView(BaseModel):
    user_id: int
    name: str
    role: str


class TeamView(BaseModel):
    id: int
    name: str
    created_at: datetime
    members: list[TeamMemberView]


class TeamIn(BaseModel):
    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.-]*$",
                      description="letters, digits, space, _ . -")


class TeamMemberIn(BaseModel):
    user: str = Field(min_length=1, max_length=254, description="the user's name or email")
