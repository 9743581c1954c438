"""The thirty-third round: conventions made one, and a time exit's "if ..." read for what it says,
through the whole static pipeline (`corpus_support.run_case`), with the refusals beside them:

- cash is no position however it is said: "otherwise cash" and "hold cash instead" had bought
  BIL while "otherwise sit in cash" held nothing; a fund named for the cash is still bought;
- "purchase $2,000 worth" is the one rewrite of a buy with its amount ("buy", "buys", "puts in");
- a time exit's "if" that only says no other exit came first ("or after 10 days if it never
  gets there", "if nothing happens", "if I'm still in", "if neither one hits") goes, and so does
  "otherwise" before a time exit; a time exit with a condition of its own ("sell after 10 days
  if it's still below its 20-day") is refused: it had been read as one more condition of the buy
  rule, a silent misreading. So is a stop, target or trailing stop with a condition of its own
  ("with a 5% stop loss if it's below its 200-day", "a 6% trailing stop once it's above the
  50-day"), when the buy rule's condition was said before the control;
- bounds on a hold said after the rule ("hold until RSI(2) is above 70, but no longer than 2
  weeks", "..., for at most 10 days", "..., but at least 3 days") are the hold they bound;
- "when RSI(14) is between 30 and 40": above the lower and below the higher;
- fixed weights with "the rest" in a fund ("40% SPY, 40% TLT and the rest in GLD", "the rest
  goes to GLD"): the fund's weight is the rest (the spec gives an alternative beside fixed weights
  the rest as a weight for every provider: the code had bought only the weights, a silent
  misreading); "sell tomorrow" is a one-day time exit;
- signals set aside under a condition ("but ignore signals when SPY is below its 200 day") are
  refused: "ignore" had gone as a word of no meaning and its condition joined the sell rule,
  where it said the opposite.
"""

from __future__ import annotations

import pytest
from corpus_support import Case, run_case
from grid_support import refused as _refused

from generator.describe import describe
from generator.providers.offline import parse
from generator.render import render_strategy


def _reads(text: str, **facts: object) -> None:
    """`text` gives a spec with every fact (corpus notation), through the static pipeline."""
    outcome = run_case(Case("round33", text, {k: str(v) for k, v in facts.items()}))
    assert outcome.ok, (outcome.why, text)


# -- cash ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Hold TLT when SPY is below its 200 day SMA, otherwise cash.",
    "Own QQQ while it's above its 100 day SMA, hold cash instead.",
    "Hold GLD while its 50 day EMA is above its 200 day EMA, else cash.",
    "Keep VNQ while it's above the 10 month SMA, otherwise sit in cash.",
    "Own EFA above its 200 day SMA, move me to cash when it isn't.",
])
def test_cash_is_no_position_however_it_is_said(text: str) -> None:
    spec = parse(text)
    assert spec.allocation.alternative is None, text
    assert spec.exit is not None and len(spec.exit.conditions) == 1, text
    assert len(spec.symbols) == 1


@pytest.mark.parametrize(("text", "fund"), [
    ("Hold SPY when it's above its 200 day SMA, otherwise BIL.", "BIL"),
    ("Hold SPY when it's above its 200 day SMA, otherwise cash (SHY).", "SHY"),
    ("Hold SPY when it's above its 200 day SMA, otherwise park it in T-bills.", "BIL"),
])
def test_a_fund_named_for_the_cash_is_bought(text: str, fund: str) -> None:
    assert parse(text).allocation.alternative == fund


def test_a_rotation_with_cash_otherwise_leaves_the_slot_in_cash() -> None:
    spec = parse("every month hold the top 2 of SPY, EFA and EEM by 6 month return, only if "
                 "positive, otherwise cash")
    assert spec.allocation.kind.value == "momentum_rotation"
    assert spec.allocation.require_positive_momentum
    assert spec.allocation.alternative is None


# -- a buy with its amount -----------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Purchase $2,000 worth of SPY when RSI(14) drops under 30 and sell when it gets over 70.",
    "When SPY's RSI(14) drops under 30, purchase $2,000 worth. Sell when it gets over 70.",
    "He purchases $2,000 worth whenever SPY's RSI(14) drops under 30 and sells when it gets "
    "over 70.",
    "Buy $2,000 worth of SPY when RSI(14) drops under 30 and sell when it gets over 70.",
])
def test_purchase_an_amount_worth(text: str) -> None:
    _reads(text, symbols="SPY", entry="rsi14 lt 30", exit="rsi14 gt 70", kind="fixed_amount",
           amount=2000)


