"""The twenty-sixth round: sets 72 (ordinary users) and 73 (beginners), unseen through round 25,
read now; 74 and 75 (ordinary users of two kinds) written blind and kept unseen.

- the story or the reason before a rule, inside the sentence that says it (`backstory`): "I got
  burned holding EEM all through 2022 so now I only own it while ...", "Since the 2008 crash I
  stay out of stocks unless ...", "After getting stuck in EEM for a year of drawdown I only buy
  when ...", "Because bonds tend to rally when stocks sell off, I hold TLT whenever ..."; set
  aside only when the rest reads as a whole strategy without it and it says no rule;
- spelled numbers with a group after "thousand" ("two thousand five hundred dollars" was read
  2005 and 100); a misspelling is never corrected to a word with another first letter
  ("manually" was read "annually");
- the comma a writer leaves out between a condition and what they do ("if it closed above the
  50 day SMA I'm long"), a fund looked at as a routine ("every evening I look at QQQ, ..."),
  "check if ... If yes I hold gold, if not I'm out", "I stay out of stocks unless ...";
- pasted notes: "GLD | entry: ... | exit: ...", "IWM | long: close > 20d high & SPY > 200dma",
  "HYG -> in when ...", "rsi(3) < 20 buy / rsi(3) > 80 sell", "20d xover above 50d (sma)";
- weights listed apart from their funds ("SPY and TLT 50 50", "25/25/25/25 SPY IWM EFA AGG");
- and the wordings of set 72 and 73 read at their cause (see each test).
"""

from __future__ import annotations

import pytest
from corpus_support import conditions_text
from grid_support import grid as _grid
from grid_support import parse_stored as _parse
from grid_support import refused as _refused

from generator.providers.offline import ParseError
from generator.providers.offline.normalise import normalise


def _conds(rule: object) -> list[str]:
    return sorted(conditions_text(rule))


# -- the story or the reason before the rule -----------------------------------------------------
@pytest.mark.parametrize("row", _grid(
    26, 10,
    story=["I got burned holding QQQ all through 2022 so now",
           "I lost a lot in QQQ in 2008, so now",
           "After getting stuck in QQQ for a year of drawdown",
           "Since the 2020 crash",
           "We had a rough 2022 with QQQ so these days",
           "Because tech tends to fall hard when rates rise,"],
    rule=["I only own QQQ while it's above its 200-day, and I sell when it closes under it.",
          "I hold QQQ whenever it is above the 200 day moving average, otherwise I'm in cash.",
          "I buy QQQ when it's above its 200-day and sell when it's below it."],
))
def test_the_story_before_a_rule_is_set_aside(row: dict[str, str]) -> None:
    spec = _parse(f"{row['story']} {row['rule']}")
    assert spec.symbols == ["QQQ"]
    assert _conds(spec.entry) == ["price gt sma200"]
    assert _conds(spec.exit) == ["price lt sma200"]


def test_the_story_names_the_fund_it_speaks_of() -> None:
    spec = _parse("I got burned holding EEM all through 2022 so now I only own it while it's "
                  "above its 200-day, and I sell the day it closes under it.")
    assert spec.symbols == ["EEM"]
    assert _conds(spec.exit) == ["price lt sma200"]


def test_a_reason_that_says_when_stocks_sell_off_is_still_a_reason() -> None:
    spec = _parse("Because bonds tend to rally when stocks sell off, I hold TLT whenever SPY is "
                  "below its 200-day, and I'm in cash whenever it isn't.")
    assert spec.symbols == ["TLT"]
    assert _conds(spec.entry) == ["price@SPY lt sma200@SPY"]


