"""The fifteenth round's readers and fixes, each on sentences of its own (not corpus
sentences), and what must stay refused beside them:

- "I want / I'd like QQQ when ..." is the hold; "I like QQQ when ..." (a preference, not an
  order) is not read as one;
- a clause that opens with "or" after a rule goes on with that rule ("buy SPY if A or if B.
  Sell on a 5% trailing stop." took B as the sell rule), and "sell on a 5% trailing stop" is
  the control as the exit ("sell only on a 10-day low" stays a sell rule);
- a sentence about the writer's life ("I lost a lot in 2022 because I never sold.", "Nurse, up
  at 5am, no time for charts.", "I sell cars for a living.", "That's all I want."), ignored,
  with its year or time of day, while one that says how to trade is not, nor a time said alone
  ("every day at 10 am": intraday) or a window of years ("from 2010 to 2020": a backtest's);
- an equal split said by its share ("thirds: SPY, TLT, GLD", "split half and half", "set back to
  equal thirds", "away from its third") when the share is the text's own, and the weights said
  again ("put it back to sixty-forty");
- a minimum hold said as a clause of its own in the writer's words (`holding_periods`: "but
  don't let it sell until I've held it for at least 5 days", "don't sell during the first two
  days no matter what the RSI says"), read as a bag of words over a closed lexicon; a reason
  after it ("so I'm not flipping in and out");
- a stop, target or trailing stop said as a sell rule in the writer's words (`risk_words`: "sell
  if it ever falls 6% below what I paid", "get out if it ever drops 12% from the highest point
  since I bought it"), read as a bag of words over a closed lexicon; one with no place it counts
  from is refused;
- amounts spelled out ("four thousand dollars", "twenty-five hundred dollars") and the size said
  before the fund ("$2,500 per trade into GLD whenever ...");
- rotations: money no pick uses ("whatever isn't used", "any slot that doesn't qualify"), "if
  not, hold BIL instead", "move everything into the two best of ...", "the fund out of A, B and
  C that went up the most";
- out of the market when the buy rule does not hold, in the writer's words ("move me to cash
  when it doesn't", "hold nothing otherwise", "and go to cash when it isn't", "below = cash"),
  read by the sell-rule clause reader of `exits`; an arrow before a rule said in full is a
  colon ("MACD (8,17,9) on SPY -> in when ...");
- smaller wordings: "the highest price of the previous 40 days", "goes from negative to
  positive", "gets back to more than 4% above", "all three at once", "8% trailing stop only",
  "I want both a 4% stop loss and ...", "on top of that I'd like ...", "could you set something
  up on TLT that buys if ...", "put the whole account in"; "cop" is the buy only before a fund;
  "sell it six trading days after I bought it", "hold for a week, then sell", "reset my account
  to 60% SPY and 40% IEF", MACD settings said after the rule ("but with faster settings: 5, 35
  and 5 ... with those same settings"), a Bollinger width said again ("at the same 3", "with
  wider bands, 3 standard deviations"), "take it off when", "neither one is true anymore", "in
  which case I don't want it at all";
- an equal split of a list, then a rule said of each ("Equal weight A, B and C; buy each one
  when ...", "I want A, B and C in equal weight; buy each when ...", "hold A, B and C in equal
  amounts, each one only while ..., and sell any one that drops under ...");
- a condition of each of two funds ("both IWM and SPY are above their 100-day averages"), and a
  fund's own average ("EFA's own 50-day", not the verb "own");
- a pair of averages named once, then said by their periods ("the 20-day and 50-day simple
  averages: buy when the 20 crosses above the 50"); "Plan B" is not a ticker; a size after a
  reason ("..., so $400 per trade on QQQ").
"""

from __future__ import annotations

import pytest
from corpus_support import conditions_text as _conds

from generator.providers.offline import ParseError, parse
from generator.providers.offline.normalise import normalise
from generator.spec import AllocationKind


# -- a wish is the hold, a liking is not ---------------------------------------------------------
@pytest.mark.parametrize("opening", ["I want", "I'd like", "We would like", "we'd like"])
def test_a_wish_for_a_fund_while_a_state_holds_is_the_hold(opening: str) -> None:
    spec = parse(f"{opening} QQQ when it is above its 100-day EMA and out when it is below")
    assert spec.symbols == ["QQQ"]
    assert _conds(spec.entry) == ["price gt ema100"] and _conds(spec.exit) == ["price lt ema100"]


