"""The fourteenth round's readers, each on sentences of its own (not corpus sentences), and
what must stay refused beside them:

- a rotation's filter and the fund a failed pick's money waits in, said in the writer's own
  words and read as a bag of words over a closed lexicon (`rotation_filters`);
- an indicator's own setting said beside the default it replaces ("2.5 standard deviations
  instead of 2", "8, 21 and 5 instead of the usual", "a MACD of 5, 35 and 5");
- a time exit said in the writer's words, read as a bag of words over a closed lexicon
  (`holding_periods`: "bail out after 6 days no matter what", "hold it for one month, then
  sell"), and a minimum hold or a condition beside a period left to what reads them;
- the exit said as the control ("let a 10% trailing stop be the only thing that gets me out",
  "sell only on a 6% trailing stop") and as all of it ("take it all out when");
- the sell rule said from the buy rule in the writer's words ("sell when both of those are no
  longer true", "once either one stops being true, get out"), read as a bag of words over a
  closed lexicon; "sell when both are true" (which says nothing a sell can do) is refused;
- the conditions a colon opens ("as long as both of these are true: A and B");
- a portfolio's rebalancing in the writer's words (`rebalance_words`: "reset it every month",
  "rebalanced back to those numbers once a year", "don't rebalance on a calendar" beside a drift
  band, "only rebalance when something ends up more than 10 points away from where it should
  be"), read as bags of words over closed lexicons;
- a sentence about the writer, not the strategy ("I always sell too late and give back my
  gains.", "ok just want something that actually trades lol."), ignored and listed, while one
  that says how to trade stays refused; small talk that ends a sentence keeps its end;
- the money or savings kept in a fund while a state holds, and moved out when it fails;
- smaller wordings: "SPY is up over the past 3 months" and "SPY's 3-month change" (the return
  over that period), "the 50-day exponential one", "a stop-loss 8 percent under what I paid",
  "whichever is first", "only ever use 20%", "when that flips, get out", "golden cross on QQQ
  to get in, death cross to get out";
- a reason said after the rule ("... because it usually bounces", "... so I don't get
  whipsawed"), ignored and listed unless it says how or when to trade;
- sizes said as a sentence of their own ("I'll put $2,000 in every time."), a volatility target
  in the writer's words ("size my SPY position so it runs at about 10% volatility a year"), and
  "I want QQQ when ..." as the hold;
- titles: weights said in percent words open no title ("Keep 70 percent in VTI and 30 percent
  in TLT."), a named rule whose period the rules say ("I read about the 10-month rule"), "the
  classic one I saw on a forum";
- rotations said as "the two that went up the most over the past six months" and "among these
  three: SPY, TLT, GLD" (a count that is not the list's is refused);
- a plural period with no article is a duration, not a moving average ("it closes 3 days above
  its 20-day SMA" was read as the 3-day SMA above the 20-day).
"""

from __future__ import annotations

import pytest
from corpus_support import item_text

from generator.providers.offline import ParseError, parse
from generator.providers.offline.parser import parse_text
from generator.spec import AllocationKind, Rule


def _conds(rule: Rule | None) -> list[str]:
    """A rule's conditions in the corpus's notation ("price gt sma200"), none for no rule."""
    return [item_text(c) for c in rule.conditions] if rule is not None else []


