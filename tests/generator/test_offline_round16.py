"""The sixteenth round's readers and fixes, each on sentences of its own (not corpus
sentences), and what must stay refused beside them:

- contractions typed without the apostrophe ("isnt", "dont", "ive", "arent") and a fund's
  possessive without it ("QQQs 5 day rsi"); "tips" stays a word;
- "above both the 50d and the 200d" (two bare lines named alike; one bare and one with its kind
  is left alone), and a clause of its own after it ("... and the 50 day is above the 200 day");
- a symbol's bare period ("SPY's 50 crosses back above its 200") after that average was named;
- "it's gone down 3 days in a row"; "the lower 10-day Bollinger band" is the band (the side, then
  the period), never a ten-day streak of lower closes; a refusal quotes a streak's words once;
- "this is for HYG" after the rules; "own X whenever A, otherwise not" ("buy X whenever A,
  otherwise not" says nothing of the sell and stays refused); "rsi below 30 i get in";
  "either when A or B, buy"; "my only exits are a 4% stop and an 8% target", "my only exit is
  when ..."; "protect yourself with a 12% trailing stop";
- an equal split said first, then a rule of each ("Equal weight A, B and C, and buy each one
  when ...", "each one bought when ... and sold when ...", "each one held only while ...");
  "buy any of A B C when ..."; "use half my account on DBC whenever ...";
- what closes is a price: "it closes under the 200 day" after "the 50 day is above the 200
  day" compares the price, not the 50-day ("it closes above 70" after an RSI stays the RSI);
- settings named before the rules ("2.5 standard deviation bollingers on the 20 day ... the lower
  one", "a 50 day bollinger band instead of 20", "the 21 ema and the 55 ema ... the 21 crosses
  above the 55", "the 10 month moving average is all you need ... above it"); a pair of two
  kinds ("a 20 day sma and 50 day ema") is not read as two of the first; a rule told of someone
  else ("he buys IYR");
- small talk: "lol thats literally it", "idk when to sell tbh" (a crossing sells on the opposite
  one; a state stays refused for want of a sell rule), "No stop loss", "idk if this even works
  but", "he said it wins like 80% of the time", "can the bot do that or is that too boring";
- rotations: "put money equally into whichever 2 of", "it buys whichever one ... and sells the
  rest", a list before " - ", "top 1 of A, B and C by ..." as a rule, not a title;
- portfolios: a split of asset classes given its funds ("70/30 stocks and bonds, VTI for the
  stocks and IEF for the bonds"), "fix it back whenever its off by more than 10 points", "never
  rebalance" refused saying why; "$3,000 each time." as a size; the bands' width said once
  ("with the same setting"); "I only look once a month"; "so please ..." after a reason; the
  RSI's default said beside rules that name it bare;
- pasted tables ("Ticker | Entry | Exit -> ..."; one whose row does not fit its header stays
  refused), a platform's labels ("long condition:", "sell signal:", "short-circuit:" is no short)
  and indicators written as calls ("SMA(50)");
- the writer's verb after its condition ("I am holding it", "I'm a buyer", "I don't keep it"),
  more verbs of entering and leaving, "it's been down 3 days in a row", "the Bollinger lower
  band";
- asides about what the writer did or almost did (one that gives a new value stays refused);
  a bare "the 4-day" before another indicator is no line; a direction said after a crossing
  ("crosses the signal line going up"); "80 or higher" (two levels stay two); "leave when
  neither of them is"; a rotation's filter in a sentence's last clause; time exits "if nothing
  happen in 8 days", "if the stop hasn't hit after 30 trading days, sell anyway";
- two arrows joined by "and" are two rules (a wrong spec of set 38: one condition ran across "is
  a buy and" and swapped the buy and the sell);
- letters with context: a story of the writer's past, an age, an account's size or a 401k says
  nothing (a story naming a rule, a new fund or a control is not ignored); a restatement that
  gives no value ("In other words, ..."); a question of judgement about the rule said; a title's
  period as a holding period ("Three-week holds").
"""

