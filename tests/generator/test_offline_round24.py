"""The twenty-fourth round: beginners, read as a class (blind sets 66, read now, and 69, written
to be read; 70 and 71 kept unseen).

- "above both" / "below both" as the other side of a comparison: once for each of the two
  lines the text compared before (the second line was dropped before: two wrong specs, found in
  set 69); with other than two such lines, refused;
- "buy when A, as long as B" with a stop, target or time exit said: B filters the buys, the
  controls close them (the negated buy rule was added before: a wrong spec, found in set 71);
- explanations (a bracket, a "which is ..." clause, a sentence defining a word, "this is
  called ..."): dropped only when they add nothing (no rule word, no new fund, every number
  said elsewhere or the usual setting of what they explain);
- the sell said as the buy rule ceasing ("sell when its not anymore", "switch to cash when it
  isn't", "otherwise don't own it"), "the reverse to sell" of one condition;
- weights said as bare numbers ("60 spy 40 agg", only when they add up to 100); a chat's
  asides; the passive ("i want qqq bought on ... and dumped on ..."); gains and time exits in
  the writer's words.
"""

from __future__ import annotations

import pytest
from corpus_support import Case, conditions_text, judge
from grid_support import grid as _grid
from grid_support import parse_stored as _parse
from grid_support import refused as _refused


def _conds(rule: object) -> list[str]:
    return sorted(conditions_text(rule))


# -- "both" as the other side of a comparison ----------------------------------------------------
@pytest.mark.parametrize("text", [
    "buy IYR when the 20 ema is above the 50 ema and price is above both, sell when price closes"
    " under the 20 ema",
    "he said buy when the 20 ema is above the 50 ema and the price is above both of them. sell"
    " when the price closes under the 20 ema. do it on iyr",
])
def test_above_both_reads_the_two_lines_of_the_condition_before(text: str) -> None:
    spec = _parse(text)
    assert spec.symbols == ["IYR"]
    assert _conds(spec.entry) == ["ema20 gt ema50", "price gt ema20", "price gt ema50"]
    assert _conds(spec.exit) == ["price lt ema20"]


@pytest.mark.parametrize("sym", ["TIP", "GLD"])
def test_below_both_in_the_sell_reads_the_lines_of_the_buy_rule(sym: str) -> None:
    spec = _parse(f"Could you have it buy {sym} whenever it's above the 50-day average or above"
                  " the 200-day average, and sell only when it's below both?")
    assert spec.entry.combine == "any"
    assert _conds(spec.entry) == ["price gt sma200", "price gt sma50"]
    assert spec.exit.combine == "all"
    assert _conds(spec.exit) == ["price lt sma200", "price lt sma50"]


@pytest.mark.parametrize("text", [
    "buy SPY when it is above both",  # no line said before
    "buy SPY when RSI is under 30 and it is above the 50 day and 100 day and 200 day, sell when"
    " it is below both",  # three lines: which two?
])
def test_both_with_other_than_two_lines_is_refused(text: str) -> None:
    _refused(text)


# -- "as long as" after a buy rule, with the controls said ---------------------------------------
@pytest.mark.parametrize("parts", _grid(24, 12, trigger=[
    "on a close below the lower Bollinger band", "when RSI(2) is under 10",
    "when it closes down 3 days in a row"], filter=[
    ", as long as it's still above the 200-day SMA", " as long as it is above its 200 day sma",
    ", as long as the price is above the 200-day moving average"], controls=[
    "Sell after a month or at a 5% gain.", "Sell after 21 days or at a 5% gain.",
    "Exit at a 5% profit or after 21 trading days."]))
def test_a_filter_said_with_as_long_as_is_no_hold_when_controls_close(
        parts: dict[str, str]) -> None:
    spec = _parse(f"Dip buyer: buy QQQ {parts['trigger']}{parts['filter']}. {parts['controls']}")
    assert "price gt sma200" in _conds(spec.entry) and len(spec.entry.conditions) == 2
    assert spec.exit is None
    assert spec.risk.take_profit_pct == 5 and spec.risk.max_hold_bars == 21


