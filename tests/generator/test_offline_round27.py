"""The twenty-seventh round: sets 74 (ordinary traders) and 75 (ordinary non-traders), unseen
through round 26, read now; 76 and 77 (ordinary users of two kinds) written blind and kept
unseen, except the first-run wrong specs, read alone and fixed at their cause:

- a bare number in a title is a length in days or bars, never a period in weeks, months or
  years unless the title says the unit ("Ten grand a trade." had matched the 50-day high as 10
  weeks, and the size was dropped with the title); "ten grand", "5 grand" are thousands of
  dollars;
- "on SPY's death cross" in a rule of another fund is SPY's event, not a buy of SPY;
- after a rule on the fund's price and on a moving average, "it" in the next rule is the fund
  ("buy QQQ when it's above the 50 day and the 50 day is above the 200 day. sell if it drops
  below the 200");
- and the wordings of sets 74 and 75 read at their cause (see each test).
"""

from __future__ import annotations

import pytest
from corpus_support import conditions_text
from grid_support import grid as _grid
from grid_support import parse_stored as _parse
from grid_support import refused as _refused

from generator.providers.offline import ParseError


def _conds(rule: object) -> list[str]:
    return sorted(conditions_text(rule))


# -- first-run wrong specs of the unseen sets ------------------------------------------------------
@pytest.mark.parametrize("row", _grid(
    27, 8,
    size=["Ten grand a trade.", "10 grand per trade:", "Five grand a trade -", "$7,500 a trade."],
    rule=["Buy QQQ when it closes above the 50-day high, ride it with a 15% trailing stop.",
          "Buy QQQ when it closes above its 50 day high and sell at a 15% trailing stop.",
          "buy QQQ on a close above the 50 day high, 15% trailing stop"],
))
def test_a_size_said_as_a_title_is_the_size(row: dict[str, str]) -> None:
    spec = _parse(f"{row['size']} {row['rule']}")
    amount = {"Ten": 10000, "10 ": 10000, "Fiv": 5000, "$7,": 7500}[row["size"][:3]]
    assert spec.allocation.kind.value == "fixed_amount"
    assert spec.allocation.amount == amount
    assert _conds(spec.entry) == ["price gt hh50"]
    assert spec.risk.trailing_stop_pct == 15


@pytest.mark.parametrize("text", [
    # a bare number in a title is no period in weeks: 10 is not the 50-day high's 10 weeks
    "Ten apples. Buy QQQ when it closes above the 50-day high, 15% trailing stop.",
    "Plan 10: buy QQQ when it closes above the 50-day high, 15% trailing stop.",
    "Plan 12: buy SPY when it's above the 252-day SMA, sell when it's below.",
])
def test_a_bare_title_number_is_no_period_in_other_units(text: str) -> None:
    with pytest.raises(ParseError, match="in the title is not used"):
        _parse(text)


@pytest.mark.parametrize("text", [
    "10 week trend: buy QQQ when it closes above the 50-day SMA, sell below it.",
    "12 month rule: hold SPY while it's above its 252-day SMA, sell otherwise.",
])
def test_a_title_number_with_its_unit_is_a_period(text: str) -> None:
    spec = _parse(text)
    assert spec.symbols in (["QQQ"], ["SPY"])


@pytest.mark.parametrize("row", _grid(
    27, 8,
    buy=["Buy EFA when SPY's 50-day crosses above SPY's 200-day,", "buy EFA on SPY's golden cross,",
         "Buy EFA on the SPY golden cross", "I buy EFA after SPY's golden cross"],
    sell=["and sell on SPY's death cross.", "sell on SPY's death cross", "and sell at the SPY death"
          " cross"],
))
def test_a_cross_of_another_fund_is_its_event(row: dict[str, str]) -> None:
    spec = _parse(f"{row['buy']} {row['sell']}")
    assert spec.symbols == ["EFA"]
    assert _conds(spec.entry) == ["sma50@SPY crosses_above sma200@SPY"]
    assert _conds(spec.exit) == ["sma50@SPY crosses_below sma200@SPY"]


