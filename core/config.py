"""One `Settings` object for the whole of stratforge, read from the environment.

Every knob is an environment variable with the `STRATFORGE_` prefix, except the ones users
already know by their own names (`DATABASE_URL`). Paths default under `STRATFORGE_HOME`
(default `~/.stratforge`): the SQLite database, the market-data cache and run artifacts.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_generated_dir() -> Path | None:
    # In a source checkout (pip install -e .) code lands in the project's generated_strategies/,
    # where developers open it; an installed wheel has no such folder, so it goes under HOME.
    candidate = PROJECT_ROOT / "generated_strategies"
    return candidate if candidate.is_dir() else None


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

    # server-side limits on specs (see generator.spec.SpecLimits)
    max_symbols: int = 20
    max_leverage: float = 1.0
    max_lookback: int = 400

    # backtests
    backtest_timeout_s: float = 900.0
    backtest_memory_mb: int = 4096
    backtest_concurrency: int = 2
    risk_free_rate: float = 0.0
    smoke_backtest_days: int = 120
    tearsheet: bool = True

    # generation
    llm_provider: str = "offline"

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
        for path in (self.home, self.market_data_dir, self.runs_dir, self.code_dir):
            path.mkdir(parents=True, exist_ok=True)

    def bind_is_loopback(self, host: str | None = None) -> bool:
        host = host or self.host
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests and the CLI change the environment)."""
    get_settings.cache_clear()