def test_as_long_as_with_no_sell_said_stays_the_hold() -> None:
    spec = _parse("buy QQQ when rsi2 is under 10, as long as it's above the 200-day SMA.")
    assert spec.exit is not None and spec.exit.combine == "any"
    assert _conds(spec.exit) == ["price lt sma200", "rsi2 gt 10"]


# -- explanations --------------------------------------------------------------------------------
_GOLDEN = ("I would like to buy VTI when the 50-day moving average{a} rises above the 200-day"
           " moving average{b}.{c} I'd like to sell when the 50-day falls back below the 200-day.")


@pytest.mark.parametrize("parts", _grid(241, 16, a=[
    "", " (the average of the last 50 closing prices)", " (the average closing price over 50"
    " days)", " (which is just the average of the last 50 closes)"], b=[
    "", " (the same thing but over 200 days)", " (the slow one, 200 days)"], c=[
    "", " I read that this is called the moving average method.",
    " I think it is called a moving average system."]))
def test_an_explanation_that_adds_nothing_is_dropped(parts: dict[str, str]) -> None:
    spec = _parse(_GOLDEN.format(**parts))
    assert _conds(spec.entry) == ["sma50 crosses_above sma200"]
    assert _conds(spec.exit) == ["sma50 crosses_below sma200"]


@pytest.mark.parametrize("text", [
    "Sorry in advance. The RSI, as I understand it, measures how much a fund has gone up versus"
    " down over the last 14 days on a 0 to 100 scale. I want to buy QQQ when the RSI is below 30."
    " Then I'd sell when the RSI is back above 50.",
    "I want to explain my reasoning first. MACD is the difference between the 12-day and 26-day"
    " exponential averages, and the signal line is a 9-day average of that. When the MACD line"
    " crosses up through the signal line I'd like to buy QQQ, and when it crosses back down"
    " through it I'd like to sell.",
    "Bollinger Bands are lines 2 standard deviations below and above the 20-day average. I want"
    " to buy QQQ when the price closes below the lower band. I'd sell when it closes above the"
    " upper band.",
])
def test_a_sentence_defining_a_word_with_its_usual_settings_is_dropped(text: str) -> None:
    spec = _parse(text)
    assert spec.symbols == ["QQQ"] and spec.exit is not None


@pytest.mark.parametrize("text", [
    # a setting said only in the explanation: never dropped (refused, or read as the setting)
    "buy VTI when the 50-day moving average (the average of the last 40 closing prices) crosses"
    " above the 200-day",
    "Buy SPY when RSI is under 30, sell when RSI is over 70. The RSI is a 2-day oscillator.",
    # a rule inside the explanation
    "The breakout is when the close goes above the 55-day high. Buy DBC on that.",
    # a crossing named: the readers of names check it against the rule, never dropped unread
    "I would like to buy VTI when the 50-day moving average rises above the 200-day moving"
    " average. I read that this is called a death cross. I'd like to sell when the 50-day falls"
    " back below the 200-day.",
    # a filter said as a definition: a rule word, never an explanation (its numbers said
    # elsewhere would have let it go)
    "Buy SPY when RSI is under 30, sell when it closes below its 200 day moving average. The"
    " filter is SPY above its 200 day moving average.",
    # a side said again in a bracket, the other way
    "buy IEF when it closes above its 80 day sma (price under the 80 day), sell when it closes"
    " below",
])
def test_an_explanation_that_says_more_is_not_dropped(text: str) -> None:
    _refused(text)


def test_a_bracket_of_settings_is_never_an_explanation() -> None:
    spec = _parse("EFA: entry = close < lower BB(20, 3), exit = close > upper BB(20, 3)")
    assert spec.entry.conditions[0].right.num_std == 3


def test_an_explanation_is_reported_as_ignored() -> None:
    from corpus_support import STORED_SYMBOLS

    from generator.providers.offline.parser import parse_text

    parsed = parse_text("buy GLD when it closes above its 100-day SMA, which is the average of"
                        " the last 100 closes, and sell when it closes below",
                        known_symbols=set(STORED_SYMBOLS))
    assert any("which is the average" in said for said in parsed.ignored)