@pytest.mark.parametrize("text", [
    "I like QQQ when it is above its 100-day EMA and out when it is below",
    "We like SPY held only when it is above its 200-day SMA, sell otherwise",
])
def test_liking_a_fund_is_not_an_order_to_hold_it(text: str) -> None:
    with pytest.raises(ParseError):
        parse(text)


# -- a stop said as the sell, after an either-or entry -------------------------------------------
@pytest.mark.parametrize("sell", [
    "Sell on a 5% trailing stop.", "Exit on a 5 percent trailing stop.",
    "Sell only on a 5% trailing stop.",
])
def test_an_or_clause_goes_on_with_the_buy_rule_not_into_the_sell_after_it(sell: str) -> None:
    """'Buy SPY if A or if B. Sell on a 5% trailing stop.' took B as the sell rule (a wrong
    spec): an 'or' clause after a rule goes on with that rule."""
    spec = parse(f"Buy SPY if it crosses above its 100-day or if its 2-day RSI is below 10. {sell}")
    assert spec.entry is not None and spec.entry.combine == "any"
    assert _conds(spec.entry) == ["price crosses_above sma100", "rsi2 lt 10"]
    assert spec.exit is None and spec.risk.trailing_stop_pct == 5.0


def test_a_bare_sell_after_an_or_clause_is_refused_not_given_that_clause() -> None:
    with pytest.raises(ParseError, match="says what to do but not when"):
        parse("Buy SPY if it crosses above its 100-day or if its 2-day RSI is below 10. Sell.")


def test_a_sell_rule_said_as_a_low_is_not_taken_for_a_stop() -> None:
    """'sell only on a 10-day low' is a sell rule, not the control 'sell on a 5% stop' is."""
    with pytest.raises(ParseError):
        parse("buy SPY when it crosses above its 50-day. sell only on a 10-day low")
    spec = parse("Buy SPY when it crosses above its 50-day SMA. Sell on a 10-day low.")
    assert _conds(spec.exit) == ["price lt ll10"]


# -- a sentence about the writer's life ----------------------------------------------------------
_RULE = "Buy QQQ when it crosses above its 100-day SMA and sell when it crosses back below."


@pytest.mark.parametrize("text", [
    f"I lost a lot in 2022 because I never sold. {_RULE}",
    f"Nurse, up at 5am, no time for charts. {_RULE}",
    f"I read one book about trends so here goes: {_RULE}",
    f"I drive a truck all day, I don't have time for more than this. {_RULE}",
    f"{_RULE} We're both nurses.",
    f"I sell cars for a living. {_RULE}",
    f"{_RULE} That's all I want.",
])
def test_a_sentence_about_the_writers_life_is_ignored(text: str) -> None:
    spec = parse(text)
    assert spec.symbols == ["QQQ"]
    assert _conds(spec.entry) == ["price crosses_above sma100"]
    assert _conds(spec.exit) == ["price crosses_below sma100"]


@pytest.mark.parametrize("text", [
    f"I sell SPY for a living. {_RULE}",  # a symbol
    f"I never sell. {_RULE}",  # a rule, in the present
    f"I sell everything for a living when it drops. {_RULE}",  # a condition
    f"Since 2008 I only buy after 3 red days. {_RULE}",  # a number that is not the year
])
def test_a_sentence_about_the_writer_that_says_how_to_trade_is_not_ignored(text: str) -> None:
    with pytest.raises(ParseError):
        parse(text)


# -- an equal split said by its share ------------------------------------------------------------
@pytest.mark.parametrize(("text", "symbols", "schedule"), [
    ("I want my savings split evenly between SPY, TLT and GLD, set back to equal thirds every "
     "quarter.", ["SPY", "TLT", "GLD"], "quarterly"),
    ("Split our money evenly across VTI, EFA and AGG and rebalance them back to equal once a "
     "year.", ["VTI", "EFA", "AGG"], "yearly"),
    ("buy and hold, thirds: SPY, TLT, GLD", ["SPY", "TLT", "GLD"], None),
    ("We want SPY and TLT split half and half, rebalanced every month.", ["SPY", "TLT"],
     "monthly"),
    ("I want my account split evenly between IEF and GLD, rebalanced every quarter.",
     ["IEF", "GLD"], "quarterly"),
])
def test_an_equal_split_said_by_its_share(text: str, symbols: list[str],
                                          schedule: str | None) -> None:
    spec = parse(text)
    assert spec.symbols == symbols
    assert spec.allocation.kind == AllocationKind.target_weights
    assert spec.allocation.weights == pytest.approx({s: 1 / len(symbols) for s in symbols})
    if schedule is not None:
        assert spec.schedule.value == schedule