# -- a rotation's filter in the writer's words ---------------------------------------------------
@pytest.mark.parametrize(("text", "top", "lookback", "alternative"), [
    ("Each month hold the best 2 of SPY, EFA, EEM and TLT by 6-month return, as long as it's "
     "positive. Whatever isn't invested sits in BIL.", 2, 126, "BIL"),
    ("Every month compare QQQ and TLT over the past 3 months and own the winner. If even the "
     "winner is down over those 3 months, hold SHY instead.", 1, 63, "SHY"),
    ("Monthly, pick the top 1 of VTI and EFA by 12-month return, only if that return is "
     "positive. If it isn't, put everything into AGG.", 1, 252, "AGG"),
    ("Rotate quarterly into the top 2 of SPY, QQQ, IWM and EFA by 6-month return. If one of "
     "those two has a 6-month return that's negative, that slot goes to IEF.", 2, 126, "IEF"),
    ("Hold the top 3 of SPY, QQQ, IWM, EFA and EEM by 3-month return, monthly. Anything "
     "negative over those 3 months gets skipped and its share stays in cash.", 3, 63, None),
    ("Rotate monthly into the top 2 of SPY, IWM, EFA and GLD by 6 month return, only the ones "
     "that actually went up; if fewer than 2 went up, the rest stays in cash.", 2, 126, None),
    ("Every month buy whichever of SPY, EFA and EEM had the best 12-month return. If none of "
     "the three made money over that year, wait in SHY.", 1, 252, "SHY"),
])
def test_a_rotation_filter_said_in_the_writers_words(text: str, top: int, lookback: int,
                                                     alternative: str | None) -> None:
    spec = parse(text)
    alloc = spec.allocation
    assert alloc.kind == AllocationKind.momentum_rotation
    assert (alloc.top_n, alloc.lookback_days) == (top, lookback)
    assert alloc.require_positive_momentum
    assert alloc.alternative == alternative


@pytest.mark.parametrize(("text", "why"), [
    # a condition on a symbol's average is not a momentum filter
    ("Rotate monthly into the top 2 of SPY, IWM, EFA and GLD by 6 month return. If SPY is "
     "below its 200-day, hold SHY instead.", "could not be mapped"),
    # a count that is not the rotation's
    ("Rotate monthly into the top 2 of SPY, IWM, EFA and GLD by 6 month return, only the ones "
     "that went up; if fewer than 3 went up, keep the rest in cash.", "names 3 picks"),
    # a period that is not the lookback
    ("Each month hold the best 2 of SPY, EFA, EEM and TLT by 6-month return. Anything that is "
     "down over the last 3 months goes to BIL.", "two different momentum lookbacks"),
    # two funds for the failed picks
    ("Each month hold the best 2 of SPY, EFA, EEM and TLT by 6-month return. If one of them is "
     "negative, put it in BIL or SHY.", "could not be mapped"),
    # a sell on a loss is not a filter
    ("Each month hold the best 2 of SPY, EFA, EEM and TLT by 6-month return. If one is down 5% "
     "sell it.", "could not be mapped"),
])
def test_what_is_not_a_rotation_filter_stays_refused(text: str, why: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text)
    assert why in str(caught.value)


def test_the_filter_words_are_reported_as_understood() -> None:
    parsed = parse_text("Each month hold the top 1 of SPY and EFA by 12-month return. If even "
                        "the winner lost money over those 12 months, my money waits in AGG.")
    assert parsed.spec.allocation.alternative == "AGG"
    assert any("momentum filter in the writer's words" in u for u in parsed.understood)


# -- a setting beside the default it replaces ----------------------------------------------------
@pytest.mark.parametrize(("text", "want"), [
    ("I use Bollinger Bands set to 2.5 standard deviations. On SPY, buy when the close is under "
     "the lower band and sell when the close is over the upper band.", ("bb_lower", 2.5)),
    ("My Bollinger bands use 3 standard deviations rather than the usual 2. Buy TLT when it "
     "closes under the lower band, sell when it closes above the middle band.", ("bb_lower", 3)),
    ("EEM, with the MACD set to 8, 21 and 5 instead of 12, 26 and 9. Buy on the MACD crossing "
     "up through the signal line, sell on the cross down.", ("macd", (8, 21, 5))),
    ("Trade GLD with a MACD of 5, 35 and 5 instead of the default one: buy when the MACD crosses "
     "above its signal, sell when it crosses below.", ("macd", (5, 35, 5))),
])
def test_a_setting_beside_the_default_it_replaces(text: str, want: tuple[str, object]) -> None:
    spec = parse(text)
    assert spec.entry is not None
    cond = spec.entry.conditions[0]
    ind = cond.right if want[0].startswith("bb") else cond.left
    assert ind.kind.value == want[0]
    if want[0] == "macd":
        assert (ind.fast, ind.slow, ind.signal) == want[1]
    else:
        assert ind.num_std == want[1]


