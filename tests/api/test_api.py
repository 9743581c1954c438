"""The HTTP API end to end: real app, real SQLite database, real backtest workers, real bars."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import make_settings, ui_csrf
from fastapi.testclient import TestClient
from sqlmodel import select

from api.app import create_app
from api.services.container import Services
from core.db import dispose_engines
from core.models import User

GOLDEN = (
    "Buy SPY when the 50-day SMA crosses above the 200-day SMA and sell when it crosses "
    "back below"
)

RAISES_IN_2012 = '''"""Edited on purpose: fails in 2012."""

from __future__ import annotations

from lumibot.strategies import Strategy


class Breaks(Strategy):
    parameters = {"symbols": ["SPY"]}

    def initialize(self) -> None:
        self.sleeptime = "1D"

    def on_trading_iteration(self) -> None:
        if self.get_datetime().year == 2012:
            raise ValueError("edited strategy fails in 2012")
'''


def _wait(check: Callable[[], Any], timeout: float = 240.0, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("condition not reached in time")


@pytest.fixture
def client(tmp_path: Path, real_market_dir: Path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, real_market_dir)
    with TestClient(create_app(settings)) as test_client:
        yield test_client
    dispose_engines()


def _finished(client: TestClient, run_id: int) -> dict[str, Any] | None:
    body = client.get(f"/backtests/{run_id}").json()
    return body if body["status"] in ("succeeded", "failed") else None


def test_strategy_to_backtest_results(client: TestClient) -> None:
    created = client.post("/strategies", json={"text": GOLDEN})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["version"]["validation_status"] == "passed", body["version"]["validation"]
    assert "lookahead_probe" in body["version"]["validation"]["checks"]
    assert "class GoldenCross" in body["code"] and "SPY" in body["summary"]
    sid = body["id"]
    assert [s["id"] for s in client.get("/strategies").json()] == [sid]
    assert client.get(f"/strategies/{sid}/versions/1/code").text == body["code"]

    run = client.post(
        "/backtests",
        json={"strategy_id": sid, "start": "2015-01-02", "end": "2019-12-31", "cash": 50_000,
              "tearsheet": True},
    )
    assert run.status_code == 202, run.text
    run_id = run.json()["id"]
    done = _wait(lambda: _finished(client, run_id))
    assert done["status"] == "succeeded", done
    assert done["metrics"]["trades"] >= 1
    assert done["benchmark"]["symbol"] == "SPY"
    assert {"total_return", "cagr", "sharpe", "sortino", "max_drawdown", "win_rate"} <= set(
        done["metrics"])
    trades = client.get(f"/backtests/{run_id}/trades").json()
    assert trades["fills"] and trades["fills"][0]["symbol"] == "SPY"
    equity = client.get(f"/backtests/{run_id}/equity").json()
    assert equity[0]["equity"] == pytest.approx(50_000, rel=1e-6)
    assert "benchmark" in equity[-1]
    sheet = client.get(f"/backtests/{run_id}/tearsheet")
    assert sheet.status_code == 200 and "<html" in sheet.text.lower()


def test_unparseable_text_is_a_422_that_says_what_was_understood(client: TestClient) -> None:
    response = client.post("/strategies", json={"text": "buy SPY when the VWAP crosses the moon"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "not_understood"
    assert body["message"]
    assert "not_understood" in body["details"]
    assert client.get("/strategies").json() == []  # nothing half-made was kept


def test_unknown_symbol_lists_what_is_available(client: TestClient) -> None:
    response = client.post(
        "/strategies",
        json={"text": "Buy ZZZQ when the 50-day SMA crosses above the 200-day SMA, sell when "
                      "it crosses below"},
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "unknown_symbol"
    assert "ZZZQ" in body["message"] and "SPY" in body["message"]
    assert "SPY" in body["details"]["available"]
    bars = client.get("/market-data/ZZZQ/bars")
    assert bars.status_code == 404 and bars.json()["code"] == "unknown_symbol"


def test_version_zero_is_refused_not_read_as_the_latest(client: TestClient) -> None:
    sid = client.post("/strategies", json={"text": GOLDEN}).json()["id"]
    response = client.post("/backtests", json={"strategy_id": sid, "version": 0,
                                              "start": "2015-01-02", "end": "2016-01-04"})
    assert response.status_code == 422 and "version" in response.json()["message"]
    assert client.get(f"/strategies/{sid}/versions/0").status_code == 422


def test_ids_beyond_64_bits_are_a_422_naming_the_field(client: TestClient) -> None:
    huge = 2**63
    for path in (f"/strategies/{huge}", f"/backtests/{huge}", f"/strategies/1/versions/{huge}",
                 f"/backtests?strategy_id={huge}", f"/backtests/compare?ids=1,{huge}"):
        response = client.get(path)
        assert response.status_code == 422, (path, response.text)
    body = client.post("/backtests", json={"strategy_id": 1e30, "start": "2015-01-02",
                                          "end": "2016-01-04"})
    assert body.status_code == 422 and "strategy_id" in body.json()["message"]


def test_run_time_parameters_are_held_to_the_code_and_the_limits(client: TestClient) -> None:
    sid = client.post("/strategies", json={"text": GOLDEN}).json()["id"]
    window = {"strategy_id": sid, "start": "2015-01-02", "end": "2016-01-04"}
    for parameters, code in (({"rsi_period": 14}, "unknown_parameter"),
                             ({"__class__": "x"}, "unknown_parameter"),
                             ({"fast_sma_period": 1_000_000_000}, "bad_parameters"),
                             ({"fast_sma_period": -5}, "bad_parameters"),
                             ({"fast_sma_period": "50"}, "bad_parameters")):
        response = client.post("/backtests", json={**window, "parameters": parameters})
        assert response.status_code == 422, (parameters, response.text)
        assert response.json()["code"] == code
    longer = client.post("/backtests", json={**window, "parameters": {"slow_sma_period": 300}})
    assert longer.status_code == 202, longer.text
    assert longer.json()["config"]["warmup_bars"] > 300  # the warm-up follows the period


def test_date_range_outside_the_data(client: TestClient) -> None:
    sid = client.post("/strategies", json={"text": GOLDEN}).json()["id"]
    response = client.post(
        "/backtests", json={"strategy_id": sid, "start": "1980-01-02", "end": "1985-12-31"})
    assert response.status_code == 422
    assert response.json()["code"] == "out_of_range"
    assert "1993" in response.json()["message"]  # says which range we do have
    reversed_range = client.post(
        "/backtests", json={"strategy_id": sid, "start": "2020-01-02", "end": "2019-01-02"})
    assert reversed_range.status_code == 422
    missing = client.post("/backtests", json={"strategy_id": 999, "start": "2020-01-02",
                                              "end": "2021-01-02"})
    assert missing.status_code == 404 and missing.json()["code"] == "strategy_not_found"


def test_strategy_that_raises_fails_its_run_and_the_server_keeps_serving(
        client: TestClient) -> None:
    sid = client.post("/strategies", json={"text": GOLDEN}).json()["id"]
    edited = client.put(f"/strategies/{sid}/code", json={"code": RAISES_IN_2012})
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"]["number"] == 2
    assert edited.json()["version"]["origin"] == "edited"
    run_id = client.post("/backtests", json={"strategy_id": sid, "start": "2011-01-03",
                                             "end": "2013-12-31"}).json()["id"]
    done = _wait(lambda: _finished(client, run_id))
    assert done["status"] == "failed"
    assert "edited strategy fails in 2012" in done["error"]
    assert "on_trading_iteration" in done["traceback"]
    assert client.get("/health").json()["status"] == "ok"
    results = client.get(f"/backtests/{run_id}/trades")
    assert results.status_code == 409 and results.json()["code"] == "run_not_finished"
    # version 1 still backtests fine
    ok_id = client.post("/backtests", json={"strategy_id": sid, "version": 1,
                                            "start": "2011-01-03", "end": "2011-12-30"}).json()
    assert _wait(lambda: _finished(client, ok_id["id"]))["status"] == "succeeded"


def test_uploaded_code_that_imports_os_is_refused_with_line_numbers(client: TestClient) -> None:
    sid = client.post("/strategies", json={"text": GOLDEN}).json()["id"]
    bad = RAISES_IN_2012.replace("from __future__ import annotations\n",
                                 "from __future__ import annotations\nimport os\n")
    response = client.put(f"/strategies/{sid}/code", json={"code": bad})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    assert response.json()["details"]["problems"][0]["line"] == 4  # the `import os` line
    assert client.get(f"/strategies/{sid}").json()["latest_version"] == 1


def test_market_data_endpoints(client: TestClient) -> None:
    symbols = client.get("/market-data/symbols", params={"query": "sp"}).json()
    assert [s["symbol"] for s in symbols] == ["SPY"]
    bars = client.get("/market-data/SPY/bars",
                      params={"start": "2024-01-02", "end": "2024-01-31"}).json()
    assert bars["bars"][0]["date"] == "2024-01-02" and len(bars["bars"]) == 21
    rsi = client.get("/market-data/SPY/indicators",
                     params={"kind": "rsi", "period": 14, "start": "2024-01-02"}).json()
    assert rsi["indicator"] == {"kind": "rsi", "period": 14}
    assert all(0 <= v["value"] <= 100 for v in rsi["values"])
    bad = client.get("/market-data/SPY/indicators", params={"kind": "vwap"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_request"


def test_api_key_is_enforced_when_configured(tmp_path: Path, real_market_dir: Path) -> None:
    settings = make_settings(tmp_path, real_market_dir, api_key="s3cret-key")
    with TestClient(create_app(settings)) as client:
        assert client.get("/strategies").status_code == 401
        assert client.get("/strategies", headers={"X-API-Key": "wrong"}).status_code == 401
        assert client.get("/strategies", headers={"X-API-Key": "s3cret-key"}).status_code == 200
        ok = client.get("/strategies", headers={"Authorization": "Bearer s3cret-key"})
        assert ok.status_code == 200
        assert "s3cret-key" not in client.get("/openapi.json").text
    dispose_engines()


def test_killed_worker_ends_failed_and_restart_recovers_stuck_runs(
        tmp_path: Path, real_market_dir: Path) -> None:
    settings = make_settings(tmp_path, real_market_dir, smoke_backtest_days=0)
    service = Services.open(settings)
    from api.services.views import BacktestConfig

    view = service.strategies.create_strategy(service.user_id, GOLDEN)
    config = BacktestConfig(strategy_id=view.id, start="2006-01-03", end="2024-12-31")
    run = service.backtests.create_backtest(service.user_id, config)
    service.backtests.submit_backtest(run.id)
    pid = _wait(lambda: service.backtests.get_backtest(None, run.id).progress > 0
                and _pid(service, run.id))
    os.kill(pid, signal.SIGKILL)
    done = _wait(lambda: (v := service.backtests.get_backtest(None, run.id)).status == "failed"
                 and v)
    assert "SIGKILL" in (done.error or "")

    # a run left 'running' by a dead server is failed on the next start, not stuck forever
    stuck = service.backtests.create_backtest(service.user_id, config)
    service.recorder.update(stuck.id, status="running", worker_pid=999_999)
    service.close()
    restarted = Services.open(settings)
    assert restarted.recorder.recover_interrupted().failed == 1
    after = restarted.backtests.get_backtest(None, stuck.id)
    assert after.status == "failed" and "interrupted" in (after.error or "")
    dispose_engines()


def test_recovery_kills_a_live_worker_of_ours_and_nothing_else(
        tmp_path: Path, real_market_dir: Path) -> None:
    """Start-up recovery kills a pool worker still running an interrupted run (its watchdog
    only fires when its own parent dies), and leaves alone a process that merely reuses a
    recorded pid."""
    from api.services.views import BacktestConfig
    from runtime.executors.base import POOL_MODULE

    settings = make_settings(tmp_path, real_market_dir, smoke_backtest_days=0)
    service = Services.open(settings)
    view = service.strategies.create_strategy(service.user_id, GOLDEN)
    config = BacktestConfig(strategy_id=view.id, start="2016-01-04", end="2016-12-30")
    ours = subprocess.Popen([sys.executable, "-m", POOL_MODULE], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, start_new_session=True)
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                                start_new_session=True)
    try:
        runs = [service.backtests.create_backtest(service.user_id, config) for _ in range(2)]
        service.recorder.update(runs[0].id, status="running", worker_pid=ours.pid)
        service.recorder.update(runs[1].id, status="running", worker_pid=stranger.pid)
        recovery = service.recorder.recover_interrupted()
        assert (recovery.failed, recovery.workers_killed) == (2, 1)
        assert ours.wait(timeout=30) == -signal.SIGKILL
        assert stranger.poll() is None
        for run in runs:
            after = service.backtests.get_backtest(None, run.id)
            assert after.status == "failed" and "interrupted" in (after.error or "")
    finally:
        for proc in (ours, stranger):
            proc.kill()
            proc.wait()
        service.close()
        dispose_engines()


def _pid(service: Services, run_id: int) -> int | None:
    from core.models import BacktestRun

    with service.ctx.session() as db:
        row = db.get(BacktestRun, run_id)
        return row.worker_pid if row else None


@pytest.mark.postgres
def test_whole_flow_on_postgresql(tmp_path: Path, real_market_dir: Path,
                                  postgres_url: str) -> None:
    """The same service on PostgreSQL (DATABASE_URL): migrations, rows, a backtest."""
    settings = make_settings(tmp_path, real_market_dir, database_url=postgres_url,
                             smoke_backtest_days=0)
    service = Services.open(settings)
    try:
        from api.services.views import BacktestConfig

        view = service.strategies.create_strategy(service.user_id, GOLDEN)
        run = service.backtests.create_backtest(service.user_id, BacktestConfig(
            strategy_id=view.id, start="2019-01-02", end="2020-12-31"))
        done = service.backtests.execute_backtest(run.id)
        assert done.status == "succeeded", done.error
        assert service.backtests.list_backtests(service.user_id)[0].metrics == done.metrics
        assert service.strategies.get_strategy(service.user_id, view.id).version is not None
    finally:
        service.close()
        dispose_engines()


def test_every_backtest_runs_on_the_same_warm_workers(tmp_path: Path,
                                                      sample_market_dir: Path) -> None:
    """One path: the validation gate's smoke backtest and probe, and then single runs, all go
    through the process's executor and reuse its warm workers (no process per run)."""
    from api.services.views import BacktestConfig
    from runtime.executors import LocalPoolExecutor

    settings = make_settings(tmp_path, sample_market_dir, smoke_backtest_days=120)
    service = Services.open(settings)
    try:
        view = service.strategies.create_strategy(service.user_id, GOLDEN)
        assert view.version is not None and view.version.validation_status == "passed"
        executor = service.runner.executor()
        assert isinstance(executor, LocalPoolExecutor)
        after_gate = set(executor.worker_pids())
        assert after_gate  # the gate's checks started the workers
        config = BacktestConfig(strategy_id=view.id, start="2015-01-02", end="2016-12-30")
        pids = []
        for _ in range(2):
            run = service.backtests.create_backtest(service.user_id, config)
            done = service.backtests.execute_backtest(run.id)
            assert done.status == "succeeded", done.error
            pids.append(set(executor.worker_pids()))
        assert pids == [after_gate, after_gate]  # same processes, nothing new started
        first, second = (service.backtests.get_backtest(None, i).metrics
                         for i in (run.id - 1, run.id))
        assert first == second
    finally:
        service.close()
        dispose_engines()