@pytest.mark.parametrize("row", _grid(
    27, 8,
    buy=["buy QQQ when it's above the 50 day and the 50 day is above the 200 day.",
         "Buy QQQ if it is above its 50-day SMA and the 50-day SMA is above the 200-day SMA.",
         "go long QQQ when it trades above the 50 dma and the 50 dma is over the 200 dma."],
    sell=["sell if it drops below the 200", "Sell when it falls under the 200-day SMA.",
          "exit when it closes below the 200 dma"],
))
def test_it_after_a_rule_on_the_fund_and_an_average_is_the_fund(row: dict[str, str]) -> None:
    spec = _parse(f"{row['buy']} {row['sell']}")
    assert _conds(spec.entry) == ["price gt sma50", "sma50 gt sma200"]
    assert _conds(spec.exit) == ["price lt sma200"]


@pytest.mark.parametrize("text,want", [
    # an oscillator last said is still what "it" is, compared with its own level
    ("buy SPY when the price is above the 200 day and RSI(2) is below 10, sell when it's above 70",
     ["rsi2 gt 70"]),
    # with no rule on the price, "it" is the average last said (the crossing)
    ("buy QQQ when the 50 day is above the 200 day. sell if it drops below the 200",
     ["sma50 crosses_below sma200"]),
])
def test_it_stays_the_last_subject_otherwise(text: str, want: list[str]) -> None:
    assert _conds(_parse(text).exit) == want


# -- a crossing named with its lines, and said again ----------------------------------------------
@pytest.mark.parametrize("row", _grid(
    27, 8,
    name=["QQQ with a 21/55 EMA crossover.", "21/55 ema cross on QQQ.",
          "QQQ, 21/55 EMA crossover:"],
    rule=["Enter on the bullish cross (21 over 55), exit on the bearish cross.",
          "in on the cross up (21 above 55), out on the cross down",
          "long on the bull cross (21 > 55), flat on the bear cross"],
))
def test_a_crossing_said_again_in_a_bracket(row: dict[str, str]) -> None:
    spec = _parse(f"{row['name']} {row['rule']}")
    assert _conds(spec.entry) == ["ema21 crosses_above ema55"]
    assert _conds(spec.exit) == ["ema21 crosses_below ema55"]


@pytest.mark.parametrize("text", [
    # numbers the text never said before are no restatement: left in, and refused
    "QQQ with a 21/55 EMA crossover. Enter on the bullish cross (10 over 30), exit on the bearish"
    " cross.",
    "Buy EWJ when its 63-day rate of change turns positive (above 5), sell when it drops below 0.",
])
def test_a_bracket_that_says_something_new_is_not_dropped(text: str) -> None:
    _refused(text)


def test_turns_positive_said_again_in_a_bracket() -> None:
    spec = _parse("Buy EWJ when its 63-day rate of change turns positive (above 0), sell when it "
                  "drops below 0.")
    assert _conds(spec.entry) == ["roc63 crosses_above 0"]


@pytest.mark.parametrize("text", [
    "Weekly 13/34 SMA crossover on SPY using weekly bars: buy when the 13-week SMA crosses above "
    "the 34-week SMA, sell when it crosses below.",
    "weekly 13/34 sma cross on SPY, long on the cross up, out on the cross down",
    "trade SPY with a weekly 13/34 sma crossover",
])
def test_a_weekly_pair_is_of_weekly_lines(text: str) -> None:
    spec = _parse(text)
    assert _conds(spec.entry) == ["sma13:weekly crosses_above sma34:weekly"]
    assert _conds(spec.exit) == ["sma13:weekly crosses_below sma34:weekly"]


def test_a_weekly_golden_cross_is_still_the_schedule() -> None:
    spec = _parse("weekly golden cross on SPY")
    assert _conds(spec.entry) == ["sma50 crosses_above sma200"]
    assert spec.schedule.value == "weekly"


# -- the events of a golden cross, said as what they are for --------------------------------------
@pytest.mark.parametrize("row", _grid(
    27, 10,
    buy=["gld golden cross (50 sma over 200 sma) to get in,", "GLD golden cross to enter,",
         "golden cross on GLD for the entry,", "GLD golden cross buy,", "GLD golden cross entry,"],
    sell=["sell if it ever closes 5% under the 200 day sma", "exit if it closes 5% below the 200"
          " day sma", "out when it closes more than 5% under the 200-day SMA"],
))
def test_a_golden_cross_to_get_in_and_a_close_under_a_line(row: dict[str, str]) -> None:
    spec = _parse(f"{row['buy']} {row['sell']}")
    assert spec.symbols == ["GLD"]
    assert _conds(spec.entry) == ["sma50 crosses_above sma200"]
    assert _conds(spec.exit) == ["price lt sma200-5%"]


def test_a_cross_of_other_lines_in_the_gloss_is_refused() -> None:
    _refused("gld golden cross (20 sma over 50 sma) to get in, sell if it closes 5% under the "
             "200 day sma")