@pytest.mark.parametrize("text", [
    "buy and hold, thirds: SPY, TLT",  # thirds of two funds
    "SPY, TLT, GLD and IEF split half and half",
    "Split evenly between SPY and TLT, set back to equal thirds every quarter.",
    "60% SPY 40% TLT, rebalance back to equal every month",  # the weights are not equal
    "60% VTI 40% AGG, once a year put it back to 70/30",  # other weights
])
def test_a_share_that_is_not_the_texts_own_is_refused(text: str) -> None:
    with pytest.raises(ParseError):
        parse(text)


def test_a_drift_band_said_from_each_share_and_weights_said_again() -> None:
    spec = parse("Thirds in VTI, EFA and AGG. Rebalance whenever any of them drifts more than "
                 "5 points away from its third.")
    assert spec.allocation.drift_band_pct == 5.0
    spec = parse("Sixty percent VTI, forty percent AGG, and once a year I'll put it back to "
                 "sixty-forty.")
    assert spec.allocation.weights == {"VTI": 0.6, "AGG": 0.4} and spec.schedule.value == "yearly"


# -- a minimum hold in the writer's words --------------------------------------------------------
_TREND = "Buy GLD when it closes above its 50-day average and sell when it closes below it"


@pytest.mark.parametrize(("tail", "bars"), [
    ("but don't let it sell until I've held it for at least 5 days.", 5),
    ("but don't sell during the first two days no matter what the average says.", 2),
    ("but hold at least 7 days before any sell.", 7),
    ("but hold at least 2 weeks before any sell so I'm not flipping in and out.", 10),
    ("and never sell within the first 3 days.", 3),
])
def test_a_minimum_hold_in_the_writers_words(tail: str, bars: int) -> None:
    spec = parse(f"{_TREND}, {tail}")
    assert spec.risk.min_hold_bars == bars and spec.risk.max_hold_bars is None
    assert _conds(spec.entry) == ["price gt sma50"] and _conds(spec.exit) == ["price lt sma50"]


@pytest.mark.parametrize("tail", [
    "but don't let it sell until it is 5% above what I paid.",  # not a period
    "but don't sell during the first 2 days unless RSI is above 70.",  # a condition
    "but don't sell for 5 days or 10 days.",  # two periods
])
def test_a_minimum_hold_with_anything_else_is_not_read_as_one(tail: str) -> None:
    with pytest.raises(ParseError):
        parse(f"{_TREND}, {tail}")


def test_a_condition_then_a_later_verb_is_not_read_across_a_comma() -> None:
    """'... sell when it is under , but hold at least 7 days before any sell' was rewritten as
    the condition 'under , but hold ...' of a second sell (the postfix reader)."""
    spec = parse("Buy QQQ when the price is above its 100-day average and sell when it's under, "
                 "but hold at least 7 days before any sell.")
    assert _conds(spec.exit) == ["price lt sma100"] and spec.risk.min_hold_bars == 7


# -- a stop, target or trailing stop said as a sell rule -----------------------------------------
_CROSS = "Buy SPY when it crosses above its 200-day SMA and sell when it crosses back below"


@pytest.mark.parametrize(("tail", "field", "level"), [
    ("but please also sell if it ever falls 6% below what I paid.", "stop_loss_pct", 6.0),
    ("Sell if it is ever 7 percent under my entry.", "stop_loss_pct", 7.0),
    ("and get out if it ever drops 12% from the highest point since I bought it.",
     "trailing_stop_pct", 12.0),
    ("Take the money if it's ever up 20% from what I paid.", "take_profit_pct", 20.0),
    ("also dump it if it ever sinks 9% from its peak.", "trailing_stop_pct", 9.0),
])
def test_a_control_said_as_a_sell_rule(tail: str, field: str, level: float) -> None:
    spec = parse(f"{_CROSS}, {tail}")
    assert getattr(spec.risk, field) == level
    assert _conds(spec.exit) == ["price crosses_below sma200"]