def test_a_replaced_value_that_is_not_the_default_stays_refused() -> None:
    # 2.5 is not the default: "instead of 2.5" names a second setting, not the default
    with pytest.raises(ParseError):
        parse("Bollinger bands at 3 standard deviations instead of 2.5. Buy SPY when it closes "
              "under the lower band, sell when it closes above the upper band.")


# -- a time exit in the writer's words -----------------------------------------------------------
@pytest.mark.parametrize(("text", "bars"), [
    ("Buy TLT when its 2-day RSI is under 10, sell when it's over 80, and bail out after 6 days "
     "no matter what.", 6),
    ("Buy TLT when it closes below its 20-day low, hold it for one month, then sell.", 21),
    ("Buy EEM when the 3-day RSI is under 15. I'll get out after 2 weeks regardless.", 10),
    ("Buy QQQ when it closes above its 50-day high; keep the position 8 trading days at most.",
     8),
    # after a minimum hold taken out just before it ("⋄ , and ...": two marks in a row)
    ("Buy IYR when its 2-day RSI is under 10. Sell when the 2-day RSI is over 80, but not before "
     "I've held it 2 days, and bail out after 8 days no matter what.", 8),
])
def test_a_time_exit_in_the_writers_words(text: str, bars: int) -> None:
    spec = parse(text)
    assert spec.risk.max_hold_bars == bars


@pytest.mark.parametrize("text", [
    # a period beside a gain is not a time exit
    "Buy SPY when the 2-day RSI is under 10, then sell it after 3 days up 2%.",
    # two periods in one clause
    "Buy SPY when the 2-day RSI is under 10 and sell after 3 days or 5 days.",
])
def test_what_is_not_a_time_exit_stays_refused(text: str) -> None:
    with pytest.raises(ParseError):
        parse(text)


# -- the control as the exit, and all of it ------------------------------------------------------
@pytest.mark.parametrize(("text", "trailing"), [
    ("Buy EFA when it's above its 200-day average, and let a 10% trailing stop be the only thing "
     "that gets me out.", 10.0),
    ("Buy GLD when it closes above its 55-day high, and sell only on a 6 percent trailing stop.",
     6.0),
])
def test_the_control_as_the_only_exit(text: str, trailing: float) -> None:
    spec = parse(text)
    assert spec.exit is None
    assert spec.risk.trailing_stop_pct == trailing


@pytest.mark.parametrize(("text", "exit_"), [
    ("Put all my money into IWM when the 2-day RSI is under 10 and take it all out when the "
     "2-day RSI is over 80.", "rsi2 gt 80"),
    ("Go all in on SPY when the 20-day EMA crosses over the 50-day EMA, and get all the way out "
     "when it crosses back under.", "ema20 crosses_below ema50"),
])
def test_all_of_it_out(text: str, exit_: str) -> None:
    spec = parse(text)
    assert spec.exit is not None
    assert _conds(spec.exit) == [exit_]


# -- the sell rule said from the buy rule --------------------------------------------------------
@pytest.mark.parametrize(("text", "combine", "exit_"), [
    ("Buy QQQ if either the 2-day RSI is under 10 or the close is below the lower Bollinger band. "
     "Sell when both of those are no longer true.", "all", ["rsi2 ge 10", "price ge bb_lower20"]),
    ("Buy SPY when it is above its 200-day SMA and the 2-day RSI is under 20. Once either one "
     "stops being true, get out.", "any", ["price lt sma200", "rsi2 ge 20"]),
    ("Buy SPY when it is above its 200-day SMA or the 2-day RSI is under 20. Sell when neither "
     "is true.", "all", ["price lt sma200", "rsi2 ge 20"]),
])
def test_the_sell_rule_said_from_the_buy_rule(text: str, combine: str, exit_: list[str]) -> None:
    spec = parse(text)
    assert spec.exit is not None
    assert spec.exit.combine == combine
    got = sorted(_conds(spec.exit))
    # the negation of "lt" may be written "ge" or "gt" by the reader: the facts, not the form
    assert [g.replace(" ge ", " gt ").replace(" le ", " lt ") for g in got] == sorted(
        e.replace(" ge ", " gt ").replace(" le ", " lt ") for e in exit_)