from __future__ import annotations

import pytest
from corpus_support import conditions_text as _conds

from generator.providers.offline import ParseError, parse
from generator.providers.offline.normalise import normalise
from generator.providers.offline.parser import parse_text
from generator.spec import AllocationKind


# -- contractions and possessives without the apostrophe -----------------------------------------
def test_contractions_typed_without_the_apostrophe() -> None:
    spec = parse("hold DBC whenever its above the 150 day average and sell when it isnt")
    assert _conds(spec.entry) == ["price gt sma150"] and _conds(spec.exit) == ["price lt sma150"]
    spec = parse("buy IEF when the 14 day rsi is under 25, sell when its over 55 but dont sell "
                 "before ive held it at least 4 days")
    assert spec.risk.min_hold_bars == 4 and _conds(spec.exit) == ["rsi14 gt 55"]
    spec = parse("buy EFA if either the rsi is under 25 or it closes below the lower bollinger "
                 "band. sell when both of those arent true anymore")
    assert spec.entry is not None and spec.entry.combine == "any"
    assert _conds(spec.exit) == ["rsi14 gt 25", "price gt bb_lower20"]


def test_a_possessive_without_its_apostrophe_is_the_fund() -> None:
    assert normalise("if IWMs 5 day rsi", None).split()[1] == "IWM"
    assert normalise("when spys price", None).split()[1] == "SPY"
    assert "tips" in normalise("any tips for a first bot", None).split()


# -- two lines named alike, and a fund's bare period ---------------------------------------------
def test_above_both_of_two_bare_lines() -> None:
    spec = parse("get into VTI when the price is above both the 20d and the 100d, dump it when it "
                 "closes under the 20d")
    assert _conds(spec.entry) == ["price gt sma20", "price gt sma100"]
    assert _conds(spec.exit) == ["price lt sma20"]


def test_a_bare_line_and_one_with_its_kind_are_not_split_as_a_pair() -> None:
    with pytest.raises(ParseError):
        parse("buy VTI when the price is above the 20 day and the 100 day ema, sell when it closes "
              "under the 20 day")


def test_a_line_that_is_the_subject_of_its_own_clause_is_not_a_second_line() -> None:
    spec = parse("Buy IWM when its price is above the 30-day and the 30-day is above the 150-day. "
                 "Sell when the price drops under the 30-day.")
    assert _conds(spec.entry) == ["price gt sma30", "sma30 gt sma150"]


def test_a_funds_bare_period_after_its_average_was_named() -> None:
    spec = parse("buy TLT when QQQ's 20 day EMA crosses below its 60 day EMA, sell the TLT when "
                 "QQQ's 20 crosses back above its 60")
    assert _conds(spec.entry) == ["ema20@QQQ crosses_below ema60@QQQ"]
    assert _conds(spec.exit) == ["ema20@QQQ crosses_above ema60@QQQ"]


# -- streaks and bands ---------------------------------------------------------------------------
def test_a_streak_said_with_its_gone() -> None:
    spec = parse("buy QQQ after it's gone down four days in a row and sell it after six days")
    assert _conds(spec.entry) == ["down_streak ge 4"] and spec.risk.max_hold_bars == 6


def test_the_side_then_the_period_of_a_band_is_the_band_not_a_streak() -> None:
    spec = parse("Buy EEM when it closes below the lower 15-day Bollinger band, sell when it "
                 "closes above the 15-day middle band")
    assert _conds(spec.entry) == ["price lt bb_lower15"]
    assert _conds(spec.exit) == ["price gt bb_middle15"]


def test_a_refusal_quotes_a_streaks_words_once() -> None:
    with pytest.raises(ParseError) as refused:
        parse("buy GLD after its up 3 days in a row and sell it after its down 2 days in a row "
              "pizza night")
    said = "; ".join(refused.value.not_understood)
    assert "in a row in a row" not in said and "down 2 days in a row" in said