@pytest.mark.parametrize("text", [
    "qqq golden cross buy, death cross sell pls",
    "QQQ golden cross to get in and death cross to get out",
    "Golden cross on QQQ to get in, death cross to get out.",
])
def test_golden_and_death_cross_said_with_their_verbs(text: str) -> None:
    spec = _parse(text)
    assert _conds(spec.exit) == ["sma50 crosses_below sma200"]


# -- one comparison with two lines; verbs of the writer --------------------------------------------
@pytest.mark.parametrize("row", _grid(
    27, 8,
    subj=["the close is", "it is", "DBC closes", "the price is"],
    lines=["above both the 50-day and the 200-day moving averages",
           "above both the 50 day and the 200 day sma", "above both its 50 and 200 day averages"],
))
def test_above_both_lines(row: dict[str, str]) -> None:
    spec = _parse(f"Buy DBC when {row['subj']} {row['lines']}. Sell when it closes below the "
                  "50-day.")
    assert _conds(spec.entry) == ["price gt sma200", "price gt sma50"]


def test_two_lines_with_one_kind_and_no_both_stay_refused() -> None:
    _refused("Buy DBC when it is above the 50 day and the 200 day ema. Sell when it closes below "
             "the 50-day.")


@pytest.mark.parametrize("text", [
    "For IYR I want in when the price crosses above the 200 day SMA and out when it crosses back "
    "below it.",
    "IYR: I want to be in when the price crosses above the 200 day SMA and I want out when it "
    "crosses back below it.",
    "if IYR crosses above its 200 day sma im in, if it crosses below im out",
])
def test_the_writer_wants_in_and_out(text: str) -> None:
    spec = _parse(text)
    assert spec.symbols == ["IYR"]
    assert _conds(spec.entry) == ["price crosses_above sma200"]
    assert _conds(spec.exit) == ["price crosses_below sma200"]


def test_a_notes_condition_held_while_another() -> None:
    spec = _parse("Connors-style thing I've been paper trading on QQQ: RSI(2) below 5 while price"
                  " is above the 200 SMA, exit when price closes above the 5-day SMA.")
    assert _conds(spec.entry) == ["price gt sma200", "rsi2 lt 5"]
    assert _conds(spec.exit) == ["price gt sma5"]


@pytest.mark.parametrize("text", [
    # a level and a number with nothing compared: still refused
    "QQQ: RSI(2) below 5 while 200, exit when price closes above the 5-day SMA.",
])
def test_a_while_with_nothing_compared_stays_refused(text: str) -> None:
    _refused(text)


@pytest.mark.parametrize("row", _grid(
    27, 6,
    rule=["Under 20 I buy, over 80 I sell.", "under 20 i buy , over 80 i sell",
          "Below 20 I'll buy, above 80 I sell it."],
))
def test_a_level_then_what_the_writer_does(row: dict[str, str]) -> None:
    spec = _parse(f"Use a 5 day RSI on HYG. {row['rule']}")
    assert _conds(spec.entry) == ["rsi5 lt 20"]
    assert _conds(spec.exit) == ["rsi5 gt 80"]


@pytest.mark.parametrize("text,entry", [
    ("so basically 3 avgs: buy IEV when 10 day > 30 day > 100 day, sell when the 10 goes under "
     "the 30", ["sma10 gt sma30", "sma30 gt sma100"]),
    ("buy IEV when the 20 day ema is above the 50 day ema above the 100 day ema, sell when the 20"
     " day ema crosses below the 50 day ema", ["ema20 gt ema50", "ema50 gt ema100"]),
])
def test_a_chain_of_comparisons(text: str, entry: list[str]) -> None:
    assert _conds(_parse(text).entry) == entry


def test_a_title_count_of_averages_must_match() -> None:
    _refused("so basically 4 avgs: buy IEV when 10 day > 30 day > 100 day, sell when the 10 goes "
             "under the 30")


@pytest.mark.parametrize("text,exit_", [
    ("When QQQ closes below the lower Bollinger band I want to buy, and I sell when it gets back "
     "up to the middle band.", ["price gt bb_middle20"]),
    ("For GLD please use the MACD with settings 8, 21 and 5. I buy on the crossing of MACD up "
     "over its signal and I sell on the crossing down.",
     ["macd[8,21,5] crosses_below macd_signal[8,21,5]"]),
    ("buy SPY on the crossing of the 50 day sma over the 200 day sma, sell on the crossing of the "
     "50 day sma under the 200 day sma", ["sma50 crosses_below sma200"]),
])
def test_plain_words_of_a_rule(text: str, exit_: list[str]) -> None:
    assert _conds(_parse(text).exit) == exit_


