"""The thirty-fourth round: the parts around a rule said in more of the ways writers say them,
through the whole static pipeline (`corpus_support.run_case`), with the refusals beside them:

- a time exit whose "if" only says no other exit came first, said before the period ("if it
  hasn't gotten there in 15 days I'm out", "if the trail hasn't taken me out after 3 months
  just sell"), and "or out after a week" after a control; a time exit with a condition of its
  own stays refused;
- "leave it alone otherwise" beside a schedule says nothing more ("buy once and leave it alone"
  is still bought once);
- a vague word defined by the price's place said after it as an apposition ("when it's
  stretched, more than 3% below its 50-day"); the vague word alone stays refused;
- the fund the buy names said again after its condition ("buy QQQ when rsi2 under 5 on QQQ");
  another fund there is refused as before;
- what a part of the rule is for ("the band keeps me from getting whipsawed") is a remark;
- "sell on a cross back below the 50": the crossing of the line it names;
- where the money goes otherwise said before the word ("..., AGG otherwise", "..., cash
  otherwise");
- sizes: "fixed $2,500 every trade", "same rules for SPY and EFA: buy when ...", "a 4% stop on
  my QQQ trades", "-> buy with 10k";
- a rotation's fund said bare before "if none of them are positive";
- "buy VTI and never sell", "lump sum into VTI and never sell": bought and held.
"""

from __future__ import annotations

import pytest
from corpus_support import Case, run_case
from grid_support import refused as _refused

from generator.providers.offline import parse


def _reads(text: str, **facts: object) -> None:
    """`text` gives a spec with every fact (corpus notation), through the static pipeline."""
    outcome = run_case(Case("round34", text, {k: str(v) for k, v in facts.items()}))
    assert outcome.ok, (outcome.why, text)


# -- time exits ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("tail", "bars"), [
    ("If it hasn't gotten there in 15 days I'm out.", 15),
    ("if it doesn't get there within 3 weeks, just sell", 15),
    ("if the target isn't hit within 2 weeks, sell it", 10),
    ("if nothing happens after 8 days I sell", 8),
    ("If neither one hits in 20 trading days, get out.", 20),
])
def test_a_time_exit_said_after_its_qualifier(tail: str, bars: int) -> None:
    _reads(f"Buy EWJ when RSI(14) < 30. Target +8%. {tail}", symbols="EWJ",
           entry="rsi14 lt 30", exit="none", take=8, hold_bars=bars)


def test_a_time_exit_after_a_trailing_stop_that_has_not_closed_it() -> None:
    _reads("Buy DBC on a close above the 100-day high. trail it 12% and if the trail hasn't "
           "taken me out after 3 months just sell", symbols="DBC", entry="price gt hh100",
           exit="none", trailing=12, hold_bars=63)
    _reads("Buy DBC on a close above the 100-day high with a 10% trailing stop; if the trailing "
           "stop hasn't stopped me out in 6 weeks, sell", symbols="DBC", entry="price gt hh100",
           exit="none", trailing=10, hold_bars=30)


@pytest.mark.parametrize("text", [
    "buy SPY when RSI(2) < 10. If it's still below the 20 day after 10 days, sell",
    "buy SPY when RSI(2) < 10, sell when RSI(2) > 70. If it's down after 10 days I'm out.",
])
def test_a_time_exit_with_a_condition_of_its_own_stays_refused(text: str) -> None:
    _refused(text)


@pytest.mark.parametrize("control", ["tp 4% or out after a week", "4% target or sell it after "
                                     "5 days", "take profit 4%, or exit after 5 days"])
def test_or_out_after_a_period_beside_a_control(control: str) -> None:
    _reads(f"tlt when rsi under 25. {control}, whichever comes first", symbols="TLT",
           entry="rsi14 lt 25", exit="none", take=4, hold_bars=5)


# -- small words around a schedule -----------------------------------------------------------------
@pytest.mark.parametrize("said", ["and leave it alone otherwise", "and leave it be in between",
                                  ", otherwise leave it alone"])
def test_leave_it_alone_beside_a_schedule(said: str) -> None:
    _reads(f"half in vti, half in agg. rebal once a year {said}", symbols="VTI AGG",
           kind="target_weights", weights="VTI=0.5 AGG=0.5", schedule="yearly")


def test_bought_once_and_left_alone_is_still_bought_once() -> None:
    spec = parse("80% VTI, 20% AGG, buy once and leave it alone.")
    assert spec.allocation.buy_once


# -- a vague word defined where it stands ----------------------------------------------------------
@pytest.mark.parametrize(("said", "entry"), [
    ("when it's stretched, more than 3% below its 50-day,", "price lt sma50-3%"),
    ("when it is oversold, below its lower bollinger band,", "price lt bb_lower20"),
    ("when SPY is beaten down, under its 20 day sma,", "price lt sma20"),
])
def test_a_vague_word_defined_by_an_apposition(said: str, entry: str) -> None:
    _reads(f"I like buying SPY {said} and selling when it gets back above the 50-day",
           symbols="SPY", entry=entry, exit="price gt sma50")


def test_a_vague_word_with_no_level_stays_refused() -> None:
    _refused("buy SPY when it's stretched, way below its average, sell when it recovers")
    _refused("buy SPY when it's stretched, sell when it gets back above the 50-day")


# -- the fund said again ---------------------------------------------------------------------------
def test_the_fund_bought_said_again_after_the_condition() -> None:
    _reads("only buy QQQ when SPY is above its 200 day. entry: rsi2 under 5 on QQQ. exit: rsi2 "
           "over 70", symbols="QQQ", entry="price@SPY gt sma200@SPY; rsi2 lt 5",
           exit="rsi2 gt 70")
    _reads("Buy IWM when RSI(2) is under 10 on IWM, sell when it closes above its 5 day sma",
           symbols="IWM", entry="rsi2 lt 10", exit="price gt sma5")