@pytest.mark.parametrize("tail", [
    "and sell if it is ever 6% below.",  # below what?
    "and sell if it ever falls 6% below its 50-day.",  # a condition on an average
    "and sell if it ever rises 6% from its peak.",  # a peak is not risen from
    "and sell if it ever falls 6% or 8% below what I paid.",  # two levels
])
def test_a_control_with_no_place_it_counts_from_or_anything_else_is_refused(tail: str) -> None:
    with pytest.raises(ParseError):
        parse(f"{_CROSS}, {tail}")


def test_that_is_my_only_sell_rule_after_a_control() -> None:
    spec = parse("Buy VTI when it closes above its 200-day average, and sell if it ever falls 15% "
                 "from the highest point since I bought it. That's my only sell rule.")
    assert spec.exit is None and spec.risk.trailing_stop_pct == 15.0


# -- amounts spelled out, and the size said before the fund --------------------------------------
@pytest.mark.parametrize(("text", "amount"), [
    ("Put four thousand dollars into GLD each time it crosses above its 100-day moving average "
     "and sell when it crosses back below.", 4000.0),
    ("Put twenty-five hundred dollars into GLD each time it crosses above its 100-day moving "
     "average and sell when it crosses back below.", 2500.0),
    ("$2,500 per trade into GLD whenever it crosses above its 100-day moving average, sell when "
     "it crosses back below.", 2500.0),
])
def test_an_amount_spelled_or_said_before_the_fund(text: str, amount: float) -> None:
    spec = parse(text)
    assert spec.symbols == ["GLD"]
    assert spec.allocation.kind == AllocationKind.fixed_amount
    assert spec.allocation.amount == amount
    assert _conds(spec.entry) == ["price crosses_above sma100"]


def test_a_size_said_alone_before_the_rules_stays_the_size() -> None:
    spec = parse("$5,000 per trade on GLD. Buy when the 20 EMA crosses above the 50 EMA, sell on "
                 "the opposite cross.")
    assert spec.allocation.amount == 5000.0 and _conds(spec.entry) == ["ema20 crosses_above ema50"]


# -- rotations in the writer's words -------------------------------------------------------------
@pytest.mark.parametrize(("text", "top", "lookback", "positive", "alternative"), [
    ("Every month, hold the best 2 of SPY, QQQ, EFA and EEM by 6-month performance, but only the "
     "ones whose 6-month performance is positive. Whatever isn't used goes into IEF.",
     2, 126, True, "IEF"),
    ("Each month rotate among SPY, EFA, EEM and IWM: hold the top two by 3-month return, but only "
     "ones with a positive return. Any slot that doesn't qualify goes into SHY.",
     2, 63, True, "SHY"),
    ("Each month compare SPY, EFA and AGG over the last 12 months and hold the single best one if "
     "its return is positive; if not, hold BIL instead.", 1, 252, True, "BIL"),
    ("Every quarter, move everything into the two best of VTI, EFA, EEM, GLD and TLT based on "
     "six-month performance.", 2, 126, False, None),
    ("Once a month, pick the fund out of SPY, EFA, EEM and AGG that went up the most over the last "
     "6 months. If it isn't up at all, sit in BIL until next month.", 1, 126, True, "BIL"),
])
def test_a_rotation_in_the_writers_words(text: str, top: int, lookback: int, positive: bool,
                                         alternative: str | None) -> None:
    allocation = parse(text).allocation
    assert allocation.kind == AllocationKind.momentum_rotation
    assert (allocation.top_n, allocation.lookback_days) == (top, lookback)
    assert allocation.require_positive_momentum is positive
    assert allocation.alternative == alternative


def test_a_rotation_filter_with_another_period_is_refused() -> None:
    with pytest.raises(ParseError, match="lookbacks"):
        parse("Once a month, pick the fund out of SPY, EFA, EEM and AGG that went up the most "
              "over the last 6 months. If it isn't up over the last 3 months, sit in BIL.")


