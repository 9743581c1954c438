"""Rendering specs into code: every family renders, passes the static gate, reads well."""

from __future__ import annotations

import ast

import black
import pytest

from generator.render import RenderError, class_name_for, plan_strategy, py_literal, render_strategy
from generator.spec import (
    Allocation,
    Condition,
    Constant,
    Indicator,
    Risk,
    Rule,
    StrategySpec,
)
from generator.validate import check_source


def _cond(left: Indicator, op: str, right: Indicator | float) -> Condition:
    r = right if isinstance(right, Indicator) else Constant(value=right)
    return Condition(left=left, op=op, right=r)  # type: ignore[arg-type]


SMA50, SMA200 = Indicator(kind="sma", period=50), Indicator(kind="sma", period=200)
PRICE = Indicator(kind="price")

SPECS = {
    "golden_cross": StrategySpec(
        name="Golden cross SPY",
        symbols=["SPY"],
        entry=Rule(conditions=[_cond(SMA50, "crosses_above", SMA200)]),
        exit=Rule(conditions=[_cond(SMA50, "crosses_below", SMA200)]),
    ),
    "trend_alternative_stops": StrategySpec(
        name="SPY trend else TLT",
        symbols=["SPY"],
        entry=Rule(conditions=[_cond(PRICE, "gt", SMA200)]),
        exit=Rule(conditions=[_cond(PRICE, "lt", SMA200)]),
        allocation=Allocation(alternative="TLT"),
        risk=Risk(stop_loss_pct=5, take_profit_pct=30, trailing_stop_pct=10),
    ),
    "rsi_filter_other_symbol": StrategySpec(
        name="RSI QQQ IWM",
        symbols=["QQQ", "IWM"],
        entry=Rule(
            conditions=[
                _cond(Indicator(kind="rsi", period=2), "lt", 10),
                _cond(
                    Indicator(kind="price", symbol="SPY"),
                    "gt",
                    Indicator(kind="sma", period=200, symbol="SPY"),
                ),
            ]
        ),
        exit=Rule(conditions=[_cond(Indicator(kind="rsi", period=2), "gt", 70)]),
        allocation=Allocation(kind="fixed_fraction", fraction=0.5),
        schedule="weekly",
    ),
    "macd_bollinger_breakout": StrategySpec(
        name="MACD or band",
        symbols=["SPY"],
        entry=Rule(
            combine="any",
            conditions=[
                _cond(Indicator(kind="macd"), "crosses_above", Indicator(kind="macd_signal")),
                _cond(PRICE, "lt", Indicator(kind="bb_lower", period=20, num_std=2.5)),
                _cond(PRICE, "gt", Indicator(kind="highest_high", period=55)),
            ],
        ),
        exit=Rule(conditions=[_cond(PRICE, "lt", Indicator(kind="lowest_low", period=20))]),
    ),
    "sixty_forty": StrategySpec(
        name="60-40",
        symbols=["SPY", "AGG"],
        allocation=Allocation(kind="target_weights", weights={"SPY": 0.6, "AGG": 0.4}),
        schedule="quarterly",
    ),
    "rotation": StrategySpec(
        name="Top 2 momentum",
        symbols=["SPY", "EFA", "EEM", "TLT"],
        allocation=Allocation(
            kind="momentum_rotation",
            top_n=2,
            lookback_days=126,
            require_positive_momentum=True,
            alternative="BIL",
        ),
        risk=Risk(trailing_stop_pct=12),
    ),
    # -- spec v2 families ----------------------------------------------------------------------
    "v2_offset_streak_time_exit": StrategySpec(
        name="Dip below trend with time exit",
        symbols=["SPY"],
        entry=Rule(
            conditions=[
                Condition(left=PRICE, op="gt", right=SMA50, offset_pct=2),
                _cond(Indicator(kind="down_streak"), "ge", 3),
                Rule(combine="none", conditions=[
                    _cond(Indicator(kind="volatility", period=20), "gt", 40),
                ]),
            ]
        ),
        risk=Risk(max_hold_bars=5),
    ),
    "v2_fixed_amount": StrategySpec(
        name="Golden cross 5000 dollars",
        symbols=["SPY", "QQQ"],
        entry=Rule(conditions=[_cond(SMA50, "crosses_above", SMA200)]),
        exit=Rule(conditions=[_cond(SMA50, "crosses_below", SMA200)]),
        allocation=Allocation(kind="fixed_amount", amount=5000),
    ),
    "v2_min_hold": StrategySpec(
        name="RSI with a minimum hold",
        symbols=["IWM"],
        entry=Rule(conditions=[_cond(Indicator(kind="rsi", period=2), "lt", 10)]),
        exit=Rule(conditions=[_cond(Indicator(kind="rsi", period=2), "gt", 70)]),
        risk=Risk(min_hold_bars=3, stop_loss_pct=8),
    ),
    "v2_weekly_stochastic": StrategySpec(
        name="Weekly stochastic",
        symbols=["QQQ"],
        entry=Rule(conditions=[
            _cond(Indicator(kind="stoch_k", timeframe="weekly"), "crosses_above",
                  Indicator(kind="stoch_d", timeframe="weekly")),
            _cond(Indicator(kind="roc", period=1, timeframe="monthly", symbol="LQD"), "gt", 0),
        ]),
        exit=Rule(combine="any", conditions=[
            _cond(Indicator(kind="drawdown", period=60), "ge", 10),
            _cond(Indicator(kind="atr", period=14), "gt", Indicator(kind="sma", period=5)),
            _cond(Indicator(kind="volume"), "gt", Indicator(kind="volume_sma", period=20)),
            _cond(Indicator(kind="up_streak"), "le", 0),
        ]),
    ),
    "v2_drift_band": StrategySpec(
        name="50-50 drift band",
        symbols=["SPY", "TLT"],
        allocation=Allocation(kind="target_weights", weights={"SPY": 0.5, "TLT": 0.5},
                              drift_band_pct=5),
    ),
    "v2_drift_or_schedule": StrategySpec(
        name="60-40 quarterly or on a drift",
        symbols=["SPY", "AGG"],
        schedule="quarterly",
        allocation=Allocation(kind="target_weights", weights={"SPY": 0.6, "AGG": 0.4},
                              drift_band_pct=5, drift_or_schedule=True),
    ),
    "v2_volatility_target_signal": StrategySpec(
        name="Trend with a volatility target",
        symbols=["SPY", "QQQ"],
        entry=Rule(conditions=[_cond(PRICE, "gt", SMA200)]),
        exit=Rule(conditions=[_cond(PRICE, "lt", SMA200)]),
        allocation=Allocation(target_volatility_pct=10),
    ),
    "v2_volatility_target_weights": StrategySpec(
        name="60-40 at 8 percent volatility",
        symbols=["SPY", "TLT"],
        allocation=Allocation(kind="target_weights", weights={"SPY": 0.6, "TLT": 0.4},
                              target_volatility_pct=8, volatility_days=60),
    ),
    "v2_semiannual": StrategySpec(
        name="60-40 semiannual",
        symbols=["SPY", "AGG"],
        allocation=Allocation(kind="target_weights", weights={"SPY": 0.6, "AGG": 0.4}),
        schedule="semiannual",
    ),
    "v2_buy_once": StrategySpec(
        name="Three funds bought once",
        symbols=["VTI", "EFA", "AGG"],
        allocation=Allocation(kind="target_weights",
                              weights={"VTI": 0.5, "EFA": 0.3, "AGG": 0.2}, buy_once=True),
    ),
}