def test_another_funds_condition_is_not_taken_for_the_bought_one() -> None:
    # the buy reads SPY's RSI; the sell names no fund, so the text is refused (as before)
    _refused("buy QQQ when RSI(2) is under 5 on SPY, sell when RSI(2) is over 70")


# -- remarks ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("remark", [
    ". the band keeps me from getting whipsawed",
    ". That buffer stops me from getting chopped up around the line",
])
def test_what_a_part_of_the_rule_is_for(remark: str) -> None:
    _reads(f"qqq only when it's more than 2% above the 200 day, get out if it slips more than 2% "
           f"under it{remark}", symbols="QQQ", entry="price gt sma200+2%",
           exit="price lt sma200-2%")


# -- the crossing back, with its line named --------------------------------------------------------
@pytest.mark.parametrize(("said", "exit_rule"), [
    ("or sell on a cross back below the 50.", "price crosses_below sma50"),
    ("or exit on a cross below the 50 day sma.", "price crosses_below sma50"),
    ("or sell on a cross under the 20 day.", "price crosses_below sma20"),
])
def test_sell_on_a_cross_back_below_a_named_line(said: str, exit_rule: str) -> None:
    _reads(f"MDY: buy when price crosses above the 50 day sma. take profit at 10%, stop at 5%, "
           f"{said}", symbols="MDY", entry="price crosses_above sma50", exit=exit_rule,
           take=10, stop=5)


# -- where the money goes otherwise ----------------------------------------------------------------
@pytest.mark.parametrize(("text", "alternative"), [
    ("hold VTI while it's above its 10 month moving average, AGG otherwise", "AGG"),
    ("own VTI when it's above its 10 month moving average, in SHY otherwise", "SHY"),
    ("hold VTI while it's above its 10 month moving average, TLT if not", "TLT"),
])
def test_the_alternative_said_before_otherwise(text: str, alternative: str) -> None:
    _reads(text, symbols="VTI", entry="price gt sma210", exit="price lt sma210",
           alternative=alternative)


def test_cash_said_before_otherwise_is_no_position() -> None:
    spec = parse("own GLD while it is above its 200 day, cash otherwise")
    assert spec.allocation.alternative is None
    _reads("own GLD while it is above its 200 day, cash otherwise", symbols="GLD",
           entry="price gt sma200", exit="price lt sma200")


def test_the_safe_fund_named_first_is_the_one_traded() -> None:
    _reads("SHY when SPY is below its 200-day, SPY otherwise", symbols="SHY",
           entry="price@SPY lt sma200@SPY", exit="price@SPY gt sma200@SPY", alternative="SPY")


# -- sizes -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", ["fixed $2,500 every trade.", "$2,500 every position.",
                                  "a fixed $2,500 per trade."])
def test_a_fixed_amount_said_first(size: str) -> None:
    _reads(f"{size} DBC: buy when it closes above its 50 day high, sell on a close under the "
           f"25-day low", symbols="DBC", kind="fixed_amount", amount=2500,
           entry="price gt hh50", exit="price lt ll25")


@pytest.mark.parametrize("head", ["same rules for SPY and EFA", "the same setup on SPY and EFA",
                                  "same rules for both SPY and EFA"])
def test_the_same_rules_for_several_funds(head: str) -> None:
    _reads(f"25% of capital per position, {head}: buy when rsi14 < 35, sell when rsi14 > 55",
           symbols="SPY EFA", kind="fixed_fraction", fraction=0.25, entry="rsi14 lt 35",
           exit="rsi14 gt 55")


@pytest.mark.parametrize("said", ["on my QQQ trades", "for all my QQQ positions",
                                  "on every QQQ trade"])
def test_the_fund_whose_trades_the_controls_are(said: str) -> None:
    _reads(f"Trailing stop 7% and a hard stop 4% {said}. Entry is a close above the upper "
           "bollinger band (20, 2.5). No other exit.", symbols="QQQ",
           entry="price gt bb_upper20[2.5]", exit="none", trailing=7, stop=4)


@pytest.mark.parametrize("amount", ["10k", "$10,000", "10 grand"])
def test_an_arrow_to_a_buy_with_its_amount(amount: str) -> None:
    _reads(f"spy rsi 2 < 5 -> buy with {amount}. exit on a close above the 5-day sma or after 5 "
           "days max. SL 4%", symbols="SPY", kind="fixed_amount", amount=10000,
           entry="rsi2 lt 5", exit="price gt sma5", hold_bars=5, stop=4)


# -- rotations -------------------------------------------------------------------------------------
@pytest.mark.parametrize("said", [", BIL if none of them are positive",
                                  ", BIL if none are positive",
                                  "; BIL if none of them is positive"])
def test_a_rotations_fund_said_bare_before_if_none(said: str) -> None:
    _reads("every week hold the single strongest of SPY QQQ EFA EEM GLD by 12 month return"
           f"{said}",
           symbols="SPY QQQ EFA EEM GLD", kind="momentum_rotation", top=1, lookback=252,
           positive="yes", alternative="BIL", schedule="weekly")


# -- bought and held -------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["lump sum into VTI and never sell", "buy VTI and never sell",
                                  "invest a lump sum in VTI and hold it forever",
                                  "Buy VTI, and then never sell it."])
def test_bought_and_never_sold(text: str) -> None:
    _reads(text, symbols="VTI", kind="target_weights", weights="VTI=1")


def test_a_buy_rule_then_never_sell_keeps_its_rule() -> None:
    _reads("buy VTI when it crosses above the 200 day and never sell", symbols="VTI",
           entry="price crosses_above sma200", exit="none")