# -- a time exit's "if" --------------------------------------------------------------------------
@pytest.mark.parametrize("tail", [
    "or after 10 trading days if it never gets there",
    "or after 10 days if it hasn't by then",
    "or after 10 days if not",
    "or after ten days if nothing happens",
    "or after 10 days if I'm still in",
    "or after 2 weeks if it's still open",
    "or after 10 days if the exit never triggers",
    "or after 10 days in case it doesn't get there first",
    "or after 10 sessions if that doesn't happen",
])
def test_a_time_exits_if_that_says_no_other_exit_came_first(tail: str) -> None:
    _reads(f"Buy SPY when RSI(2) is below 15, sell when RSI(2) is above 60 {tail}.",
           symbols="SPY", entry="rsi2 lt 15", exit="rsi2 gt 60", hold_bars=10)


@pytest.mark.parametrize("text", [
    "Buy IWM when RSI(2) is below 5, take profit at 4%, otherwise sell after 8 days.",
    "Buy IWM when RSI(2) is below 5, take profit at 4%, otherwise sell after 8 days if the target "
    "isn't hit.",
    "Buy IWM when RSI(2) is below 5, take profit at 4%, stop at 6%, and bail after 8 days if "
    "neither one hits.",
])
def test_a_time_exit_after_the_controls(text: str) -> None:
    _reads(text, symbols="IWM", entry="rsi2 lt 5", take=4, hold_bars=8)


@pytest.mark.parametrize("text", [
    # a condition of its own: the spec's time exit cannot wait for it
    "Buy QQQ when RSI(2) is under 10, sell after 10 days if it's still below its 20 day SMA.",
    "Buy QQQ when RSI(2) is under 10, sell after 10 days but only if RSI(2) is above 50.",
    "Buy QQQ when RSI(2) is under 10, sell after 10 days unless it's above its 200 day SMA.",
    "Buy QQQ when RSI(2) is under 10, sell after 10 days if it hasn't moved up 5%.",
    "Buy QQQ when RSI(2) is under 10, sell after 10 days if not profitable.",
])
def test_a_time_exit_with_a_condition_of_its_own_is_refused(text: str) -> None:
    _refused(text)


@pytest.mark.parametrize("text", [
    "Buy QQQ when RSI(2) is under 10, with a 5% stop loss if it's below its 200 day SMA.",
    "Buy QQQ when RSI(2) is under 10, use a 6% trailing stop once it's above the 50 day SMA.",
    "If RSI(2) on QQQ is under 10 buy it, take profit at 8% as long as SPY is above its 200 day "
    "SMA.",
    "Buy QQQ when RSI(2) is under 10 and sell when it's above 70, stop at 5% unless QQQ is above "
    "its 200 day SMA.",
])
def test_a_control_with_a_condition_of_its_own_is_refused(text: str) -> None:
    _refused(text)


def test_a_condition_after_a_control_is_the_buys_when_the_buy_has_none_before() -> None:
    _reads("Buy SPY with a 5% stop loss when RSI(14) drops below 30, sell when it's above 70.",
           symbols="SPY", entry="rsi14 lt 30", exit="rsi14 gt 70", stop=5)
    _reads("Buy SPY and sell after 5 days if RSI(2) closed below 10.", symbols="SPY",
           entry="rsi2 lt 10", hold_bars=5)
    # a clause with its own verb is a rule of its own
    _reads("Buy QQQ when RSI(2) is under 10, stop 5%, if RSI(2) goes above 70 sell.",
           symbols="QQQ", entry="rsi2 lt 10", exit="rsi2 gt 70", stop=5)


# -- signals set aside ---------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Buy QQQ when its 20 day SMA crosses above its 50 day SMA, and sell when it crosses below, "
    "but ignore signals when SPY is below its 200 day.",
    "Buy GLD on a golden cross and sell on a death cross, skip trades if SPY is below its 200 "
    "day SMA.",
    "Buy IWM when RSI(2) is below 10, sell when it's above 70. Ignore buy signals while SPY is "
    "under its 200 day SMA.",
    "Buy EFA when MACD crosses above its signal line, sell when it crosses below; pause new "
    "entries when VNQ is below its 100 day SMA.",
])
def test_signals_set_aside_under_a_condition_are_refused(text: str) -> None:
    _refused(text)


