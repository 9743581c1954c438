"""The eleventh round's rewrites, one module at a time: formulas, corrections, narration.

Each is checked on sentences of its own (not corpus sentences) for what it reads, what it
leaves alone, and what it refuses rather than guesses.
"""

from __future__ import annotations

import pytest
from corpus_support import condition_text

from generator.providers.offline import ParseError, parse
from generator.providers.offline.formulas import rewrite_formulas
from generator.providers.offline.parser import parse_text


def _rules(text: str) -> tuple[list[str], list[str]]:
    spec = parse(text)
    entry = sorted(condition_text(c) for c in spec.entry.flat()) if spec.entry else []
    exit_ = sorted(condition_text(c) for c in spec.exit.flat()) if spec.exit else []
    return entry, exit_


# -- formulas ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Buy SPY when the 50 day SMA crosses above the 200 day SMA, sell on the cross back.",
    "60/40 SPY/AGG = my core, rebalance quarterly",
    "hold TLT while its 3-month return is positive (t-bills otherwise)",
])
def test_text_without_code_is_left_alone(text: str) -> None:
    assert rewrite_formulas(text) == text


@pytest.mark.parametrize(("text", "entry", "exit_"), [
    ("Pine on QQQ: longCondition = ta.crossover(ta.sma(close, 20), ta.sma(close, 60)); "
     "closeCondition = ta.crossunder(ta.sma(close, 20), ta.sma(close, 60))",
     ["sma20 crosses_above sma60"], ["sma20 crosses_below sma60"]),
    ("AmiBroker on EFA: Buy = C > EMA(C, 80) AND RSI(5) < 30; Sell = C < EMA(C, 80);",
     ["price gt ema80", "rsi5 lt 30"], ["price lt ema80"]),
    ("AmiBroker on DBC: Buy = C > Ref(HHV(H, 30), -1); Sell = C < Ref(LLV(L, 15), -1);",
     ["price gt hh30"], ["price lt ll15"]),
    ("Pine on IEF: [m, s, h] = ta.macd(close, 6, 19, 4); strategy.entry when h crosses above 0, "
     "strategy.close when h crosses below 0",
     ["macd_hist[6,19,4] crosses_above 0"], ["macd_hist[6,19,4] crosses_below 0"]),
    ("LQD: long iff P_t > SMA_120(t), flat otherwise.", ["price gt sma120"],
     ["price lt sma120"]),
    ("GLD: enter when P_t > 1.04 × SMA_90(t); exit when P_t < 0.98 × SMA_90(t).",
     ["price gt sma90+4%"], ["price lt sma90-2%"]),
])
def test_code_and_maths_are_read(text: str, entry: list[str], exit_: list[str]) -> None:
    assert _rules(text) == (entry, exit_)


def test_an_afl_stop_is_the_risk_control_it_names() -> None:
    spec = parse("AmiBroker on IWM: Buy = RSI(2) < 5; Sell = RSI(2) > 75; "
                 "ApplyStop(stopTypeLoss, stopModePercent, 7); "
                 "ApplyStop(stopTypeProfit, stopModePercent, 14);")
    assert (spec.risk.stop_loss_pct, spec.risk.take_profit_pct) == (7.0, 14.0)


def test_an_afl_stop_in_points_is_refused_not_read_as_percent() -> None:
    with pytest.raises(ParseError):
        parse("AmiBroker on IWM: Buy = RSI(2) < 5; Sell = RSI(2) > 75; "
              "ApplyStop(stopTypeLoss, stopModePoint, 3);")


# -- corrections ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "entry", "exit_"), [
    ("Buy VNQ when RSI(14) is under 35, actually make that 30. Sell when RSI(14) is over 60.",
     ["rsi14 lt 30"], ["rsi14 gt 60"]),
    ("Buy MDY when the 15-day EMA crosses above the 45-day EMA, sell on the cross back. "
     "Wait, the slow EMA should be 50, not 45.",
     ["ema15 crosses_above ema50"], ["ema15 crosses_below ema50"]),
    ("Buy TIP on a close above the 30-day high, sell on a close below the 30-day low. "
     "Scratch that, make the exit the 10-day low.", ["price gt hh30"], ["price lt ll10"]),
])
def test_a_correction_replaces_what_it_corrects(text: str, entry: list[str],
                                                exit_: list[str]) -> None:
    assert _rules(text) == (entry, exit_)


def test_a_correction_is_listed_as_ignored_and_understood() -> None:
    parsed = parse_text("Buy SPY when RSI(2) is below 10, sell above 80, I mean 70.")
    assert any("70 instead of 80" in u for u in parsed.understood)
    assert any("corrected" in w for w in parsed.ignored)


@pytest.mark.parametrize("text", [
    # nothing before says what the new value replaces
    "Buy SPY when RSI(2) is below 10, sell when it is above 70. Actually, make the trailing "
    "stop 8%.",
    "Hold SPY and TLT equally, rebalance monthly. Scratch that, use something less risky.",
])
def test_a_correction_that_cannot_be_placed_is_refused(text: str) -> None:
    with pytest.raises(ParseError, match="correction"):
        parse(text)


# -- narration -----------------------------------------------------------------------------------
def test_a_story_is_retold_as_its_rule_and_its_time_is_ignored() -> None:
    parsed = parse_text("Back in 2018 I bought EWJ every time its 20-day EMA crossed above its "
                        "60-day EMA and sold when it crossed back below. Can you automate that?")
    entry = [condition_text(c) for c in parsed.spec.entry.flat()]
    assert entry == ["ema20 crosses_above ema60"]
    assert any("2018" in w for w in parsed.ignored)


def test_a_time_in_a_rule_is_not_a_story() -> None:
    # "since I bought" is the trailing stop's reference, not the writer's past
    spec = parse("Buy VTI when its 20-day EMA crosses above its 80-day EMA, and if it ever falls "
                 "9% from its highest point since I bought, get out.")
    assert spec.risk.trailing_stop_pct == 9.0