# -- exits and their controls ----------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "HYG mean reversion: buy when the 3-day RSI is below 15. Sell when RSI(3) goes above 80, or "
    "after 5 days if that hasn't happened.",
    "buy HYG when the 3-day RSI is below 15; sell when RSI(3) is over 80 or after 5 days if it "
    "didnt happen",
])
def test_a_time_exit_if_the_sell_has_not_happened(text: str) -> None:
    spec = _parse(text)
    assert _conds(spec.exit) == ["rsi3 gt 80"]
    assert spec.risk.max_hold_bars == 5


@pytest.mark.parametrize("text", [
    "Buy SPY on a golden cross and let a 15% trailing stop take me out - the trailing stop is the "
    "only exit, no death cross sell.",
    "Buy SPY on a golden cross with a 15% trailing stop. No selling on the death cross.",
    "Entry: SPY golden cross. Exit: 15% trailing stop only, nothing else.",
])
def test_the_control_as_the_only_exit(text: str) -> None:
    spec = _parse(text)
    assert spec.exit is None or not spec.exit.conditions
    assert spec.risk.trailing_stop_pct == 15


def test_a_control_named_with_its_size_as_the_only_exit() -> None:
    spec = _parse("Buy QQQ when it closes at a new 52-week high. A 15% trailing stop is my only "
                  "sell.")
    assert spec.risk.trailing_stop_pct == 15


@pytest.mark.parametrize("text,days", [
    ("qqq golden cross entry w/ a 15% trailing stop. also sell on a death cross but not before 20"
     " days in", 20),
    ("buy SPY when RSI(2) is below 10, sell when it's above 70 but not within 3 days of the buy",
     3),
    ("buy SPY when RSI(2) is below 10, sell when it's above 70, not before 3 days", 3),
])
def test_not_before_n_days_is_a_minimum_hold(text: str, days: int) -> None:
    assert _parse(text).risk.min_hold_bars == days


def test_cash_out_early_is_a_target() -> None:
    spec = _parse("Buy MDY when it closes above its 20-day high, sell if it closes below its "
                  "20-day low, and cash out early if I'm up 12%.")
    assert spec.risk.take_profit_pct == 12
    assert _conds(spec.exit) == ["price lt ll20"]


@pytest.mark.parametrize("slot", ["whatever slot isn't filled goes to BIL",
                                  "any empty slot goes to BIL", "unfilled slots go to BIL"])
def test_an_empty_slot_of_a_rotation(slot: str) -> None:
    spec = _parse("Top 2 of VTI, EFA, EEM, GLD, TLT, DBC and VNQ by 12-month return, monthly. "
                  f"Only hold ones with a positive 12-month return; {slot}.")
    assert spec.allocation.alternative == "BIL"
    assert spec.allocation.require_positive_momentum


def test_a_volatility_target_for_the_whole_thing() -> None:
    spec = _parse("60/40 SPY/IEF, rebalanced monthly, but scale the whole thing to target 10% "
                  "annual volatility.")
    assert spec.allocation.target_volatility_pct == 10


# -- what surrounds the rule --------------------------------------------------------------------
@pytest.mark.parametrize("row", _grid(
    27, 8,
    rule=["QQQ trend filter: own QQQ while it's above the 200-day simple moving average, otherwise"
          " sit in cash.", "hold QQQ while it's above its 200 day sma, sell when it's below."],
    after=["I used to check this by hand every evening and got tired of it.",
           "We used to check it by hand every weekend.",
           "I used to watch it every morning."],
))
def test_a_habit_the_writer_used_to_have(row: dict[str, str]) -> None:
    spec = _parse(f"{row['rule']} {row['after']}")
    assert _conds(spec.entry) == ["price gt sma200"]
    assert spec.schedule.value == "daily"


@pytest.mark.parametrize("text", [
    # a habit that says a trade is no remark
    "hold SPY while it's above the 200 day. I used to buy it every month.",
])
def test_a_habit_of_trading_is_read(text: str) -> None:
    _refused(text)


