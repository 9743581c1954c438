"""`--engine fast` through the backtest service: the same result shape as a Lumibot run of the
same version, and edited code refused with that reason before anything runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from conftest import make_settings

from api.services.container import Services
from api.services.views import BacktestConfig
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


def test_an_unimplemented_indicator_is_refused_by_name(service: Services) -> None:
    user = service.user_id
    sid = service.strategies.create_strategy(
        user, "Buy SPY when the 14-day RSI is below 30 and sell when it is above 70").id
    with pytest.raises(InvalidInput, match="rsi"):
        service.backtests.create_backtest(user, BacktestConfig(
            strategy_id=sid, start=date(2018, 1, 2), end=date(2020, 12, 31), engine="fast"))


def test_a_fast_sweep_confirms_its_best_on_lumibot(service: Services) -> None:
    from api.services.screening import ScreenRequest
    from api.services.views import SweepParameter

    sid = service.strategies.create_strategy(service.user_id, GOLDEN).id
    report = service.screening.screen_sweep(service.user_id, ScreenRequest(
        strategy_id=sid, version=None, start=date(2016, 1, 4), end=date(2020, 12, 31),
        sweep=[SweepParameter(name="fast_sma_period", min=10, max=60, step=10),
               SweepParameter(name="slow_sma_period", min=100, max=200, step=50)],
        parameters={}, confirm_top=1, processes=1))
    assert report["variants"] == 18
    best = report["leaderboard"][0]
    assert best["differs"] is False and best["lumibot"]["run_id"]
    assert abs(best["lumibot"]["total_return"] - best["fast"]["total_return"]) <= 1e-9
    sharpes = [row["fast"]["sharpe"] for row in report["leaderboard"]]
    assert sharpes == sorted(sharpes, reverse=True)
    over = report["overfitting"]
    assert over["trials"] >= 18 + 1  # the variants, and the generation that made the strategy
    assert 0.0 <= over["pbo"] <= 1.0 and 0.0 <= over["deflated_sharpe"] <= 1.0