# -- the sell said as the buy rule ceasing -------------------------------------------------------
@pytest.mark.parametrize("parts", _grid(242, 16, hold=[
    "own IYR while RSI is over 50", "Hold IYR when its RSI is above 50",
    "can you set up something that holds IYR only while its RSI is over 50"], sell=[
    ", sell when its not anymore", " and switch to cash when it isn't",
    " and goes to cash when its not", ", otherwise dont own it", ", and not own it otherwise",
    ", otherwise I don't want to hold it"]))
def test_the_sell_said_as_the_rule_ceasing(parts: dict[str, str]) -> None:
    spec = _parse(parts["hold"] + parts["sell"])
    assert _conds(spec.entry) == ["rsi14 gt 50"] and _conds(spec.exit) == ["rsi14 lt 50"]


@pytest.mark.parametrize("text", [
    "I want SPY when the 20-day SMA is over the 100-day SMA, and the reverse to sell.",
    "buy SPY when the 20 day sma is above the 100 day sma, do the opposite to exit",
])
def test_the_reverse_of_one_state_is_its_negation(text: str) -> None:
    spec = _parse(text)
    assert _conds(spec.entry) == ["sma20 gt sma100"] and _conds(spec.exit) == ["sma20 lt sma100"]


def test_the_reverse_of_a_crossing_and_of_several_conditions() -> None:
    spec = _parse("buy qqq when the 8 day ema crosses above the 21 day ema and the reverse to sell")
    assert _conds(spec.exit) == ["ema8 crosses_below ema21"]
    # all of them reversed, or any? not guessed
    _refused("buy qqq when rsi is under 30 and price is above the 200 day, and the reverse to"
             " sell")


# -- weights as bare numbers ---------------------------------------------------------------------
@pytest.mark.parametrize(("text", "weights"), [
    ("can i do 60 spy 40 agg and rebalance it every month", {"SPY": 0.6, "AGG": 0.4}),
    ("spy 50 efa 25 agg 25, rebalance every quarter", {"SPY": 0.5, "EFA": 0.25, "AGG": 0.25}),
    ("40 vti 20 efa 20 ief 10 gld 10 vnq, rebalance every month",
     {"VTI": 0.4, "EFA": 0.2, "IEF": 0.2, "GLD": 0.1, "VNQ": 0.1}),
])
def test_bare_numbers_that_add_up_to_100_are_weights(text: str, weights: dict[str, float]) -> None:
    assert _parse(text).allocation.weights == weights


def test_bare_numbers_that_do_not_add_up_are_no_weights() -> None:
    _refused("buy 60 SPY 30 AGG")
    _refused("spy 50 efa 25 agg 35, rebalance every quarter")


# -- a chat's asides, the passive ----------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "buy iwm if rsi is below 30 and sell it once rsi is over 70 idk if thats good lol",
    "idk if this is dumb but buy iwm whenever the rsi is under 30 and dump it once rsi is over 70",
    "i keep losing money lol so pls buy iwm when rsi is under 30 and sell when rsi is over 70",
    "im trying to make a strat where i buy iwm when rsi is under 30, sell when rsi is over 70",
    "yo whats up buy iwm when rsi is under 30 and sell when rsi is over 70 pls",
    "ok last one lol: buy iwm when rsi is under 30, sell when rsi is over 70",
])
def test_a_chats_asides_say_nothing(text: str) -> None:
    spec = _parse(text)
    assert _conds(spec.entry) == ["rsi14 lt 30"] and _conds(spec.exit) == ["rsi14 gt 70"]


def test_the_buy_and_sell_said_in_the_passive() -> None:
    spec = _parse("yo i want qqq bought on the golden cross and dumped on the death cross pls")
    assert spec.symbols == ["QQQ"]
    assert _conds(spec.entry) == ["sma50 crosses_above sma200"]
    assert _conds(spec.exit) == ["sma50 crosses_below sma200"]