def test_concurrent_creates_of_one_text_get_distinct_slugs(tmp_path: Path,
                                                           sample_market_dir: Path) -> None:
    """Eight requests for the same strategy at once: eight strategies, no slug collision."""
    from concurrent.futures import ThreadPoolExecutor

    service = Services.open(make_settings(tmp_path, sample_market_dir, smoke_backtest_days=0))
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            views = list(pool.map(
                lambda _: service.strategies.save_new(
                    service.user_id, GOLDEN,
                    service.strategies.generate(GOLDEN, service.strategies.provider("offline"))),
                range(8)))
        slugs = [v.slug for v in views]
        assert len(set(slugs)) == 8, slugs
        assert len(service.strategies.list_strategies(service.user_id)) == 8
    finally:
        service.close()
        dispose_engines()


def test_a_non_ascii_api_key_is_just_a_wrong_key(tmp_path: Path, sample_market_dir: Path) -> None:
    settings = make_settings(tmp_path, sample_market_dir, api_key="s3cret-key")
    with TestClient(create_app(settings)) as client:
        for headers in ({"X-API-Key": "sécret".encode()},
                        {"Authorization": "Bearer sécret".encode()}):
            assert client.get("/strategies", headers=headers).status_code == 401
        assert client.get("/ui", headers={"Cookie": "stratforge_key=sécret".encode()}
                          ).status_code == 401
        csrf = ui_csrf(client)
        assert client.post("/ui/login", data={"key": "sécret", "csrf": csrf}).status_code == 401
    dispose_engines()


