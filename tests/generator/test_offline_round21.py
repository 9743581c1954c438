"""The twenty-first round's readers, each on sentences of its own (not corpus sentences), and
what must stay refused or read otherwise beside them:

- words: "px" is the price (an x glued to a word is no cross); "bye QQQ wen ..."; "equaly";
  "5% SL, 12% TP" (the number first);
- rules: "flat while ..."; a trend filter named with its sides said bare ("spy 200dma filter,
  out below", "ema 21 filter on GLD. above = long, below = flat"; the other way round stays
  refused); a line of N days with no kind is the simple average there; the held fund named in
  "sell IEF when it isn't"; after a label's colon, "whenever X I want to be long"; a crossover of
  weekly averages named by its periods ("10wk/30wk MA cross"); "enter each under 10" (each
  fund, by the oscillator's level);
- risk: "I don't want to lose more than 8% on any trade", "limit my loss to 5% per trade",
  "don't let a trade lose more than 6%", "max loss 8% per trade" (with no trade named, the
  writer's loss stays refused);
- framing: a reason in brackets ("(to avoid whipsaws)"); "even if the RSI is high" after a
  minimum hold, while "even if" with a level of its own is refused (it was read as a second
  condition of the sell rule: a wrong spec, fixed);
- portfolios: "a three way split between ..." (the count checked against the funds), "put my
  money equally in ..."; a first sentence of settings, then a title naming the funds ("Invest
  $10,000 per position. Trade IWM and MDY: ..."); "Trade SPY, QQQ and EFA: buy when ..." (each
  fund; "SPY or QQQ" stays refused).
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


def _refused(text: str) -> None:
    with pytest.raises(ParseError):
        _parse(text)


# -- words ---------------------------------------------------------------------------------------
def test_px_is_the_price_and_an_x_between_lines_is_still_a_cross() -> None:
    spec = _parse("own IWM while px > 50 sma, else cash")
    assert _conds(spec.entry) == ["price gt sma50"]
    assert _conds(spec.exit) == ["price lt sma50"]
    crossing = _parse("buy IWM when sma20 x> sma50")
    assert _conds(crossing.entry) == ["sma20 crosses_above sma50"]


def test_buy_typed_as_bye_before_a_fund_and_its_condition() -> None:
    spec = _parse("bye TLT wen rsi 14 is undr 25 and sell wen its ovr 65")
    assert spec.symbols == ["TLT"]
    assert _conds(spec.entry) == ["rsi14 lt 25"]
    assert _conds(spec.exit) == ["rsi14 gt 65"]
    _refused("bye!")


@pytest.mark.parametrize(("text", "stop", "take"), [
    ("buy GLD when rsi < 30, sell when rsi > 70, 4% SL", 4.0, None),
    ("buy GLD when rsi < 30, sell when rsi > 70. 4% sl, 15% tp", 4.0, 15.0),
])
def test_a_stop_and_a_target_abbreviated_after_their_number(text: str, stop: float,
                                                            take: float | None) -> None:
    spec = _parse(text)
    assert spec.risk.stop_loss_pct == stop
    assert spec.risk.take_profit_pct == take


# -- rules ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "buy EFA while the MACD is above 0, flat while it is below 0",
    "EFA: long while MACD > 0, flat while MACD < 0.",
])
def test_flat_while_is_the_sell_of_a_state(text: str) -> None:
    spec = _parse(text)
    assert _conds(spec.entry) == ["macd gt 0"]
    assert _conds(spec.exit) == ["macd lt 0"]


@pytest.mark.parametrize(("text", "line"), [
    ("iwm 100dma filter, out below", "sma100"),
    ("QQQ 150 day filter: long above, out below", "sma150"),
    ("ema 30 filter on TLT. above = long, below = flat", "ema30"),
    ("50 ema filter on TLT, in above, cash below", "ema50"),
])
def test_a_trend_filter_named_with_its_sides_said_bare(text: str, line: str) -> None:
    spec = _parse(text)
    assert _conds(spec.entry) == [f"price gt {line}"]
    assert _conds(spec.exit) == [f"price lt {line}"]


@pytest.mark.parametrize("text", [
    "ema 30 filter on TLT. above = flat, below = long",  # the other way round: no trend filter
    "iwm 100dma filter, out above",
])
def test_a_filter_held_the_other_way_round_stays_refused(text: str) -> None:
    _refused(text)


def test_the_held_fund_named_in_the_sell_that_negates_the_buy() -> None:
    spec = _parse("While SPY's 20 day SMA is above its 100 day SMA, hold VTI; sell VTI when it "
                  "isn't.")
    assert spec.symbols == ["VTI"]
    assert _conds(spec.entry) == ["sma20@SPY gt sma100@SPY"]
    assert _conds(spec.exit) == ["sma20@SPY lt sma100@SPY"]
    # another fund named there is no negation of the buy rule
    _refused("While SPY's 20 day SMA is above its 100 day SMA, hold VTI; sell SPY when it isn't.")


def test_a_condition_first_after_a_label_then_what_the_writer_wants() -> None:
    spec = _parse("My plan: whenever GLD crosses above its 50-day SMA I want to be long.")
    assert spec.symbols == ["GLD"]
    assert _conds(spec.entry) == ["price crosses_above sma50"]


@pytest.mark.parametrize("text", [
    "5/20 week MA cross on IWM",
    "IWM 5wk/20wk EMA crossover",
    "5 week / 20 week moving average cross on IWM",
])
def test_a_crossover_of_weekly_averages_named_by_its_periods(text: str) -> None:
    spec = _parse(text)
    entry = spec.entry.conditions[0]
    assert entry.left.period == 5 and entry.right.period == 20
    assert entry.left.timeframe == entry.right.timeframe == "weekly"


def test_a_crossover_named_with_two_units_stays_refused() -> None:
    _refused("5 day / 20 week MA cross on IWM")


def test_enter_each_under_a_level_of_the_named_oscillator() -> None:
    spec = _parse("RSI3 on IWM & EFA: enter each under 15, exit each over 70")
    assert spec.symbols == ["IWM", "EFA"]
    assert _conds(spec.entry) == ["rsi3 lt 15"]
    assert _conds(spec.exit) == ["rsi3 gt 70"]


# -- risk ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("said", [
    "I don't want to lose more than 6% on any trade.",
    "Never lose more than 6% on a position.",
    "Limit my loss to 6% per trade.",
    "Don't let a trade lose more than 6%.",
    "Max loss 6% per trade.",
])
def test_the_most_one_trade_may_lose_is_the_stop(said: str) -> None:
    spec = _parse(f"Buy EEM when the RSI is below 30 and sell when it is above 55. {said}")
    assert spec.risk.stop_loss_pct == 6.0


def test_the_writers_loss_with_no_trade_named_stays_refused() -> None:
    # of one position, or of the whole account? not guessed
    _refused("Buy EEM when the RSI is below 30 and sell when it is above 55. I don't want to "
             "lose more than 6%.")


# -- framing -------------------------------------------------------------------------------------
def test_a_reason_in_brackets_is_listed_as_ignored() -> None:
    parsed = parse_text("buy DBC when it closes 3% above the 100 day and sell when it closes 3% "
                        "below the 100 day (to avoid getting chopped up)",
                        known_symbols=set(STORED_SYMBOLS))
    assert _conds(parsed.spec.exit) == ["price lt sma100-3%"]
    assert "to avoid getting chopped up" in parsed.ignored
    # a bracket holding a number is no reason to drop
    _refused("buy DBC when it closes above the 100 day (because it is above 5) and sell when it "
             "closes below")


def test_even_if_the_sell_signal_says_so_after_a_minimum_hold() -> None:
    spec = _parse("Buy VNQ when the 3-day RSI is below 15 and sell when it's above 75, but please "
                  "don't sell during the first 5 days even if the RSI is high.")
    assert spec.risk.min_hold_bars == 5
    assert _conds(spec.exit) == ["rsi3 gt 75"]


def test_even_if_with_a_level_of_its_own_is_refused_not_read_as_a_condition() -> None:
    # it was read as a second condition of the sell rule (rsi3 > 75 and rsi3 > 85): wrong
    _refused("Buy VNQ when the 3-day RSI is below 15 and sell when it's above 75, don't sell in "
             "the first 5 days even if the rsi is above 85")


# -- portfolios ----------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "four way split between VTI, EFA, AGG and GLD, rebalanced every year",
    "split it 4 ways between VTI, EFA, AGG and GLD, rebalance yearly",
    "I want to put my money equaly in VTI, EFA, AGG and GLD and rebalance once a year",
])
def test_an_equal_split_said_by_its_count_or_with_money(text: str) -> None:
    spec = _parse(text)
    assert spec.allocation.kind == AllocationKind.target_weights
    assert spec.allocation.weights == {s: 0.25 for s in ("VTI", "EFA", "AGG", "GLD")}


def test_a_split_whose_count_is_not_the_funds_stays_refused() -> None:
    _refused("a five way split between VTI, EFA, AGG and GLD, rebalanced every year")


def test_a_first_sentence_of_settings_then_a_title_naming_the_funds() -> None:
    spec = _parse("Invest $4,000 per position. Trade EFA and EEM: buy either one when it closes "
                  "above its 50-day high, sell it when it closes below its 25-day low.")
    assert spec.symbols == ["EFA", "EEM"]
    assert spec.allocation.amount == 4000
    assert _conds(spec.entry) == ["price gt hh50"]


def test_a_first_sentence_of_settings_then_the_funds_listed_before_a_buy_rule() -> None:
    spec = _parse("I want $3,000 per trade. TLT and IEF, buy either one when it closes above its "
                  "30 day EMA, sell it when it closes below.")
    assert spec.symbols == ["TLT", "IEF"]
    assert spec.allocation.amount == 3000
    assert _conds(spec.exit) == ["price lt ema30"]


def test_a_list_of_funds_after_a_title_is_the_portfolio_not_a_second_title() -> None:
    spec = _parse("equal weight the globe: VTI, IEV, EWJ, EEM. rebalance every quarter")
    assert spec.allocation.weights == {s: 0.25 for s in ("VTI", "IEV", "EWJ", "EEM")}


@pytest.mark.parametrize("text", [
    "Trade IWM, MDY and QQQ: buy when the 3-day RSI is below 20, sell when it's above 80.",
    "Put 15% of the account into each trade on IWM, MDY and QQQ: buy when the 3-day RSI is "
    "below 20, sell when it's above 80.",
])
def test_funds_listed_before_the_rules_are_each_traded(text: str) -> None:
    spec = _parse(text)
    assert spec.symbols == ["IWM", "MDY", "QQQ"]
    assert _conds(spec.entry) == ["rsi3 lt 20"]


def test_funds_listed_with_or_before_the_rules_stay_refused() -> None:
    _refused("Trade IWM or MDY: buy when the 3-day RSI is below 20, sell when it's above 80.")


# -- the round's second part ---------------------------------------------------------------------
def test_a_share_each_before_the_funds_after_a_colon() -> None:
    spec = _parse("Four fund portfolio, 25% each: VTI, EFA, IEF, GLD. Rebalance quarterly.")
    assert spec.allocation.weights == {s: 0.25 for s in ("VTI", "EFA", "IEF", "GLD")}
    # a portfolio's count that is not the funds' stays refused
    _refused("Five fund portfolio, 25% each: VTI, EFA, IEF, GLD. Rebalance quarterly.")


@pytest.mark.parametrize(("text", "band"), [
    ("Split equally between VTI and AGG, and rebalance only when it drifts 8 points off 50/50.",
     8.0),
    ("70/30 VTI/AGG, rebalance when it drifts 5 points off 70/30", 5.0),
])
def test_a_drift_band_measured_off_the_weights_said_as_a_ratio(text: str, band: float) -> None:
    assert _parse(text).allocation.drift_band_pct == band


def test_a_drift_band_off_a_ratio_that_is_not_the_weights_stays_refused() -> None:
    _refused("70/30 VTI/AGG, rebalance when it drifts 5 points off 60/40")


def test_all_of_it_into_one_fund_is_all_in() -> None:
    spec = _parse("I have some money saved. I want to put all of it into IEF, but only while its "
                  "price is above the 120-day moving average. When it's below it I want to be "
                  "out.")
    assert spec.symbols == ["IEF"]
    assert _conds(spec.entry) == ["price gt sma120"]
    assert _conds(spec.exit) == ["price lt sma120"]


def test_its_typed_with_an_apostrophe_before_what_the_fund_has() -> None:
    spec = _parse("buy EEM when it closes below it's lower Bollinger band and sell when it "
                  "closes above it's middle band")
    assert _conds(spec.entry) == ["price lt bb_lower20"]
    assert _conds(spec.exit) == ["price gt bb_middle20"]
    # "it's" before a level is still "it is"
    assert _conds(_parse("buy EEM when RSI(2) < 5, sell when it's above 60").exit) == [
        "rsi2 gt 60"]


def test_no_longer_than_that_says_the_time_exit_again() -> None:
    spec = _parse("Can it buy GLD whenever it closes under its lower Bollinger band and then sell "
                  "it two weeks later? I definately don't want to hold longer than that.")
    assert spec.risk.max_hold_bars == 10
    # with no time exit read, "longer than that" points at nothing
    _refused("buy GLD whenever it closes under its lower Bollinger band, sell when it closes "
             "above the middle band. I don't want to hold longer than that.")


@pytest.mark.parametrize("text", [
    "half iwm and half ief, rebalanced twice a year",
    "half in IWM, half in IEF. rebalance every six months",
])
def test_half_and_half_is_fifty_fifty(text: str) -> None:
    spec = _parse(text)
    assert spec.allocation.weights == {"IWM": 0.5, "IEF": 0.5}


def test_an_age_said_in_decades_is_no_number_of_a_rule() -> None:
    parsed = parse_text("half iwm and half ief, rebalanced yearly. is that ok for someone in "
                        "their 40s?", known_symbols=set(STORED_SYMBOLS))
    assert parsed.spec.allocation.weights == {"IWM": 0.5, "IEF": 0.5}
    # a level said in decades is no age: "in the 30s" stays refused
    _refused("buy IWM when the rsi is in the 30s, sell when it is above 70")


def test_a_control_placed_with_put_and_a_hold_after_buying() -> None:
    spec = _parse("buy DBC when it's above the 100 day average and sell when it's below, but "
                  "once i buy please hold it at least 4 days, and please also put a six percent "
                  "trailing stop on it")
    assert spec.risk.min_hold_bars == 4
    assert spec.risk.trailing_stop_pct == 6.0


@pytest.mark.parametrize("text", [
    "buy VNQ when the monthly close > 10-month SMA, sell on a monthly close below it.",
    "VNQ: buy when the monthly close is higher than the 10 month SMA, sell when it is lower",
])
def test_a_monthly_close_compared_with_a_sign_is_the_monthly_close(text: str) -> None:
    # it was the daily close against the monthly average (and "monthly" the schedule): wrong
    spec = _parse(text)
    entry = spec.entry.conditions[0]
    assert entry.left.timeframe == "monthly"
    assert entry.right.period == 10 and entry.right.timeframe == "monthly"


# -- from held_out_59 (beginners), in general form -----------------------------------------------
def test_the_money_the_writer_has_is_no_size_of_the_rules() -> None:
    parsed = parse_text("I have $15k in savings sitting in the bank. I'd like to put it in EFA but "
                        "only when it is above its 150 day moving average, and move out when it's "
                        "below.", known_symbols=set(STORED_SYMBOLS))
    assert parsed.spec.symbols == ["EFA"]
    assert _conds(parsed.spec.exit) == ["price lt sma150"]
    assert any("15000 dollars in savings" in words for words in parsed.ignored)
    spec = _parse("I've got $8,000 from my inheritance. Put $8,000 into VNQ when it closes above "
                  "its 50 day sma, sell when it closes below.")
    assert spec.allocation.amount == 8000


@pytest.mark.parametrize(("said", "stop", "take"), [
    ("sell when I've made 6%. If it goes against me by 4%, sell too.", 4.0, 6.0),
    ("sell when the rsi is above 70. if I ever lose 9% on it, sell right away.", 9.0, None),
    ("sell when the rsi is above 70. if im down 9% sell it anyway", 9.0, None),
])
def test_the_writers_own_gain_or_loss_in_other_words(said: str, stop: float,
                                                     take: float | None) -> None:
    spec = _parse(f"buy TIP when the rsi is below 30 and {said}")
    assert spec.risk.stop_loss_pct == stop
    assert spec.risk.take_profit_pct == take


def test_a_move_with_no_from_where_stays_refused() -> None:
    _refused("buy TIP when the rsi is below 30 and sell when the rsi is above 70. if it falls 9%, "
             "sell")


@pytest.mark.parametrize("text", [
    "I want to use 20% of my account each time the bot buys. Buy HYG when the RSI is under 35, "
    "sell when the RSI is over 60.",
    "20% of the account every time it buys: buy HYG when the RSI is under 35, sell when the RSI "
    "is over 60.",
])
def test_the_size_each_time_the_bot_buys_is_per_trade(text: str) -> None:
    spec = _parse(text)
    assert spec.allocation.kind == AllocationKind.fixed_fraction
    assert spec.allocation.fraction == 0.2


def test_there_is_a_death_cross_is_the_event() -> None:
    spec = _parse("Can the bot sell my IWM when there's a death cross and buy it back on a golden "
                  "cross?")
    assert _conds(spec.entry) == ["sma50 crosses_above sma200"]
    assert _conds(spec.exit) == ["sma50 crosses_below sma200"]


def test_put_back_in_those_proportions_and_sit_out_in_cash() -> None:
    spec = _parse("Keep 70% in VTI and 30% in IEF and put it back in those proportions every "
                  "quarter.")
    assert spec.schedule.value == "quarterly"
    held = _parse("Could you own EFA only when its 3 month return is above 0? Otherwise I want to "
                  "sit out in cash.")
    assert _conds(held.exit) == ["roc63 lt 0"]


def test_a_question_in_brackets_is_the_writers_doubt() -> None:
    parsed = parse_text("Buy IWM when it closes above the upper Bollinger band (a breakout, "
                        "right?) and sell if it closes below the middle band.",
                        known_symbols=set(STORED_SYMBOLS))
    assert _conds(parsed.spec.entry) == ["price gt bb_upper20"]
    # a number in the brackets is no doubt to drop
    _refused("Buy IWM when it closes above the upper Bollinger band (or 2.5?) and sell if it "
             "closes below the middle band.")


def test_not_wanting_to_trade_beside_a_buy_and_hold() -> None:
    spec = _parse("Can I just buy AGG and hold it forever? I don't want to trade, I just want to "
                  "set it and forget it.")
    assert spec.allocation.weights == {"AGG": 1.0}


# -- from held_out_60 (experienced, jargon), in general form -------------------------------------
def test_an_abs_filter_is_the_rotations_momentum_filter_never_dropped() -> None:
    # "abs filter" was listed as ignored and the filter left out: a dropped rule
    spec = _parse("top 2 of VTI EFA EEM GLD IEF by 6 month momentum, rebal monthly; abs filter.")
    assert spec.allocation.require_positive_momentum is True
    arrow = _parse("12m mom, top 1 of VTI EFA EEM, rebal monthly; abs filter -> SHY.")
    assert arrow.allocation.require_positive_momentum is True
    assert arrow.allocation.alternative == "SHY"
    none = _parse("top 2 of VTI EFA EEM GLD IEF by 6m momentum, rebal monthly, no abs filter.")
    assert not none.allocation.require_positive_momentum


def test_a_filter_word_left_over_is_never_ignored() -> None:
    _refused("Buy VTI when RSI < 30, sell when RSI > 70, with a filter.")


@pytest.mark.parametrize("text", [
    "BB(20,2) mean reversion on IYR: buy a close below the lower band, sell on a close above the "
    "middle band.",
    "BB revert on IYR: close below lower BB(20,2) = buy, exit on a close above the middle band.",
])
def test_band_settings_in_brackets_in_a_title_or_before_an_equals_arrow(text: str) -> None:
    spec = _parse(text)
    assert _conds(spec.entry) == ["price lt bb_lower20"]
    assert _conds(spec.exit) == ["price gt bb_middle20"]


@pytest.mark.parametrize("text", [
    "TLT long-only EMA(10)/EMA(30): buy the bull x-over, sell the bear x-over.",
    "TLT 10/30 EMA crossover: buy the bullish crossover, sell the bearish crossover",
])
def test_a_pair_in_brackets_and_its_crossovers_by_direction(text: str) -> None:
    spec = _parse(text)
    assert _conds(spec.entry) == ["ema10 crosses_above ema30"]
    assert _conds(spec.exit) == ["ema10 crosses_below ema30"]


def test_a_named_crossover_then_a_minimum_hold() -> None:
    spec = _parse("IEF EMA20/EMA60 x-over, exit on the opposite cross; min hold 2 weeks before any "
                  "exit.")
    assert _conds(spec.entry) == ["ema20 crosses_above ema60"]
    assert spec.risk.min_hold_bars == 10


def test_a_chain_of_comparisons_is_each_pair() -> None:
    spec = _parse("QQQ MA stack: SMA10 > SMA30 > SMA100 = long; exit when SMA10 < SMA30.")
    assert _conds(spec.entry) == ["sma10 gt sma30", "sma30 gt sma100"]


@pytest.mark.parametrize(("text", "want"), [
    ("Faber 10-month on EFA. In when price > 10mo SMA, out to cash when it's below.",
     "price lt sma210"),
    ("hh/ll channel on DBC: long on close > hh(30), exit on close < ll(15).", "price lt ll15"),
])
def test_shorthand_exits(text: str, want: str) -> None:
    assert _conds(_parse(text).exit) == [want]


@pytest.mark.parametrize(("text", "trailing", "hold"), [
    ("EEM: buy when RSI(14) < 30; TS 6%, TP 12%.", 6.0, None),
    ("EEM: buy when RSI(2) < 10, TP 5%, time stop 8 days.", None, 8),
    ("EEM: buy on a close above the 50d high, hold exactly 3 weeks, then exit.", None, 15),
])
def test_controls_said_in_shorthand(text: str, trailing: float | None, hold: int | None) -> None:
    spec = _parse(text)
    assert spec.risk.trailing_stop_pct == trailing
    assert spec.risk.max_hold_bars == hold


def test_a_fund_buy_and_hold_as_a_label_with_a_vol_target() -> None:
    spec = _parse("TLT buy & hold, but vol-targeted to 9% annualized.")
    assert spec.allocation.weights == {"TLT": 1.0}
    assert spec.allocation.target_volatility_pct == 9.0


def test_for_each_as_a_head_and_a_share_each_after_the_funds() -> None:
    spec = _parse("Equal weight EFA + EEM + EWJ. For each: long when EMA10 > EMA40, flat when "
                  "EMA10 < EMA40.")
    assert spec.symbols == ["EFA", "EEM", "EWJ"]
    assert spec.allocation.kind == AllocationKind.equal_weight
    weights = _parse("VTI, IEF, GLD, 30% each, rebalance yearly")
    assert weights.allocation.weights == {"VTI": 0.3, "IEF": 0.3, "GLD": 0.3}


def test_what_a_control_is_for() -> None:
    parsed = parse_text("MDY: buy the golden cross, sell the death cross, 10% trailing stop to cap "
                        "DD.", known_symbols=set(STORED_SYMBOLS))
    assert parsed.spec.risk.trailing_stop_pct == 10.0
    assert "to cap DD" in parsed.ignored


@pytest.mark.parametrize(("text", "top", "lookback"), [
    ("IWM/MDY/QQQ, hold top 1 by 6-month return, rebal every month.", 1, 126),
    ("VTI EFA EEM IEF GLD -- hold top 2 by 3-mo mom, rebal monthly", 2, 63),
])
def test_a_rotations_universe_said_before_its_pick(text: str, top: int, lookback: int) -> None:
    spec = _parse(text)
    assert spec.allocation.kind == AllocationKind.momentum_rotation
    assert (spec.allocation.top_n, spec.allocation.lookback_days) == (top, lookback)


def test_if_none_is_positive_then_the_fund_alone() -> None:
    spec = _parse("top 1 of TLT IEF LQD by 6 month return, monthly; if none is positive, BIL.")
    assert spec.allocation.require_positive_momentum is True
    assert spec.allocation.alternative == "BIL"


def test_the_titles_one_fund_is_traded_when_the_rules_name_a_filter_fund_too() -> None:
    spec = _parse("EFA, double trend check: hold while EFA > SMA100 and SPY > SMA200, out if "
                  "either fails.")
    assert spec.symbols == ["EFA"]
    # with no title, which fund is traded is not guessed
    _refused("hold while EFA > SMA100 and SPY > SMA200, out if either fails.")


def test_a_plus_between_two_funds_of_a_split() -> None:
    spec = _parse("Buy and hold IWM + IEF 60/40, never rebalance.")
    assert spec.allocation.weights == {"IWM": 0.6, "IEF": 0.4}


def test_the_macd_bull_cross_while_a_filter_and_long_only() -> None:
    spec = _parse("EFA: MACD bull cross while price > SMA100 -> buy; exit on the MACD bear cross.")
    assert _conds(spec.entry) == ["macd crosses_above macd_signal", "price gt sma100"]
    labelled = _parse("MACD signal-line crossover on EFA, long only - in on the bullish cross, out "
                      "on the bearish cross.")
    assert _conds(labelled.exit) == ["macd crosses_below macd_signal"]


def test_where_the_writer_read_it_is_a_sentence_of_no_rule() -> None:
    parsed = parse_text("Buy DBC when the weekly close is above the 40-week moving average, and "
                        "sell when the weekly close is below it. I read the Mebane Faber paper "
                        "last year.", known_symbols=set(STORED_SYMBOLS))
    assert parsed.spec.entry.conditions[0].right.period == 40
    assert any("paper" in words for words in parsed.ignored)


def test_based_on_the_last_n_months_return_is_the_lookback() -> None:
    spec = _parse("I'd like to hold the best 2 out of VTI, EFA, EEM and GLD based on the last 6 "
                  "months return, switching once a month.")
    assert (spec.allocation.top_n, spec.allocation.lookback_days) == (2, 126)


def test_the_crossing_named_again_in_brackets() -> None:
    spec = _parse("I want to buy IWM when the 50 day average crosses above the 200 day average "
                  "(the golden cross my uncle always talks about).")
    assert _conds(spec.entry) == ["sma50 crosses_above sma200"]
    # named as the other crossing, the bracket contradicts the rule and stays
    _refused("I want to buy IWM when the 50 day average crosses above the 200 day average (the "
             "death cross my uncle talks about).")


def test_the_rest_kept_in_the_bank_beside_a_size_and_too_many_trades() -> None:
    spec = _parse("buy HYG when it's above its 30 day ema and sell when it's under it. Only use "
                  "40% of my money, I want to keep the rest in the bank.")
    assert spec.allocation.fraction == 0.4
    # with no size said, "the rest" is of nothing
    _refused("buy HYG when it's above its 30 day ema and sell when it's under it. keep the rest "
             "in the bank.")
    weights = _parse("Keep 50% in VTI and 50% in AGG. Only rebalance if something gets off by more "
                     "than 5 points, we don't want too many trades.")
    assert weights.allocation.drift_band_pct == 5.0


@pytest.mark.parametrize("text", [
    "Connors-style IWM: RSI(3) < 10 and close > SMA(200); exit RSI(3) > 60 or a 8% stop.",
    "IWM: RSI(3) < 10 and close > SMA(200); exit when RSI(3) > 60",
])
def test_bare_conditions_before_a_sell_rule_said_in_full_are_the_buy(text: str) -> None:
    spec = _parse(text)
    assert _conds(spec.entry) == ["rsi3 lt 10", "price gt sma200"]
    assert _conds(spec.exit) == ["rsi3 gt 60"]


def test_a_condition_that_leads_into_a_bare_sell_verb_is_still_the_sells() -> None:
    # "when X, sell": the condition is the sell's (the rule above needs a sell said in full)
    spec = _parse("buy IWM when RSI(3) < 10. when RSI(3) > 60, sell")
    assert _conds(spec.exit) == ["rsi3 gt 60"]


def test_the_line_is_the_one_line_the_text_names() -> None:
    spec = _parse("I only want to own EFA when it's above the 100-day line. When it's under the "
                  "line I want out. Also I'd like to only spend $3,000 on it, not my whole "
                  "account.")
    assert _conds(spec.exit) == ["price lt sma100"]
    assert spec.allocation.amount == 3000
    # with two lines named, which one "the line" is is not guessed
    _refused("own EFA when the 20 day sma is above the 100-day line, sell when it's under the "
             "line")