@pytest.mark.parametrize("text", [
    # a story that holds a rule or a level is read, never set aside
    "After SPY fell below its 200-day I buy QQQ when RSI is below 30.",
    "I got stopped out at 5% twice so now I buy SPY when RSI is below 30.",
    # the rest is no whole strategy without it
    "Since the 2008 crash I buy SPY when RSI is below 30.",
    # a fund the rest does not trade
    "I got burned holding EEM in 2022 so now I hold SPY while it's above its 200-day and "
    "TLT while it's below it.",
])
def test_a_story_that_is_no_story_or_leaves_no_strategy_is_refused(text: str) -> None:
    _refused(text)


def test_a_story_naming_another_fund_than_the_rule_trades_is_refused() -> None:
    _refused("I got burned holding EEM all through 2022 so now I hold SPY while it's above its "
             "200-day and sell when it's below it.")


# -- numbers and spelling -----------------------------------------------------------------------
@pytest.mark.parametrize("said, amount", [
    ("two thousand five hundred dollars", 2500),
    ("three thousand two hundred fifty dollars", 3250),
    ("one thousand and fifty dollars", 1050),
    ("twelve hundred dollars", 1200),
    ("five thousand dollars", 5000),
])
def test_spelled_amounts_with_hundreds_after_thousands(said: str, amount: int) -> None:
    spec = _parse(f"buy LQD when it's above its fifty day average and sell when it's below it "
                  f"and put {said} in each time")
    assert spec.allocation.amount == amount


def test_a_misspelling_keeps_its_first_letter() -> None:
    assert " manually " in normalise("what I do manually every Friday", None)
    assert " annually " in normalise("rebalance anually", None)
    # a word said without its prefix stays the word it is short for
    assert " rebalance " in normalise("fix the balance once a year", None)


# -- the comma left out, a routine, a check ------------------------------------------------------
@pytest.mark.parametrize("row", _grid(
    2601, 8,
    open=["", "every evening I look at IWM, ", "each day I check IWM and ", "my routine: "],
    buy=["if it closed above the 50 day SMA I'm long",
         "if it closes above the 50 day sma I buy",
         "when it closes above its 50 day SMA I go long"],
    sell=["if it closed below it I go to cash", "if it closes below the 50 day sma I sell",
          "when it closes below it I'm out"],
))
def test_the_comma_left_out_before_what_the_writer_does(row: dict[str, str]) -> None:
    text = f"{row['open']}{row['buy']}, {row['sell']}."
    if "IWM" not in text:
        text = f"IWM: {text}"
    spec = _parse(text)
    assert spec.symbols == ["IWM"]
    assert _conds(spec.entry) == ["price gt sma50"]
    assert _conds(spec.exit) == ["price lt sma50"]


def test_a_condition_that_runs_on_past_its_line_keeps_its_words() -> None:
    spec = _parse("When QQQ is more than 5% above its 200-day moving average it's strong and I "
                  "buy. Sell when it closes back under the 200-day.")
    assert _conds(spec.entry) == ["price gt sma200+5%"]


def test_look_at_a_list_is_still_among_it() -> None:
    spec = _parse("Each month look at SPY, EFA and EEM and hold the one with the best 6 month "
                  "return.")
    assert spec.allocation.kind == "momentum_rotation"
    assert spec.symbols == ["SPY", "EFA", "EEM"]


@pytest.mark.parametrize("hold", ["I hold gold", "I hold GLD", "I hold it"])
def test_check_if_then_if_yes(hold: str) -> None:
    spec = _parse(f"what I do manually every Friday is check if GLD's weekly close is above its "
                  f"30-week average. If yes {hold}, if not I'm out.")
    assert spec.symbols == ["GLD"]
    assert _conds(spec.entry) == ["price:weekly gt sma30:weekly"]


@pytest.mark.parametrize("out", ["I stay out of stocks", "I'm in cash", "we stay on the sidelines",
                                 "I stay out of the market"])
def test_out_unless_a_fund_state_holds_that_fund(out: str) -> None:
    spec = _parse(f"{out} unless VTI is above its 200-day average.")
    assert spec.symbols == ["VTI"]
    assert _conds(spec.entry) == ["price gt sma200"]
    assert _conds(spec.exit) == ["price lt sma200"]