# -- out of the market when the buy rule does not hold, said in the writer's words ---------------
@pytest.mark.parametrize("text", [
    "Keep me in QQQ as long as it closes above its 150 day moving average, and move me to cash "
    "when it doesn't.",
    "Be invested in QQQ when the closing price is above the 150-day SMA, and hold nothing "
    "otherwise.",
    "Hold QQQ while it's above its 150-day moving average, otherwise just be in cash.",
    "Hold QQQ while it's above its 150-day moving average and go to cash when it isn't.",
    "QQQ above 150 sma = long, below = cash",
])
def test_out_when_the_buy_rule_does_not_hold(text: str) -> None:
    spec = parse(text)
    assert spec.symbols == ["QQQ"]
    assert _conds(spec.entry) == ["price gt sma150"] and _conds(spec.exit) == ["price lt sma150"]
    assert spec.allocation.alternative is None


@pytest.mark.parametrize("text", [
    "Buy QQQ when it is above its 50-day SMA and get in when it isn't",  # "get in" is a buy
    "Buy QQQ when it is above its 50-day SMA, be in when it isn't",
])
def test_a_buy_said_of_the_failed_rule_is_not_an_exit(text: str) -> None:
    with pytest.raises(ParseError):
        parse(text)


def test_cash_otherwise_keeps_its_reading() -> None:
    """'otherwise cash' and 'cash otherwise' both wait in plain cash, the spec's default (no
    alternative asset is bought for the word cash; until round 33 the first bought BIL)."""
    for text in ("Hold SPY while it is above its 200-day SMA, otherwise cash.",
                 "hold IWM while RSI(14) is above 50, cash otherwise",
                 "Hold TLT when SPY is below its 200 day SMA, hold cash instead."):
        spec = parse(text)
        assert spec.allocation.alternative is None, text
        assert spec.exit is not None and len(spec.exit.conditions) == 1, text


def test_an_arrow_before_a_rule_said_in_full_is_a_colon() -> None:
    spec = parse("MACD (8,17,9) on SPY -> in when the MACD line crosses above the signal line, "
                 "out when it crosses back below.")
    assert _conds(spec.entry) == ["macd[8,17,9] crosses_above macd_signal[8,17,9]"]
    assert _conds(spec.exit) == ["macd[8,17,9] crosses_below macd_signal[8,17,9]"]


# -- smaller wordings ----------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "entry", "exit_"), [
    ("Buy GLD when it closes above the highest price of the previous 40 days. Sell when it closes "
     "below the lowest price of the previous 15 days.", ["price gt hh40"], ["price lt ll15"]),
    ("For EEM, buy when the MACD histogram goes from negative to positive and sell when it goes "
     "from positive back to negative.", ["macd_hist crosses_above 0"],
     ["macd_hist crosses_below 0"]),
    ("Buy IYR when it drops more than 8% below its 100-day average, and sell when it gets back to "
     "more than 4% above the 100-day.", ["price lt sma100-8%"], ["price gt sma100+4%"]),
    ("Buy QQQ when the 20-day EMA is above the 50-day EMA and the RSI is under 70, both at once. "
     "Sell when the RSI is over 80.", ["ema20 gt ema50", "rsi14 lt 70"], ["rsi14 gt 80"]),
    ("Could you set something up on TLT that buys if the price closes above the upper Bollinger "
     "band, and sells when it falls back below the 20-day moving average? Thank you!",
     ["price gt bb_upper20"], ["price lt sma20"]),
    ("Retired cop here. Buy QQQ when the 50 day average crosses above the 200 day. Sell when it "
     "crosses back below. Put the whole account in.", ["sma50 crosses_above sma200"],
     ["sma50 crosses_below sma200"]),
])
def test_smaller_wordings(text: str, entry: list[str], exit_: list[str]) -> None:
    spec = parse(text)
    assert _conds(spec.entry) == entry and _conds(spec.exit) == exit_


@pytest.mark.parametrize(("text", "risk"), [
    ("Entry: GLD price > 50-day SMA. Exit: 7% trailing stop only.", {"trailing_stop_pct": 7.0}),
    ("Buy GLD when its price is above the 50-day, sell when it drops under the 50-day. I want "
     "both a 4% stop loss and a 9% trailing stop.",
     {"stop_loss_pct": 4.0, "trailing_stop_pct": 9.0}),
    ("Buy GLD on a golden cross and sell on the death cross. On top of that I'd like a 6% stop "
     "loss and to take profit at 30%.", {"stop_loss_pct": 6.0, "take_profit_pct": 30.0}),
])
def test_controls_asked_for_in_the_writers_words(text: str, risk: dict[str, float]) -> None:
    spec = parse(text)
    assert {k: v for k, v in spec.risk.model_dump().items() if v} == risk


