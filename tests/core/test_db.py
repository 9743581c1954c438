"""Migrations and a round trip of every table, on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlmodel import select

from core.config import Settings
from core.db import ensure_user, get_engine, migrate, session_scope
from core.models import BacktestRun, Generation, Strategy, StrategyVersion, User


def _round_trip(settings: Settings) -> None:
    migrate(settings)
    migrate(settings)  # idempotent
    tables = set(inspect(get_engine(settings)).get_table_names())
    assert {
        "users",
        "strategies",
        "strategy_versions",
        "generations",
        "backtest_runs",
        "alembic_version",
    } <= tables
    with session_scope(settings) as db:
        user = ensure_user(db, "local")
        assert ensure_user(db, "local").id == user.id
        strategy = Strategy(
            owner_id=user.id or 0,
            name="Golden cross",
            slug="golden_cross",
            text="buy SPY on a golden cross",
            latest_version=1,
        )
        db.add(strategy)
        db.flush()
        version = StrategyVersion(
            strategy_id=strategy.id or 0,
            owner_id=user.id or 0,
            number=1,
            code_path="golden_cross/v1.py",
            sha256="0" * 64,
            class_name="GoldenCross",
            spec={"symbols": ["SPY"]},
            summary="Trades SPY.",
        )
        db.add(version)
        db.flush()
        db.add(
            Generation(
                owner_id=user.id or 0,
                strategy_id=strategy.id,
                provider="offline",
                text="buy SPY",
                outcome="ok",
                tokens_in=3,
            )
        )
        db.add(
            BacktestRun(
                owner_id=user.id or 0,
                strategy_id=strategy.id or 0,
                version_id=version.id or 0,
                config={"cash": 1e5},
                metrics={"sharpe": 0.5},
            )
        )
        db.commit()
    with session_scope(settings) as db:
        got = db.exec(select(StrategyVersion)).one()
        assert got.spec == {"symbols": ["SPY"]}
        run = db.exec(select(BacktestRun)).one()
        assert run.metrics == {"sharpe": 0.5} and run.status == "queued"
        assert run.created_at.tzinfo is not None


def test_sqlite_round_trip_uses_wal(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, database_url=None)
    _round_trip(settings)
    with get_engine(settings).connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


@pytest.mark.postgres
def test_postgres_round_trip(tmp_path: Path, postgres_url: str) -> None:
    settings = Settings(home=tmp_path, database_url=postgres_url)
    assert settings.database.startswith("postgresql+psycopg://")
    _round_trip(settings)


def test_plain_postgres_urls_get_the_psycopg_driver() -> None:
    assert Settings(database_url="postgres://u@h/db").database == "postgresql+psycopg://u@h/db"


def test_home_and_database_are_private(tmp_path: Path) -> None:
    """HOME holds the database and the credentials key: nobody else may read it."""
    import stat

    from core.config import Settings
    from core.db import dispose_engines, migrate

    settings = Settings(home=tmp_path / "home", generated_dir=tmp_path / "gen")
    settings.ensure_dirs()
    migrate(settings)
    assert stat.S_IMODE(settings.home.stat().st_mode) == 0o700
    assert stat.S_IMODE(settings.runs_dir.stat().st_mode) == 0o700
    database = settings.home / "stratforge.db"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    dispose_engines()


def _fetch_while_a_turn_is_held(settings: Settings) -> tuple[bool, list[str]]:
    """Whether `fetch_all` finished while another thread held the SQLite fetch turn, and what
    it fetched once the turn was free."""
    import threading

    from core import db as core_db

    migrate(settings)
    with session_scope(settings) as db:
        ensure_user(db, "local")
    fetched: list[str] = []

    def fetch() -> None:
        with session_scope(settings) as db:
            fetched.extend(core_db.fetch_all(db, select(User.name)))

    worker = threading.Thread(target=fetch)
    with core_db._sqlite_fetch:
        worker.start()
        worker.join(timeout=2.0)
        finished_during_turn = not worker.is_alive()
    worker.join(timeout=30)
    assert not worker.is_alive()
    return finished_during_turn, fetched


def test_sqlite_fetches_take_turns(tmp_path: Path) -> None:
    finished_during_turn, fetched = _fetch_while_a_turn_is_held(
        Settings(home=tmp_path, database_url=None))
    assert not finished_during_turn and fetched == ["local"]


@pytest.mark.postgres
def test_postgres_fetches_do_not_wait_for_sqlites_turn(tmp_path: Path, postgres_url: str) -> None:
    finished_during_turn, fetched = _fetch_while_a_turn_is_held(
        Settings(home=tmp_path, database_url=postgres_url))
    assert finished_during_turn and fetched == ["local"]
