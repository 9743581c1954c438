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

The round's second half, from sets of traps for a careless reader, mostly silent misreadings
made refusals or right readings:

- "sell when it is below SPY's" after "its 12 month return is above SPY's 12 month return": the
  line said before (it had been read as SPY's price); "beats" / "lags" another fund's line;
- "it" in a sell rule after a buy rule read on another fund, comparing a line the buy rule
  never read, is refused (it had been taken as that fund's);
- a stocks-and-bonds split with the bond fund named first is asked ("60/40 with AGG and VTI");
  "60/40 stocks/bonds with AGG and VTI" gives the stocks' share to the stock fund (it had gone
  to AGG);
- "sell if it's down 4% from what I paid, or on the cross back below the 50 day": the crossing
  is the sell's (it had been joined to the buy rule), and a buy rule holding a crossing and the
  same crossing back is refused;
- "it's above 50", a level said of "it" with no word of a price, is asked (it had been read as
  the price); "pro tip" and "shy" are words; "not above 30" is at or below; "rises through"
  is a crossing; "all out when"; "per trade in EEM when"; "buy both ... sell both";
  "SPY's 50"; someone else's strategy the writer turns down; "I used to ... but now ...".
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


# == the second half of the round: traps for a careless reader (sets 111 and 112) ==================
# -- a line of another fund, its noun left out -----------------------------------------------------
@pytest.mark.parametrize(("said", "line"), [
    ("its 12 month return is above SPY's 12 month return, sell when it is below SPY's", "roc252"),
    ("its 12 month return beats SPY's 12 month return, sell when it lags SPY's", "roc252"),
    ("its RSI is above SPY's RSI, sell when it is below SPY's", "rsi14"),
])
def test_another_funds_line_said_again_without_its_noun(said: str, line: str) -> None:
    _reads(f"buy EFA when {said}", symbols="EFA", entry=f"{line} gt {line}@SPY",
           exit=f"{line} lt {line}@SPY")


def test_a_bare_possessive_with_no_line_before_is_not_the_price() -> None:
    # it had been read as the price of SPY: a silent misreading
    _refused("buy EFA when its RSI is above SPY's, sell when it is below SPY's")


# -- whose "it" is ---------------------------------------------------------------------------------
def test_it_after_a_buy_read_on_another_fund_with_a_new_line_is_refused() -> None:
    _refused("buy QQQ when SPY is above its 200 day and sell when its below its 50 day")


@pytest.mark.parametrize("text", [
    "buy TLT when SPY falls below its 200 day and sell when it gets back above it",
    "buy TLT when SPY is below its 200 day SMA, sell when it's above its 200 day SMA",
])
def test_it_on_the_same_line_is_that_funds(text: str) -> None:
    _reads(text, symbols="TLT", entry="price@SPY lt sma200@SPY", exit="price@SPY gt sma200@SPY")


def test_the_traded_fund_named_in_the_sell_rule_is_read() -> None:
    _reads("buy QQQ when SPY is above its 200 day and sell when QQQ is below its 50 day",
           symbols="QQQ", entry="price@SPY gt sma200@SPY", exit="price lt sma50")


# -- splits of stocks and bonds --------------------------------------------------------------------
@pytest.mark.parametrize("text", ["60/40 with AGG and VTI, rebalance yearly",
                                  "a 70/30 split between TLT and SPY"])
def test_a_split_with_the_bond_fund_named_first_is_asked(text: str) -> None:
    _refused(text)


@pytest.mark.parametrize(("text", "weights"), [
    ("60/40 stocks/bonds with AGG and VTI, rebalance yearly", "VTI=0.6 AGG=0.4"),
    ("70% stocks and 30% bonds using IEF and VTI, rebalance yearly", "VTI=0.7 IEF=0.3"),
    ("60/40 with VTI and AGG, rebalance yearly", "VTI=0.6 AGG=0.4"),
    ("60/40 AGG/VTI, rebalance yearly", "AGG=0.6 VTI=0.4"),
])
def test_a_split_whose_funds_are_clear(text: str, weights: str) -> None:
    _reads(text, kind="target_weights", weights=weights, schedule="yearly")


# -- "or ..." after a control that took the sell's verb --------------------------------------------
@pytest.mark.parametrize("control", ["sell if its down 4% from what I paid,",
                                     "4% stop,", "exit at a 4% loss"])
def test_or_on_the_cross_back_after_a_control_is_the_sell(control: str) -> None:
    _reads(f"buy TLT on a cross above the 50 day. {control} or on the cross back below the 50 "
           "day", symbols="TLT", entry="price crosses_above sma50",
           exit="price crosses_below sma50", stop=4)


def test_a_buy_rule_on_a_crossing_both_ways_is_refused() -> None:
    _refused("buy TLT when price crosses above the 50 day or when it crosses below the 50 day, "
             "sell after 5 days")


# -- words that look like funds --------------------------------------------------------------------
def test_pro_tip_and_shy_are_words() -> None:
    _reads("pro tip: buy LQD when the 20 day SMA is above the 60 day SMA and sell when it isnt",
           symbols="LQD", entry="sma20 gt sma60", exit="sma20 lt sma60")
    _reads("I was shy about momentum at first but here goes: every quarter switch into whichever"
           " one of VTI, EFA and IEF did best over the past year", symbols="VTI EFA IEF",
           kind="momentum_rotation", top=1, lookback=252, schedule="quarterly")
    _reads("buy shy when tlt is below its 200 day, sell when it is above", symbols="SHY",
           entry="price@TLT lt sma200@TLT", exit="price@TLT gt sma200@TLT")


# -- negations of a side ---------------------------------------------------------------------------
@pytest.mark.parametrize(("said", "entry", "exit_rule"), [
    ("its RSI is not above 30 and sell once its no longer under 60", "rsi14 le 30",
     "rsi14 ge 60"),
    ("its RSI isn't over 30 and sell once it is not below 60", "rsi14 le 30", "rsi14 ge 60"),
])
def test_not_above_is_at_or_below(said: str, entry: str, exit_rule: str) -> None:
    _reads(f"buy VNQ whenever {said}", symbols="VNQ", entry=entry, exit=exit_rule)


def test_not_above_said_of_another_funds_price() -> None:
    _reads("buy TLT when SPY's not above its 200 day, sell when SPY's above it", symbols="TLT",
           entry="price@SPY le sma200@SPY", exit="price@SPY gt sma200@SPY")


def test_not_below_a_line_beside_another_condition() -> None:
    _reads("buy SPY when RSI(2) is under 10 and SPY is not below its 200 day, sell when RSI(2) "
           "> 70", symbols="SPY", entry="rsi2 lt 10; price ge sma200", exit="rsi2 gt 70")


# -- crossings said with "through" -----------------------------------------------------------------
@pytest.mark.parametrize(("up", "down"), [("rises through", "crosses down thru"),
                                          ("climbs through", "drops through"),
                                          ("breaks up through", "breaks down through")])
def test_through_a_line_is_its_crossing(up: str, down: str) -> None:
    _reads(f"buy MDY when it {up} its 50 day, sell when it {down} the 20 day", symbols="MDY",
           entry="price crosses_above sma50", exit="price crosses_below sma20")


# -- more of the round's wordings ------------------------------------------------------------------
def test_a_time_exit_after_if_it_never_gets_there() -> None:
    _reads("Buy EFA when RSI(14) < 25. take profits at +10%, and if it never gets there just "
           "sell after 20 days", symbols="EFA", entry="rsi14 lt 25", exit="none", take=10,
           hold_bars=20)


def test_all_in_and_all_out() -> None:
    _reads("No DCA for me. all in SPY when the 50 day crosses above the 200 day, all out when it "
           "crosses back below", symbols="SPY", kind="all_in",
           entry="sma50 crosses_above sma200", exit="sma50 crosses_below sma200")


def test_a_size_per_trade_in_a_fund() -> None:
    _reads("30% of my account per trade in EEM when the MACD crosses above the signal line. "
           "close it when MACD crosses back under the signal, or on an 8% stop", symbols="EEM",
           kind="fixed_fraction", fraction=0.3, entry="macd crosses_above macd_signal",
           exit="macd crosses_below macd_signal", stop=8)


def test_both_funds_on_another_funds_rule() -> None:
    _reads("buy both QQQ and IWM when SPY's 50 day is above its 200 day, and sell both when "
           "SPY's 50 is under its 200", symbols="QQQ IWM", kind="equal_weight",
           entry="sma50@SPY gt sma200@SPY", exit="sma50@SPY lt sma200@SPY")


@pytest.mark.parametrize("turned_down", ["my buddy runs a golden cross on QQQ, not for me.",
                                         "my dad trades the death cross on QQQ but thats not my "
                                         "style."])
def test_someone_elses_strategy_turned_down(turned_down: str) -> None:
    _reads(f"{turned_down} I just want to own SPY when its above the 200 day and be out when its "
           "not", symbols="SPY", entry="price gt sma200", exit="price lt sma200")


def test_someone_elses_strategy_not_turned_down_stays_refused() -> None:
    _refused("my buddy runs a golden cross on QQQ. I just want to own SPY when its above the 200 "
             "day and be out when its not")


@pytest.mark.parametrize(("said", "facts"), [
    ("buy IWM when RSI(2) is under 10. I used to sell at 70 but now I sell at 60",
     {"symbols": "IWM", "entry": "rsi2 lt 10", "exit": "rsi2 gt 60"}),
    ("I used to own GLD but now I want TIP: buy when TIP is above its 100 day, sell when below "
     "the 100 day", {"symbols": "TIP", "entry": "price gt sma100", "exit": "price lt sma100"}),
])
def test_a_plan_given_up_for_the_one_kept(said: str, facts: dict[str, str]) -> None:
    _reads(said, **facts)


# -- a level said of "it" --------------------------------------------------------------------------
def test_a_level_said_of_it_with_no_word_of_a_price_is_asked() -> None:
    # it had been read as SPY's price above 50: a silent misreading for a fund near $500
    _refused("Buy SPY when it's above 50 and sell when it's below 45")


@pytest.mark.parametrize("text", [
    "buy GLD when it closes below 180, sell when it closes above 200",
    "buy GLD when the price is below 180, sell when it is above 200",
])
def test_a_price_level_said_as_one_is_read(text: str) -> None:
    _reads(text, symbols="GLD", entry="price lt 180", exit="price gt 200")


@pytest.mark.parametrize(("said", "facts"), [
    ("buy GLD when it drops below $180, sell when it is above $200",
     {"symbols": "GLD", "entry": "price lt 180", "exit": "price gt 200"}),
    ("buy TLT when SPY is below $400, sell when SPY rises above $450",
     {"symbols": "TLT", "entry": "price@SPY lt 400", "exit": "price@SPY gt 450"}),
    ("buy GLD when it drops below $180 with $5,000 per trade, sell when it is above $200",
     {"symbols": "GLD", "entry": "price lt 180", "exit": "price gt 200", "kind": "fixed_amount",
      "amount": "5000"}),
])
def test_a_price_level_said_in_dollars(said: str, facts: dict[str, str]) -> None:
    _reads(said, **facts)
