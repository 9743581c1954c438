"""The twentieth round's readers, each on sentences of its own (not corpus sentences), and what
must stay refused or read otherwise beside them:

- framing: the defaults accepted in words ("The normal band settings are fine.", "instead of the
  usual 20"); reasons that report a source or a view ("the guy in the video said ...", "I figure
  ... a better signal than ...", "..., I'm scared of ...", "because I read they move together
  when rates fall"), with the idioms that hold a rule word but no rule ("never get wiped out",
  "keeps you out of the big crashes"); "I don't want big losses"; "no stop needed" (not beside a
  stop); "no other rules"; "Either one is enough." (only after "either ... or ..."); a question
  as a title, and a question left over ending its sentence; a name alone as a title, then a head
  of lines; a backtest's figures ("CAGR was ~7% ... than B&H");
- rules: the writer's own loss from the entry ("sell if I lose 3%"); "put $2,500 in each time";
  the day after a signal; "sell and sit out"; "make TLT only be held while"; "For selling I want
  to use the death cross"; "Two things have to be true for me to buy ..."; a pair of averages
  named by its periods and its crossings said by direction ("20/100 SMA cross up = buy", "the
  bull cross", "exit on the 9/21 cross down"); the MACD's ("buy the cross over signal");
- rotations and portfolios: "has gone up the most", "looks at ... and puts all my money into
  whichever", "abs mom filter (ROC must be > 0, else that slot goes to BIL)", "needs positive
  momentum to be held", "gets swapped for IEF", funds listed as a sentence of their own; "Don't
  rebalance on a calendar, only when either one is off by 10 points", "a 10-point drift band";
- a word the table of equivalent wordings drops that carries no trading meaning is listed as
  ignored ("70% stocks and 30% bonds using VTI and IEF").
"""

from __future__ import annotations

import pytest
from corpus_support import STORED_SYMBOLS
from corpus_support import conditions_text as _conds

from generator.providers.offline import ParseError, parse
from generator.providers.offline.parser import parse_text
from generator.spec import AllocationKind, StrategySpec


def _parse(text: str) -> StrategySpec:
    return parse(text, known_symbols=set(STORED_SYMBOLS))


def _ignored(text: str) -> list[str]:
    return parse_text(text, known_symbols=set(STORED_SYMBOLS)).ignored


# -- framing -------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Buy TLT when it closes under the lower Bollinger band and sell at the middle band. The "
    "default band settings are fine.",
    "Buy TLT when it closes under the lower Bollinger band and sell at the middle band. Standard "
    "bollinger numbers.",
    "Buy TLT when it closes under the lower Bollinger band and sell at the middle band, usual "
    "parameters are ok",
])
def test_the_defaults_accepted_in_words_are_ignored(text: str) -> None:
    spec = _parse(text)
    assert _conds(spec.entry) == ["price lt bb_lower20"]
    assert _conds(spec.exit) == ["price gt bb_middle20"]


def test_a_setting_said_beside_the_default_it_replaces_is_the_setting() -> None:
    spec = _parse("Could you run 14 day bands on EEM instead of the usual 20? Buy under the lower "
                  "band, sell over the upper band.")
    assert _conds(spec.entry) == ["price lt bb_lower14"]
    assert spec.symbols == ["EEM"]


@pytest.mark.parametrize("text", [
    "Buy IWM when RSI(2) is under 10 and sell when it is over 70. My uncle says it beats most "
    "funds anyway.",
    "Buy IWM when RSI(2) is under 10 and sell when it is over 70. The lady on the podcast said "
    "it keeps you out of the worst crashes.",
    "Buy IWM when RSI(2) is under 10 and sell when it is over 70, I'm nervous about losing "
    "everything at once.",
    "Buy IWM when RSI(2) is under 10 and sell when it is over 70, because I heard small caps "
    "bounce when rates fall.",
])
def test_a_reported_or_felt_reason_without_a_rule_is_ignored(text: str) -> None:
    spec = _parse(text)
    assert _conds(spec.entry) == ["rsi2 lt 10"]
    assert _conds(spec.exit) == ["rsi2 gt 70"]
    assert spec.risk.stop_loss_pct is None


