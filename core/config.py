"""One `Settings` object for the whole of stratforge, read from the environment.

Every knob is an environment variable with the `STRATFORGE_` prefix, except the ones users
already know by their own names (`DATABASE_URL`). Paths default under `STRATFORGE_HOME`
(default `~/.stratforge`): the SQLite database, the market-data cache and run artifacts.
"""

from __future__ import annotations

import ipaddress
import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# USD per million tokens (input, output), list prices; override with STRATFORGE_LLM_PRICES (JSON)
DEFAULT_LLM_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4.1": (2.0, 8.0),
    "gpt-4.1-mini": (0.4, 1.6),
    "gpt-4.1-nano": (0.1, 0.4),
    "gpt-4o": (2.5, 10.0),
    "gpt-4o-mini": (0.15, 0.6),
    "gpt-5": (1.25, 10.0),
    "gpt-5-mini": (0.25, 2.0),
    "claude-sonnet-4": (3.0, 15.0),
    "claude-opus-4": (15.0, 75.0),
    "claude-haiku-4": (1.0, 5.0),
    "claude-3-5-haiku": (0.8, 4.0),
}


# Training-data cutoffs the vendors publish (approximate; override with
# STRATFORGE_AGENT_MODEL_CUTOFFS, JSON). A backtest window that starts before a model's cutoff is
# marked contaminated: the model may remember what happened.
DEFAULT_AGENT_CUTOFFS: dict[str, str] = {
    "gpt-4o": "2023-10-01",
    "gpt-4.1": "2024-06-01",
    "gpt-5": "2024-09-30",
    "claude-3-5-haiku": "2024-07-31",
    "claude-sonnet-4": "2025-03-31",
    "claude-opus-4": "2025-03-31",
    "claude-sonnet-4-5": "2025-07-31",
    "claude-haiku-4-5": "2025-02-28",
}

def _default_generated_dir() -> Path | None:
    # In a source checkout (pip install -e .) code lands in the project's generated_strategies/,
    # where developers open it; an installed wheel has no such folder, so it goes under HOME.
    candidate = PROJECT_ROOT / "generated_strategies"
    return candidate if candidate.is_dir() else None


class ExecutorSettings(BaseSettings):
    """Where backtests run: `STRATFORGE_BATCH_EXECUTOR=local|ray`, `STRATFORGE_BATCH_WORKERS`,
    `RAY_ADDRESS`. Every backtest (single, batch, validation gate) uses this executor."""

    model_config = SettingsConfigDict(env_prefix="STRATFORGE_BATCH_", extra="ignore")

    executor: Literal["local", "ray"] | None = None  # None: ray when an address is set
    workers: int | None = Field(default=None, ge=1, le=256)  # None: the machine's cores
    ray_address: str | None = Field(
        default=None, validation_alias=AliasChoices("RAY_ADDRESS", "STRATFORGE_BATCH_RAY_ADDRESS")
    )
    worker_start_timeout_s: float = 120.0
    # keep Lumibot's per-call market-input fingerprints (runtime.lumibot_hooks); slower
    input_evidence: bool = False

    @property
    def kind(self) -> Literal["local", "ray"]:
        if self.executor is not None:
            return self.executor
        return "ray" if self.ray_address else "local"

    @property
    def pool_size(self) -> int:
        return self.workers or os.cpu_count() or 1


