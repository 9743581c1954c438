"""The thirteenth round's readers, each on sentences of its own (not corpus sentences), and
what must stay refused beside them:

- a drift band and a calendar schedule together (`allocation.drift_or_schedule`);
- pullbacks from the highest close as the drawdown; a 52-week high with no word of closes stays
  refused;
- a rule said of each of several symbols ("buy any of them when ...");
- the MACD settings a writer runs ("a faster MACD, 8/21/5");
- in and out said of the writer ("I'm in whenever ...", "... = im out");
- rotations whose share per pick is said ("half in each") or whose failed picks are swapped;
- numbers of the writer's life in a title, words in capitals for emphasis;
- minimum holds, time exits beside a target, crossings said with their direction twice.
"""

from __future__ import annotations

import pytest
from corpus_support import item_text

from generator.providers.offline import ParseError, parse
from generator.providers.offline.parser import parse_text
from generator.spec import AllocationKind, StrategySpec


def _rules(spec: StrategySpec) -> tuple[list[str], list[str]]:
    entry = [item_text(c) for c in spec.entry.conditions] if spec.entry else []
    exit_ = [item_text(c) for c in spec.exit.conditions] if spec.exit else []
    return entry, exit_


# -- a drift band or the schedule ----------------------------------------------------------------
@pytest.mark.parametrize(("text", "schedule"), [
    ("55% VTI and 45% IEF, rebalanced every month or as soon as a weight drifts more than 4 "
     "points from its target.", "monthly"),
    ("Hold SPY 70% and GLD 30%, rebalance yearly, or sooner if one of them drifts 8 percentage "
     "points away from target.", "yearly"),
])
def test_a_schedule_beside_a_drift_band_keeps_both(text: str, schedule: str) -> None:
    spec = parse(text)
    assert spec.allocation.drift_band_pct is not None and spec.allocation.drift_or_schedule
    assert spec.schedule is not None and spec.schedule.value == schedule


def test_a_drift_band_alone_rebalances_on_the_drift_only() -> None:
    for text in ["60% SPY and 40% TLT, only rebalance when a weight drifts 6 points off target.",
                 "70/30 VTI and AGG. I don't want calendar rebalancing, only when one of them "
                 "drifts more than 5 points from its target."]:
        spec = parse(text)
        assert spec.allocation.drift_band_pct is not None
        assert not spec.allocation.drift_or_schedule, text


# -- pullbacks from the highest close ------------------------------------------------------------
@pytest.mark.parametrize(("text", "entry", "exit_"), [
    ("Buy EFA once it is more than 15% below its highest close of the past year and sell when "
     "it is back within 3% of that high.", ["drawdown252 gt 15"], ["drawdown252 lt 3"]),
    ("Buy IWM after it has pulled back at least 8% from its highest close of the last 60 days, "
     "sell when it closes above its 20-day SMA.", ["drawdown60 ge 8"], ["price gt sma20"]),
    ("Buy GLD after a drop of more than 12% from its 26-week high (closing basis) and sell "
     "when it is less than 2% off that high.", ["drawdown130 gt 12"], ["drawdown130 lt 2"]),
])
def test_a_pullback_from_the_highest_close_is_the_drawdown(text: str, entry: list[str],
                                                           exit_: list[str]) -> None:
    assert _rules(parse(text)) == (entry, exit_)


def test_a_pullback_from_a_high_with_no_word_of_closes_stays_refused() -> None:
    # the highest high or the highest close: not guessed
    with pytest.raises(ParseError):
        parse("Buy EEM when it is 12% below its 52-week high, sell when it gets back within 3% "
              "of the high")


# -- a rule said of each of several symbols ------------------------------------------------------
@pytest.mark.parametrize(("text", "symbols", "kind"), [
    ("For VNQ, IYR and TIP: buy any of them when it closes above its 100-day EMA and sell it "
     "when it closes below, splitting the money equally between the three.",
     ["VNQ", "IYR", "TIP"], AllocationKind.equal_weight),
    ("Candidates are QQQ, MDY and IWM; buy any of them whose 6-month momentum is positive and "
     "sell it whenever that momentum is negative. Each position gets 25% of the account.",
     ["QQQ", "MDY", "IWM"], AllocationKind.fixed_fraction),
    ("Split the money equally among EFA, EWJ and IEV, but each fund is only held while it is "
     "above its own 150-day moving average. If one drops below, sell just that one.",
     ["EFA", "EWJ", "IEV"], AllocationKind.equal_weight),
])
def test_a_rule_said_of_each_symbol(text: str, symbols: list[str],
                                    kind: AllocationKind) -> None:
    spec = parse(text)
    assert spec.symbols == symbols and spec.allocation.kind == kind
    assert spec.entry is not None and spec.exit is not None