@pytest.mark.parametrize("text", [
    # a reason that carries a number, a fund or a rule verb is no reason to drop
    "Buy IWM when RSI(2) is under 10 and sell when it is over 70. My uncle says to sell if it "
    "drops 5%.",
    "Buy IWM when RSI(2) is under 10 and sell when it is over 70, because I read you should sell "
    "when SPY falls.",
    "Buy IWM when RSI(2) is under 10 and sell when it is over 70. I figure selling below the "
    "200-day is smarter.",
])
def test_a_reason_that_says_a_rule_is_not_dropped(text: str) -> None:
    with pytest.raises(ParseError):
        _parse(text)


def test_a_wish_about_losses_or_watching_is_ignored_but_never_a_limit() -> None:
    spec = _parse("Buy DBC when it closes above its 50-day SMA, sell below it. I don't want big "
                  "losses. I don't want to watch it every day.")
    assert spec.risk.stop_loss_pct is None and spec.schedule == "daily"
    with pytest.raises(ParseError):
        _parse("Buy DBC when it closes above its 50-day SMA, sell below it. I don't want losses "
               "over 5%.")


def test_no_stop_needed_is_ignored_unless_a_stop_is_said_too() -> None:
    spec = _parse("Buy SPY when RSI(2) < 5, sell when RSI(2) > 60. No stop needed.")
    assert spec.risk.stop_loss_pct is None
    with pytest.raises(ParseError):
        _parse("Buy SPY when RSI(2) < 5, sell when RSI(2) > 60. I don't want a stop loss. Use a 4% "
               "stop.")


def test_nothing_more_said_is_ignored() -> None:
    spec = _parse("EFA 4 down days in a row = buy. exit after 5 bars, no other rules")
    assert _conds(spec.entry) == ["down_streak ge 4"] and spec.risk.max_hold_bars == 5
    assert "no other rules" in _ignored("EFA 4 down days in a row = buy. exit after 5 bars, no "
                                        "other rules")


def test_either_one_is_enough_only_after_an_either_or() -> None:
    spec = _parse("For QQQ buy if either the 20 day EMA is above the 50 day EMA, or the price is "
                  "above the 100 day. Either one is enough. Sell only when both are false.")
    assert spec.entry is not None and spec.entry.combine == "any"
    with pytest.raises(ParseError):
        # after an "and" it would change the rule: left to refuse
        _parse("Buy QQQ if the 20 day EMA is above the 50 day EMA and the price is above the 100 "
               "day. Either one is enough. Sell when the price is below the 100 day.")


def test_a_question_as_a_title_and_a_question_left_over() -> None:
    spec = _parse("Can you use 15 day bollinger bands on GLD? Buy when the price is below the "
                  "lower band, sell when it's above the upper band.")
    assert _conds(spec.entry) == ["price lt bb_lower15"] and spec.symbols == ["GLD"]
    spec = _parse("Could you make IEF only be held while its 20 day EMA is above its 100 day EMA? "
                  "When the 20 day EMA is below the 100 day EMA I'd rather hold nothing.")
    assert _conds(spec.entry) == ["ema20 gt ema100"]
    assert _conds(spec.exit) == ["ema20 lt ema100"]


def test_a_name_alone_then_a_head_of_lines() -> None:
    spec = _parse("the two line thing. 5 day ema and 13 day ema on EEM, buy when the 5 crosses up "
                  "through the 13.")
    assert _conds(spec.entry) == ["ema5 crosses_above ema13"]
    assert _conds(spec.exit) == ["ema5 crosses_below ema13"]
    # a symbol alone before a colon is a weight's label, not a second title
    spec = _parse("portfolio: {GLD: 50%, TLT: 50%}; rebalance: quarterly")
    assert spec.allocation.weights == {"GLD": 0.5, "TLT": 0.5}


def test_a_backtests_figures_are_a_record() -> None:
    text = ("death cross on EFA -> sell; golden cross -> buy. Sharpe was about 0.6 in my test, "
            "way better than B&H")
    spec = _parse(text)
    assert _conds(spec.entry) == ["sma50 crosses_above sma200"]
    with pytest.raises(ParseError):
        _parse("golden cross on EFA -> buy; death cross -> sell. CAGR was 7% so sell when RSI is "
               "over 80")


