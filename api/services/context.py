"""The application context: what every service is built from, made once per process.

`AppContext.open(settings)` migrates the database and opens the stores; the FastAPI lifespan
does it once for the server, each CLI command once for its process. Services receive the context
(and the other services they use) explicitly in their constructors; nothing is looked up
globally or added to an object later.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.code_store import CodeStore
from core.config import Settings
from core.db import ensure_user, get_engine, migrate
from generator.spec import SpecLimits
from runtime.market_data import MarketDataStore


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    engine: Engine
    market: MarketDataStore
    code: CodeStore
    limits: SpecLimits
    default_user_id: int

    @classmethod
    def open(cls, settings: Settings) -> AppContext:
        settings.ensure_dirs()
        migrate(settings)
        engine = get_engine(settings)
        with Session(engine, expire_on_commit=False) as db:
            user_id = ensure_user(db, settings.default_user).id or 0
        return cls(
            settings=settings,
            engine=engine,
            market=MarketDataStore(settings.market_data_dir),
            code=CodeStore(settings.code_dir),
            limits=SpecLimits(
                max_symbols=settings.max_symbols,
                max_leverage=settings.max_leverage,
                max_lookback=settings.max_lookback,
                allow_short=settings.allow_short,
            ),
            default_user_id=user_id,
        )

    def session(self) -> Session:
        """A new database session; objects stay readable after commit (views are built late)."""
        return Session(self.engine, expire_on_commit=False)

    def known_symbols(self) -> set[str]:
        return {c.symbol for c in self.market.symbols()}