# -- gains and time exits in the writer's words ---------------------------------------------------
@pytest.mark.parametrize(("text", "take", "hold"), [
    ("buy iwm when it falls 5 days straight then sell when its up 10% or after 15 days", 10, 15),
    ("Buy MDY when it closes down 3 days in a row. I'd sell if it gains 25% or after 10 days.",
     25, 10),
    ("buy spy after it goes down 3 days in a row then sell like 5 days later", None, 5),
    ("buy SPY when RSI(2) is under 10, takes profit at 4%", 4, None),
])
def test_gains_and_time_exits_in_other_words(text: str, take: float | None,
                                             hold: int | None) -> None:
    spec = _parse(text)
    assert spec.exit is None
    assert spec.risk.take_profit_pct == take and spec.risk.max_hold_bars == hold


def test_the_stop_below_the_price_paid() -> None:
    spec = _parse("My rule for HYG: buy when the price crosses above its 50-day average, and sell"
                  " when the price crosses back below it. I also want a safety stop loss 4%"
                  " below the price I paid.")
    assert spec.risk.stop_loss_pct == 4


def test_a_gain_followed_by_its_action_is_read_whole() -> None:
    spec = _parse("buy qqq when it's above its 100 day average. if it goes up 10% take the"
                  " profit, and if it drops 5% from what i paid get me out")
    assert spec.risk.take_profit_pct == 10 and spec.risk.stop_loss_pct == 5


# -- the corpus's judge: one notation for one meaning ---------------------------------------------
def test_the_judge_reads_a_line_below_the_price_as_the_price_above_it() -> None:
    spec = _parse("be invested in EFA when the 10-month moving average is below the price,"
                  " otherwise sit in cash")
    case = Case(set="x", text="", facts={"symbols": "EFA", "entry": "price gt sma210",
                                         "exit": "price lt sma210"}, line=0)
    assert judge(case, spec, refused=False) == (True, "")
    wrong = Case(set="x", text="", facts={"entry": "price lt sma210"}, line=0)
    assert not judge(wrong, spec, refused=False)[0]


# -- settings said around the rule ---------------------------------------------------------------
@pytest.mark.parametrize(("text", "num_std"), [
    ("Buy GLD when it closes below the lower band, using the usual settings of 20 days and 2"
     " standard deviations. Sell when it closes back above the middle band.", 2.0),
    ("the video used 20 day bollinger bands with 2.5 standard deviations instead of 2, buy GLD"
     " when it closes under the lower band and sell when it closes over the middle band", 2.5),
])
def test_the_bands_settings_said_around_the_rule(text: str, num_std: float) -> None:
    spec = _parse(text)
    assert spec.entry.conditions[0].right.num_std == num_std
    assert spec.entry.conditions[0].right.period == 20


def test_the_macd_settings_said_around_the_rule() -> None:
    spec = _parse("I'd like to buy IEV when the MACD histogram is positive and sell it when the"
                  " histogram turns negative. Please use the normal 12, 26, 9 settings.")
    assert spec.entry.conditions[0].left.fast == 12
    spec = _parse("The book I'm reading says to use MACD with 8, 21, 5 settings instead of the"
                  " normal ones. Buy EEM when MACD crosses above its signal line and sell on the"
                  " cross down.")
    left = spec.entry.conditions[0].left
    assert (left.fast, left.slow, left.signal) == (8, 21, 5)
    # a list of numbers after "instead of" is the corrections' to read, not dropped here
    spec = _parse("On QQQ, use 8, 21, 5 instead of 12, 26, 9, and buy when the MACD line crosses"
                  " up through its signal line, sell when it crosses back down")
    assert spec.entry.conditions[0].left.fast == 8