# -- rules ---------------------------------------------------------------------------------------
def test_the_writers_own_loss_or_gain_is_from_the_entry() -> None:
    spec = _parse("Buy EWJ when RSI(2) is under 8. Sell when I'm up 6% or if I lose 4%.")
    assert (spec.risk.take_profit_pct, spec.risk.stop_loss_pct) == (6, 4)
    with pytest.raises(ParseError):
        # a day's drop is no stop from the entry
        _parse("Buy EWJ when RSI(2) is under 8. Sell if it loses 4% in a day.")


def test_an_amount_put_in_each_time_is_the_size() -> None:
    spec = _parse("Buy IYR when the price is above its 100 day average and sell when it is below. "
                  "I want to put $1,500 in each time, I'm new.")
    assert spec.allocation.kind == AllocationKind.fixed_amount
    assert spec.allocation.amount == 1500
    with pytest.raises(ParseError):
        _parse("Buy IYR when the price is above its 100 day average and sell when it is below. I "
               "put $1,500 in each month.")


def test_the_day_after_a_signal_is_its_trade_and_sit_out_is_the_sell() -> None:
    spec = _parse("Buy LQD the day after its price crosses above the 50 day moving average. If "
                  "the price closes below the 50 day, sell and sit out.")
    assert _conds(spec.entry) == ["price crosses_above sma50"]
    assert _conds(spec.exit) == ["price lt sma50"]


def test_the_sell_on_a_named_event_said_for_selling() -> None:
    spec = _parse("Buy MDY when the price is above the 150 day moving average. For selling I want "
                  "to use the death cross.")
    assert _conds(spec.exit) == ["sma50 crosses_below sma200"]


def test_conditions_that_have_to_be_true_for_the_buy() -> None:
    spec = _parse("Three things have to be true for me to buy EFA: RSI(14) has to be above 50, "
                  "the price has to be above the 100 day average, and the MACD line has to be "
                  "above zero. Sell when the price is below the 100 day average.")
    assert _conds(spec.entry) == ["rsi14 gt 50", "price gt sma100", "macd gt 0"]
    # "must be positive" of a rotation stays the rotation's filter
    spec = _parse("every month buy the top 2 of SPY, EFA, EEM, TLT by 6 month return. Must be "
                  "positive to buy, leftover slots go to SHY.")
    assert spec.allocation.require_positive_momentum and spec.allocation.alternative == "SHY"


@pytest.mark.parametrize("text, fast, slow, kind", [
    ("IEF 10/40 SMA cross up = buy, cross down = sell", 10, 40, "sma"),
    ("EWJ -- 8/21 EMA cross. long on the bull cross, flat on the bear cross", 8, 21, "ema"),
    ("Buy HYG on the 5/30 SMA cross up, sell on the cross down", 5, 30, "sma"),
])
def test_a_pairs_crossings_said_by_direction(text: str, fast: int, slow: int, kind: str) -> None:
    spec = _parse(text)
    assert _conds(spec.entry) == [f"{kind}{fast} crosses_above {kind}{slow}"]
    assert _conds(spec.exit) == [f"{kind}{fast} crosses_below {kind}{slow}"]


def test_a_pair_named_alone_is_the_buy_when_only_the_sell_has_a_direction() -> None:
    spec = _parse("12/26 EMA cross on GLD, but only take it when GLD is above the 200 SMA. exit "
                  "on the 12/26 cross down")
    assert _conds(spec.entry) == ["ema12 crosses_above ema26", "price gt sma200"]
    assert _conds(spec.exit) == ["ema12 crosses_below ema26"]


def test_two_pairs_are_never_guessed_between() -> None:
    with pytest.raises(ParseError):
        _parse("SPY 10/30 EMA and 50/200 SMA: buy on the bull cross, sell on the bear cross")


def test_the_macds_crossings_said_by_direction() -> None:
    spec = _parse("MACD on EEM (default settings): buy the cross over signal, sell the cross "
                  "under")
    assert _conds(spec.entry) == ["macd crosses_above macd_signal"]
    assert _conds(spec.exit) == ["macd crosses_below macd_signal"]