def test_out_unless_beside_a_rule_that_buys_another_fund_is_not_a_hold() -> None:
    # (a filter of the QQQ rule said as a sell: never read as holding SPY)
    _refused("Buy QQQ when RSI is below 30, sell above 70. I stay in cash unless SPY is above "
             "its 200-day.")


def test_the_monthly_close_looked_at_is_what_it_compares() -> None:
    spec = _parse("My spreadsheet rule: at the end of every month I look at EFA's monthly close. "
                  "If it is above the 12-month average I hold, if it is below I sell.")
    assert _conds(spec.entry) == ["price:monthly gt sma12:monthly"]


# -- pasted notes --------------------------------------------------------------------------------
def test_a_note_opening_with_its_fund_and_a_pipe() -> None:
    spec = _parse("Pasted: QQQ | long: close > 50d high & SPY > 200dma | exit: close < 20d low")
    assert spec.symbols == ["QQQ"]
    assert _conds(spec.entry) == ["price gt hh50", "price@SPY gt sma200@SPY"]
    assert _conds(spec.exit) == ["price lt ll20"]


def test_a_fund_framed_before_a_rule_with_a_filter_fund_is_traded() -> None:
    spec = _parse("a bot for IWM that buys when close > 20d high & SPY > 200dma and sells when "
                  "close < 10d low")
    assert spec.symbols == ["IWM"]


@pytest.mark.parametrize("kind, name", [("sma", "sma"), ("ema", "ema")])
def test_a_crossing_with_its_kind_in_a_bracket(kind: str, name: str) -> None:
    spec = _parse(f"EFA | entry: 10d xover above 30d ({kind}) | exit: 10 xover below 30 | s/l 5%")
    assert _conds(spec.entry) == [f"{name}10 crosses_above {name}30"]
    assert _conds(spec.exit) == [f"{name}10 crosses_below {name}30"]


def test_bare_lengths_said_again_are_the_lines_named() -> None:
    spec = _parse("DBC: buy when the 20 day sma crosses above the 50 day sma, sell when 20 "
                  "crosses below 50")
    assert _conds(spec.exit) == ["sma20 crosses_below sma50"]


def test_bare_lengths_of_two_kinds_are_each_the_line_of_that_length() -> None:
    spec = _parse("DBC: buy when the 20 day ema crosses above the 50 day sma, sell when 20 "
                  "crosses below 50")
    assert _conds(spec.exit) == ["ema20 crosses_below sma50"]


@pytest.mark.parametrize("text", [
    "note to self: EFA -> in when close > sma100, out when close < sma100.",
    "EFA -> in when close > sma100, out when close < sma100. check daily.",
])
def test_an_arrow_to_in_when(text: str) -> None:
    spec = _parse(text)
    assert spec.symbols == ["EFA"]
    assert _conds(spec.entry) == ["price gt sma100"]


@pytest.mark.parametrize("sep", [" / ", " ; ", ", "])
def test_the_action_after_its_condition_in_a_note(sep: str) -> None:
    spec = _parse(f"IEF notes: rsi(4) < 15 buy{sep}rsi(4) > 70 sell{sep}no sells for first 3 bars")
    assert _conds(spec.entry) == ["rsi4 lt 15"]
    assert _conds(spec.exit) == ["rsi4 gt 70"]
    assert spec.risk.min_hold_bars == 3


def test_a_bare_stop_number_of_a_note_is_in_percent() -> None:
    # (round 27: a note's "s/l 4", "tp 15 sl 6" is in percent, as the corpus's convention has
    # every stop and target; a stop said in dollars is no percent: "s/l $4")
    spec = _parse("TLT: rsi(3) < 20 buy / rsi(3) > 80 sell / s/l 4")
    assert spec.risk.stop_loss_pct == 4
    _refused("TLT: rsi(3) < 20 buy / rsi(3) > 80 sell / s/l $4")