# -- where the fund, the sell and the buy are said -----------------------------------------------
def test_the_fund_said_after_the_rules() -> None:
    spec = parse("sell when the rsi goes over 65. buy when the rsi is under 35. this is for LQD")
    assert spec.symbols == ["LQD"] and _conds(spec.entry) == ["rsi14 lt 35"]


def test_otherwise_not_after_a_hold_is_the_sell_and_after_a_buy_is_refused() -> None:
    spec = parse("own GLD whenever TLT's price is above TLT's 50 day average, otherwise not")
    assert _conds(spec.exit) == ["price@TLT lt sma50@TLT"]
    with pytest.raises(ParseError):
        parse("buy GLD whenever TLT's price is above TLT's 50 day average, otherwise not")


def test_a_condition_then_the_writer_getting_in_and_out() -> None:
    spec = parse("VNQ. rsi below 25 i get in. rsi above 60 i bail.")
    assert spec.symbols == ["VNQ"]
    assert _conds(spec.entry) == ["rsi14 lt 25"] and _conds(spec.exit) == ["rsi14 gt 60"]


def test_either_when_before_the_buy() -> None:
    spec = parse("either when rsi is under 25 or price is below the lower bollinger band, buy "
                 "IEF. sell once both of those are not true anymore")
    assert spec.entry is not None and spec.entry.combine == "any"


@pytest.mark.parametrize(("tail", "exit_", "stop", "take"), [
    ("my only exits are a 5% stop loss and a 9% profit target", [], 5.0, 9.0),
    ("my only exit is when rsi goes over 65", ["rsi2 gt 65"], None, None),
])
def test_my_only_exits(tail: str, exit_: list[str], stop: float | None,
                       take: float | None) -> None:
    spec = parse(f"buy SPY when the 2 day rsi is below 8. {tail}")
    assert _conds(spec.exit) == exit_
    assert spec.risk.stop_loss_pct == stop and spec.risk.take_profit_pct == take


def test_protect_yourself_with_a_stop_and_a_close_under_a_line_is_the_prices() -> None:
    spec = parse("buy EFA when price is above the 40 day and the 40 day is above the 160 day, "
                 "protect yourself with a 9% trailing stop, and also bail if it closes under the "
                 "160 day")
    assert _conds(spec.entry) == ["price gt sma40", "sma40 gt sma160"]
    assert _conds(spec.exit) == ["price lt sma160"]
    assert spec.risk.trailing_stop_pct == 9.0


def test_it_closes_above_a_level_after_an_oscillator_stays_the_oscillator() -> None:
    spec = parse("buy IWM when the rsi is under 25, sell when it closes above 65")
    assert _conds(spec.exit) == ["rsi14 gt 65"]


# -- an equal split, then the rule of each -------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Equal weight EFA, EEM and EWJ, and buy each one when its price is above its 80 day moving "
    "average, sell each when it drops under.",
    "Equal weight across EFA, EEM and EWJ, each one bought when its price is above its 80 day "
    "moving average and sold when it is below.",
    "equal weight EFA, EEM, EWJ, each one held only while it's above its 80 day moving average, "
    "sold when it closes below.",
])
def test_an_equal_split_said_first_then_the_rule_of_each(text: str) -> None:
    spec = parse(text)
    assert spec.symbols == ["EFA", "EEM", "EWJ"]
    assert spec.allocation.kind == AllocationKind.equal_weight
    assert _conds(spec.entry) == ["price gt sma80"] and _conds(spec.exit) == ["price lt sma80"]


def test_any_of_a_list_and_a_size_said_first() -> None:
    spec = parse("$2,500 each time. buy any of IWM MDY VTI when its price crosses above its 30 "
                 "day, sell when it crosses back below")
    assert spec.symbols == ["IWM", "MDY", "VTI"] and spec.allocation.amount == 2500.0
    assert _conds(spec.entry) == ["price crosses_above sma30"]