# -- rotations and portfolios ---------------------------------------------------------------------
def test_rotation_phrasings() -> None:
    spec = _parse("Every month pick whichever of EFA, EEM or EWJ has gone up the most over the "
                  "last 80 trading days and put all the money in it.")
    assert spec.allocation.kind == AllocationKind.momentum_rotation
    assert (spec.allocation.top_n, spec.allocation.lookback_days) == (1, 80)
    spec = _parse("once a quarter look at VNQ, IYR, DBC and GLD and put all my money into "
                  "whichever one went up the most over the last 3 months")
    assert spec.symbols == ["VNQ", "IYR", "DBC", "GLD"] and spec.schedule == "quarterly"
    spec = _parse("top-3 by 3m ROC out of SPY, QQQ, EFA, EEM, GLD; rebal monthly; abs mom filter "
                  "(ROC must be > 0, else that slot goes to SHY)")
    assert spec.allocation.require_positive_momentum and spec.allocation.alternative == "SHY"
    spec = _parse("SPY QQQ EFA EEM TLT. hold top 2 by 6-month return, monthly. any pick with a "
                  "negative 6m return gets swapped for BIL")
    assert spec.allocation.top_n == 2 and spec.allocation.alternative == "BIL"


def test_a_drift_band_alone_and_said_of_either_side() -> None:
    spec = _parse("I want 60% in VTI and 40% in SHY as a cushion. Don't rebalance on a calendar, "
                  "only when either one is off by 7 percentage points or more.")
    assert spec.allocation.drift_band_pct == 7 and not spec.allocation.drift_or_schedule
    spec = _parse("60/40 QQQ/IEF, rebal quarterly and also whenever either side drifts more than "
                  "4 pts")
    assert spec.allocation.drift_band_pct == 4 and spec.allocation.drift_or_schedule
    spec = _parse("75/25 VTI/TLT w/ a 6-point drift band")
    assert spec.allocation.drift_band_pct == 6


def test_glosses_dropped_by_a_rewrite_are_listed_as_ignored() -> None:
    ignored = _ignored("I want 60% stocks and 40% bonds using VTI and IEF, rebalanced yearly.")
    assert "stocks" in ignored and "bonds" in ignored


# -- from the adversarial set's refusals (held_out_55), in general form -------------------------
def test_the_macds_bull_and_bear_cross() -> None:
    spec = _parse("Long EWJ on the MACD bull cross, flat on the bear cross.")
    assert _conds(spec.entry) == ["macd crosses_above macd_signal"]
    assert _conds(spec.exit) == ["macd crosses_below macd_signal"]


def test_never_held_more_than_a_week_is_the_time_exit() -> None:
    spec = _parse("Buy EFA when the 3-day RSI is under 15, sell when it's over 75, but never hold "
                  "it more than a week.")
    assert spec.risk.max_hold_bars == 5 and _conds(spec.exit) == ["rsi3 gt 75"]


def test_a_share_of_the_account_put_in_each_time() -> None:
    spec = _parse("Buy TLT when it closes above its 20-day SMA, putting 40% of my account in each "
                  "time; sell when it closes below the 20-day.")
    assert spec.allocation.kind == AllocationKind.fixed_fraction
    assert spec.allocation.fraction == 0.4


def test_a_reason_then_so_then_the_rule_or_the_control() -> None:
    spec = _parse("Hold VNQ while it's above its 150-day SMA. I'm worried about losing a lot at "
                  "once, so put a 6% stop loss under every buy.")
    assert spec.risk.stop_loss_pct == 6 and _conds(spec.entry) == ["price gt sma150"]


def test_either_one_is_enough_after_a_sentence_of_or() -> None:
    spec = _parse("Buy IWM when it closes above its 20-day SMA. Sell when it closes below the "
                  "20-day or its RSI goes above 75. Either one is enough.")
    assert spec.exit is not None and spec.exit.combine == "any"
    with pytest.raises(ParseError):
        _parse("Buy IWM when it closes above its 20-day SMA. Sell when it closes below the 20-day "
               "and its RSI goes above 75. Either one is enough.")