def test_a_list_alone_is_not_taken_for_a_rule_of_each() -> None:
    # no rule is said of each one: the list stays unread and the text refused
    with pytest.raises(ParseError):
        parse("Candidates are QQQ, MDY and IWM; buy when RSI(2) is under 10.")


# -- the MACD settings a writer runs -------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "I use a slower MACD, 19/39/9, on IEF. Buy when the MACD line crosses above its signal and "
    "sell when it crosses back below.",
    "19/39/9 instead of the usual 12/26/9 on IEF: buy when the MACD crosses over the signal "
    "line, sell on the cross back.",
])
def test_the_macd_settings_a_writer_runs(text: str) -> None:
    entry, exit_ = _rules(parse(text))
    assert entry == ["macd[19,39,9] crosses_above macd_signal[19,39,9]"]
    assert exit_ == ["macd[19,39,9] crosses_below macd_signal[19,39,9]"]


def test_settings_with_no_macd_in_the_rules_are_not_taken() -> None:
    with pytest.raises(ParseError):
        parse("I run a faster MACD, 8/21/5. Buy SPY when RSI(2) is under 10.")


# -- in and out said of the writer ---------------------------------------------------------------
@pytest.mark.parametrize(("text", "entry", "exit_"), [
    ("For IEF I'm in whenever it closes above its 100-day SMA and I'm out if it closes below "
     "it.", ["price gt sma100"], ["price lt sma100"]),
    ("EFA 10 ema crosses over the 40 ema = im in. 10 crosses back under the 40 = im out.",
     ["ema10 crosses_above ema40"], ["ema10 crosses_below ema40"]),
    ("Keep me in TLT while it trades above its 50-day SMA and out of it when it drops under.",
     ["price gt sma50"], ["price lt sma50"]),
    ("Rule: if DBC closed above its 100-day moving average I want to own it, if it closed "
     "below I want to be out.", ["price gt sma100"], ["price lt sma100"]),
])
def test_in_and_out_said_of_the_writer(text: str, entry: list[str], exit_: list[str]) -> None:
    assert _rules(parse(text)) == (entry, exit_)


def test_otherwise_in_cash_is_still_the_negated_entry() -> None:
    entry, exit_ = _rules(parse("Own VTI while it is above its 200-day SMA, otherwise be in cash."))
    assert (entry, exit_) == (["price gt sma200"], ["price lt sma200"])


# -- rotations -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "top"), [
    ("Each month hold the best 2 of QQQ, EFA, TLT and GLD by 3-month return, half in each.", 2),
    ("Every quarter buy the top 3 of SPY, EEM, VNQ, DBC and IEF by 6-month return, a third in "
     "each.", 3),
])
def test_a_rotations_equal_share_said_aloud(text: str, top: int) -> None:
    spec = parse(text)
    assert spec.allocation.kind == AllocationKind.momentum_rotation
    assert spec.allocation.top_n == top


def test_a_share_a_rotation_cannot_give_is_refused() -> None:
    with pytest.raises(ParseError, match="splits the money evenly"):
        parse("Each month hold the best 3 of QQQ, EFA, TLT and GLD by 3-month return, half in "
              "each.")


def test_failed_picks_swapped_for_the_fallback() -> None:
    spec = parse("Monthly, hold the 2 strongest of SPY, EFA, EEM and VNQ by 6-month momentum, "
                 "and any pick whose 6-month return is negative gets swapped for BIL.")
    assert spec.allocation.require_positive_momentum and spec.allocation.alternative == "BIL"


# -- framing: the writer's life, emphasis ------------------------------------------------------
def test_a_number_of_the_writers_life_in_a_title_is_ignored() -> None:
    parsed = parse_text("I coached for twenty years, so keep it simple. Own QQQ while it is "
                        "above its 100-day SMA and sell when it closes below it.")
    assert parsed.spec.symbols == ["QQQ"]
    assert any("20 years" in said for said in parsed.ignored)


def test_a_number_in_a_title_that_may_be_a_setting_is_still_refused() -> None:
    with pytest.raises(ParseError, match="the number 30 in the title"):
        parse("My 30 strategy: buy SPY when RSI(2) is under 10, sell when it is over 70.")


def test_capitals_for_emphasis_are_words() -> None:
    spec = parse("IWM BREAKOUT PLAN. Entry: close above the highest high of the prior 40 days. "
                 "Exit: close below the lowest low of the prior 20 days.")
    assert spec.symbols == ["IWM"]


# -- holds, time exits, crossings ----------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Buy LQD when RSI(5) is under 20 and sell when it is over 60, but give it at least 4 "
    "trading days before acting on any exit signal.",
    "Buy LQD when RSI(5) is under 20 and sell when it is over 60, and hold it a minimum of 4 "
    "days before any sale.",
])
def test_a_minimum_hold_said_around_the_sell_rule(text: str) -> None:
    assert parse(text).risk.min_hold_bars == 4