@pytest.mark.parametrize("text", [
    "Buy QQQ when the 20-day EMA is above the 50-day EMA or the RSI is under 30, both at once. "
    "Sell when the RSI is over 80.",  # "or" and "both at once" contradict
    "Buy GLD when it closes above the highest close of the previous 40 days, sell on a 5% stop.",
])
def test_what_these_wordings_leave_refused(text: str) -> None:
    with pytest.raises(ParseError):
        parse(text)


@pytest.mark.parametrize(("text", "said"), [
    ("Retired cop here, keep it simple.", "cop"), ("I'm a cop and I like SPY", "cop"),
    ("cop spy when rsi2 under 10", "buy"), ("cop QQQ on the golden cross", "buy"),
])
def test_cop_is_the_buy_only_before_a_fund(text: str, said: str) -> None:
    assert f" {said} " in normalise(text, None)


@pytest.mark.parametrize(("text", "bars"), [
    ("Buy IWM after it has gone down four days in a row, and sell it six trading days after I "
     "bought it.", 6),
    ("buy MDY if it goes up 3 days straight, hold for a week, then sell", 5),
    ("Buy GLD when it crosses above its 50-day, a month later sell", 21),
])
def test_a_time_exit_counted_from_the_buy_or_said_as_one_unit(text: str, bars: int) -> None:
    spec = parse(text)
    assert spec.risk.max_hold_bars == bars and spec.exit is None


def test_a_weekly_reset_of_the_account() -> None:
    spec = parse("Every Monday, reset my account to 60% SPY and 40% IEF.")
    assert spec.allocation.weights == {"SPY": 0.6, "IEF": 0.4}
    assert spec.schedule.value == "weekly"


def test_macd_settings_said_after_the_rule_and_again() -> None:
    spec = parse("On IWM, buy when the MACD crosses up through its signal line, but with faster "
                 "settings: 5, 35 and 5. Sell when it crosses back down with those same settings.")
    assert _conds(spec.entry) == ["macd[5,35,5] crosses_above macd_signal[5,35,5]"]
    assert _conds(spec.exit) == ["macd[5,35,5] crosses_below macd_signal[5,35,5]"]


@pytest.mark.parametrize(("text", "ok"), [
    ("IWM: buy when it closes below the lower Bollinger band set at 3 standard deviations, sell "
     "when it closes above the upper band at the same 3.", True),
    ("Buy IWM after it closes below its lower Bollinger band, but with wider bands, 3 standard "
     "deviations. Take profit at 5 percent.", True),
    ("IWM: buy when it closes below the lower Bollinger band set at 3 standard deviations, sell "
     "when it closes above the upper band at the same 2.", False),  # not the same
    ("Buy IWM after it closes below its lower Bollinger band, but with wider bands. Take profit "
     "at 5 percent.", False),  # wider than what?
])
def test_a_bollinger_width_said_again(text: str, ok: bool) -> None:
    if not ok:
        with pytest.raises(ParseError):
            parse(text)
        return
    stds = [i.num_std for i in parse(text).indicators() if i.num_std is not None]
    assert stds and all(std == 3.0 for std in stds)


@pytest.mark.parametrize(("text", "exit_"), [
    ("Put 30% of the account into TLT when SPY's 50-day average crosses below its 200-day, and "
     "take it off when SPY's 50-day crosses back above the 200-day.",
     ["sma50@SPY crosses_above sma200@SPY"]),
    ("Buy IYR if either the RSI is under 25 or the price is under the lower Bollinger band; sell "
     "when neither one is true anymore.", ["rsi14 gt 25", "price gt bb_lower20"]),
    ("Buy QQQ when the RSI is below 35, unless SPY is under its 200-day, in which case I don't "
     "want it at all. Sell once the RSI is above 55.", ["rsi14 gt 55"]),
])
def test_more_sell_rules_in_the_writers_words(text: str, exit_: list[str]) -> None:
    assert _conds(parse(text).exit) == exit_