@pytest.mark.parametrize("text", [
    "I'm 68 and I manage my own IRA now that my advisor retired. I'd like to keep the money in VTI"
    " as long as it stays above its 200-day moving average, and move out to cash when it drops "
    "below that.",
    "My dad's rule from the 80s, which I'd like to test on VTI: be in the market when the price is"
    " above the 200-day, sell when it is below.",
    "since the early '90s I hold VTI while above the 200 day, sell below",
    "Copying a rule from a blog I follow: own VTI when its price is higher than its average price"
    " over the last 200 days, and go flat when it's lower.",
])
def test_stories_possessions_and_decades(text: str) -> None:
    spec = _parse(text)
    assert spec.symbols == ["VTI"]
    assert _conds(spec.entry) == ["price gt sma200"]


def test_a_decade_is_no_level() -> None:
    _refused("sell SPY when RSI is in the 70s")


@pytest.mark.parametrize("text", [
    "Buy VNQ when the 20-day SMA crosses above the 100-day SMA. Exit once price closes more than "
    "2% below the 100-day SMA, I don't want to get shaken out by small dips.",
])
def test_a_reason_for_an_offset(text: str) -> None:
    assert _conds(_parse(text).exit) == ["price lt sma100-2%"]


@pytest.mark.parametrize("text,period", [
    ("3 month sma trend on DBC, in when the price is above it, out when below", 63),
    ("200 day trend on DBC", 200),
    ("DBC 10 month sma trend, long above, flat below", 210),
])
def test_a_trend_named_as_the_whole_strategy(text: str, period: int) -> None:
    spec = _parse(text)
    assert _conds(spec.entry) == [f"price gt sma{period}"]
    assert _conds(spec.exit) == [f"price lt sma{period}"]


def test_a_trend_named_beside_other_rules_is_checked_as_a_title() -> None:
    _refused("50 day ema trend on QQQ: buy when RSI is under 30, sell above 70")


@pytest.mark.parametrize("text", [
    "boglehead 3 fund: vti 50, efa 30, agg 20. rebalance once a yr",
    "boglehead 3 fund: vti 50, efa 30, agg 20. rebalance every yr",
])
def test_a_year_said_short(text: str) -> None:
    assert _parse(text).schedule.value == "yearly"


def test_nobody_of_them_is_none_of_them() -> None:
    spec = _parse("Each 3 months I choose the best one from VNQ, GLD, DBC and TIP by the return of"
                  " the last 3 months, and if nobody of them is positive I keep BIL.")
    assert spec.allocation.alternative == "BIL"
    assert spec.allocation.require_positive_momentum


# -- sets 78 to 81, written blind and read in this round ---------------------------------------
@pytest.mark.parametrize("life", [
    "I'm 58 and hoping to retire in about seven years.", "My husband and I are 61 and 63.",
    "Retired nurse here, 72.", "Retired, 69.", "My mother is 81 and I manage her savings now.",
    "We have a 529 for each kid, but this is our taxable account.",
    "Our investment club (six of us, mostly retired engineers) voted on this.",
])
def test_the_writers_age_and_family_carry_no_number_of_the_rule(life: str) -> None:
    spec = _parse(f"{life} 60% SPY and 40% AGG, rebalanced once a year.")
    assert spec.allocation.weights == {"SPY": 0.6, "AGG": 0.4}


@pytest.mark.parametrize("after", ["I'm 63.", "Simple is better at my age (74).",
                                   "(she's 6)"])
def test_an_age_said_after_the_rule(after: str) -> None:
    spec = _parse(f"Hold SPY while it's above its 200-day SMA, sell when it's below. {after}")
    assert _conds(spec.entry) == ["price gt sma200"]


def test_a_number_said_as_a_level_is_no_age() -> None:
    # ("I'm 30" is an age; "RSI is 30" stays the rule's level)
    spec = _parse("buy SPY when RSI is under 30, sell when it's over 70. I'm 30.")
    assert _conds(spec.entry) == ["rsi14 lt 30"]


@pytest.mark.parametrize("text,entry", [
    ("A YouTuber keeps EEM only while its weekly close is above the 40-week SMA and dumps it on a"
     " weekly close below that line.", ["price:weekly gt sma40:weekly"]),
    ("My friend puts $2,500 into EEM every time its RSI(2) is below 5 and sells when RSI(2) goes "
     "above 50.", ["rsi2 lt 5"]),
    ("A podcast guy said he only buys EEM when SPY is above its 200-day, and he sells EEM when SPY"
     " falls below it.", ["price@SPY gt sma200@SPY"]),
    ("My coworker buys GLD when it closes above its 50-day SMA and sells when it closes below.",
     ["price gt sma50"]),
])
def test_a_rule_told_as_what_someone_else_does(text: str, entry: list[str]) -> None:
    assert _conds(_parse(text).entry) == entry