def test_use_a_share_of_the_account_on_a_fund_whenever() -> None:
    spec = parse("use a third of my account on GLD whenever the 10 ema is above the 40 ema and be "
                 "out when its below")
    assert spec.allocation.kind == AllocationKind.fixed_fraction
    assert spec.allocation.fraction == pytest.approx(1 / 3, abs=1e-6)


# -- settings named before the rules -------------------------------------------------------------
def test_bollinger_settings_named_first_then_the_lower_one() -> None:
    spec = parse("im using 3 standard deviation bollingers on the 20 day. if IWM closes under the "
                 "lower one buy it, close it when price is above the middle one")
    assert _conds(spec.entry) == ["price lt bb_lower20[3]"]
    assert _conds(spec.exit) == ["price gt bb_middle20[3]"]


def test_a_band_period_instead_of_the_default() -> None:
    spec = parse("on GLD use a 30 day bollinger band instead of 20. in when the close is below "
                 "the lower band, out when its above the middle band")
    assert _conds(spec.entry) == ["price lt bb_lower30"]


def test_a_pair_of_averages_named_first_then_by_their_periods() -> None:
    spec = parse("the guy on the channel uses the 13 ema and the 48 ema. when the 13 crosses "
                 "above the 48 he buys EFA and he sells on the cross back down")
    assert _conds(spec.entry) == ["ema13 crosses_above ema48"]
    assert _conds(spec.exit) == ["ema13 crosses_below ema48"]


def test_a_pair_of_two_kinds_is_not_read_as_two_of_the_first() -> None:
    with pytest.raises(ParseError):
        parse("Trend setup with a 20 day sma and 50 day ema. buy SPY when the 20 crosses above "
              "the 50")


def test_the_one_line_a_title_names_is_what_it_is_compared_with() -> None:
    spec = parse("my uncle swears the 8 month moving average is all you need. be in VTI when "
                 "price is above it and in cash when its below it")
    assert _conds(spec.entry) == ["price gt sma168"]
    assert _conds(spec.exit) == ["price lt sma168"]


def test_the_width_said_once_and_the_default_rsi_said_beside_bare_rules() -> None:
    spec = parse("buy IEF when it drops under the lower Bollinger band using 1.5 standard "
                 "deviations instead of 2, and sell when it gets over the upper band with the "
                 "same setting")
    assert _conds(spec.exit) == ["price gt bb_upper20[1.5]"]
    spec = parse("tlt: rsi under 25 = buy, rsi over 65 = sell. just the standard 14 day rsi")
    assert _conds(spec.entry) == ["rsi14 lt 25"]
    with pytest.raises(ParseError):
        parse("tlt: rsi 3 under 10 = buy, rsi over 65 = sell. just the standard 14 day rsi")


# -- small talk ----------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "buys mdy when the 20 day crosses above the 100 day and sells when the 20 goes back under the "
    "100 lol thats literally it",
    "can you make it buy MDY when the 20 ema crosses over the 100 ema? idk when to sell tbh",
    "buy MDY when the 20 ema crosses over the 100 ema, thats it, i dont have a sell idea lol",
    "1) Ticker: MDY 2) Buy when the 20 day EMA crosses above the 100 day EMA 3) No stop loss",
])
def test_small_talk_around_a_crossing(text: str) -> None:
    spec = parse(text)
    assert spec.symbols == ["MDY"]
    assert spec.entry is not None and spec.exit is not None
    assert "crosses_above" in _conds(spec.entry)[0] and "crosses_below" in _conds(spec.exit)[0]


def test_no_sell_idea_beside_a_state_is_still_refused_for_want_of_a_sell_rule() -> None:
    with pytest.raises(ParseError) as refused:
        parse("can you make it buy MDY when the 20 ema is over the 100 ema? idk when to sell tbh")
    assert "exit" in refused.value.reason or "sell" in refused.value.reason