# -- weights apart from their funds -----------------------------------------------------------
@pytest.mark.parametrize("said, weights", [
    ("QQQ and IEF 70 30", {"QQQ": 0.7, "IEF": 0.3}),
    ("SPY EFA AGG 40/30/30", {"SPY": 0.4, "EFA": 0.3, "AGG": 0.3}),
    ("40/30/30 SPY EFA AGG", {"SPY": 0.4, "EFA": 0.3, "AGG": 0.3}),
    ("50/50 in SPY and TLT", {"SPY": 0.5, "TLT": 0.5}),
])
def test_funds_then_their_shares(said: str, weights: dict[str, float]) -> None:
    spec = _parse(f"rebalance {said} every quarter")
    assert spec.allocation.weights == pytest.approx(weights)


@pytest.mark.parametrize("said", ["SPY and TLT 60 30", "SPY EFA AGG 50/50", "SPY TLT 50 50 50"])
def test_shares_that_do_not_fit_the_funds_are_refused(said: str) -> None:
    _refused(f"rebalance {said} every quarter")


# -- set 72's and 73's wordings ---------------------------------------------------------------
@pytest.mark.parametrize("text, entry", [
    ("use a 5 day RSI on SPY, buy when it's below 15 and sell when it's above 85", "rsi5 lt 15"),
    ("use 15 day bollinger bands on TLT, buy when price is below the lower band and sell when "
     "it's above the middle band", "price lt bb_lower15"),
    ("EWJ: buy on a daily close above the 100 day SMA, sell on a daily close below it.",
     "price gt sma100"),
    ("hold VNQ whenever it's over the 150 day moving average line and sell when it isn't",
     "price gt sma150"),
    ("HYG: buy at or below RSI(14) 25, sell at or above 60", "rsi14 le 25"),
    ("Buy IWM on a 4% pullback below its 50-day SMA, target +6%, stop -3%.",
     "price lt sma50-4%"),
    ("What I do by hand: at the end of each day, if EEM is above its 50-day SMA, I buy EEM. Sell "
     "EEM when it closes below its 50-day SMA.", "price gt sma50"),
])
def test_wordings_of_one_rule(text: str, entry: str) -> None:
    assert _conds(_parse(text).entry) == [entry]


def test_cut_at_is_the_stop_and_entry_is_simple_a_label() -> None:
    spec = _parse("I take profits at 12% and cut at 6%. Entry is simple: EFA crossing above its "
                  "100-day SMA. Sell if it crosses back below the 100-day.")
    assert spec.risk.stop_loss_pct == 6
    assert spec.risk.take_profit_pct == 12
    assert _conds(spec.entry) == ["price crosses_above sma100"]


def test_same_exit_as_usual_the_opposite_cross() -> None:
    spec = _parse("buy GLD when its 10-day EMA crosses above the 40-day EMA. Same exit as usual, "
                  "the opposite cross.")
    assert _conds(spec.exit) == ["ema10 crosses_below ema40"]


def test_the_usual_width_said_to_be_replaced() -> None:
    spec = _parse("buy QQQ when it closes under the lower bollinger band using 3 standard "
                  "deviations instead of 2 and sell it 4 days later")
    assert _conds(spec.entry) == ["price lt bb_lower20[3]"]


@pytest.mark.parametrize("said, n, k", [("standard 20/2", 20, 2.0), ("bands 10/1.5", 10, 1.5),
                                        ("bollinger 30/2.5", 30, 2.5)])
def test_band_settings_said_alone_after_the_rules(said: str, n: int, k: float) -> None:
    spec = _parse(f"buy GLD when it closes above the upper bollinger band, sell when it closes "
                  f"back below the middle band. {said}.")
    right = spec.entry.flat()[0].right
    assert (right.period, right.num_std) == (n, k)