def test_someone_elses_account_size_is_the_size() -> None:
    spec = _parse("A friend's version of RSI-2 on QQQ: buy when RSI(2) is below 5, sell when it's "
                  "above 95, and he keeps it to a quarter of his account.")
    assert spec.allocation.fraction == 0.25


def test_an_account_is_not_a_someone() -> None:
    spec = _parse("QQQ: in when the 20-day EMA crosses over the 50-day EMA, out when the 20 falls"
                  " back under the 50. Only 30% of my account goes into it.")
    assert spec.allocation.fraction == 0.3


@pytest.mark.parametrize("opinion", [
    "My fear is what happens when bonds and stocks drop together like in 2022.",
    "Not sure about all that duration risk.", "I'm fine sitting in cash in between.",
    "Kind of twitchy but I'm curious.", "It backtested fine for him, apparently.",
    "The part I don't like is the turnover.",
])
def test_an_opinion_beside_the_rule_is_set_aside(opinion: str) -> None:
    spec = _parse(f"Hold GLD while it's above its 200-day moving average and sell when it isn't. "
                  f"{opinion}")
    assert _conds(spec.exit) == ["price lt sma200"]


@pytest.mark.parametrize("text", [
    # an opinion that says a rule, a level or a control is read, and refused here
    "Hold GLD while it's above its 200-day moving average and sell when it isn't. I'm not sure "
    "about a 10% stop.",
    "Hold GLD while it's above its 200-day moving average and sell when it isn't. I worry, so "
    "only buy on Mondays.",
])
def test_an_opinion_that_says_a_rule_is_not_set_aside(text: str) -> None:
    _refused(text)


@pytest.mark.parametrize("text,check", [
    ("I wish to hold TLT only while its price is above the mobile average of 100 days, otherwise"
     " I prefer to stay out.", "price gt sma100"),
    ("Buy HYG when it has risen 4 days in succession, sell when it has fallen 2 days in "
     "succession.", "up_streak ge 4"),
    ("Make buy of QQQ when the RSI of 14 days is under 30 and make sell when it is over 70.",
     "rsi14 lt 30"),
    ("Buy IEF when RSI 2 is inferior to 10, and sell when the price closes superior to the average"
     " of 5 days.", "rsi2 lt 10"),
    ("The strategy should buy MDY only if SPY is over his 200-days line and MDY itself is over "
     "the 50-days line; sell MDY when it is under the 50-days line.", "price@SPY gt sma200@SPY"),
    ("Buy TIP when the histogram of the MACD is bigger than zero and sell it when it is smaller "
     "than zero.", "macd_hist gt 0"),
    ("I would buy EFA when its price of closing is above the upper band of Bollinger and I would"
     " sell it when it is under the middle band.", "price gt bb_upper20"),
    ("Buy VTI when it is 5% below of the average of 20 days and sell when it returns above of the"
     " average.", "price lt sma20-5%"),
])
def test_words_of_writers_of_other_languages(text: str, check: str) -> None:
    assert check in _conds(_parse(text).entry)


@pytest.mark.parametrize("text,stop,take", [
    ("hyg: buy rsi(14) < 30, sell rsi(14) > 70, tp 10% sl 5%", 5, 10),
    ("efa close > 100d high buy, tp 15 sl 6", 6, 15),
    ("buy spy when price crosses above 50 sma, 5% stop loss 15% take profit", 5, 15),
    ("buy IWM when it's up three days in a row, take profit at five percent stop at four percent",
     4, 5),
])
def test_two_controls_of_a_note(text: str, stop: float, take: float) -> None:
    spec = _parse(text)
    assert (spec.risk.stop_loss_pct, spec.risk.take_profit_pct) == (stop, take)


@pytest.mark.parametrize("text,want", [
    ("qqq 50/200 golden cross buy, death cross sell", "sma50 crosses_below sma200"),
    ("gld: golden x in, death x out, hard stop -10%", "sma50 crosses_below sma200"),
    ("buy mdy after 4 down days in a row, out when it's up 2 in a row", "up_streak ge 2"),
    ("buy ief when 20 sma crosses over 50 sma, sell when 20 dips under 50",
     "sma20 crosses_below sma50"),
    ("iwm macd histogram crosses above zero -> buy, crosses below -> sell",
     "macd_hist crosses_below 0"),
    ("gld: macd line crosses above zero buy, below zero sell", "macd crosses_below 0"),
    ("hold spy as long as it's over the 1y sma, plus a 15% trailing stop", "price lt sma252"),
])
def test_terse_notes(text: str, want: str) -> None:
    assert want in _conds(_parse(text).exit)