@pytest.mark.parametrize("text", [
    "idk if this even works but buy IYR when the 14 day rsi is under 35, sell when it is over 65",
    "buy IYR when the 14 day rsi is under 35, sell when it is over 65. she said it wins like 70% "
    "of the time lol",
    "i just want 50% IYR and 50% IEF and rebalance every month, can the bot do that or is that "
    "too boring lol",
])
def test_doubts_and_claims_say_nothing(text: str) -> None:
    parsed = parse_text(text)
    assert parsed.spec.symbols[0] == "IYR" and parsed.ignored


def test_a_claim_with_a_rule_in_it_is_not_small_talk() -> None:
    with pytest.raises(ParseError):
        parse("buy IYR when the 14 day rsi is under 35. he said it works when it is over 65")


# -- rotations -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "symbols", "top", "lookback", "alternative"), [
    ("every month put money equally into whichever 2 of EFA EEM EWJ and IEV had the best 3 month "
     "return", ["EFA", "EEM", "EWJ", "IEV"], 2, 63, None),
    ("every week it buys whichever one of tlt ief SHY went up the most in the last month and "
     "sells the rest", ["TLT", "IEF", "SHY"], 1, 21, None),
    ("rotation idea: GLD, DBC, TIP - every month take the top 1 by 6 month return. if it has a "
     "negative return its slot goes to BIL instead", ["GLD", "DBC", "TIP"], 1, 126, "BIL"),
    ("top 2 of SPY, EFA and EEM by 6 month momentum, rechecked monthly. if none of them is "
     "positive go to SHY", ["SPY", "EFA", "EEM"], 2, 126, "SHY"),
])
def test_a_rotation_in_ordinary_words(text: str, symbols: list[str], top: int, lookback: int,
                                      alternative: str | None) -> None:
    spec = parse(text)
    assert spec.symbols == symbols
    assert spec.allocation.kind == AllocationKind.momentum_rotation
    assert (spec.allocation.top_n, spec.allocation.lookback_days) == (top, lookback)
    assert spec.allocation.alternative == alternative


# -- portfolios ----------------------------------------------------------------------------------
def test_a_split_of_asset_classes_given_its_funds() -> None:
    spec = parse("65/35 stocks and bonds, VTI for the stocks and AGG for the bonds, rebalance "
                 "every quarter")
    assert spec.allocation.weights == {"VTI": 0.65, "AGG": 0.35}


@pytest.mark.parametrize("text", [
    "60/40 stocks and bonds, VTI for the stocks",
    "60/30/10 stocks, bonds and commodities, VTI for the stocks and AGG for the bonds",
])
def test_a_class_with_no_fund_given_stays_refused(text: str) -> None:
    with pytest.raises(ParseError):
        parse(text)


def test_fix_it_back_is_a_drift_band() -> None:
    spec = parse("80/20 SPY and IEF for my kids, and fix it back whenever its off by more than 6 "
                 "points")
    assert spec.allocation.drift_band_pct == 6.0


def test_never_rebalance_is_a_portfolio_bought_once() -> None:
    # refused until the eighteenth round, which gave the spec `allocation.buy_once`
    spec = parse("buy and hold 50% each of SPY and TLT. never rebalance, just let it ride")
    assert spec.allocation.buy_once is True
    assert spec.allocation.weights == {"SPY": 0.5, "TLT": 0.5}


def test_the_writer_looking_once_a_month_and_a_reason_before_please() -> None:
    spec = parse("I work nights so I only look once a month: if EFA's monthly close is above its "
                 "10-month moving average I want to hold it, otherwise be out.")
    assert spec.schedule == "monthly"
    spec = parse("My dad always kept things simple, so please split my money equally between "
                 "VTI and AGG and put it back to equal once a year.")
    assert spec.allocation.weights == {"VTI": 0.5, "AGG": 0.5}


