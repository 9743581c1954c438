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
  RSI's default said beside rules that name it bare.
"""

from __future__ import annotations

import pytest
from corpus_support import item_text

from generator.providers.offline import ParseError, parse
from generator.providers.offline.normalise import normalise
from generator.providers.offline.parser import parse_text
from generator.spec import AllocationKind, Rule


def _conds(rule: Rule | None) -> list[str]:
    """A rule's conditions in the corpus's notation ("price gt sma200"), none for no rule."""
    return [item_text(c) for c in rule.conditions] if rule is not None else []


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


def test_never_rebalance_is_refused_saying_why() -> None:
    with pytest.raises(ParseError) as refused:
        parse("buy and hold 50% each of SPY and TLT. never rebalance, just let it ride")
    assert "never rebalanced" in refused.value.reason


def test_the_writer_looking_once_a_month_and_a_reason_before_please() -> None:
    spec = parse("I work nights so I only look once a month: if EFA's monthly close is above its "
                 "10-month moving average I want to hold it, otherwise be out.")
    assert spec.schedule == "monthly"
    spec = parse("My dad always kept things simple, so please split my money equally between "
                 "VTI and AGG and put it back to equal once a year.")
    assert spec.allocation.weights == {"VTI": 0.5, "AGG": 0.5}
