"""The twelfth round's general readers, each on sentences of its own (not corpus sentences):

- a clause that says nothing a spec could hold is ignored and listed, never refused, while a
  clause holding a word that may say how or when to trade still sinks the text;
- a cap said beside the rule ("never more than 25% of my account in it") is the position size;
- "either" opens a group: "A and either B or C" is all(A, any(B, C)).
"""

from __future__ import annotations

import pytest
from corpus_support import item_text

from generator.providers.offline import ParseError, parse
from generator.providers.offline.parser import parse_text
from generator.providers.offline.state import says_nothing


# -- clauses that say nothing --------------------------------------------------------------------
@pytest.mark.parametrize(("text", "ignored"), [
    ("Buy GLD when it closes above its 50 day high, sell below its 20 day low, with a 10% "
     "trailing stop as a backstop.", "as a backstop"),
    ("How about a bot that buys IEF when RSI(2) is under 10 and sells when it is over 70?",
     "how about a bot that"),
    ("Buy QQQ when RSI(3) is under 15 and sell after 10 days, whatever happens.",
     "whatever happens"),
])
def test_a_clause_that_says_nothing_is_ignored_and_listed(text: str, ignored: str) -> None:
    parsed = parse_text(text)
    assert any(ignored in said for said in parsed.ignored), parsed.ignored
    assert parsed.spec.entry is not None


@pytest.mark.parametrize("text", [
    # a motion word: "in case it keeps sliding" may be a rule
    "Buy TLT when RSI(14) is under 35, in case it keeps sliding.",
    # a word of timing or size: "sooner", "partially"
    "Buy SPY when RSI(2) is under 10 and sell when it is over 70, or sooner.",
    "Buy SPY when RSI(2) is under 10 and sell when it is over 70, partially.",
])
def test_a_clause_with_a_trading_word_still_sinks_the_text(text: str) -> None:
    with pytest.raises(ParseError):
        parse(text)


def test_says_nothing_is_about_words_not_length() -> None:
    assert says_nothing(["as", "a", "backstop"])
    assert says_nothing(["mind"])
    assert not says_nothing(["sell", "it"])
    assert not says_nothing(["⟦i3⟧"])  # a placeholder: something was read there
    assert not says_nothing(["7"])
    assert not says_nothing(["the", "keltner", "thing"])  # a refused indicator is named
    assert not says_nothing([])


# -- caps as position sizes ----------------------------------------------------------------------
@pytest.mark.parametrize(("text", "fraction"), [
    ("Buy IWM when RSI(2) is under 10, sell when it is over 70, but never more than 20% of "
     "my account in it.", 0.2),
    ("Hold EFA while it is above its 200 day SMA. Max 30% of my portfolio.", 0.3),
    ("Own VNQ while its 20 day EMA is above its 100 day EMA, capping exposure at 40% of the "
     "account.", 0.4),
    ("buy TIP and LQD each when above the 100 day, sell when below, 15% of acct each max", 0.15),
])
def test_a_cap_beside_the_rule_is_the_position_size(text: str, fraction: float) -> None:
    spec = parse(text)
    assert spec.allocation.kind.value == "fixed_fraction"
    assert spec.allocation.fraction == pytest.approx(fraction)


def test_a_dollar_cap_is_the_amount_per_position() -> None:
    spec = parse("I don't want to put more than $3,000 into any one position. Buy GLD when "
                 "its RSI(14) is under 30 and sell when it is over 60.")
    assert spec.allocation.kind.value == "fixed_amount"
    assert spec.allocation.amount == 3000
    assert spec.symbols == ["GLD"]


def test_a_cap_on_the_number_of_funds_is_the_rotation_top_n() -> None:
    spec = parse("At most 3 funds at a time: rotate monthly among SPY, QQQ, IWM, EFA, EEM and "
                 "GLD by 6-month momentum.")
    assert spec.allocation.top_n == 3