# -- the second half of the round: pasted tables, platforms' labels, letters with context ------
def test_a_pasted_table_of_rules_and_one_of_weights() -> None:
    spec = parse("Ticker | Entry | Exit -> IWM | close > MA(100) | close < MA(100)")
    assert spec.symbols == ["IWM"]
    assert _conds(spec.entry) == ["price gt sma100"] and _conds(spec.exit) == ["price lt sma100"]
    spec = parse("Ticker | Weight -> SPY | 50% ; IEF | 30% ; GLD | 20% -- rebalance quarterly")
    assert spec.allocation.weights == {"SPY": 0.5, "IEF": 0.3, "GLD": 0.2}
    spec = parse("Universe | Lookback | Hold -> SPY, EFA, EEM, TLT | 3 months | top 1")
    assert (spec.allocation.top_n, spec.allocation.lookback_days) == (1, 63)


def test_a_table_whose_rows_do_not_fit_its_header_is_refused() -> None:
    with pytest.raises(ParseError):
        parse("Ticker | Entry | Exit -> IWM | close > MA(100)")


@pytest.mark.parametrize("text", [
    "long condition: SMA(20) crosses over SMA(80) on EFA // exit condition: SMA(20) crosses "
    "under SMA(80)",
    "EFA. buy signal: EMA(20) > EMA(80). sell signal: EMA(20) < EMA(80).",
])
def test_a_platforms_labels_and_indicators_written_as_calls(text: str) -> None:
    spec = parse(text)
    assert spec.symbols == ["EFA"]
    assert _conds(spec.entry)[0].split()[0] in ("sma20", "ema20")


def test_a_platforms_short_circuit_label_is_no_short() -> None:
    spec = parse("long condition: RSI(14) crosses over 35 on EWJ. short-circuit: close the long "
                 "when RSI(14) crosses under 60.")
    assert _conds(spec.exit) == ["rsi14 crosses_below 60"]


@pytest.mark.parametrize(("text", "entry", "exit_"), [
    ("When price of EFA is over the 100 days average I am holding it, and when it is under I am "
     "out of it.", ["price gt sma100"], ["price lt sma100"]),
    ("When TLT have RSI(4) under 20 I am buying, and when RSI(4) is over 60 I am selling.",
     ["rsi4 lt 20"], ["rsi4 gt 60"]),
    ("When IWM closes more than 4% below its 30-day moving average I'm a buyer, and I sell once "
     "it's back above the 30-day.", ["price lt sma30-4%"], ["price gt sma30"]),
    ("I keep VNQ while the MACD histogram stays above zero, and when the histogram is below zero "
     "I don't keep it.", ["macd_hist gt 0"], ["macd_hist lt 0"]),
])
def test_the_writers_verb_after_its_condition(text: str, entry: list[str],
                                             exit_: list[str]) -> None:
    spec = parse(text)
    assert _conds(spec.entry) == entry and _conds(spec.exit) == exit_


@pytest.mark.parametrize("text", [
    "Take a position in LQD once price crosses above the 40-day EMA; unwind it when price crosses "
    "back below that EMA.",
    "Go into LQD when price crosses above the 40-day EMA; leave when price crosses below the "
    "40-day EMA.",
    "Own LQD while price is above the 40-day EMA and step out when price is below the 40-day EMA.",
])
def test_more_verbs_of_entering_and_leaving(text: str) -> None:
    spec = parse(text)
    assert spec.symbols == ["LQD"] and spec.entry is not None and spec.exit is not None


def test_a_streak_said_with_its_been_and_a_bollinger_band_side_first() -> None:
    spec = parse("Buy EWJ after it's been down 3 days in a row and sell 4 days later.")
    assert _conds(spec.entry) == ["down_streak ge 3"] and spec.risk.max_hold_bars == 4
    spec = parse("Buy EWJ when it closes below the Bollinger lower band; sell when it closes "
                 "above the middle band.")
    assert _conds(spec.entry) == ["price lt bb_lower20"]


@pytest.mark.parametrize("text", [
    "So I want to own IEV whenever it's above its 120-day simple moving average (I was going to "
    "say 90 but let's keep it at 120) and get out when it closes below it.",
    "I want to own IEV whenever it's above its 120-day simple moving average (I used to run the "
    "200-day but it was too slow) and get out when it closes below it.",
])
def test_an_aside_about_what_the_writer_did_or_almost_did(text: str) -> None:
    spec = parse(text)
    assert _conds(spec.entry) == ["price gt sma120"]