def test_a_level_left_out_is_no_level_but_zero() -> None:
    _refused("buy IWM when RSI crosses above 30 and sell when it crosses below")


@pytest.mark.parametrize("text,weights", [
    ("tip/ief/shy equal 3 way, rebalnce semi annually",
     {"TIP": 1 / 3, "IEF": 1 / 3, "SHY": 1 / 3}),
    ("3 fund: vti 60 efa 20 agg 20, rebal if drift > 3 pct", {"VTI": 0.6, "EFA": 0.2, "AGG": 0.2}),
    ("Equal 20% slices of SPY, EFA, EEM, VNQ and IEF, rebalanced monthly.",
     {s: 0.2 for s in ("SPY", "EFA", "EEM", "VNQ", "IEF")}),
    ("Someone on Bogleheads described a Coffeehouse-style mix: 40% AGG and 10% each in SPY, MDY, "
     "IWM, EFA, EEM and VNQ, rebalanced annually.",
     {"AGG": 0.4, **{s: 0.1 for s in ("SPY", "MDY", "IWM", "EFA", "EEM", "VNQ")}}),
])
def test_portfolios_in_other_words(text: str, weights: dict[str, float]) -> None:
    spec = _parse(text)
    assert list(spec.symbols) == list(weights)
    assert spec.allocation.weights == pytest.approx(weights)


@pytest.mark.parametrize("idle", ["falling back to BIL if none of them is positive",
                                  "and hold BIL if none of them is positive",
                                  "defaulting to BIL if none of them is positive"])
def test_where_a_rotation_waits(idle: str) -> None:
    spec = _parse(f"Once a quarter, move into whichever of VTI, EFA and TLT has the best 12-month "
                  f"return, {idle}.")
    assert spec.allocation.alternative == "BIL"
    assert spec.allocation.require_positive_momentum


@pytest.mark.parametrize("text,alt", [
    ("If VTI's weekly close is above its 30-week average I want to be in it, and if the weekly "
     "close is below, move me to BIL.", "BIL"),
    ("Please hold VTI while its price is above the 10-month simple moving average; otherwise sit "
     "in BIL until it gets back above.", "BIL"),
])
def test_where_a_rule_waits(text: str, alt: str) -> None:
    assert _parse(text).allocation.alternative == alt


@pytest.mark.parametrize("text", [
    "Buy VTI when it's above its 200 day average and sell after one year.",
    "Buy VTI when it's above its 200 day average and sell after 1 year.",
])
def test_a_year_held(text: str) -> None:
    assert _parse(text).risk.max_hold_bars == 252


@pytest.mark.parametrize("text,amount", [
    ("I have about $60,000 to put to work. For SPY, EFA and EEM, buy $20,000 of each whenever "
     "it's above its 200-day average and sell it when it falls below.", 20000),
    ("For TLT and IEF, buy $15,000 of each when it's above its 100-day moving average and sell "
     "when it's below.", 15000),
    ("Buy QQQ with exactly $10,000 when it's above its 100-day average and sell if it drops 7% "
     "below my entry.", 10000),
])
def test_a_dollar_amount_of_each_buy(text: str, amount: float) -> None:
    spec = _parse(text)
    assert spec.allocation.kind.value == "fixed_amount"
    assert spec.allocation.amount == amount


@pytest.mark.parametrize("text", [
    "Please buy VTI when it's trading above its 50-day average, and protect me with a 12% "
    "trailing stop. I don't want any other selling rule than that.",
    "Buy it when QQQ is above its 200-day average and sell when it drops below, and also sell "
    "right away if I'm ever down 12% from what I paid.",
])
def test_more_words_of_the_controls(text: str) -> None:
    assert _parse(text).risk.trailing_stop_pct == 12 or _parse(text).risk.stop_loss_pct == 12


def test_a_volatility_target_the_exposure_is_adjusted_to() -> None:
    spec = _parse("I'd like 70% SPY and 30% IEF rebalanced once a year, with the exposure adjusted"
                  " to aim for about 12% annual volatility.")
    assert spec.allocation.target_volatility_pct == 12