def test_an_unexpected_error_is_a_json_500_with_a_request_id(tmp_path: Path,
                                                              sample_market_dir: Path) -> None:
    app = create_app(make_settings(tmp_path, sample_market_dir))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug on purpose")

    # raise_server_exceptions: the test fails if the exception escaped the application
    with TestClient(app, raise_server_exceptions=True) as client:
        response = client.get("/boom")
        assert response.status_code == 500
        body = response.json()
        assert body["code"] == "internal_error"
        assert body["details"]["request_id"] == response.headers["X-Request-ID"]
        assert "a bug on purpose" not in response.text  # the traceback stays in the log
        assert client.get("/health").headers["X-Request-ID"] != body["details"]["request_id"]
    dispose_engines()


def test_a_row_removed_by_another_request_meanwhile_is_a_409(tmp_path: Path,
                                                              sample_market_dir: Path) -> None:
    """Two requests racing (a delete between another's read and write) end in SQLAlchemy's
    stale-row error; the client gets a 409 to reload and retry, never a 500."""
    app = create_app(make_settings(tmp_path, sample_market_dir))

    @app.post("/race")
    def race() -> None:
        services = app.state.services
        with services.ctx.session() as setup:
            setup.add(User(name="racer", role="trader"))
            setup.commit()
        with services.ctx.session() as first, services.ctx.session() as second:
            user = first.exec(select(User).where(User.name == "racer")).one()
            second.delete(second.get(User, user.id))
            second.commit()  # the other request's delete lands between read and write
            user.name = "renamed"
            first.add(user)
            first.commit()

    with TestClient(app, raise_server_exceptions=True) as client:
        response = client.post("/race")
        assert response.status_code == 409, response.text
        assert response.json()["code"] == "changed_meanwhile"
    dispose_engines()


