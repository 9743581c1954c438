"""Batches and schedules end to end: real services, real SQLite (and PostgreSQL when it is up),
real warm worker pools, a real local Ray cluster, real bars from ../shared/data."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO_ROOT, make_settings, require_or_skip
from fastapi.testclient import TestClient
from ray_cluster import local_ray_cluster, ray_importable
from sqlalchemy import create_engine, text
from sqlmodel import Session, select

from api.app import create_app
from api.cli.batches import parse_sweep
from api.services.batches.sweeps import (
    combinations,
    parameter_values,
    walk_windows,
    with_history,
)
from api.services.container import Services
from api.services.views import BatchSpec, ScheduleIn, SweepParameter
from core.config import ExecutorSettings
from core.db import dispose_engines, get_engine
from core.models import BacktestRun, Schedule, ScheduleFire
from runtime.executors.base import POOL_MODULE
from runtime.processes import is_our_process
from runtime.scheduler import Scheduler

GOLDEN = (
    "Buy SPY when the 50-day SMA crosses above the 200-day SMA and sell when it crosses "
    "back below"
)
SWEEP = [
    {"name": "fast_sma_period", "values": [10, 20]},
    {"name": "slow_sma_period", "values": [40, 80]},
]


def _wait(check: Callable[[], Any], timeout: float = 300.0, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("condition not reached in time")


def _service(tmp_path: Path, market: Path, workers: int = 2, **executor: Any) -> Services:
    settings = make_settings(tmp_path, market, smoke_backtest_days=0,
                             executor=ExecutorSettings(workers=workers, **executor))
    return Services.open(settings)


@pytest.fixture
def service(tmp_path: Path, real_market_dir: Path) -> Iterator[Services]:
    app = _service(tmp_path, real_market_dir)
    yield app
    app.close()
    dispose_engines()


def _golden(app: Services) -> int:
    view = app.strategies.create_strategy(app.user_id, GOLDEN)
    assert view.version is not None and view.version.validation_status == "passed"
    return view.id


def _sweep(strategy_id: int, start: str = "2017-01-03", end: str = "2018-12-31",
           **extra: Any) -> BatchSpec:
    return BatchSpec.model_validate(
        {"name": "sweep", "kind": "sweep", "targets": [{"strategy_id": strategy_id}],
         "date_ranges": [{"start": start, "end": end}], "sweep": SWEEP, **extra}
    )


# -- pure pieces --------------------------------------------------------------------------------
def test_sweep_values_bounds_history_and_windows() -> None:
    declared = {"fast_sma_period": 50, "slow_sma_period": 200, "history_bars": 202,
                "position_weight": 1.0}
    # bounds from the spec: periods within 1..max_lookback around the default
    assert parameter_values(SweepParameter(name="slow_sma_period"), 200, 300) == [
        100, 150, 200, 250, 300]
    assert parameter_values(SweepParameter(name="fast_sma_period", min=10, max=30, step=10),
                            50, 400) == [10, 20, 30]
    assert parameter_values(SweepParameter(name="position_weight", count=3), 1.0, 400) == [
        0.5, 0.75, 1.0]
    # history_bars always covers the longest period of the combination
    assert with_history(declared, {"slow_sma_period": 300}) == {
        "slow_sma_period": 300, "history_bars": 302}
    assert with_history(declared, {"fast_sma_period": 5, "slow_sma_period": 20}) == {
        "fast_sma_period": 5, "slow_sma_period": 20, "history_bars": 22}
    spec = BatchSpec.model_validate({
        "kind": "sweep", "targets": [{"strategy_id": 1}],
        "date_ranges": [{"start": "2010-01-01", "end": "2011-01-01"}],
        "sweep": [{"name": "fast_sma_period", "values": [10, 50, 100]},
                  {"name": "slow_sma_period", "values": [50, 200]}]})
    combos = combinations(spec, declared, 400)
    assert {"fast_sma_period": 50, "slow_sma_period": 50} not in combos  # fast < slow only
    assert len(combos) == 4
    random_spec = spec.model_copy(update={"mode": "random", "samples": 2, "seed": 3})
    assert combinations(random_spec, declared, 400) == combinations(random_spec, declared, 400)
    assert len(combinations(random_spec, declared, 400)) == 2
    from api.services.views import WalkForward

    windows = walk_windows(date(2010, 1, 1), date(2013, 1, 1),
                           WalkForward(train_days=365, test_days=180))
    assert len(windows) == 4 and windows[0][0].end == windows[0][1].start
    assert parse_sweep("fast=10,20") == {"name": "fast", "values": [10, 20]}
    assert parse_sweep("w=0.2:1:0.4") == {"name": "w", "min": 0.2, "max": 1, "step": 0.4}


# -- sweeps through the API ---------------------------------------------------------------------
@pytest.fixture
def client(tmp_path: Path, real_market_dir: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("STRATFORGE_BATCH_WORKERS", "2")
    monkeypatch.setenv("STRATFORGE_BATCH_EXECUTOR", "local")
    settings = make_settings(tmp_path, real_market_dir, smoke_backtest_days=0)
    with TestClient(create_app(settings)) as test_client:
        yield test_client
    dispose_engines()


def test_sweep_through_the_api_results_compare_and_exports(client: TestClient) -> None:
    sid = client.post("/strategies", json={"text": GOLDEN}).json()["id"]
    body = _sweep(sid, metric="total_return").model_dump(mode="json")
    created = client.post("/batches", json=body)
    assert created.status_code == 202, created.text
    batch = created.json()
    assert batch["counts"]["total"] == 4 and batch["executor"] == "local"
    done = _wait(lambda: (b := client.get(f"/batches/{batch['id']}").json())["status"]
                 not in ("queued", "running") and b)
    assert done["status"] == "succeeded" and done["counts"]["succeeded"] == 4, done
    assert done["progress"] == 1.0 and done["eta_s"] == 0.0

    results = client.get(f"/batches/{batch['id']}/results").json()
    board = results["leaderboard"]
    values = [r["metric"] for r in board]
    assert values == sorted(values, reverse=True) and [r["rank"] for r in board] == [1, 2, 3, 4]
    assert {json.dumps(r["parameters"], sort_keys=True) for r in board} == {
        json.dumps({"fast_sma_period": f, "slow_sma_period": s}, sort_keys=True)
        for f in (10, 20) for s in (40, 80)}
    assert [row["value"] for row in results["parameter_tables"]["slow_sma_period"]] == [40, 80]
    assert len(results["best_equity"]["equity"]) == 4

    # every batch run is an ordinary run: its config, trades and equity are there
    best = board[0]["run_id"]
    run = client.get(f"/backtests/{best}").json()
    params = run["config"]["parameters"]
    assert params["history_bars"] == params["slow_sma_period"] + 2
    assert client.get(f"/backtests/{best}/trades").status_code == 200
    assert len(client.get(f"/backtests/{best}/equity").json()) > 400

    ids = ",".join(str(r["run_id"]) for r in board[:2])
    compared = client.get(f"/backtests/compare?ids={ids}").json()
    assert set(compared["metrics"]["total_return"]) == {str(r["run_id"]) for r in board[:2]}
    eq = compared["equity"]
    assert len(eq["dates"]) == len(eq["equity"][str(best)]) and eq["normalized"][str(best)][0] == 1

    csv = client.get(f"/batches/{batch['id']}/export?format=csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("run_id,status") and len(csv.text.splitlines()) == 5
    report = client.get(f"/batches/{batch['id']}/export?format=html").text
    assert "<svg" in report and "<script" not in report and "http://" not in report.split(
        "xmlns=")[0]
    assert client.get(f"/backtests/{best}/export?format=json").json()["id"] == best
    assert client.get(f"/backtests/{best}/export?format=csv").text.startswith("date,equity")
    assert client.get(f"/batches/{batch['id']}/export?format=xml").status_code == 422


# -- faults -------------------------------------------------------------------------------------
def test_a_run_that_raises_fails_alone_and_the_sweep_goes_on(service: Services) -> None:
    sid = _golden(service)
    source = service.strategies.version_code(service.user_id, sid, 1)
    broken = source.replace(
        "    def on_trading_iteration(self) -> None:\n",
        "    def on_trading_iteration(self) -> None:\n"
        '        if self.parameters["fast_sma_period"] == 20:\n'
        '            raise ValueError("this combination breaks")\n',
        1,
    )
    assert broken != source
    edited = service.strategies.add_code_version(service.user_id, sid, broken)
    assert edited.version is not None and edited.version.validation_status == "passed", (
        edited.version.validation if edited.version else None)
    batch = service.planner.create_batch(service.user_id, _sweep(sid))
    view = service.batches.run_batch(batch.id)
    assert view.status == "succeeded"
    assert view.counts.succeeded == 2 and view.counts.failed == 2
    for run_id in view.run_ids:
        run = service.backtests.get_backtest(None, run_id)
        if run.config["parameters"]["fast_sma_period"] == 20:
            assert run.status == "failed" and "this combination breaks" in (run.error or "")
        else:
            assert run.status == "succeeded"


def test_cancel_stops_queued_and_running_runs(tmp_path: Path, real_market_dir: Path) -> None:
    app = _service(tmp_path, real_market_dir, workers=1)
    try:
        sid = _golden(app)
        spec = _sweep(sid, start="2006-01-03", end="2019-12-31")
        batch = app.planner.create_batch(app.user_id, spec)
        app.batches.submit_batch(batch.id)
        running = _wait(lambda: [r for r in app.backtests.list_backtests(app.user_id)
                                 if r.status == "running"])
        with Session(get_engine(app.settings)) as db:
            pid = db.get(BacktestRun, running[0].id).worker_pid  # type: ignore[union-attr]
        assert pid
        app.batches.cancel_batch(app.user_id, batch.id)
        view = app.batches.wait_batch(batch.id, 120)
        assert view.status == "cancelled"
        assert view.counts.cancelled == 4 and view.counts.queued == view.counts.running == 0
        _wait(lambda: not Path(f"/proc/{pid}").exists()
              or b"zombie" in Path(f"/proc/{pid}/status").read_bytes().lower(), 30)
        assert app.batches.get_batch(None, batch.id).status == "cancelled"
    finally:
        app.close()
        dispose_engines()


RESTART_SCRIPT = """
import json, sys
sys.path.insert(0, {root!r})
from core.config import Settings
from api.services.container import Services
from core.config import ExecutorSettings
app = Services.open(Settings(**json.loads({settings!r}), executor=ExecutorSettings(workers=1)))
app.batches.run_batch({batch_id})
"""


def test_server_restart_mid_batch_resumes_from_what_is_recorded(
    tmp_path: Path, real_market_dir: Path
) -> None:
    app = _service(tmp_path, real_market_dir, workers=1)
    sid = _golden(app)
    spec = _sweep(sid, start="2012-01-03", end="2017-12-29")
    batch = app.planner.create_batch(app.user_id, spec)
    settings_json = app.settings.model_dump_json(include={"home", "generated_dir", "market_dir",
                                                          "tearsheet", "smoke_backtest_days"})
    script = RESTART_SCRIPT.format(root=str(REPO_ROOT), settings=settings_json,
                                   batch_id=batch.id)
    server = subprocess.Popen([sys.executable, "-c", script], cwd=tmp_path)

    def states() -> list[str]:
        return [app.backtests.get_backtest(None, i).status for i in batch.run_ids]

    try:
        _wait(lambda: states().count("succeeded") >= 1 and "running" in states())
    finally:
        server.send_signal(signal.SIGKILL)  # the server dies; its pool worker is orphaned
        server.wait()
    before = {i: app.backtests.get_backtest(None, i) for i in batch.run_ids}
    finished_before = {i: v.finished_at for i, v in before.items() if v.status == "succeeded"}
    assert finished_before and any(v.status == "running" for v in before.values())
    with app.ctx.session() as db:
        orphans = [r.worker_pid for r in db.exec(select(BacktestRun)).all()
                   if r.status == "running" and r.worker_pid]
    assert len(orphans) == 1

    # start-up of the next server process. The orphan's watchdog ends it within half a second
    # of its server's death; recovery kills it if it is still there (which side wins is a race,
    # so only the outcome is asserted; recovery's own kill is tested in test_api.py)
    recovery = app.recorder.recover_interrupted()
    assert recovery.failed == len(batch.run_ids) - len(finished_before)
    assert recovery.workers_killed <= 1
    _wait(lambda: not is_our_process(orphans[0], POOL_MODULE), timeout=30)
    assert app.batches.resume_batches() == [batch.id]
    view = app.batches.wait_batch(batch.id, 600)
    assert view.status == "succeeded" and view.counts.succeeded == 4, view.counts
    for run_id, finished in finished_before.items():  # finished runs were not run again
        assert app.backtests.get_backtest(None, run_id).finished_at == finished
    app.close()
    dispose_engines()


# -- schedules ----------------------------------------------------------------------------------
def _race(engine_url: str, rounds: int = 15) -> None:
    """Two schedulers with their own engines (as two processes would) tick at the same moments;
    every occurrence must fire exactly once."""
    engines = [create_engine(engine_url), create_engine(engine_url)]
    fired: list[tuple[str, int, datetime]] = []
    lock = threading.Lock()

    def recorder(name: str) -> Callable[[Schedule, datetime], int | None]:
        def fire(schedule: Schedule, at: datetime) -> int | None:
            with lock:
                fired.append((name, schedule.id or 0, at))
            return None

        return fire

    base = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with Session(engines[0]) as db:
        from core.db import ensure_user

        user = ensure_user(db, "racer")
        schedule = Schedule(owner_id=user.id or 0, name="every minute", cron="* * * * *",
                            timezone="Europe/Paris", batch_spec={},
                            created_at=base - timedelta(seconds=1))
        db.add(schedule)
        db.commit()
        db.refresh(schedule)
    schedulers = [Scheduler(e, recorder(f"s{i}"), name=f"s{i}") for i, e in enumerate(engines)]
    for n in range(rounds):
        now = base + timedelta(minutes=n, seconds=30)
        barrier = threading.Barrier(2)

        def tick(s: Scheduler, now: datetime = now, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            s.tick(now)

        threads = [threading.Thread(target=tick, args=(s,)) for s in schedulers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    times = [at for _, sid, at in fired if sid == schedule.id]
    assert len(times) == rounds and len(set(times)) == rounds  # each minute once, by one
    with Session(engines[0]) as db:
        rows = db.exec(select(ScheduleFire).where(ScheduleFire.schedule_id == schedule.id)).all()
        assert len(rows) == rounds
        assert {r.fired_by for r in rows} <= {"s0", "s1"}
    for e in engines:
        e.dispose()


def test_two_schedulers_racing_fire_each_occurrence_once_sqlite(
    tmp_path: Path, real_market_dir: Path
) -> None:
    settings = make_settings(tmp_path, real_market_dir)
    Services.open(settings).close()  # migrated database
    _race(settings.database)
    dispose_engines()


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


@pytest.mark.postgres
def test_two_schedulers_racing_fire_each_occurrence_once_postgres(
    tmp_path: Path, real_market_dir: Path
) -> None:
    require_or_skip(_pg_available(), f"PostgreSQL not reachable at {PG_ADMIN_URL}")
    name = f"stratforge_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        settings = make_settings(tmp_path, real_market_dir, database_url=url)
        Services.open(settings).close()
        _race(settings.database)
    finally:
        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_schedule_fires_a_batch_and_missed_occurrences_run_once(service: Services) -> None:
    sid = _golden(service)
    spec = _sweep(sid, start="2018-01-02", end="2018-12-31",
                  sweep=[{"name": "fast_sma_period", "values": [10]},
                         {"name": "slow_sma_period", "values": [40]}])
    view = service.schedules.create_schedule(
        service.user_id,
        ScheduleIn(name="nightly", cron="0 22 * * 1-5", timezone="America/New_York", batch=spec),
    )
    assert view.next_fire_at is not None
    # the server was "down" for a week: seven days of missed occurrences
    with Session(get_engine(service.settings)) as db:
        row = db.get(Schedule, view.id)
        assert row is not None
        row.created_at = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
        db.add(row)
        db.commit()
    scheduler = service.schedules.make_scheduler("test")
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # Tuesday; last occurrence Monday 22:00 EDT
    won = scheduler.tick(now)
    assert won == [(view.id, datetime(2026, 3, 10, 2, 0, tzinfo=UTC))]
    assert scheduler.tick(now) == [] and scheduler.tick(now + timedelta(hours=1)) == []
    batches = service.batches.list_batches(service.user_id)
    assert len(batches) == 1 and batches[0].schedule_id == view.id
    done = service.batches.wait_batch(batches[0].id, 300)
    assert done.status == "succeeded" and done.counts.succeeded == 1
    listed = service.schedules.list_schedules(service.user_id)[0]
    assert listed.last_fire_at == datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


@pytest.mark.slow
def test_walk_forward_reports_in_and_out_of_sample(service: Services) -> None:
    sid = _golden(service)
    spec = BatchSpec.model_validate({
        "name": "wf", "kind": "walk_forward", "targets": [{"strategy_id": sid}],
        "date_ranges": [{"start": "2014-01-02", "end": "2018-12-31"}], "sweep": SWEEP,
        "walk_forward": {"train_days": 730, "test_days": 365}, "metric": "total_return"})
    batch = service.planner.create_batch(service.user_id, spec)
    assert batch.counts.total == 4 * 2 + 2  # train runs now, one test run per window later
    view = service.batches.run_batch(batch.id)
    assert view.status == "succeeded" and view.counts.succeeded == 10, view.counts
    report = service.results.batch_results(None, batch.id)["walk_forward"]
    assert [w["window"] for w in report] == [0, 1]
    for w in report:
        assert w["in_sample"] is not None and w["out_of_sample"] is not None
        assert w["train"][1] == w["test"][0]
        train = service.backtests.get_backtest(None, w["train_run_id"])
        test = service.backtests.get_backtest(None, w["test_run_id"])
        assert test.config["parameters"] == train.config["parameters"]


# -- Ray ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ray_address() -> Iterator[str]:
    require_or_skip(ray_importable(), "ray is not installed (pip install -e '.[ray]')")
    with local_ray_cluster(num_cpus=2) as address:
        yield address


@pytest.mark.slow
def test_ray_sweep_matches_the_local_pool(
    tmp_path: Path, real_market_dir: Path, ray_address: str
) -> None:
    outcomes: dict[str, dict[str, Any]] = {}
    for kind in ("local", "ray"):
        app = _service(tmp_path / kind, real_market_dir, executor=kind,
                       ray_address=ray_address if kind == "ray" else None)
        try:
            sid = _golden(app)
            batch = app.planner.create_batch(app.user_id, _sweep(sid))
            view = app.batches.run_batch(batch.id)
            assert view.status == "succeeded" and view.counts.succeeded == 4, view
            assert view.executor == kind
            results = app.results.batch_results(None, batch.id)
            outcomes[kind] = {
                json.dumps(r["parameters"], sort_keys=True): r["metrics"]
                for r in results["leaderboard"]
            }
            best = results["leaderboard"][0]["run_id"]  # artifacts written back locally
            assert len(app.backtests.backtest_equity(app.user_id, best)) > 400
            assert app.backtests.backtest_trades(app.user_id, best)["fills"]
        finally:
            app.close()
            dispose_engines()
    assert outcomes["ray"] == outcomes["local"]


# -- CLI and DELETE ------------------------------------------------------------------------------
def _cli_env(tmp_path: Path, market: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("STRATFORGE_", "RAY_")) and k != "DATABASE_URL"}
    env.update(STRATFORGE_HOME=str(tmp_path / "home"),
               STRATFORGE_GENERATED_DIR=str(tmp_path / "generated"),
               STRATFORGE_MARKET_DIR=str(market), STRATFORGE_SMOKE_BACKTEST_DAYS="0",
               STRATFORGE_TEARSHEET="false", STRATFORGE_BATCH_WORKERS="2")
    return env


def _stratforge(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("stratforge")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "api.cli"]
    done = subprocess.run([*cmd, *args], env=env, capture_output=True, text=True, timeout=600,
                          cwd=REPO_ROOT)
    assert done.returncode == 0, f"{args}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def test_cli_fast_sweep_is_a_batch_with_its_statistics(tmp_path: Path,
                                                       real_market_dir: Path) -> None:
    env = _cli_env(tmp_path, real_market_dir)
    sid = json.loads(_stratforge(env, "new", GOLDEN, "--json").stdout)["strategy_id"]
    shown = _stratforge(
        env, "batch", "run", "--kind", "sweep", "-s", str(sid), "--start", "2017-01-03",
        "--end", "2018-12-31", "--engine", "fast", "--confirm-top", "1",
        "--sweep", "fast_sma_period=10:30:10", "--sweep", "slow_sma_period=40,60").stdout
    shown = " ".join(shown.split())  # the terminal's width wraps lines
    assert "6 variants screened" in shown and "the best 1 run on Lumibot" in shown
    assert "DIFFERS" not in shown
    assert "trials " in shown and "PBO" in shown and "deflated Sharpe ratio" in shown
    listed = json.loads(_stratforge(env, "batch", "list", "--json").stdout)
    batch_id = listed[-1]["id"]
    results = json.loads(_stratforge(env, "batch", "results", str(batch_id), "--json").stdout)
    assert results["summary"]["screens"][0]["variants"] == 6
    assert results["overfitting"]["source"] == "fast screen"
    assert results["leaderboard"][0]["differs"] is False


def test_cli_batch_run_status_results_and_schedule(tmp_path: Path, real_market_dir: Path) -> None:
    env = _cli_env(tmp_path, real_market_dir)
    sid = json.loads(_stratforge(env, "new", GOLDEN, "--json").stdout)["strategy_id"]
    results = json.loads(_stratforge(
        env, "batch", "run", "-s", str(sid), "--start", "2018-01-02", "--end", "2018-12-31",
        "--sweep", "fast_sma_period=10,20", "--sweep", "slow_sma_period=40", "--json").stdout)
    batch_id = results["batch"]["id"]
    assert results["batch"]["status"] == "succeeded" and len(results["leaderboard"]) == 2
    status = json.loads(_stratforge(env, "batch", "status", str(batch_id), "--json").stdout)
    assert status["counts"]["succeeded"] == 2 and status["done"] == 2
    shown = " ".join(_stratforge(env, "batch", "results", str(batch_id)).stdout.split())
    assert "Leaderboard by sharpe" in shown and "fast_sma_period" in shown
    over = results["overfitting"]  # a Lumibot sweep's statistics come from its runs
    assert over["trials"] >= 2 and over["source"] == "runs"
    assert f"trials {over['trials']}" in shown and "deflated Sharpe ratio" in shown
    out = tmp_path / "batch.html"
    _stratforge(env, "batch", "results", str(batch_id), "--export", "html", "-o", str(out))
    assert out.read_text().startswith("<!DOCTYPE html>")
    added = json.loads(_stratforge(
        env, "schedule", "add", "0 22 * * 1-5", "--tz", "America/New_York", "-s", str(sid),
        "--start", "2018-01-02", "--end", "2018-12-31", "--json").stdout)
    assert added["cron"] == "0 22 * * 1-5" and added["next_fire_at"]
    listed = json.loads(_stratforge(env, "schedule", "list", "--json").stdout)
    assert [s["id"] for s in listed] == [added["id"]]


def test_delete_cancels_a_batch_through_the_api(client: TestClient) -> None:
    sid = client.post("/strategies", json={"text": GOLDEN}).json()["id"]
    body = _sweep(sid, start="2006-01-03", end="2019-12-31").model_dump(mode="json")
    batch = client.post("/batches", json=body).json()
    _wait(lambda: client.get(f"/batches/{batch['id']}").json()["counts"]["running"] > 0)
    cancelled = client.delete(f"/batches/{batch['id']}")
    assert cancelled.status_code == 200
    done = _wait(lambda: (b := client.get(f"/batches/{batch['id']}").json())["status"]
                 == "cancelled" and b, timeout=60)
    assert done["counts"]["cancelled"] == 4
    assert client.get(f"/batches/{batch['id'] + 100}").status_code == 404


@pytest.mark.slow
def test_ray_worker_killed_mid_run_is_retried_and_cancel_stops_ray_runs(
    tmp_path: Path, real_market_dir: Path, ray_address: str
) -> None:
    import tempfile

    scratch = Path(tempfile.gettempdir()) / f"stratforge_ray_{os.getuid()}"
    app = _service(tmp_path, real_market_dir, executor="ray", ray_address=ray_address)
    try:
        sid = _golden(app)
        spec = _sweep(sid, start="2008-01-02", end="2019-12-31",
                      sweep=[{"name": "fast_sma_period", "values": [10]},
                             {"name": "slow_sma_period", "values": [40]}])
        known = set(scratch.glob("run_*")) if scratch.exists() else set()
        batch = app.planner.create_batch(app.user_id, spec)
        app.batches.submit_batch(batch.id)

        def mid_run_task() -> int | None:
            for folder in set(scratch.glob("run_*")) - known:
                if (folder / "progress.json").exists():
                    return int((folder / "task.pid").read_text())
            return None

        os.kill(_wait(mid_run_task, timeout=180), signal.SIGKILL)
        view = app.batches.wait_batch(batch.id, 300)
        assert view.status == "succeeded" and view.counts.succeeded == 1, (
            view, app.backtests.get_backtest(None, view.run_ids[0]).error)

        long_spec = _sweep(sid, start="2006-01-03", end="2019-12-31")
        batch = app.planner.create_batch(app.user_id, long_spec)
        app.batches.submit_batch(batch.id)
        _wait(lambda: app.batches.get_batch(None, batch.id).counts.running > 0)
        app.batches.cancel_batch(app.user_id, batch.id)
        view = app.batches.wait_batch(batch.id, 120)
        assert view.status == "cancelled" and view.counts.cancelled == 4, view.counts
    finally:
        app.close()
        dispose_engines()