def test_a_line_set_aside_with_no_condition_is_a_remark() -> None:
    _reads("Buy EFA when the MACD line crosses above zero, sell when it crosses below zero. "
           "Ignore the signal line entirely.", symbols="EFA", entry="macd crosses_above 0",
           exit="macd crosses_below 0")


# -- bounds on a hold said after the rule --------------------------------------------------------
@pytest.mark.parametrize(("bound", "facts"), [
    ("but no longer than 2 weeks", {"hold_bars": 10}),
    ("but no more than 10 days", {"hold_bars": 10}),
    ("for at most 10 trading days", {"hold_bars": 10}),
    ("never longer than ten days", {"hold_bars": 10}),
    ("but at least 3 days", {"min_hold": 3}),
    ("and no less than 3 days", {"min_hold": 3}),
    ("but no longer than 2 weeks and not less than 3 days", {"hold_bars": 10, "min_hold": 3}),
])
def test_a_bound_on_the_hold_said_after_the_rule(bound: str, facts: dict[str, int]) -> None:
    _reads(f"Buy SPY when RSI(2) is under 10 and hold until RSI(2) is above 70, {bound}.",
           symbols="SPY", entry="rsi2 lt 10", exit="rsi2 gt 70", **facts)


def test_a_count_of_days_inside_a_condition_is_no_hold() -> None:
    # "for at least 3 days" ends a condition's clause, not the rule's: never a minimum hold
    _refused("Buy SPY when it has been below its 20 day SMA for at least 3 days, sell when it's "
             "back above.")


# -- a range ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("said", "entry"), [
    ("RSI(14) is between 30 and 40", "rsi14 gt 30; rsi14 lt 40"),
    ("its RSI(2) is between 10 and 5", "rsi2 gt 5; rsi2 lt 10"),
    ("the 14 day RSI stays between 45 and 55", "rsi14 gt 45; rsi14 lt 55"),
    ("RSI(14) is somewhere between 40 and 50 and it's above its 100 day SMA",
     "rsi14 gt 40; rsi14 lt 50; price gt sma100"),
])
def test_a_value_between_two_numbers(said: str, entry: str) -> None:
    _reads(f"Buy EEM when {said}, sell when RSI(14) is above 70.", symbols="EEM", entry=entry,
           exit="rsi14 gt 70")


@pytest.mark.parametrize("text", [
    # a range of percentages from a line, and a move into a range, are not read as a range
    "Buy SPY when it's between 2% and 5% below its 200 day SMA, sell when it's above it.",
    "Buy SPY when RSI(14) falls back between 40 and 50, sell when RSI(14) is over 70.",
])
def test_ranges_it_does_not_read_are_refused(text: str) -> None:
    _refused(text)


# -- the rest of fixed weights -------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Put 40% in SPY, 40% in TLT and the rest in GLD; rebalance quarterly.",
    "40% SPY, 40% TLT, the rest goes to GLD, rebalance quarterly.",
    "40% SPY and 40% TLT, keep the remainder in GLD, rebalanced every quarter.",
])
def test_the_rest_of_fixed_weights_is_a_weight(text: str) -> None:
    _reads(text, symbols="SPY TLT GLD", kind="target_weights",
           weights="SPY=0.4 TLT=0.4 GLD=0.2", schedule="quarterly")


def test_the_rest_when_the_weights_are_already_whole_is_refused() -> None:
    _refused("60% SPY and 40% TLT, keep the rest in GLD.")
    # said as a list item beside a signal strategy's size, "the rest" is read only with fixed
    # weights (whether the other half waits in TLT always or only while SPY is out is unsaid)
    _refused("Buy SPY with half my money when it's above its 200 day SMA, the rest in TLT. Sell "
             "when it's below.")


def test_what_the_code_buys_is_what_the_summary_says() -> None:
    spec = parse("40% SPY, 40% TLT, the rest goes to GLD, rebalance quarterly.")
    code = render_strategy(spec)
    assert '"GLD": 0.2' in code
    assert "20% GLD" in describe(spec)


@pytest.mark.parametrize("said", ["sell tomorrow", "sell it the day after", "sell the next day"])
def test_a_sell_on_the_next_day(said: str) -> None:
    _reads(f"Buy QQQ when RSI(2) is under 5, {said}.", symbols="QQQ", entry="rsi2 lt 5",
           hold_bars=1)