def test_an_aside_that_gives_a_new_value_is_not_taken_for_one() -> None:
    with pytest.raises(ParseError):
        parse("I want to own IEV whenever it's above its 120-day SMA (maybe 90 is better) and get "
              "out when it closes below it.")


def test_a_bare_period_before_another_indicator_is_not_a_second_line() -> None:
    spec = parse("Buy SPY only when SPY is above its 150-day and the 4-day RSI is under 20. Sell "
                 "when it closes above its 10-day SMA.")
    assert _conds(spec.entry) == ["price gt sma150", "rsi4 lt 20"]


@pytest.mark.parametrize(("tail", "exit_"), [
    ("sell when the MACD line crosses the signal line going down",
     ["macd crosses_below macd_signal"]),
    ("leave when it crosses going down", ["macd crosses_below macd_signal"]),
])
def test_a_direction_said_after_the_crossing(tail: str, exit_: list[str]) -> None:
    spec = parse(f"QQQ: enter when the MACD line crosses the signal line going up, {tail}.")
    assert _conds(spec.entry) == ["macd crosses_above macd_signal"]
    assert _conds(spec.exit) == exit_


def test_a_level_or_higher_is_at_least_and_two_levels_stay_two() -> None:
    spec = parse("Buy IWM when the 20 EMA crosses above the 100 EMA, unless IWM's RSI is 80 or "
                 "higher that day. Sell when the 20 EMA crosses under the 100 EMA.")
    assert _conds(spec.entry) == ["ema20 crosses_above ema100", "rsi14 lt 80"]
    spec = parse("Keep 50% in SPY and 50% in AGG, and bring them back to 50/50 if either side gets "
                 "above 55% or below 45%")
    assert spec.allocation.weights == {"SPY": 0.5, "AGG": 0.5}


def test_leave_when_neither_of_them_is() -> None:
    spec = parse("Go into TIP when either TIP is above its 100-day SMA or IEF is above its 100-day "
                 "SMA; leave when neither of them is.")
    assert spec.entry is not None and spec.entry.combine == "any"
    assert _conds(spec.exit) == ["price lt sma100", "price@IEF lt sma100@IEF"]


@pytest.mark.parametrize(("text", "alternative"), [
    ("Every month I am looking the 6 month performance of EFA, EEM, EWJ and IEV and I take the "
     "best two, but if one of them has negative performance I put that part in BIL.", "BIL"),
    ("Dual momentum: whichever of QQQ or EFA has the better 12-month return gets the money, but "
     "only if that return is positive - otherwise I sit in IEF. Checked monthly.", "IEF"),
])
def test_a_rotations_filter_in_the_last_clause_of_a_sentence(text: str,
                                                             alternative: str) -> None:
    spec = parse(text)
    assert spec.allocation.require_positive_momentum
    assert spec.allocation.alternative == alternative


def test_a_time_exit_when_nothing_happens_or_the_stop_has_not_hit() -> None:
    spec = parse("Buying IEF when the close is under the lower bollinger band. Stop loss 2 "
                 "percent, and if nothing happen in 8 days I sell it.")
    assert spec.risk.max_hold_bars == 8
    spec = parse("For IWM, buy when its 10-day SMA is above its 40-day SMA. Protect it with a 9% "
                 "trailing stop, and if the stop hasn't hit after 30 trading days, sell anyway.")
    assert spec.risk.max_hold_bars == 30 and spec.risk.trailing_stop_pct == 9.0


def test_two_arrows_joined_by_and_are_two_rules_never_one_across_is_a_buy() -> None:
    spec = parse("a close below the lower band on IEF is a buy and a close above the upper band is "
                 "a sell")
    assert _conds(spec.entry) == ["price lt bb_lower20"]
    assert _conds(spec.exit) == ["price gt bb_upper20"]