# -- "either" opens a group ----------------------------------------------------------------------
@pytest.mark.parametrize(("text", "combine", "items"), [
    ("Buy VTI when it is above its 150 day SMA and either RSI(2) is under 15 or the price is "
     "below the lower Bollinger band; sell when RSI(2) is over 70.",
     "all", ["any(price lt bb_lower20, rsi2 lt 15)", "price gt sma150"]),
    ("Buy VTI when either RSI(2) is under 15 or the price is below the lower Bollinger band "
     "and it is above its 150 day SMA; sell when RSI(2) is over 70.",
     "all", ["any(price lt bb_lower20, rsi2 lt 15)", "price gt sma150"]),
    # without "either", "and" binds tighter
    ("Buy VTI when it is above its 150 day SMA and RSI(2) is under 15 or the price is below "
     "the lower Bollinger band; sell when RSI(2) is over 70.",
     "any", ["all(price gt sma150, rsi2 lt 15)", "price lt bb_lower20"]),
])
def test_either_opens_a_group(text: str, combine: str, items: list[str]) -> None:
    spec = parse(text)
    assert spec.entry is not None
    assert spec.entry.combine == combine
    assert sorted(item_text(c) for c in spec.entry.conditions) == items


# -- wordings of ordinary writers (held_out_19 and _20's classes, on sentences of their own) ---
@pytest.mark.parametrize(("text", "entry", "exit_"), [
    # the indicator already named: "that RSI"
    ("Buy DBC when its 3-day RSI drops below 15. Sell when that RSI rises above 60.",
     ["rsi3 lt 15"], ["rsi3 gt 60"]),
    # "N or more" in a row: a streak of N is already N or more
    ("Buy EFA after four or more down days in a row and sell when it closes above its 5-day SMA.",
     ["down_streak ge 4"], ["price gt sma5"]),
    # "otherwise it should be out of the market": the negated entry
    ("I'd like to hold LQD whenever it closes above its 60 day average, otherwise it should be "
     "out of the market.", ["price gt sma60"], ["price lt sma60"]),
    # a numbered list: its markers end sentences
    ("Plan for VNQ: 1) buy when RSI(2) is under 8 2) sell when RSI(2) is over 75 3) that's all",
     ["rsi2 lt 8"], ["rsi2 gt 75"]),
    ("(a) buy IEF when its 20 day EMA is above its 60 day EMA (b) sell when the 20 day EMA is "
     "below the 60 day EMA", ["ema20 gt ema60"], ["ema20 lt ema60"]),
    # labels with "-" and "="
    ("Entry - HYG closes above its 30-day high. Exit - HYG closes below its 15-day low.",
     ["price gt hh30"], ["price lt ll15"]),
    # a prompt's role and a request's hedges
    ("You are my trading assistant. Your task is to buy TIP when its RSI(5) falls below 20 and "
     "to sell it when RSI(5) climbs above 65, if that's possible.", ["rsi5 lt 20"],
     ["rsi5 gt 65"]),
    # the reason before the rule
    ("Small caps bounce hard after a selloff, so I'd like to buy IWM when RSI(3) is under 10 "
     "and sell when RSI(3) is over 70.", ["rsi3 lt 10"], ["rsi3 gt 70"]),
    # "month-end close" is the monthly close
    ("Own EWJ while its month-end close is above its 8-month moving average and sell on a "
     "month-end close below it.", ["price:monthly gt sma8:monthly"],
     ["price:monthly lt sma8:monthly"]),
    # "%K (14)" and "the 8 21 5 macd"
    ("Buy AGG when stochastic %K (10) crosses above %D, sell when %K crosses below %D.",
     ["stoch_k10 crosses_above stoch_d10"], ["stoch_k10 crosses_below stoch_d10"]),
    ("buy IYR when the 6 19 4 macd crosses over its signal line, sell when it crosses under",
     ["macd[6,19,4] crosses_above macd_signal[6,19,4]"],
     ["macd[6,19,4] crosses_below macd_signal[6,19,4]"]),
])
def test_ordinary_wordings_are_read(text: str, entry: list[str], exit_: list[str]) -> None:
    spec = parse(text)
    assert spec.entry is not None and spec.exit is not None
    assert sorted(item_text(c) for c in spec.entry.conditions) == entry
    assert sorted(item_text(c) for c in spec.exit.conditions) == exit_


@pytest.mark.parametrize("text", [
    # a reason that holds a rule word or a number is no reason: it stays and is refused
    "Buy TLT because it's above its 200 day SMA, so I want to sell when RSI(14) is over 70.",
    "I go long when bonds rally, so I want to hold TLT.",
    # a lone "2)" is no list
    "Buy SPY when RSI 2) is under 10 and sell when it is over 70",
])
def test_what_looks_like_framing_but_holds_a_rule_is_not_dropped(text: str) -> None:
    with pytest.raises(ParseError):
        parse(text)