# -- more of the beginners' words ----------------------------------------------------------------
@pytest.mark.parametrize(("text", "entry", "exit_"), [
    ("own QQQ only while its price is above the average closing price of the last 200 days."
     " Whenever the price is under that average, I want to be completely out of it.",
     ["price gt sma200"], ["price lt sma200"]),
    ("I want to hold IYR while its price is above its 200 day sma. If the price is below that"
     " average, I'd like to sell it and wait.", ["price gt sma200"], ["price lt sma200"]),
    ("For VNQ I only want to buy when the price is more than 2% above its 50-day average price."
     " I would sell if the price closes below the 50-day average.", ["price gt sma50+2%"],
     ["price lt sma50"]),
    ("buy iwm on the golden cross, hold till the death cross and then get out",
     ["sma50 crosses_above sma200"], ["sma50 crosses_below sma200"]),
    ("Put me in SHY whenever TLT is below its 100-day average, and pull me out when TLT is back"
     " above it.", ["price@TLT lt sma100@TLT"], ["price@TLT gt sma100@TLT"]),
    ("Hi! Could you buy DBC when its 50-day EMA crosses above its 100-day EMA? I don't know what"
     " the sell should be, so just the opposite I guess.", ["ema50 crosses_above ema100"],
     ["ema50 crosses_below ema100"]),
    ("I want to buy MDY when its 126-day rate of change is positive, and sell it when it isn't"
     " positive anymore.", ["roc126 gt 0"], ["roc126 lt 0"]),
])
def test_the_rule_in_a_beginners_words(text: str, entry: list[str], exit_: list[str]) -> None:
    spec = _parse(text)
    assert _conds(spec.entry) == entry and _conds(spec.exit) == exit_


@pytest.mark.parametrize(("text", "weights"), [
    ("This youtuber does the 60/40: 60% stocks (he uses VTI) and 40% bonds (he uses IEF),"
     " rebalanced every 6 months.", {"VTI": 0.6, "IEF": 0.4}),
    ("Right now I hold 70% VTI and 30% IEF. Instead of rebalancing on a calendar, I would like to"
     " rebalance only when one of them drifts more than 5 percentage points away from its"
     " target.", {"VTI": 0.7, "IEF": 0.3}),
])
def test_a_portfolio_in_a_beginners_words(text: str, weights: dict[str, float]) -> None:
    assert _parse(text).allocation.weights == weights


@pytest.mark.parametrize("text", [
    "Every quarter I want to look at IEF, TLT, LQD, HYG and TIP, and buy only the one that had"
    " the highest return over the past 12 months.",
    "Each quarter buy the one of IEF, TLT, LQD, HYG and TIP that has gone up the most over the"
    " past 12 months",
])
def test_the_pick_said_as_the_one_that(text: str) -> None:
    allocation = _parse(text).allocation
    assert allocation.kind == "momentum_rotation"
    assert allocation.top_n == 1 and allocation.lookback_days == 252


@pytest.mark.parametrize("text", [
    "I'm a beginner. I'd like to buy SPY when the 9-day EMA crosses above the 21-day EMA. I'd"
    " like to sell only with a 10% profit target or a 5% stop loss, nothing else.",
    "would it be possible to buy spy when its 9 day ema is above its 21 day ema and take a 10%"
    " profit or a 5% loss, nothing else",
])
def test_the_controls_said_as_the_only_way_out(text: str) -> None:
    spec = _parse(text)
    assert spec.exit is None
    assert (spec.risk.take_profit_pct, spec.risk.stop_loss_pct) == (10, 5)


def test_sizes_and_holds_in_a_beginners_words() -> None:
    spec = _parse("I don't want to go all in on every trade. Each time I buy, I want to use 25% of"
                  " my account. The rule is: buy TLT when its 20-day average crosses above its"
                  " 50-day average, and sell when the 20-day average crosses back below the"
                  " 50-day.")
    assert spec.allocation.fraction == 0.25
    spec = _parse("hold SPY while it's above the 150-day average and sell when it's not, but only"
                  " sell once I've held it at least 10 days.")
    assert spec.risk.min_hold_bars == 10 and spec.risk.max_hold_bars is None
    # without "at least", the same words are a time exit
    spec = _parse("buy SPY when rsi is below 30 and sell once I've held it 10 days")
    assert spec.risk.max_hold_bars == 10 and spec.risk.min_hold_bars is None
    spec = _parse("When HYG closes below its lower Bollinger Band, I buy. I sell when it closes"
                  " above the upper band, but I don't want to sell in the first 3 days after"
                  " buying, even if that happens.")
    assert spec.risk.min_hold_bars == 3