def test_a_sell_when_the_buy_conditions_hold_is_refused() -> None:
    with pytest.raises(ParseError):
        parse("Buy SPY when it is above its 200-day SMA and the 2-day RSI is under 20. Sell when "
              "both are true.")


@pytest.mark.parametrize(("text", "n"), [
    ("Only buy SPY when two things line up: it's above its 200-day moving average and its 14-day "
     "RSI is under 40. Sell when the RSI is over 70.", 2),
    ("Buy IWM when 3 conditions are met: it is above its 200-day SMA, the 2-day RSI is under 10 "
     "and SPY is above its 50-day SMA. Sell when the 2-day RSI is over 70.", 3),
])
def test_the_conditions_a_colon_opens(text: str, n: int) -> None:
    spec = parse(text)
    assert spec.entry is not None and len(spec.entry.conditions) == n


# -- rebalancing in the writer's words -----------------------------------------------------------
@pytest.mark.parametrize(("text", "schedule", "drift"), [
    ("Keep it 80/20 SPY and SHY and reset it every month.", "monthly", None),
    ("We want 40% in VTI, 20% in EFA, 30% in AGG and 10% in TIP, and we'd like it rebalanced "
     "back to those numbers once a year.", "yearly", None),
    ("50% QQQ, 50% TLT. Put it back to the original split every quarter.", "quarterly", None),
    ("Split my money evenly between SPY, EFA and GLD and reset the weights every quarter.",
     "quarterly", None),
    ("Keep 70% in VTI and 30% in TLT, and don't rebalance on a calendar, only when one of them "
     "drifts more than 5 percentage points off its target.", None, 5.0),
    ("65% SPY and 35% LQD please, and only rebalance when something ends up more than ten "
     "percentage points away from where it should be.", None, 10.0),
])
def test_rebalancing_in_the_writers_words(text: str, schedule: str | None,
                                          drift: float | None) -> None:
    spec = parse(text)
    assert spec.allocation.drift_band_pct == drift
    assert not spec.allocation.drift_or_schedule
    if schedule is not None:
        assert spec.schedule is not None and spec.schedule.value == schedule


@pytest.mark.parametrize(("text", "why"), [
    # "put it back" with no schedule or band says nothing of when
    ("60% SPY and 40% IEF, and put it back.", "could not be mapped"),
    # a schedule and a refusal of the calendar
    ("60% SPY and 40% IEF, rebalanced every month, and don't rebalance on a calendar.",
     "rebalancing on a calendar was refused"),
    # a band measured from something that is not the weight's target
    ("70% VTI and 30% AGG, rebalance if SPY is 6 points away from its high.",
     "could not be mapped"),
])
def test_rebalancing_words_that_say_something_else_stay_refused(text: str, why: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text)
    assert why in str(caught.value)


# -- sentences about the writer ------------------------------------------------------------------
@pytest.mark.parametrize(("text", "ignored"), [
    ("I always sell too late and give back my gains. Buy MDY when the 20-day EMA is above the "
     "50-day EMA, and sell when the price closes below the 50-day EMA.", "i always sell too late"),
    ("ok just want something that actually trades lol. buy QQQ when the MACD crosses above the "
     "signal line, sell when it crosses back under.", "just want something that actually trades"),
    ("A friend told me this works in bad markets. Buy TLT when its 2-day RSI is under 10, sell "
     "when it is over 70.", "a friend told me this works in bad markets"),
])
def test_a_sentence_about_the_writer_is_ignored_and_listed(text: str, ignored: str) -> None:
    parsed = parse_text(text)
    assert parsed.spec.entry is not None
    assert any(ignored in i for i in parsed.ignored), parsed.ignored


@pytest.mark.parametrize("text", [
    # a habit that says how to trade is a rule, not talk about the writer
    "I usually sell on the death cross. Buy SPY when RSI(2) is under 10, sell when it is over 70.",
    "I always buy more when it drops. Buy SPY when RSI(2) is under 10, sell when it is over 70.",
])
def test_a_habit_that_says_how_to_trade_stays_refused(text: str) -> None:
    with pytest.raises(ParseError):
        parse(text)