def test_band_settings_said_alone_against_the_rules_own_are_refused() -> None:
    _refused("buy GLD when it closes above the upper 10 day bollinger band, sell when it closes "
             "back below the middle band. standard 20/2.")


def test_whichever_is_stronger_with_the_two_said_after() -> None:
    spec = _parse("each month just hold whichever is stronger over the past 6 months, SPY or EFA")
    assert spec.allocation.kind == "momentum_rotation"
    assert (spec.allocation.top_n, spec.allocation.lookback_days) == (1, 126)


def test_half_in_each_of_the_top_two() -> None:
    spec = _parse("each quarter put half in each of the top two of SPY QQQ IWM and EFA ranked by "
                  "3 month return")
    assert (spec.allocation.top_n, spec.allocation.lookback_days) == (2, 63)


def test_a_reason_that_says_the_stop_again() -> None:
    spec = _parse("I can't afford to lose more than 8% on anything, so sell if it drops 8% below "
                  "my buy price. Buy QQQ when it closes above its 20 day high and sell when it "
                  "closes below its 20 day low.")
    assert spec.risk.stop_loss_pct == 8


def test_a_reason_whose_number_is_not_the_stop_is_refused() -> None:
    _refused("I can't afford to lose more than 10% on anything, so sell if it drops 8% below my "
             "buy price. Buy QQQ when it closes above its 20 day high.")


@pytest.mark.parametrize("tail", [", can you set that up", ". could you build this for me?",
                                  ". Can you set it up please"])
def test_a_request_after_the_rules(tail: str) -> None:
    spec = _parse(f"buy QQQ when the 50 day average crosses above the 200 day average and sell "
                  f"when it crosses back below{tail}")
    assert _conds(spec.entry) == ["sma50 crosses_above sma200"]


def test_a_fund_the_writer_used_the_rule_on() -> None:
    spec = _parse("I've used this on TIP for a while - hold it as long as the 20-day EMA is at or "
                  "above the 60-day EMA, otherwise be in cash.")
    assert spec.symbols == ["TIP"]
    assert _conds(spec.entry) == ["ema20 ge ema60"]


def test_a_greeting_with_a_dash_before_a_title() -> None:
    spec = _parse("Hey - two-fund thing: hold QQQ and GLD equally and rebalance each quarter.")
    assert spec.allocation.weights == pytest.approx({"QQQ": 0.5, "GLD": 0.5})


@pytest.mark.parametrize("said", ["TLT only gets bought when", "TLT gets bought only when",
                                  "TLT should only be bought when"])
def test_only_bought_in_the_passive(said: str) -> None:
    spec = _parse(f"{said} it's above its 50-day SMA; I sell on a close below the 50-day.")
    assert spec.symbols == ["TLT"]
    assert _conds(spec.entry) == ["price gt sma50"]


# -- remarks and reports around the rule (`asides`) ----------------------------------------------
@pytest.mark.parametrize("remark", [
    "My wife thinks this is silly.",
    "To clarify, this is my first bot.",
    "I hope this makes sense.",
])
def test_a_remark_that_holds_no_trading_word_is_set_aside(remark: str) -> None:
    spec = _parse(f"{remark} Buy EFA when it closes above its 100-day SMA and sell when it "
                  f"closes below it.")
    assert _conds(spec.entry) == ["price gt sma100"]


@pytest.mark.parametrize("text", [
    # a weekday, a size, a side: never a remark
    "Hold SPY above its 200 day SMA else SHY, checked on Wednesdays",
])
def test_what_looks_like_a_remark_but_says_something_is_refused(text: str) -> None:
    _refused(text)


def test_a_clause_that_says_out_is_never_a_remark() -> None:
    spec = _parse("At each month end, if EFA's monthly close is above its 10-month average I own "
                  "it; if the monthly close is below that average, I'm out.")
    assert _conds(spec.exit) == ["price:monthly lt sma10:monthly"]


