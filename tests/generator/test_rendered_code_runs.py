"""Every strategy family's rendered code runs in the backtest worker on real bars and trades."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from backtest_support import run_on_pool
from test_render import SPECS

from core.code_store import sha256_file
from generator.render import plan_strategy, render_strategy
from runtime.backtest import BacktestRequest


@pytest.mark.slow
def test_all_families_backtest_and_trade(tmp_path: Path, real_market_dir: Path) -> None:
    def run(key: str):  # type: ignore[no-untyped-def]
        spec = SPECS[key]
        path = tmp_path / f"{key}.py"
        path.write_text(render_strategy(spec))
        plan = plan_strategy(spec)
        request = BacktestRequest(
            code_path=str(path),
            sha256=sha256_file(path),
            class_name=plan.class_name,
            data_symbols=spec.all_symbols(),
            start=date(2018, 1, 2),
            end=date(2020, 12, 31),
            warmup_bars=spec.lookback(),
            market_data_dir=str(real_market_dir),
            tearsheet=False,
            benchmark="SPY",
        )
        return run_on_pool(request, tmp_path / "runs" / key, tmp_path / "cache", timeout_s=300)

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = dict(zip(SPECS, pool.map(run, SPECS), strict=True))
    for key, outcome in outcomes.items():
        assert outcome.ok, f"{key}: {outcome.error}\n{outcome.traceback}"
        fills = outcome.result["fills"]
        assert fills, f"{key} never traded"
        traded = {f["symbol"] for f in fills}
        assert traded <= set(SPECS[key].all_symbols())
    # the alternative asset is really used, and rebalancing really holds both legs
    assert "TLT" in {f["symbol"] for f in outcomes["trend_alternative_stops"].result["fills"]}
    assert {f["symbol"] for f in outcomes["sixty_forty"].result["fills"]} == {"SPY", "AGG"}
    # a portfolio bought once: one buy of each fund over three years, and nothing after, while
    # the same weights rebalanced monthly trade again and again
    once = outcomes["v2_buy_once"].result["fills"]
    assert sorted(f["symbol"] for f in once) == ["AGG", "EFA", "VTI"]
    assert all(f["side"].lower() == "buy" for f in once)
    assert len(outcomes["sixty_forty"].result["fills"]) > 10