class SchedulerSettings(BaseSettings):
    """`STRATFORGE_SCHEDULER_ENABLED`, `STRATFORGE_SCHEDULER_POLL_S`."""

    model_config = SettingsConfigDict(env_prefix="STRATFORGE_SCHEDULER_", extra="ignore")

    enabled: bool = True
    poll_s: float = Field(default=15.0, gt=0, le=3600)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STRATFORGE_", extra="ignore")

    home: Path = Field(default_factory=lambda: Path.home() / ".stratforge")
    generated_dir: Path | None = Field(default_factory=_default_generated_dir)
    market_dir: Path | None = None  # default HOME/market_data
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "STRATFORGE_DATABASE_URL")
    )

    # API server
    host: str = "127.0.0.1"
    port: int = 8000
    api_key: SecretStr | None = None
    default_user: str = "local"
    # Host names the server answers to, comma-separated ("*": any; "*.example.org" a domain).
    # Default: the loopback names without an API key, any name with one (the key guards it)
    allowed_hosts: str | None = None

    # server-side limits on specs (see generator.spec.SpecLimits)
    max_symbols: int = 20
    max_leverage: float = 1.0
    max_lookback: int = 400
    # STRATFORGE_ALLOW_SHORT: strategies may sell short (spec `side: short`); off by default,
    # and then a short is refused naming this setting, never turned into a long
    allow_short: bool = False
    # STRATFORGE_MAX_REQUEST_BYTES: an HTTP request body past this is answered 413 before it is
    # read whole or parsed (a strategy text is at most 4000 characters)
    max_request_bytes: int = Field(default=1024 * 1024, ge=1024)

    # backtests
    backtest_timeout_s: float = 900.0
    backtest_memory_mb: int = 4096
    backtest_concurrency: int = 2
    # jobs (backtests, validation checks) that may wait for a worker; past it: 429 / the CLI waits
    max_queued_backtests: int = Field(default=16, ge=0, le=10_000)
    risk_free_rate: float = 0.0
    smoke_backtest_days: int = 120
    tearsheet: bool = True
    # the executor every backtest goes through, and the cron scheduler of batches
    executor: ExecutorSettings = Field(default_factory=ExecutorSettings)
    scheduler: SchedulerSettings = Field(default_factory=SchedulerSettings)

    # live deployments (runtime.bots, runtime.alpaca_clients)
    allow_live: bool = False  # STRATFORGE_ALLOW_LIVE: real-money trading only when set
    alpaca_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ALPACA_API_KEY", "alpaca_api_key")
    )
    alpaca_api_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ALPACA_API_SECRET", "alpaca_api_secret")
    )
    alpaca_trading_url: str | None = None
    alpaca_data_url: str | None = None
    credentials_key: SecretStr | None = None  # Fernet key; default HOME/credentials.key (0600)
    credentials_key_file: Path | None = None  # or a file holding it, e.g. outside HOME
    venue_url: str | None = None  # a running `stratforge venue`; default: the supervisor's
    venue_speed: float = 1.0  # the supervisor's venue: simulated seconds per real second
    venue_slippage_bps: float = 2.0  # the supervisor's venue: against the trader, market fills
    # the supervisor's venue runs in a process of its own (its child); true serves it from a
    # thread of the supervisor's process instead, as before the eleventh round of issue 16
    venue_embedded: bool = False
    bot_heartbeat_s: float = 5.0
    # how often an idle bot (none of its orders open) reads its account: the equity and day's
    # P&L its heartbeat shows and the daily-loss check between orders (an order's own gate
    # check reads it fresh); with an order open, every heartbeat does
    bot_account_check_s: float = Field(default=30.0, ge=0)
    bot_heartbeat_timeout_s: float = 30.0
    bot_startup_grace_s: float = 90.0
    bot_restart_backoff_s: float = 1.0
    bot_restart_backoff_max_s: float = 60.0
    bot_max_quick_crashes: int = 5
    bot_quick_crash_s: float = 60.0
    bot_polling_interval_s: float = 2.0
    bot_stop_grace_s: float = 20.0
    bot_memory_mb: int = 0  # 0: no RLIMIT_AS for bots
    # how many bots may be in their start-up at once (runtime.bots.startup_slots: the rest wait
    # their turn); 0, the default: no limit (measured there: turns help the median start of 20
    # bots and hurt the last of 100)
    bot_startup_slots: int = Field(default=0, ge=0)
    bot_startup_hold_s: float = Field(default=10.0, gt=0)
    # fault injection, for tests only: "kill_after_submit" makes a bot's first run kill -9
    # itself right after the broker accepted its first order, before it journals the answer
    bot_fault: Literal["", "kill_after_submit"] = ""
    # `stratforge reconcile`: paper drifting from its backtest replay beyond these notifies
    # `drift` (slippage in basis points against the trader, per order and over the notional;
    # fills this many trading days late; any missed, extra or partial order always does)
    reconcile_tolerance_bps: float = Field(default=25.0, ge=0)
    reconcile_max_timing_days: int = Field(default=0, ge=0)
    supervisor_poll_s: float = 0.5
    # `serve` starts the bot supervisor (and its launcher and local venue) at its own start-up
    supervisor_at_start: bool = True

    # generation: provider[:model]; None = openai/anthropic when their key is set, else offline
    llm_provider: str | None = None
    llm_model: str | None = None
    llm_fallback: str = ""  # e.g. "anthropic,openai,offline": tried in order after a failure
    llm_openai_api: Literal["chat", "responses"] = "chat"
    llm_base_url: str | None = None  # openai-compatible server; default OPENAI_BASE_URL, Ollama
    llm_json_mode: bool = False  # openai-compatible: skip json_schema, ask for JSON mode
    llm_timeout_s: float = 60.0
    llm_max_retries: int = 3
    llm_backoff_s: float = 1.0
    llm_backoff_max_s: float = 20.0
    llm_retry_after_max_s: float = 60.0
    llm_max_repairs: int = 2
    llm_max_tokens: int = 2000
    llm_temperature: float | None = None
    llm_record: bool = False
    llm_recordings_dir: Path | None = None  # default HOME/llm_recordings
    # USD per million tokens (input, output); the longest matching model-name prefix wins
    llm_prices: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: dict(DEFAULT_LLM_PRICES)
    )
    llm_daily_token_budget: int | None = None  # per user, tokens in + out since 00:00 UTC
    llm_daily_cost_budget_usd: float | None = None  # per user, since 00:00 UTC
    # agents (issue 12): training cutoffs by model-name prefix (ISO dates, longest prefix wins;
    # unknown models count as "latest"), and the default per-run cost cap (None: no cap)
    agent_model_cutoffs: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_AGENT_CUTOFFS)
    )
    agent_max_cost_usd: float | None = None
    # how long a deployed agent bot waits for one decision before it holds (the service's own
    # model calls are bounded by llm_timeout_s, retries and repairs)
    agent_live_wait_s: float = 300.0
    # the SDKs' own variables, read here so that a key is known to be set (never logged)
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "openai_api_key")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "openai_base_url")
    )
    anthropic_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ANTHROPIC_API_KEY", "anthropic_api_key")
    )
    anthropic_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("ANTHROPIC_BASE_URL", "anthropic_base_url")
    )

    # how the supervisor starts a bot: "fork" from a warm launcher (runtime.bots.launcher),
    # or "spawn" a fresh Python per bot
    bot_launcher: Literal["fork", "spawn"] = "fork"
    # bots run without pyarrow (runtime.bots.import_policy: ~33 MB less resident memory per
    # bot; pandas' Arrow dtypes and parquet, and polars' to_pandas, are then unavailable in a
    # bot): true for strategies that need them
    bot_pyarrow: bool = False

    # notifications (runtime.notifications): the outbox's dispatcher and the SMTP server
    notify_poll_s: float = 1.0  # how often a dispatcher looks for due deliveries
    notify_timeout_s: float = 10.0  # one attempt's connect + answer limit
    notify_max_attempts: int = 6
    notify_backoff_s: float = 5.0  # doubles per attempt, with jitter
    notify_backoff_max_s: float = 900.0
    notify_workers: int = 4  # deliveries in flight at once per dispatcher
    smtp_host: str | None = None  # STRATFORGE_SMTP_HOST: email channels need it
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "stratforge@localhost"
    smtp_starttls: bool = True
    # market data providers (runtime.market_data.sources): tried in this order
    data_sources: str = "alpaca,yahoo"  # STRATFORGE_DATA_SOURCES
    alpaca_data_feed: str | None = None  # iex | sip | delayed_sip; None: the account's default
    yahoo_url: str | None = None  # a Yahoo Finance mirror or proxy; None: Yahoo itself
    data_timeout_s: float = 30.0  # per HTTP request to a provider
    # accounts (api.services.accounts, api.services.sessions): issue 11
    # None: sign-in is required as soon as one account has a password; until then loopback
    # requests act as the default user (single-user mode)
    auth_required: bool | None = None
    open_registration: bool = False  # STRATFORGE_OPEN_REGISTRATION: POST /auth/register
    admin_email: str | None = None  # with admin_password: the first admin, made at first start
    admin_password: SecretStr | None = None
    jwt_secret: SecretStr | None = None  # default HOME/jwt.key (0600)
    access_token_ttl_s: int = Field(default=900, ge=30, le=86400)
    # how long a process trusts a credential it verified (api.services.credential_cache); a
    # revocation made through stratforge applies at once regardless; 0: check every request
    auth_cache_s: float = Field(default=5.0, ge=0, le=60)
    refresh_token_ttl_s: int = Field(default=30 * 86400, ge=60)
    auth_max_failures: int = 5  # failed sign-ins per account before a lock-out
    auth_max_failures_per_address: int = 20
    auth_window_s: float = 900.0
    auth_lockout_s: float = 30.0  # the first lock-out; doubles with each further failure
    auth_lockout_max_s: float = 3600.0
    registrations_per_address: int = 5  # per auth window
    user_max_active_backtests: int = 50  # queued + running runs per user (a quota: 429)
    # the CLI's sign-in (`stratforge login`): a personal API token, kept 0600
    cli_config: Path = Field(
        default_factory=lambda: Path.home() / ".config" / "stratforge" / "cli.json"
    )
    token: SecretStr | None = None  # STRATFORGE_TOKEN: a personal API token for this process
    # MCP (`stratforge mcp`): how long a deploy/stop/kill confirmation token stays usable
    mcp_confirmation_ttl_s: int = Field(default=300, ge=10, le=3600)

    @property
    def default_llm_provider(self) -> str:
        if self.llm_provider:
            return self.llm_provider
        if self.openai_api_key is not None:
            return "openai"
        if self.anthropic_api_key is not None:
            return "anthropic"
        return "offline"

    @property
    def llm_recordings_path(self) -> Path:
        return self.llm_recordings_dir or self.home / "llm_recordings"

    @property
    def database(self) -> str:
        if self.database_url:
            url = self.database_url
            # accept the URLs people paste from Heroku-style platforms
            if url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url[len("postgres://") :]
            elif url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url[len("postgresql://") :]
            return url
        return f"sqlite:///{self.home / 'stratforge.db'}"

    @property
    def market_data_dir(self) -> Path:
        return self.market_dir if self.market_dir is not None else self.home / "market_data"

    @property
    def runs_dir(self) -> Path:
        return self.home / "runs"

    @property
    def code_dir(self) -> Path:
        return self.generated_dir if self.generated_dir is not None else self.home / "generated"

    def ensure_dirs(self) -> None:
        """Create the folders; HOME and its run folders are private to this user (0700): they
        hold the database, the credentials key and every run's files."""
        for path in (self.home, self.market_data_dir, self.runs_dir, self.code_dir):
            path.mkdir(parents=True, exist_ok=True)
        for private in (self.home, self.runs_dir):
            private.chmod(0o700)

    def bind_is_loopback(self, host: str | None = None) -> bool:
        host = host or self.host
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    @property
    def allowed_host_names(self) -> list[str]:
        if self.allowed_hosts is not None:
            return [h.strip() for h in self.allowed_hosts.split(",") if h.strip()]
        if self.api_key is not None:
            return ["*"]
        return ["localhost", "127.0.0.1", "::1"]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests and the CLI change the environment)."""
    get_settings.cache_clear()