# -- money kept in a fund ------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "entry", "exit_"), [
    ("Keep my money in VTI as long as the price is above the 200 day average, otherwise just sit "
     "in cash.", "price gt sma200", "price lt sma200"),
    ("Could you keep my savings in EFA while its 100-day average is higher than its 300-day "
     "average, and move it out when it isn't?", "sma100 gt sma300", "sma100 lt sma300"),
])
def test_money_kept_in_a_fund_while_a_state_holds(text: str, entry: str, exit_: str) -> None:
    spec = parse(text)
    assert spec.entry is not None and spec.exit is not None
    assert _conds(spec.entry) == [entry]
    assert _conds(spec.exit) == [exit_]


# -- smaller wordings ----------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "entry", "exit_"), [
    ("Own HYG when SPY is up over the past 3 months, and get out when SPY's 3-month change is "
     "negative.", "roc63@SPY gt 0", "roc63@SPY lt 0"),
    ("Buy IWM when the 20-day exponential moving average crosses above the 50-day exponential "
     "one, sell when it crosses back.", "ema20 crosses_above ema50", "ema20 crosses_below ema50"),
    ("Golden cross on QQQ to get in, death cross to get out.", "sma50 crosses_above sma200",
     "sma50 crosses_below sma200"),
    ("Hold IWM, but only while SPY's 50-day average is above SPY's 200-day average. When that "
     "flips, get out.", "sma50@SPY gt sma200@SPY", "sma50@SPY lt sma200@SPY"),
])
def test_smaller_wordings(text: str, entry: str, exit_: str) -> None:
    spec = parse(text)
    assert spec.entry is not None and spec.exit is not None
    assert _conds(spec.entry) == [entry]
    assert _conds(spec.exit) == [exit_]


def test_a_return_said_of_it_stays_refused() -> None:
    # "it" may be the fund traded or the one named before: not guessed
    with pytest.raises(ParseError):
        parse("Own HYG when SPY is up over the past 3 months, and get out when it is down over "
              "the past 3 months.")


@pytest.mark.parametrize(("text", "risk"), [
    ("Buy SPY when RSI(2) is under 10 with a stop-loss 8 percent under what I paid. Sell when "
     "RSI(2) is over 70.", {"stop_loss_pct": 8.0}),
    ("Buy SPY when RSI(2) is under 10. Sell when RSI(2) is over 70 or after 7 days, whichever is "
     "first.", {"max_hold_bars": 7}),
])
def test_controls_said_another_way(text: str, risk: dict[str, float]) -> None:
    spec = parse(text)
    assert spec.risk.model_dump(exclude_none=True) == risk


def test_only_ever_use_a_share() -> None:
    spec = parse("Buy DBC when it closes above its 55-day high, sell when it closes below its "
                 "20-day low, and only ever use 20% of my account.")
    assert spec.allocation.kind == AllocationKind.fixed_fraction
    assert spec.allocation.fraction == 0.2


# -- reasons after the rule ----------------------------------------------------------------------
@pytest.mark.parametrize(("text", "ignored"), [
    ("Buy IWM when it closes below its 10-day low because it usually bounces, and sell 3 days "
     "later.", "because it usually bounces"),
    ("Buy GLD when the 10-day SMA crosses above the 40-day SMA, sell when it crosses back below, "
     "but keep it at least 5 trading days so I don't get whipsawed.", "so i don't get whipsawed"),
])
def test_a_reason_after_the_rule_is_ignored_and_listed(text: str, ignored: str) -> None:
    parsed = parse_text(text)
    assert ignored in parsed.ignored


def test_a_reason_that_says_how_to_trade_stays_refused() -> None:
    with pytest.raises(ParseError):
        parse("Buy SPY when RSI(2) is under 10, sell when it is over 70 because I sell when the "
              "50 day crosses.")


# -- sizes in the writer's words -----------------------------------------------------------------
def test_an_amount_said_as_its_own_sentence() -> None:
    spec = parse("I'll put $2,000 in every time. Buy EEM when the MACD crosses over the signal "
                 "line and sell when it crosses under.")
    assert spec.allocation.kind == AllocationKind.fixed_amount
    assert spec.allocation.amount == 2000