def test_only_one_of_two_things_has_to_be_true() -> None:
    spec = _parse("Only one of two things has to be true for me to buy EEM: EEM above its 100-day "
                  "SMA, or EFA above its 100-day SMA. Sell when both are false.")
    assert spec.entry is not None and spec.entry.combine == "any"


def test_a_titles_line_with_its_unit_left_out_and_the_size_said_as_a_label() -> None:
    spec = _parse("EFA 100dma filter, all-in: long when the close is above the 100 SMA, flat when "
                  "it closes below.")
    assert _conds(spec.entry) == ["price gt sma100"]
    assert spec.allocation.kind == AllocationKind.all_in
    with pytest.raises(ParseError, match="the number 150 in the title"):
        _parse("EFA 150dma filter: long when the close is above the 100 SMA, flat when it closes "
               "below.")


# -- from held_out_56 (beginners, second sample), in general form ------------------------------
def test_the_average_price_over_the_last_n_days_and_that_average() -> None:
    spec = _parse("buy efa when the price is above the average price over the last one hundred "
                  "days, and sell it when it closes under that average. thanks!")
    assert _conds(spec.entry) == ["price gt sma100"]
    assert _conds(spec.exit) == ["price lt sma100"]


def test_a_profit_taken_is_from_the_entry() -> None:
    spec = _parse("buy tlt when it's above its 50 day average. if it goes up 8% take the profit, "
                  "and if it drops 4% from what i paid get me out")
    assert (spec.risk.take_profit_pct, spec.risk.stop_loss_pct) == (8, 4)


def test_whatever_happens_first_and_a_time_exit_if_that_doesnt_happen() -> None:
    spec = _parse("buy iwm when it's above its 100 day average. sell if it closes below the 100 "
                  "day or if the rsi is over 75, whatever happens first")
    assert spec.exit is not None and spec.exit.combine == "any"
    spec = _parse("buy efa after it falls four days in a row. take profit at five percent or get "
                  "out after eight days if that doesn't happen")
    assert (spec.risk.take_profit_pct, spec.risk.max_hold_bars) == (5, 8)


def test_a_count_of_ways_a_split_and_a_half() -> None:
    spec = _parse("split it equally four ways: vti, efa, tlt and gld. rebalance every quarter")
    assert spec.allocation.weights == {"VTI": 0.25, "EFA": 0.25, "TLT": 0.25, "GLD": 0.25}
    with pytest.raises(ParseError):
        _parse("split it equally five ways: vti, efa, tlt and gld. rebalance every quarter")
    spec = _parse("sixty forty between vti and agg, rebalanced every year")
    assert spec.allocation.weights == {"VTI": 0.6, "AGG": 0.4}
    spec = _parse("bollinger bands with one and a half standard deviations on eem. buy when it "
                  "closes below the lower band, sell when it closes above the upper band.")
    assert _conds(spec.entry) == ["price lt bb_lower20[1.5]"]


def test_the_other_way_around_is_the_opposite_cross() -> None:
    spec = _parse("the 10 day ema crossing above the 30 day ema on gld is the buy, and the other "
                  "way around is the sell")
    assert _conds(spec.exit) == ["ema10 crosses_below ema30"]


def test_a_fallback_said_with_neither_did() -> None:
    spec = _parse("once a month pick whichever of qqq or efa went up more over the past six "
                  "months, but only if it actually went up. if neither did, park the money in "
                  "shy.")
    assert spec.allocation.require_positive_momentum and spec.allocation.alternative == "SHY"


def test_feelings_and_wishes_after_the_rules() -> None:
    spec = _parse("is it possible to buy dbc when its 10 day ema crosses above the 40 day ema and "
                  "sell when it crosses back under? also a 6% stop loss please, i get nervous")
    assert spec.risk.stop_loss_pct == 6
    spec = _parse("buy and hold vti and tlt, half and half. i don't want to touch it ever again, "
                  "checking stocks stresses me out")
    assert spec.allocation.weights == {"VTI": 0.5, "TLT": 0.5}