def test_sizing_and_risk_said_around_the_rule() -> None:
    spec = parse("Buy GLD when its 50 day SMA crosses above its 200 day SMA and sell on the "
                 "cross back. I always keep a 6% stop loss under it, and I want the position "
                 "sized so it runs at about 9% volatility a year.")
    assert spec.risk.stop_loss_pct == 6
    assert spec.allocation.target_volatility_pct == 9
    spec = parse("Put 100% of the account in IEF when its 3-month return is positive, and sell "
                 "it all when the 3-month return turns negative.")
    assert spec.allocation.kind.value == "all_in"
    spec = parse("Every time QQQ's RSI(2) closes below 5, buy $1,500 worth. Sell when RSI(2) is "
                 "above 60.")
    assert (spec.allocation.kind.value, spec.allocation.amount) == ("fixed_amount", 1500)


def test_a_bare_period_is_the_moving_average_the_text_named_with_it() -> None:
    # "the 20-period ... the 50-period" after the EMAs were named: the EMAs, not SMAs
    spec = parse("Buy TIP on the day the 20-period exponential moving average crosses over the "
                 "50-period exponential average; sell when the 20-period crosses back under the "
                 "50-period.")
    assert spec.exit is not None
    assert [item_text(c) for c in spec.exit.conditions] == ["ema20 crosses_below ema50"]
    # both kinds named with that period: "the 20" could be either, and is refused
    with pytest.raises(ParseError):
        parse("Buy TIP when the 20 day SMA is above the 20 day EMA and the 20 is above the 50 "
              "day EMA; sell when the 20 day SMA is below the 20 day EMA.")


@pytest.mark.parametrize(("text", "entry", "exit_"), [
    # the symbol alone before "while": the hold
    ("IEF only while it is above its 120-day SMA, otherwise cash.", ["price gt sma120"],
     ["price lt sma120"]),
    # "for each of A, B and C, hold it while ...", "be out of it while ..."
    ("For each of SPY, EFA and VNQ, hold it while its price is above its 150-day SMA and be "
     "out of it while the price is below. Split the money equally among the three.",
     ["price gt sma150"], ["price lt sma150"]),
    # "drops more than 4% below", "recovers to above"
    ("When IEV drops more than 4% below its 30-day moving average I'd like to buy it, then "
     "sell once it recovers to above the 30-day average.", ["price lt sma30-4%"],
     ["price gt sma30"]),
    # "that return": the return the text named
    ("I want to hold IWM whenever its 6-month return is positive and sit out whenever that "
     "return is negative.", ["roc126 gt 0"], ["roc126 lt 0"]),
    # "the Russell 2000 fund, IWM,": the symbol said twice
    ("When the Russell 2000 fund, IWM, closes above its 50-day high, buy it; sell when it "
     "closes below its 25-day low.", ["price gt hh50"], ["price lt ll25"]),
    # a period and a width said around "Bollinger band"
    ("TLT on a 15-day Bollinger band with 1.5 standard deviations: buy a close below the "
     "lower band and sell a close above the upper band.",
     ["price lt bb_lower15[1.5]"], ["price gt bb_upper15[1.5]"]),
])
def test_held_out_21s_classes_are_read(text: str, entry: list[str], exit_: list[str]) -> None:
    spec = parse(text)
    assert spec.entry is not None and spec.exit is not None
    assert sorted(item_text(c) for c in spec.entry.conditions) == entry
    assert sorted(item_text(c) for c in spec.exit.conditions) == exit_


def test_only_buy_if_after_a_buy_rule_stays_a_filter() -> None:
    spec = parse("Buy EFA when its 10-day EMA crosses above its 40-day EMA and sell on the cross "
                 "back. Oh and only buy if EFA is above its 200-day SMA.")
    assert spec.entry is not None
    assert sorted(item_text(c) for c in spec.entry.conditions) == [
        "ema10 crosses_above ema40", "price gt sma200"]


def test_a_close_at_the_end_of_each_month_is_the_monthly_close() -> None:
    spec = parse("Timing on EWJ: at the end of each month, if EWJ closed above its 9-month "
                 "moving average be in it, otherwise be in cash.")
    assert spec.entry is not None
    assert [item_text(c) for c in spec.entry.conditions] == ["price:monthly gt sma9:monthly"]