@pytest.mark.parametrize(("text", "vol"), [
    ("Size my SPY position so it runs at about 10% volatility a year. Hold SPY while it's above "
     "the 150-day moving average, sell when it's below.", 10.0),
    ("I want QQQ when it's above its 100-day EMA and out when it's below, sized to target about "
     "15 percent yearly volatility.", 15.0),
])
def test_a_volatility_target_in_the_writers_words(text: str, vol: float) -> None:
    spec = parse(text)
    assert spec.allocation.target_volatility_pct == vol
    assert spec.entry is not None and spec.exit is not None


def test_a_volatility_target_on_another_fund_is_refused() -> None:
    with pytest.raises(ParseError):
        parse("Size my GLD position so it runs at about 10% volatility a year. Hold SPY while "
              "it's above the 150-day moving average, sell when it's below.")


# -- titles --------------------------------------------------------------------------------------
def test_weights_in_percent_words_open_no_title() -> None:
    spec = parse("Keep 70 percent in VTI and 30 percent in TLT. Only rebalance if one of them "
                 "drifts more than 5 percentage points away from its target.")
    assert spec.allocation.weights == {"VTI": 0.7, "TLT": 0.3}
    assert spec.allocation.drift_band_pct == 5


def test_a_named_rule_whose_period_the_rules_say() -> None:
    spec = parse("I run a flower shop and read about the 10-month rule in a magazine. Hold GLD "
                 "only while it closes above its 10-month simple moving average, and sell if it "
                 "closes below it.")
    assert spec.entry is not None
    assert _conds(spec.entry) == ["price gt sma210"]


def test_a_named_rule_whose_period_the_rules_do_not_say_is_refused() -> None:
    with pytest.raises(ParseError) as caught:
        parse("I read about the 10-month rule. Hold GLD only while it closes above its 12-month "
              "simple moving average, and sell if it closes below it.")
    # (since the seventeenth round a title's "N months" is a period, checked against the rules)
    assert "the title says 10 months" in str(caught.value)


def test_the_classic_one() -> None:
    spec = parse("My idea is the classic one I saw on a forum: if SPY is above its 200-day moving "
                 "average and its 2-period RSI is under 10, buy. Sell when the 2-period RSI is "
                 "over 70.")
    assert spec.entry is not None and len(spec.entry.conditions) == 2


# -- rotations said another way ------------------------------------------------------------------
@pytest.mark.parametrize(("text", "symbols", "top", "lookback"), [
    ("Every month I'd like to look at SPY, EFA, EEM and AGG and put the money into the two that "
     "went up the most over the past six months.", ["SPY", "EFA", "EEM", "AGG"], 2, 126),
    ("Each week, move all my money into whichever did best over the last twenty trading days "
     "among these three: SPY, TLT, GLD.", ["SPY", "TLT", "GLD"], 1, 20),
])
def test_rotations_said_another_way(text: str, symbols: list[str], top: int,
                                    lookback: int) -> None:
    spec = parse(text)
    assert spec.symbols == symbols
    assert (spec.allocation.top_n, spec.allocation.lookback_days) == (top, lookback)


def test_a_count_that_is_not_the_lists_is_refused() -> None:
    with pytest.raises(ParseError) as caught:
        parse("Each week, move all my money into whichever did best over the last twenty "
              "trading days among these three: SPY, TLT.")
    assert "says 3 funds but names 2" in str(caught.value)


# -- a duration is not an average ----------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Buy SPY when it closes 3 days above its 20-day SMA, sell when it closes below it.",
    "Buy SPY when RSI(2) is under 10 and sell after 3 days above the 5-day average.",
])
def test_a_duration_is_not_read_as_an_average(text: str) -> None:
    with pytest.raises(ParseError):
        parse(text)


@pytest.mark.parametrize(("text", "entry"), [
    ("Buy SPY when the 50 day crosses above the 200 day.", "sma50 crosses_above sma200"),
    ("Hold SPY while it is above its 200 days, sell otherwise.", "price gt sma200"),
    ("Buy QQQ when the 10 day is above the 30 day, sell when it is below.", "sma10 gt sma30"),
])
def test_a_bare_period_is_still_an_average(text: str, entry: str) -> None:
    assert _conds(parse(text).entry) == [entry]