def test_an_unreachable_broker_is_a_503_with_the_reason(tmp_path: Path,
                                                        sample_market_dir: Path) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    settings = make_settings(tmp_path, sample_market_dir,
                             alpaca_trading_url=f"http://127.0.0.1:{closed}",
                             alpaca_data_url=f"http://127.0.0.1:{closed}")
    with TestClient(create_app(settings)) as client:
        stored = client.put("/broker-credentials", json={"key_id": "PKTEST", "secret": "s"})
        assert stored.status_code == 200, stored.text
        response = client.get("/positions")
        assert response.status_code == 503, response.text
        assert response.json()["code"] == "broker_unavailable"
        assert "did not answer" in response.json()["message"]
    dispose_engines()


def _route_paths(routes: list[Any], prefix: str = "") -> list[str]:
    """Every path of these routes, those of included routers too."""
    paths: list[str] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            paths += _route_paths(inner.routes, prefix + route.include_context.prefix)
        elif getattr(route, "path", None) is not None:
            paths.append(prefix + route.path)
    return paths


def test_the_dashboard_and_the_api_share_no_path(tmp_path: Path,
                                                 sample_market_dir: Path) -> None:
    """The dashboard's routes are tried after the API's (`api.app`): that changes which route
    answers a request only while no path belongs to both."""
    from api import dashboard
    from api.app import create_app

    app = create_app(make_settings(tmp_path, sample_market_dir), background=False)
    pages = _route_paths(dashboard.router.routes)
    everything = _route_paths(app.router.routes)
    api = [p for p in everything if p not in set(pages)]
    assert len(pages) > 40 and "/strategies" in api
    assert all(p == "/" or p == "/ui" or p.startswith("/ui/") for p in pages)
    assert not [p for p in api if p == "/" or p == "/ui" or p.startswith("/ui/")]
    assert everything[-len(pages):] == pages  # last