# -- an equal split of a list, then a rule said of each ------------------------------------------
@pytest.mark.parametrize("text", [
    "Equal weight GLD, TLT and IEF; buy each one when it closes above its 50-day SMA and sell "
    "each when it closes below.",
    "Bond fan here: I want GLD, TLT and IEF in equal weight; buy each when it closes above its "
    "50-day SMA and sell each when it isn't.",
    "I'd like to hold GLD, TLT and IEF in equal amounts, each one only while it's above its own "
    "50-day moving average, and sell any one that drops under its 50-day.",
])
def test_an_equal_split_of_a_list_then_a_rule_of_each(text: str) -> None:
    spec = parse(text)
    assert spec.symbols == ["GLD", "TLT", "IEF"]
    assert spec.allocation.kind == AllocationKind.equal_weight
    assert _conds(spec.entry) == ["price gt sma50"] and _conds(spec.exit) == ["price lt sma50"]


def test_a_list_held_in_equal_weights_with_a_band_stays_a_portfolio() -> None:
    spec = parse("Task: hold SPY, TLT, GLD and DBC in equal weights and rebalance whenever any of "
                 "them drifts more than 5 percentage points from its target.")
    assert spec.allocation.kind == AllocationKind.target_weights
    assert spec.allocation.drift_band_pct == 5.0


# -- a condition of each of two funds ------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Buy IWM when both IWM and SPY are above their 100-day averages; sell IWM when IWM goes under "
    "its 100-day.",
    "Buy IWM when IWM and SPY are both above their 100-day moving averages; sell when IWM closes "
    "under its 100-day.",
])
def test_both_funds_above_their_own_averages(text: str) -> None:
    spec = parse(text)
    assert spec.symbols == ["IWM"]
    assert _conds(spec.entry) == ["price gt sma100", "price@SPY gt sma100@SPY"]
    assert _conds(spec.exit) == ["price lt sma100"]


def test_a_funds_own_average_is_not_the_verb_own() -> None:
    spec = parse("Buy EFA while SPY is above its 200-day and EFA's own 50-day is above its own "
                 "200-day; sell if either of those fails.")
    assert _conds(spec.entry) == ["price@SPY gt sma200@SPY", "sma50 gt sma200"]
    assert spec.exit is not None and spec.exit.combine == "any"


# -- a pair of averages named once, then said by their periods -----------------------------------
@pytest.mark.parametrize(("text", "entry"), [
    ("Trade QQQ with the 20-day and 50-day simple averages: buy when the 20 crosses above the 50, "
     "sell when it crosses back below.", ["sma20 crosses_above sma50"]),
    ("Trade QQQ with the 20-day and 50-day exponential averages: buy when the 20 crosses above "
     "the 50 and RSI is over the 50 level, sell when it crosses back below.",
     ["ema20 crosses_above ema50", "rsi14 gt 50"]),
])
def test_a_pair_of_averages_said_by_their_periods(text: str, entry: list[str]) -> None:
    assert _conds(parse(text).entry) == entry


def test_plan_b_is_not_a_ticker() -> None:
    spec = parse("Plan B - buy QQQ on the golden cross, dump it on the death cross.")
    assert spec.symbols == ["QQQ"]


def test_a_size_after_a_reason() -> None:
    spec = parse("I'm a student and only have a little to play with, so $400 per trade on QQQ. "
                 "Buy when the 3-day RSI is under 15, sell when the 3-day RSI is over 60.")
    assert spec.allocation.amount == 400.0 and spec.symbols == ["QQQ"]


@pytest.mark.parametrize("text", [
    # a time said alone is an intraday rule, not the writer's day
    "Every day at 10 am: buy SPY when RSI(2) is under 10, sell when it is over 70.",
    # a window of years is a backtest's, not a year of the writer's life
    "Backtest from 2010 to 2020: buy SPY when RSI(2) is under 10, sell when it is over 70.",
    "2015-2020 test: buy SPY when RSI(2) is under 10, sell when it is over 70.",
    # plural picks with no count
    "Once a month, pick the ones out of SPY, EFA, EEM and AGG that went up the most over the "
    "last 6 months.",
])
def test_numbers_that_are_not_the_writers_life_stay_refused(text: str) -> None:
    with pytest.raises(ParseError):
        parse(text)


@pytest.mark.parametrize(("text", "amount"), [
    ("put 5 hundred dollars into SPY", "500"), ("put five thousand dollars into SPY", "5000"),
    ("twenty-five thousand dollars", "25000"),
])
def test_spelled_amounts_are_one_number(text: str, amount: str) -> None:
    assert f" {amount} dollars" in normalise(text, None)
