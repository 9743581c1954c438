"""`--engine fast` through the backtest service: the same result shape as a Lumibot run of the
same version, and edited code refused with that reason before anything runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from conftest import make_settings

from api.services.container import Services
from api.services.views import BacktestConfig, BatchSpec
from core.db import dispose_engines
from core.errors import InvalidInput

GOLDEN = (
    "Buy SPY when the 50-day SMA crosses above the 200-day SMA and sell when it crosses "
    "back below"
)


@pytest.fixture
def service(tmp_path: Path, real_market_dir: Path) -> Iterator[Services]:
    app = Services.open(make_settings(tmp_path, real_market_dir))
    yield app
    app.close()
    dispose_engines()


def _run(service: Services, sid: int, engine: str, version: int | None = None) -> dict:
    run = service.backtests.create_backtest(service.user_id, BacktestConfig(
        strategy_id=sid, version=version, start=date(2018, 1, 2), end=date(2020, 12, 31),
        engine=engine, tearsheet=False))  # type: ignore[arg-type]
    done = service.backtests.execute_backtest(run.id)
    assert done.status == "succeeded", (done.error, done.traceback)
    return service.backtests.backtest_result(service.user_id, run.id)


def test_fast_run_matches_lumibot_in_shape_and_fills(service: Services) -> None:
    sid = service.strategies.create_strategy(service.user_id, GOLDEN).id
    fast, lumibot = _run(service, sid, "fast"), _run(service, sid, "lumibot")
    assert set(fast) == set(lumibot)
    assert set(fast["metrics"]) == set(lumibot["metrics"])
    assert fast["trades"] == lumibot["trades"]
    assert abs(fast["metrics"]["total_return"] - lumibot["metrics"]["total_return"]) <= 1e-9
    assert fast["config"]["engine"] == "fast" and lumibot["config"]["engine"] == "lumibot"
    assert service.backtests.backtest_equity(service.user_id, fast["id"])


def test_edited_code_is_refused_with_that_reason(service: Services) -> None:
    user = service.user_id
    sid = service.strategies.create_strategy(user, GOLDEN).id
    version = service.strategies.get_version(user, sid, 1)
    path = service.strategies.code_file(version)
    path.write_text(path.read_text().replace('"fast_sma_period": 50', '"fast_sma_period": 20'))
    with pytest.raises(InvalidInput, match="edited code") as caught:
        service.backtests.create_backtest(user, BacktestConfig(
            strategy_id=sid, start=date(2018, 1, 2), end=date(2020, 12, 31),
            engine="fast"))
    assert caught.value.code == "fast_engine_refused"


def test_a_window_seeded_indicator_runs_fill_for_fill(service: Services) -> None:
    """RSI (recursive, seeded on each day's window) was refused before the engine ran it."""
    sid = service.strategies.create_strategy(
        service.user_id, "Buy SPY when the 14-day RSI is below 40 and sell when it is above 60").id
    fast, lumibot = _run(service, sid, "fast"), _run(service, sid, "lumibot")
    assert fast["trades"] == lumibot["trades"] and fast["trades"]
    assert abs(fast["metrics"]["total_return"] - lumibot["metrics"]["total_return"]) <= 1e-9


SWEEP = [{"name": "fast_sma_period", "min": 10, "max": 60, "step": 10},
         {"name": "slow_sma_period", "min": 100, "max": 200, "step": 50}]


def _batch(service: Services, sid: int, **extra: object) -> BatchSpec:
    return BatchSpec.model_validate({
        "name": "fast", "kind": "sweep", "targets": [{"strategy_id": sid}],
        "date_ranges": [{"start": "2016-01-04", "end": "2020-12-31"}], "sweep": SWEEP,
        **extra})


def test_a_fast_sweep_is_a_batch_confirmed_on_lumibot(service: Services) -> None:
    user = service.user_id
    sid = service.strategies.create_strategy(user, GOLDEN).id
    batch = service.planner.create_batch(user, _batch(service, sid, engine="fast",
                                                      confirm_top=2))
    assert batch.counts.total == 2  # 18 variants screened, the best 2 queued for Lumibot
    view = service.batches.run_batch(batch.id)
    assert view.status == "succeeded" and view.counts.succeeded == 2
    assert batch.id in [b.id for b in service.batches.list_batches(user)]
    results = service.results.batch_results(user, batch.id)
    screen = results["summary"]["screens"][0]
    assert screen["variants"] == 18 and screen["confirmed"] == 2
    fast_order = [tuple(r["parameters"].values()) for r in screen["leaderboard"][:2]]
    assert sorted(fast_order) == sorted(tuple(r["parameters"].values())
                                        for r in results["leaderboard"])
    for row in results["leaderboard"]:
        assert row["differs"] is False
        assert abs(row["fast"]["total_return"] - row["metrics"]["total_return"]) <= 1e-9
    sharpes = [r["fast"]["sharpe"] for r in screen["leaderboard"]]
    assert sharpes == sorted(sharpes, reverse=True)
    over = results["overfitting"]
    assert over["trials"] >= 18 + 1  # the variants, and the generation that made the strategy
    assert 0.0 <= over["pbo"] <= 1.0 and 0.0 <= over["deflated_sharpe"] <= 1.0
    assert "deflated Sharpe ratio" in over["note"]
    # a later search of the same strategy counts these 18 variants and the 2 runs as tried
    assert service.screening.prior_trials(user, sid) >= 18 + 2 + 1
    # the verdict is computed once per run: reading the results again runs no fast engine
    def refuse(run: object) -> bool:
        raise AssertionError("differs computed again")

    service.results._differs = refuse  # type: ignore[method-assign]
    again = service.results.batch_results(user, batch.id)
    assert [r["differs"] for r in again["leaderboard"]] == [False, False]


def test_a_fast_sweep_of_edited_code_is_refused_and_a_walk_forward_falls_back(
        service: Services) -> None:
    user = service.user_id
    sid = service.strategies.create_strategy(user, GOLDEN).id
    version = service.strategies.get_version(user, sid, 1)
    path = service.strategies.code_file(version)
    path.write_text(path.read_text().replace('"fast_sma_period": 50', '"fast_sma_period": 20'))
    with pytest.raises(InvalidInput, match="edited code") as caught:
        service.planner.create_batch(user, _batch(service, sid, engine="fast"))
    assert caught.value.code == "fast_engine_refused"
    batch = service.planner.create_batch(user, _batch(
        service, sid, kind="walk_forward", walk_forward={"train_days": 730, "test_days": 365},
        date_ranges=[{"start": "2014-01-02", "end": "2018-12-31"}]))
    assert batch.counts.total == 18 * 2 + 2  # every combination trained on Lumibot
    with service.ctx.session() as db:
        from core.models import Batch
        row = db.get(Batch, batch.id)
        assert row is not None and "edited code" in row.summary["fast_refused"][str(sid)]


def test_a_walk_forward_searches_its_training_windows_on_the_fast_engine(
        service: Services) -> None:
    user = service.user_id
    sid = service.strategies.create_strategy(user, GOLDEN).id
    batch = service.planner.create_batch(user, _batch(
        service, sid, kind="walk_forward", walk_forward={"train_days": 730, "test_days": 365},
        date_ranges=[{"start": "2014-01-02", "end": "2018-12-31"}], confirm_top=1,
        metric="total_return"))
    assert batch.counts.total == 1 * 2 + 2  # the best of 18 per window, then its test run
    view = service.batches.run_batch(batch.id)
    assert view.status == "succeeded" and view.counts.succeeded == 4, view.counts
    results = service.results.batch_results(user, batch.id)
    screens = results["summary"]["screens"]
    assert [s["window"] for s in screens] == [0, 1] and results["summary"]["engine"] == "fast"
    for w, screen in zip(results["walk_forward"], screens, strict=True):
        best = screen["leaderboard"][0]
        assert w["chosen"] == best["parameters"]
        assert abs(w["in_sample"] - best["fast"]["total_return"]) <= 1e-9