def test_a_time_exit_beside_a_target() -> None:
    spec = parse("Buy SPY when it closes below its 10-day low. Profit target 3%. If the target "
                 "isn't hit within 8 trading days, sell anyway.")
    assert spec.risk.take_profit_pct == 3 and spec.risk.max_hold_bars == 8
    assert spec.exit is None


def test_a_crossing_said_with_its_direction_twice() -> None:
    entry, exit_ = _rules(parse("Buy HYG when the 14 day RSI crosses back up over 30 and sell "
                                "when it crosses down under 65."))
    assert (entry, exit_) == (["rsi14 crosses_above 30"], ["rsi14 crosses_below 65"])


def test_long_on_an_event_buys_on_it() -> None:
    # "long ... on a close above its 60-day high": the breakout is the entry; a hold would
    # sell the next day, once the price no longer stands above the high it broke
    spec = parse("Long EEM on a close above its 60-day high, 7% stop.")
    assert _rules(spec) == (["price gt hh60"], [])


# -- set 25's classes ----------------------------------------------------------------------------
def test_close_compared_with_a_sign_is_the_price() -> None:
    # a wrong spec found at its root: the bare "close >" was read as "closes above" with no
    # subject, which then took the EMA of the condition before it
    entry, _ = _rules(parse("DBC: buy when EMA(10) > EMA(30) and close > SMA(150), sell when "
                            "EMA(10) < EMA(30)"))
    assert entry == ["ema10 gt ema30", "price gt sma150"]


def test_never_sell_leaves_no_exit() -> None:
    spec = parse("Buy EFA when its 20-day SMA crosses above its 100-day SMA, and then never "
                 "sell.")
    assert spec.exit is None and spec.entry is not None


def test_never_sell_with_more_after_it_is_not_taken() -> None:
    with pytest.raises(ParseError):
        parse("Buy SPY when RSI(2) is under 5, sell when it is over 70, never sell at a loss")


@pytest.mark.parametrize(("text", "entry", "exit_"), [
    ("When the MACD histogram on TLT goes from negative to positive, buy; when it flips from "
     "positive to negative, sell.", ["macd_hist crosses_above 0"], ["macd_hist crosses_below 0"]),
])
def test_a_sign_change_said_as_from_to(text: str, entry: list[str], exit_: list[str]) -> None:
    assert _rules(parse(text)) == (entry, exit_)


@pytest.mark.parametrize(("text", "field", "value"), [
    ("Buy IWM when RSI(2) is under 10 and sell when it is over 70. Trail 9%.",
     "trailing_stop_pct", 9.0),
    ("Buy IWM when RSI(2) is under 10 and sell when it is over 70. I also kept a 6% stop.",
     "stop_loss_pct", 6.0),
    ("Buy IWM when RSI(2) is under 10, sell when it is over 70, and sell if we're ever down 7% "
     "from what we paid.", "stop_loss_pct", 7.0),
    ("Buy IWM when RSI(2) is under 10 and sell when it is over 70, but not before I've held it "
     "at least six days.", "min_hold_bars", 6),
])
def test_controls_said_the_ordinary_way(text: str, field: str, value: float) -> None:
    assert getattr(parse(text).risk, field) == value


def test_same_rule_for_each_of_a_list() -> None:
    spec = parse("Same rule for each of TLT, IEF and LQD: own it when it's above its 100-day "
                 "SMA, sell it when it's below. Money split equally across the three.")
    assert spec.symbols == ["TLT", "IEF", "LQD"]
    assert spec.allocation.kind == AllocationKind.equal_weight


@pytest.mark.parametrize("text", [
    "Every month hold the best 2 of QQQ, EFA, EEM and GLD by 3-month return, but only ones "
    "whose 3-month return is above zero -- otherwise that money sits in cash.",
    "Every month the system will hold whichever two of QQQ, EFA, EEM and GLD had the best "
    "3-month return, and it will put any slot whose fund has a negative return into SHY.",
])
def test_a_rotations_filter_said_of_its_picks(text: str) -> None:
    spec = parse(text)
    assert spec.allocation.require_positive_momentum and spec.allocation.top_n == 2


def test_a_volatility_aim_per_year_is_no_yearly_schedule() -> None:
    spec = parse("Equal weight VTI, EFA and TLT, rebalanced monthly, with exposure dialed up or "
                 "down so the whole thing aims for 9% volatility per year.")
    assert spec.schedule is not None and spec.schedule.value == "monthly"
    assert spec.allocation.target_volatility_pct == 9


def test_buying_at_the_close_stays_refused() -> None:
    # fills are at the next open: a buy "at the close" is a promise the engine cannot keep
    with pytest.raises(ParseError):
        parse("Buy EEM at the close whenever RSI(2) is under 5 and sell when it is over 60.")