@pytest.mark.parametrize("report", [
    "Paul Tudor Jones said in an interview that he doesn't own anything below its 200-day "
    "moving average. So",
    "I read that the 200-day average keeps you out of crashes.",
    "My brother-in-law trades the golden cross and it does badly for him. I'll do this instead:",
])
def test_what_someone_else_said_before_the_writers_rule(report: str) -> None:
    spec = _parse(f"{report} I hold SPY while it's above its 200-day and sell when it closes "
                  f"under it.")
    assert _conds(spec.entry) == ["price gt sma200"]


@pytest.mark.parametrize("report", [
    # the report adds a control, a length or a limit the writer's rule does not say
    "My coach says always use a 5% stop.",
    "I read that the 150-day works better.",
    "My favorite youtuber says never hold less than 5 days.",
])
def test_a_report_that_adds_to_the_rule_is_never_set_aside(report: str) -> None:
    text = (f"{report} So I hold SPY while it's above its 200-day and sell when it closes under "
            f"it.")
    try:
        spec = _parse(text)
    except ParseError:  # refused is as right as read
        return
    # read, the report's addition is in the spec, never dropped
    assert spec.risk.stop_loss_pct == 5 or spec.risk.min_hold_bars == 5 or any(
        "150" in c for c in conditions_text(spec.entry))


@pytest.mark.parametrize("text", [
    "mdy 10/30 sma cross system, long only. buy the cross up, sell the cross down",
    "MDY 10/30 SMA crossover - long-only",
])
def test_long_only_says_no_short(text: str) -> None:
    spec = _parse(text)
    assert _conds(spec.entry) == ["sma10 crosses_above sma30"]


def test_an_arrow_to_hold_cash() -> None:
    spec = _parse("price above the 10-month moving average = own EFA, below it = hold cash.")
    assert _conds(spec.exit) == ["price lt sma210"]


# -- dual momentum said as a comparison ---------------------------------------------------------
@pytest.mark.parametrize("row", _grid(
    2602, 10,
    pick=["compare SPY with EFA on their 12-month return and hold the winner",
          "SPY against EFA, pick the winner by 12 month return",
          "compare SPY and EFA on 12 month return, hold the stronger one",
          "look at how much SPY and EFA have gone up over the past 12 months. Buy whichever one "
          "did better"],
    filt=["; if the winner's 12-month return isn't positive, hold AGG",
          ". If it is not positive, buy AGG",
          ", and if the winner's return isn't positive go to AGG"],
))
def test_dual_momentum_said_as_a_comparison(row: dict[str, str]) -> None:
    spec = _parse(f"Every month {row['pick']}{row['filt']}.")
    allocation = spec.allocation
    assert allocation.kind == "momentum_rotation"
    assert spec.symbols == ["SPY", "EFA"]
    assert (allocation.top_n, allocation.lookback_days) == (1, 252)
    assert allocation.require_positive_momentum
    assert allocation.alternative == "AGG"


def test_a_winner_with_one_fund_is_no_rotation() -> None:
    _refused("Hold the winner of SPY when its 12 month return is positive.")


# -- a size said last, an equal mix, a note's fund then its rule --------------------------------
@pytest.mark.parametrize("text", [
    "Golden cross on MDY, sell on the death cross, invest $3,000 each time.",
    "Golden cross on MDY, sell on the death cross and put $3,000 in each time",
])
def test_a_size_said_last_is_the_size_of_the_rules_buys(text: str) -> None:
    spec = _parse(text)
    assert _conds(spec.entry) == ["sma50 crosses_above sma200"]
    assert spec.allocation.amount == 3000


def test_a_buy_said_with_its_amount_stays_the_buy() -> None:
    spec = _parse("Every time SPY's RSI(2) closes below 5, buy $2,000 worth. Sell when RSI(2) is "
                  "above 50.")
    assert _conds(spec.entry) == ["rsi2 lt 5"]
    assert spec.allocation.amount == 2000


