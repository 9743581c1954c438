"""The fast engine on its own: its event path (single-symbol daily rules, long or short) gives
exactly what its day loop gives; parameters map onto the spec; the screen ranks variants as
single runs do."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fast_parity_support import random_case

from api.services.fast_backtests import fast_inputs
from generator.parameters import apply_parameters
from generator.spec import StrategySpec
from runtime.fast_engine import simulate


def _frames(market: Path, symbols: list[str], start: date, end: date) -> dict[str, pd.DataFrame]:
    from runtime.market_data import MarketDataStore

    store = MarketDataStore(market)
    return {s: store.bars(s, start - timedelta(days=700), end) for s in symbols}


def _plain_cases() -> list[dict[str, object]]:
    out = []
    for seed in range(400):
        spec = dict(random_case(seed).spec)
        if len(spec["symbols"]) != 1 or "entry" not in spec:  # type: ignore[arg-type]
            continue
        if '"timeframe"' in json.dumps(spec):  # computed per day: slow, and beside the point
            continue
        spec["allocation"] = {"kind": "all_in"}
        spec["risk"] = {}
        spec["schedule"] = "daily"
        out.append(spec)
    return out[:40]


def test_event_path_equals_the_day_loop(real_market_dir: Path) -> None:
    from runtime.market_data import MarketDataStore

    store = MarketDataStore(real_market_dir)
    start, end = date(2012, 1, 3), date(2016, 12, 30)
    checked = 0
    for raw in _plain_cases():
        spec = StrategySpec.model_validate(raw)
        spec_json, params = fast_inputs(spec, {})
        frames = _frames(real_market_dir, params["data_symbols"], start, end)
        divs = {s: store.dividends(s, f) for s, f in frames.items()}
        for side, dividends in ((None, None), (None, divs), ("short", divs)):
            run = {**spec_json, "side": side}  # a short: sold to open, dividends paid
            a = simulate(run, params, frames, start, end, fee_pct=0.001, dividends=dividends)
            b = simulate(run, params, frames, start, end, fee_pct=0.001, dividends=dividends,
                         day_loop=True)
            assert a.fills == b.fills, raw
            assert a.equity.equals(b.equity), raw
            assert side is None or not a.fills or a.fills[0].side == "sell", raw
        checked += 1
    assert checked >= 20


def test_parameters_map_onto_every_rule_that_reads_them() -> None:
    sma = lambda n: {"kind": "sma", "period": n}  # noqa: E731
    spec = StrategySpec.model_validate({
        "name": "gc", "symbols": ["SPY"],
        "entry": {"conditions": [{"left": sma(50), "op": "crosses_above", "right": sma(200)}]},
        "exit": {"conditions": [{"left": sma(50), "op": "crosses_below", "right": sma(200)}]},
        "risk": {"stop_loss_pct": 5}})
    out = json.loads(apply_parameters(spec, {"fast_sma_period": 20, "slow_sma_period": 90,
                                             "stop_loss_pct": 7}).model_dump_json())
    for role in ("entry", "exit"):
        cond = out[role]["conditions"][0]
        assert (cond["left"]["period"], cond["right"]["period"]) == (20, 90)
    assert out["risk"]["stop_loss_pct"] == 7
    with pytest.raises(ValueError, match="no_such_parameter"):
        apply_parameters(spec, {"no_such_parameter": 1})


@pytest.mark.parametrize("symbol", ["SPY", "BIL", "TLT", "EEM"])
def test_recursive_indicators_equal_strategy_base_on_every_window(real_market_dir: Path,
                                                                  symbol: str) -> None:
    """The all-windows-at-once recursion gives, bit for bit, what `strategy_base` gives on each
    day's window (BIL's flat closes make RSI's no-loss windows)."""
    from runtime.fast_engine.indicators import recursive_pair, reference_pair
    from runtime.market_data import MarketDataStore

    bars = MarketDataStore(real_market_dir).bars(symbol, date(2009, 1, 2), date(2010, 12, 31))
    rows = np.arange(len(bars))
    for ind in [{"kind": "ema", "period": 9}, {"kind": "rsi", "period": 3},
                {"kind": "rsi", "period": 14}, {"kind": "atr", "period": 7},
                {"kind": "macd", "fast": 12, "slow": 26, "signal": 9},
                {"kind": "macd_signal", "fast": 5, "slow": 13, "signal": 4},
                {"kind": "macd_hist", "fast": 8, "slow": 21, "signal": 5}]:
        for window in (3, 15, 45, 130):
            fast = recursive_pair(ind, bars, window)
            slow = reference_pair(ind, bars, window, rows)
            for a, b in zip(fast, slow, strict=True):
                assert np.array_equal(a, b, equal_nan=True), (ind, window)
            assert np.isfinite(fast[0][window - 1:]).any() or window < 30


@pytest.mark.parametrize("symbol", ["SPY", "BIL"])
def test_weekly_and_monthly_indicators_equal_strategy_base_on_every_window(
        real_market_dir: Path, symbol: str) -> None:
    """Every day's window resampled at once (`timeframe_pair`) gives, bit for bit, what
    `strategy_base` gives on that day's window resampled on its own: windows inside one week,
    a few weeks, and many months (partial first and last periods included)."""
    from runtime.fast_engine.indicators import reference_pair, timeframe_pair
    from runtime.market_data import MarketDataStore

    bars = MarketDataStore(real_market_dir).bars(symbol, date(2009, 1, 2), date(2009, 12, 31))
    rows = np.arange(-1, len(bars), 5)  # -1: a day before the first bar
    for ind in [{"kind": "sma", "period": 4}, {"kind": "price"}, {"kind": "ema", "period": 5},
                {"kind": "rsi", "period": 3}, {"kind": "atr", "period": 3},
                {"kind": "macd_hist", "fast": 2, "slow": 5, "signal": 3},
                {"kind": "bb_upper", "period": 5, "num_std": 2.0}, {"kind": "roc", "period": 3},
                {"kind": "highest_high", "period": 4}, {"kind": "stoch_d", "period": 3},
                {"kind": "drawdown", "period": 4}, {"kind": "volume_sma", "period": 3},
                {"kind": "up_streak"}]:
        for timeframe, window in (("weekly", 3), ("weekly", 60), ("monthly", 130)):
            spec = {**ind, "timeframe": timeframe}
            fast = timeframe_pair(spec, bars, window, rows)
            slow = reference_pair(spec, bars, window, rows)
            for a, b in zip(fast, slow, strict=True):
                assert np.array_equal(a, b, equal_nan=True), (spec, window)
            assert window < 60 or np.isfinite(fast[0]).any(), (spec, window)
