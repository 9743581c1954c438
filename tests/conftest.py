"""Shared pytest fixtures and helpers for stratforge.

Policy for optional resources (shared market data, PostgreSQL, ...): a test that needs one
SKIPS with a clear reason when it is absent, as on a user's machine, but FAILS when CI sets the
matching environment variable, so a broken CI setup can never pass by skipping everything.

Policy for slow tests (`@pytest.mark.slow`: long real-data backtests, the parity sweeps, the
browser walk, Schemathesis' deeper run, bot fleets): a plain `pytest` on a developer's machine
leaves them out (listed as deselected, with how to run them), so the default run stays around
ten minutes. CI (`CI=true`, as `.ci/run` runs), `STRATFORGE_RUN_SLOW=1`, or any `-m` expression
given on the command line runs them.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

REPO_ROOT = Path(__file__).resolve().parents[1]
# The project is not installed into the venv; make `import runtime...` work from any cwd.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

SHARED_DATA_DIR = REPO_ROOT.parent / "shared" / "data" / "daily"


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes")


def _skip_or_fail(reason: str, required_by: str) -> None:
    if _flag(required_by):
        pytest.fail(f"{reason} ({required_by}=1, so this is a failure, not a skip)")
    pytest.skip(reason)


def require_or_skip(condition: bool, reason: str) -> None:
    """Continue if ``condition`` holds (the service is available); otherwise skip the test,
    or fail it when STRATFORGE_REQUIRE_SERVICES=1 (CI, where services must be up)."""
    if not condition:
        _skip_or_fail(reason, "STRATFORGE_REQUIRE_SERVICES")


def _run_slow(config: pytest.Config) -> bool:
    return _flag("CI") or _flag("STRATFORGE_RUN_SLOW") or bool(config.getoption("markexpr"))


def pytest_report_header(config: pytest.Config) -> str:
    if _run_slow(config):
        return "stratforge: slow tests included"
    return ("stratforge: slow tests left out (STRATFORGE_RUN_SLOW=1 or CI=true runs them; "
            "-m slow runs only them)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _run_slow(config):
        return
    slow = [item for item in items if item.get_closest_marker("slow") is not None]
    if slow:
        items[:] = [item for item in items if item.get_closest_marker("slow") is None]
        config.hook.pytest_deselected(items=slow)


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    """The real daily ETF bars in ../shared/data/daily (beside the checkout).

    Skips when the folder is absent; fails instead when STRATFORGE_REQUIRE_SHARED_DATA=1.
    """
    if not SHARED_DATA_DIR.is_dir() or not any(SHARED_DATA_DIR.glob("*.csv")):
        _skip_or_fail(
            f"shared market data not found at {SHARED_DATA_DIR} "
            "(it sits at ../shared/data/daily beside the checkout on dev machines and in CI)",
            "STRATFORGE_REQUIRE_SHARED_DATA",
        )
    return SHARED_DATA_DIR


# -- stratforge fixtures ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def real_market_dir(shared_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A market-data store with the 21 real ETFs imported once for the whole session."""
    from runtime.market_data import MarketDataStore

    root = tmp_path_factory.mktemp("real_market")
    MarketDataStore(root).import_path(shared_data_dir)
    return root


@pytest.fixture(scope="session")
def sample_market_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A market-data store holding the seeded synthetic sample market."""
    from runtime.market_data import MarketDataStore

    root = tmp_path_factory.mktemp("sample_market")
    MarketDataStore(root).load_sample()
    return root


def make_settings(tmp_path: Path, market_dir: Path, **overrides: object):  # type: ignore[no-untyped-def]
    from core.config import Settings

    values: dict[str, object] = {
        "home": tmp_path / "home",
        "generated_dir": tmp_path / "generated",
        "market_dir": market_dir,
        "tearsheet": False,
        "backtest_timeout_s": 300.0,
        # TestClient sends `Host: testserver`
        "allowed_hosts": "localhost,127.0.0.1,::1,testserver",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


# Real services are opt-in: no test can reach OpenAI, Anthropic, Alpaca or a stray database
# because a developer happens to have keys in their shell. Tests that talk to a local fake
# server set the variables they need themselves.
_OUTSIDE_WORLD = (
    "OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL",
    "ALPACA_API_KEY", "ALPACA_API_SECRET", "APCA_API_KEY_ID", "APCA_API_SECRET_KEY",
    "DATABASE_URL", "RAY_ADDRESS",
)


@pytest.fixture(autouse=True)
def _no_outside_world(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _OUTSIDE_WORLD:
        monkeypatch.delenv(name, raising=False)
    for name in list(os.environ):
        if name.startswith("STRATFORGE_") and not name.startswith("STRATFORGE_REQUIRE_") and (
            name != "STRATFORGE_TEST_POSTGRES_URL"
        ):
            monkeypatch.delenv(name, raising=False)


# -- PostgreSQL ---------------------------------------------------------------------------------
PG_ADMIN_URL = os.environ.get(
    "STRATFORGE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _pg_available() -> bool:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture
def postgres_url() -> Iterator[str]:
    require_or_skip(_pg_available(), f"PostgreSQL not reachable at {PG_ADMIN_URL}")
    name = f"stratforge_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        from core.db import dispose_engines

        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()




@pytest.fixture(autouse=True)
def _logs_reach_caplog() -> Iterator[None]:
    """Entry points call `core.logging.configure_logging`, which stops `stratforge` records at
    its own handler; in tests they must also reach pytest's capture (caplog)."""
    import logging

    yield
    root = logging.getLogger("stratforge")
    for handler in list(root.handlers):
        if type(handler).__name__ == "_StratforgeHandler":
            root.removeHandler(handler)
    root.propagate = True
    root.setLevel(logging.NOTSET)


def ui_csrf(client: Any, path: str = "/ui/login", **kwargs: Any) -> str:
    """The CSRF token a dashboard page puts in its forms; the client keeps its cookie."""
    import re

    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path, **kwargs).text)
    assert found, f"no CSRF token in {path}"
    return found.group(1)
