"""The rendered code is laid out without black, byte for byte as black lays it out.

`generator.code_layout` lays out the parts of a strategy that vary per spec; `render_strategy`
returns the file without running black on it. One spec of each structure the v1 fixtures and the
render families give is rendered both ways (`layout_support`), and the literals and statements
it lays out are checked on their own. Every structure the trader corpus gives is checked the same
way in test_trader_corpus.py, where the corpus is parsed, so that it is parsed once.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import black
import pytest

from generator import render
from generator.code_layout import NotPlain, literal_lines, plain_text, statement_lines
from generator.spec import StrategySpec

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS))
from layout_support import assert_laid_out_as_black  # noqa: E402
from test_render import SPECS  # noqa: E402

MODE = black.Mode(line_length=100)


def test_every_rendered_file_is_what_black_makes_of_it(monkeypatch: pytest.MonkeyPatch) -> None:
    specs = list(SPECS.values())
    for line in (TESTS / "data" / "v1_specs.jsonl").read_text().splitlines():
        if line.strip():
            specs.append(StrategySpec.model_validate(json.loads(line)["spec"]))
    assert assert_laid_out_as_black(specs, monkeypatch) > 20


@pytest.mark.parametrize("value", [
    {"symbols": ["SPY"], "position_weight": 1.0, "schedule": "daily"},
    {"symbols": [f"S{i}" for i in range(30)], "history_bars": 202, "flag": True, "none": None},
    {"leg_risk": {"SPY": {"stop_loss_pct": 2.0, "take_profit_pct": 10.0,
                          "trailing_stop_pct": 5.5}} | {f"K{i}": {"x": 1} for i in range(9)}},
    {"only": ["a-very-long-name-that-does-not-fit-on-one-line-" * 2]},
    {"weights": {"VTI": 0.3, "TLT": 0.4, "IEF": 0.15, "GLD": 0.075, "DBC": 0.075, "X": -2}},
])
def test_literals_are_laid_out_as_black_lays_them_out(value: dict[str, Any]) -> None:
    source = "class _:\n" + "\n".join(literal_lines("parameters = ", value, "", 1)) + "\n"
    assert black.format_str(source, mode=MODE) == source


@pytest.mark.parametrize("value", [{"x": 1e-7}, {"x": 'say "hi"'}, {"x": "back\\slash"},
                                   {1: "int key"}, {"x": object()}])
def test_values_it_does_not_lay_out_are_left_to_black(value: dict[Any, Any]) -> None:
    with pytest.raises(NotPlain):
        literal_lines("parameters = ", value, "", 1)


def test_a_long_statement_goes_through_black_at_its_depth() -> None:
    expr = " and ".join(f'latest(sma(bars, p["sma_period_{i}"])) > p["x_{i}"]' for i in range(4))
    laid = statement_lines(f"return ({expr})", 2)
    source = "class _:\n    def f(self):\n" + laid + "\n"
    assert black.format_str(source, mode=MODE) == source
    short = statement_lines('return latest(rsi(bars, p["rsi_period"])) < p["rsi_buy_below"]', 2)
    assert short == '        return latest(rsi(bars, p["rsi_period"])) < p["rsi_buy_below"]'


def test_a_title_black_would_touch_sends_the_file_through_black() -> None:
    assert plain_text("Golden cross on SPY", "sell when the price is below the 50-day SMA")
    assert not plain_text('The "best" one')
    assert not plain_text("tab\there")
    spec = SPECS["golden_cross"].model_copy(update={"name": 'My "golden" cross \\ SPY'})
    code = render.render_strategy(spec)
    assert black.format_str(code, mode=MODE) == code