@pytest.mark.parametrize("said", ["an equal mix of", "equal amounts in", "an even split between"])
def test_an_equal_mix_of_funds(said: str) -> None:
    spec = _parse(f"buy and hold {said} VTI and GLD, never rebalance")
    assert spec.allocation.weights == pytest.approx({"VTI": 0.5, "GLD": 0.5})
    assert spec.allocation.buy_once


@pytest.mark.parametrize("text, entry", [
    ("EFA only when SPY > 200dma & EFA > 50dma; exit EFA < 50dma",
     ["price gt sma50", "price@SPY gt sma200@SPY"]),
    ("a third of my cash per trade: TLT when RSI14 < 30, out when RSI14 > 60.", ["rsi14 lt 30"]),
])
def test_a_notes_fund_then_when_it_is_bought(text: str, entry: list[str]) -> None:
    assert _conds(_parse(text).entry) == entry


def test_a_fund_then_when_with_no_sell_stays_refused() -> None:
    _refused("EFA when SPY > 200dma.")


@pytest.mark.parametrize("text", [
    "HYG, 20 day moving average. Above it = buy, below it = sell.",
    "HYG 20 day sma: price above it = long, price below it = cash.",
])
def test_a_line_said_alone_then_compared_with_as_it(text: str) -> None:
    spec = _parse(text)
    assert _conds(spec.entry) == ["price gt sma20"]
    assert _conds(spec.exit) == ["price lt sma20"]


def test_a_line_said_alone_beside_another_line_is_not_guessed() -> None:
    _refused("HYG, 20 day moving average. Above it = buy, below the 50 day = sell.")


# -- a distance said again without its line, the most a trade may lose, small wordings --------
@pytest.mark.parametrize("text, exit_", [
    ("TLT: buy when the close is 2% above the 100 SMA, sell when it's 2% below",
     "price lt sma100-2%"),
    ("when MDY's 20 day SMA is more than 3% above its 100 day SMA it buys, and when it's more "
     "than 3% below it sells", "sma20 lt sma100-3%"),
])
def test_a_distance_said_again_without_its_line(text: str, exit_: str) -> None:
    assert _conds(_parse(text).exit) == [exit_]


def test_a_distance_without_a_line_beside_two_lines_is_not_guessed() -> None:
    _refused("buy when the close is 2% above the 100 SMA and 1% above the 50 EMA, sell when it's "
             "2% below. TLT.")


@pytest.mark.parametrize("said", ["nothing over 6% on a trade", "never lose more than 6% per trade",
                                  "max loss of 6% per trade"])
def test_the_most_a_trade_may_lose_is_the_stop(said: str) -> None:
    spec = _parse(f"Buy EEM when the 50-day SMA crosses above the 200-day and sell on the cross "
                  f"back down. {said}.")
    assert spec.risk.stop_loss_pct == 6


@pytest.mark.parametrize("text", [
    "Buy IWM when its 10-day EMA crosses above its 30-day EMA, and sell on the reverse cross "
    "with the same two averages.",
    "Once more, with the reason: buy IWM when its 10-day EMA crosses above its 30-day EMA; sell "
    "on the reverse cross.",
])
def test_small_wordings_around_a_crossing(text: str) -> None:
    assert _conds(_parse(text).entry) == ["ema10 crosses_above ema30"]


def test_the_regular_rsi_and_once_a_month_at_most() -> None:
    assert _conds(_parse("Buy QQQ when the regular 14-day RSI is below 25, and sell when the "
                         "2-day RSI is above 80.").entry) == ["rsi14 lt 25"]
    spec = _parse("Put my money in whichever was better over the past 3 months, SPY or TLT. "
                  "Switch once a week at most.")
    assert spec.schedule == "weekly"