@pytest.mark.parametrize("text", [
    "What would my returns look like if I bought QQQ when RSI(14) crossed above 50 and sold when "
    "it crossed back below 50?",
    "by s p y when the twelve day e m a crosses above the twenty six day e m a and cell when it "
    "crosses back under",
    "Please make it so that I own GLD only while it's above its 150-day exponential moving "
    "average.",
])
def test_asks_and_dictation(text: str) -> None:
    assert _parse(text).exit is not None


@pytest.mark.parametrize("text", [
    'The "buy three red days" trick from Reddit: when SPY closes lower three days in a row you '
    "buy, and you sell five trading days later no matter what.",
    'Friend showed me his "RSI 30/70" setup on SPY: buy when the 14-day RSI is under 30, sell '
    "when it's over 70.",
    "Own SPY while it's above its 100-day SMA and sit in cash when it's below. Someone called it "
    '"cash when stocks break".',
])
def test_a_strategys_name_in_quotes(text: str) -> None:
    assert _parse(text).symbols == ["SPY"]


@pytest.mark.parametrize("text", [
    # a number in the quoted name the rules do not say: the name is checked, and refused
    'Friend showed me his "RSI 25/75" setup on SPY: buy when the 14-day RSI is under 30, sell '
    "when it's over 70.",
])
def test_a_quoted_name_with_another_number_is_checked(text: str) -> None:
    _refused(text)


@pytest.mark.parametrize("text,check", [
    ("Someone said he runs the 10-month SMA timing model on EFA but adds a 10% stop loss.",
     "stop"),
    ("buy VNQ when the price crosses above the 100-day SMA and sell when it crosses back below. "
     "I'd throw in a 5-day minimum hold.", "min_hold"),
    ("On a podcast a guy said he puts $5,000 into IWM each time it closes below its lower "
     "Bollinger band and takes it off when it closes above the upper band.", "exit"),
    ("hold IEF while TLT's 50-day SMA is above its 200-day SMA, and move out when it isn't.",
     "exit"),
])
def test_more_verbs_of_a_retold_rule(text: str, check: str) -> None:
    spec = _parse(text)
    got = {"stop": spec.risk.stop_loss_pct, "min_hold": spec.risk.min_hold_bars,
           "exit": spec.exit}[check]
    assert got


def test_add_in_a_correction_is_still_a_correction() -> None:
    spec = _parse("Buy IWM on a close above the 55-day high, exit on a close below the 20-day "
                  "low, with a 10% stop. Scratch that, make the stop 7% and add a 25% take profit.")
    assert (spec.risk.stop_loss_pct, spec.risk.take_profit_pct) == (7, 25)


@pytest.mark.parametrize("idle", ["whatever's left goes into BIL", "its slot goes to BIL instead"])
def test_what_a_rotation_leaves(idle: str) -> None:
    spec = _parse("Hold the best 2 of VTI, EFA, EEM and GLD by 12-month return, only the ones that"
                  f" are positive; {idle}. Rebalanced quarterly.")
    assert spec.allocation.alternative == "BIL"


@pytest.mark.parametrize("text,entry", [
    ("gld bb mean rev: close below lower band (20,2) -> buy, exit on a close back over the mid "
     "band", "price lt bb_lower20"),
    ("gld close under the 2.5sd lower band (20d) buy, close above upper band sell",
     "price lt bb_lower20[2.5]"),
    ("gld close below lower bb 20/2 AND rsi2<10, sell close > middle band", "price lt bb_lower20"),
    ("bb on gld w/ 1.5 std: buy below lower, sell above upper", "price lt bb_lower20[1.5]"),
])
def test_a_notes_bands_with_their_settings(text: str, entry: str) -> None:
    assert entry in _conds(_parse(text).entry)


def test_a_middle_band_with_its_settings_stays_the_middle_band() -> None:
    spec = _parse("TLT - buy: price < lower BB (20, 2.5) - sell: price > middle BB (20, 2.5)")
    assert _conds(spec.exit) == ["price gt bb_middle20[2.5]"]


@pytest.mark.parametrize("said", ["checked and reset every three months",
                                  "and bring it back to 25% each every quarter"])
def test_rebalancing_in_the_writers_words(said: str) -> None:
    spec = _parse(f"SPY, TLT, GLD and BIL, 25% each, {said}.")
    assert spec.schedule.value == "quarterly"


def test_another_share_when_rebalancing_is_refused() -> None:
    _refused("SPY, TLT, GLD and BIL, 25% each, and bring it back to 30% each every year.")