@pytest.mark.parametrize("key", SPECS)
def test_every_family_renders_valid_black_formatted_code(key: str) -> None:
    code = render_strategy(SPECS[key])
    report = check_source(code)
    assert report.ok, [str(p) for p in report.problems]
    assert black.format_str(code, mode=black.Mode(line_length=100)) == code
    tree = ast.parse(code)
    assert ast.get_docstring(tree)  # module docstring with the summary
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef))
    methods = {n.name for n in cls.body if isinstance(n, ast.FunctionDef)}
    assert {"initialize", "on_trading_iteration", "load_history"} <= methods
    if SPECS[key].is_weights:
        assert "target_weights" in methods
    else:
        assert {"entry_signal", "exit_signal"} <= methods


def test_rendering_is_deterministic() -> None:
    assert render_strategy(SPECS["rotation"]) == render_strategy(SPECS["rotation"])


def test_golden_cross_parameters_are_named_for_people() -> None:
    params = plan_strategy(SPECS["golden_cross"]).parameters
    assert params["fast_sma_period"] == 50 and params["slow_sma_period"] == 200
    assert params["history_bars"] >= 202
    assert params["symbols"] == ["SPY"]


def test_thresholds_become_parameters_not_literals_in_rules() -> None:
    plan = plan_strategy(SPECS["rsi_filter_other_symbol"])
    assert plan.parameters["rsi_buy_below"] == 10
    assert plan.parameters["rsi_sell_above"] == 70
    assert 'history["SPY"]' in (plan.entry_expr or "")
    assert "10" not in (plan.entry_expr or "")


def test_unused_helpers_are_not_imported() -> None:
    code = render_strategy(SPECS["golden_cross"])
    assert "rsi," not in code and "crossed_above," in code


def test_py_literal_refuses_non_data() -> None:
    assert py_literal({"a": [1, 2.5, "x", None, True]}) == "{'a': [1, 2.5, 'x', None, True]}"
    with pytest.raises(RenderError):
        py_literal(object())
    with pytest.raises(RenderError):
        py_literal(float("nan"))


def test_names_never_carry_code() -> None:
    with pytest.raises(ValueError):
        StrategySpec(
            name='x"""; import os',
            symbols=["SPY"],
            entry=Rule(conditions=[_cond(SMA50, "gt", SMA200)]),
        )
    assert class_name_for("60/40 SPY & AGG") == "Strategy6040SPYAGGStrategy"


@pytest.mark.parametrize("key", ["golden_cross", "trend_alternative_stops", "rotation"])
def test_committed_examples_match_the_templates(key: str) -> None:
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "generated_strategies" / "examples"
    assert (example / f"{key}.py").read_text() == render_strategy(SPECS[key]), (
        "regenerate generated_strategies/examples after changing the templates")


def test_a_portfolio_bought_once_reads_no_schedule() -> None:
    plan = plan_strategy(SPECS["v2_buy_once"])
    code = render_strategy(SPECS["v2_buy_once"])
    assert plan.buy_once and "schedule" not in plan.parameters
    assert "period_key" not in code and "never rebalanced" in code