@pytest.mark.parametrize("opening", [
    "My uncle lost a third of his savings in 2000 and I'm scared of that.",
    "I lost 9% on one trade last year because I had no stop, and I'm never doing that again.",
    "Last year my TLT position went up 12% and then I gave all of it back.",
    "I'm 61 and retire at 65.",
    "I've got a $30k account.",
    "My sister does this in her 401k and swears by it.",
])
def test_a_story_or_a_fact_about_the_writer_says_nothing(opening: str) -> None:
    spec = parse(f"{opening} Buy TLT when the price is above the 50-day SMA, sell when the price "
                 "is below it. Also a 4% stop.")
    assert _conds(spec.entry) == ["price gt sma50"] and spec.risk.stop_loss_pct == 4.0


@pytest.mark.parametrize("opening", [
    "Last year I bought TLT whenever it was above the 30-day SMA.",
    "I sold my AGG in 2022.",
    "I had a 7% stop last year.",
])
def test_a_story_that_names_a_rule_a_new_fund_or_a_control_is_not_ignored(opening: str) -> None:
    with pytest.raises(ParseError):
        parse(f"{opening} Buy TLT when the price is above the 50-day SMA, sell when the price is "
              "below it.")


def test_a_restatement_is_ignored_only_when_it_gives_no_value() -> None:
    spec = parse("Own EFA only while it closes above its 100-day moving average, and sit in cash "
                 "whenever it closes below it. In other words, above the line I'm in, below it "
                 "I'm out.")
    assert _conds(spec.exit) == ["price lt sma100"]
    with pytest.raises(ParseError):
        parse("Own EFA only while it closes above its 100-day moving average, and sit in cash "
              "whenever it closes below it. In other words, above the 120-day I'm in.")


_BREAKOUT = ("Buy MDY on a close above the highest high of the past year and sell on a close "
             "below the lowest low of the last three months.")


def test_a_question_of_judgement_about_the_rule_said_is_ignored() -> None:
    spec = parse(f"{_BREAKOUT} Is a 3-month low too loose for the exit?")
    assert _conds(spec.entry) == ["price gt hh252"] and _conds(spec.exit) == ["price lt ll63"]


def test_a_question_that_names_a_new_value_is_read_and_refused_as_a_second_sell() -> None:
    with pytest.raises(ParseError):
        parse(f"{_BREAKOUT} Is it ok to sell when it drops under the 40 day?")


def test_a_titles_period_may_be_a_holding_period() -> None:
    spec = parse("Three-week holds on IEV. Buy when the 14-day RSI is below 30 and sell 15 trading "
                 "days later.")
    assert spec.risk.max_hold_bars == 15
    with pytest.raises(ParseError):
        parse("Three-week holds on IEV. Buy when the 14-day RSI is below 30 and sell 7 trading "
              "days later.")


def test_a_width_said_on_the_bands_and_the_fund_before_use() -> None:
    spec = parse("For IWM use 3 standard deviations on the 30-day Bollinger Bands: buy on a close "
                 "under the lower band and exit on a close over the upper band.")
    assert spec.symbols == ["IWM"]
    assert _conds(spec.entry) == ["price lt bb_lower30[3]"]


def test_a_restatement_that_adds_a_rule_is_read_not_ignored() -> None:
    entry = "Buy DBC when the 20-day SMA crosses above the 60-day SMA."
    parsed = parse_text(f"{entry} To be clear, never sell.")
    assert parsed.spec.exit is None  # no sell at all, not the opposite crossing
    assert not any("never" in i for i in parsed.ignored)
    with pytest.raises(ParseError):  # "only on Fridays" is read (and its "only" refused)
        parse(f"{entry} To be clear, only on Fridays.")
    parsed = parse_text(f"{entry} In other words, sell when it crosses back.")
    assert _conds(parsed.spec.exit) == ["sma20 crosses_below sma60"]
