"""The thirtieth round: five sets written blind from the corpus header before any change, three
to be read (96 and 97, strategies retold from a source; 99, ordinary people) and two kept unseen
(98 and 100, the same briefs word for word). Each mechanism is tested on paraphrases with the
refusals beside it, judged in the corpus's notation through the whole static pipeline
(`corpus_support.run_case`).

The wrong readings fixed first (present before this round):

- a sentence of what someone else does, naming a trailing stop, stop loss or profit target the
  rules lack ("He uses a trailing stop too.") had been taken as a title and dropped;
- "He trades it on Mondays." before a rule had been set aside as a report adding nothing;
- "I like that it sells before the close." beside a rule had been set aside as an opinion.
"""

from __future__ import annotations

import pytest
from corpus_support import Case, run_case
from grid_support import grid as _grid
from grid_support import parse_stored as _parse
from grid_support import refused as _refused

RSI2 = "Buy SPY when RSI(2) is under 10, sell when RSI(2) is above 70."


def _reads(text: str, **facts: object) -> None:
    """`text` gives a spec with every fact (corpus notation), through the static pipeline."""
    outcome = run_case(Case("round30", text, {k: str(v) for k, v in facts.items()}))
    assert outcome.ok, (outcome.why, text)


# -- the wrong readings -------------------------------------------------------------------------
@pytest.mark.parametrize("said", ["He uses a trailing stop too.", "She always adds a stop loss.",
                                  "My friend swears by a profit target."])
def test_a_control_said_of_someone_else_must_be_in_the_rules(said: str) -> None:
    _refused(f"{said} Buy QQQ when it crosses above its 50 day and sell when it crosses below.")


def test_a_control_said_of_someone_else_that_the_rules_have_is_read() -> None:
    _reads("He uses a trailing stop too. Buy QQQ when it crosses above its 50 day SMA, with a 10% "
           "trailing stop and no other exit.", symbols="QQQ", trailing=10, exit="none")


def test_a_weekday_said_of_someone_is_the_schedule_never_set_aside() -> None:
    assert _parse(f"He trades it on Mondays. {RSI2}").schedule.value == "weekly"


@pytest.mark.parametrize("extra", [
    "I like that it sells before the close.", "He's always out by the close.",
    "He says he sells in the morning.", "I love that it trades intraday.",
])
def test_an_aside_naming_a_time_of_day_is_never_set_aside(extra: str) -> None:
    _refused(f"{RSI2} {extra}")


# -- a source's value, then the writer's --------------------------------------------------------
@pytest.mark.parametrize("change, facts", [
    ("He holds 10, I want 7.", {"hold_bars": 7}),
    ("He holds 10 days but I'd rather hold 6.", {"hold_bars": 6}),
    ("He uses a 10 day hold; I'd use 8.", {"hold_bars": 8}),
])
def test_the_writers_number_after_the_sources(change: str, facts: dict[str, object]) -> None:
    _reads("Heard this on a trading podcast: buy IWM after 4 down days in a row and hold for 10 "
           f"days. {change}", symbols="IWM", entry="down_streak ge 4", **facts)


def test_the_writers_stop_fund_and_schedule_after_the_sources() -> None:
    _reads("Breakout on QQQ from a book: buy when it closes above its 50-day high, take profits at "
           "20%, no other sell rule. He uses a 10% stop, but I'd rather use 7%.", symbols="QQQ",
           stop=7, take=20, exit="none")
    _reads("Larry Connors' rule from his book: buy SPY when it's above the 200-day and the "
           "2-period RSI is under 5, sell when it closes above the 5-day SMA. He uses SPY; I want "
           "to run it on MDY instead, and only with 20% of my account per trade.", symbols="MDY",
           kind="fixed_fraction", fraction=0.2)
    _reads("A reddit user posted a rotation: pick the single best of QQQ, IWM, MDY and SPY by "
           "1-month return and hold only that one. He does it monthly, I want to rotate every "
           "week.", kind="momentum_rotation", top=1, lookback=21, schedule="weekly")


def test_a_writers_number_for_a_source_value_the_rule_does_not_say_is_refused() -> None:
    # the source holds 12 by this clause, the rule says 10: which the writer replaces is unclear
    _refused("A podcast guest buys IWM after 4 down days in a row and holds for 10 days. He holds "
             "12, I want 7.")


# -- changes said in more ways ------------------------------------------------------------------
@pytest.mark.parametrize("adopt", ["I'd use SPY.", "I want to use SPY.", "Going to try it on SPY."])
def test_a_rule_told_of_the_index_is_put_on_the_fund_named(adopt: str) -> None:
    _reads("A book I borrowed says to own the S&P 500 fund only while its monthly close is above "
           f"the 12-month moving average, and to sell when a monthly close is below it. {adopt}",
           symbols="SPY", entry="price:monthly gt sma12:monthly")


def test_a_change_announced_and_one_that_names_an_average_by_its_length() -> None:
    _reads("From a trend following book: buy EFA when it closes above its 100-day high, with a 10% "
           "stop loss and no other exit. I'd change one thing, a 5% stop instead of 10%, and I'd "
           "also add a 25% profit target.", symbols="EFA", stop=5, take=25, exit="none")
    _reads("My dad's rule is to hold SPY while it's above the 200-day moving average, but I want "
           "to use the 150-day instead since it reacts faster.", symbols="SPY",
           entry="price gt sma150", exit="price lt sma150")


@pytest.mark.parametrize("adopt", [
    "Same thing but on QQQ please, tech is what I actually own.",
    "Going to try it on QQQ since tech swings around a lot.",
    "Same rules, but on QQQ because I like tech better.",
])
def test_a_reason_beside_the_change_is_set_aside(adopt: str) -> None:
    _reads("From a YouTube video about the golden cross on SPY: he buys on the golden cross and "
           f"sells on the death cross. {adopt}", symbols="QQQ", entry="sma50 crosses_above sma200")


def test_a_reason_beside_the_change_that_sets_something_is_read_as_the_change() -> None:
    _reads("From a YouTube video about the golden cross on SPY: he buys on the golden cross and "
           "sells on the death cross. Same thing but on QQQ, because I want a 5% stop.",
           symbols="QQQ", stop=5, exit="sma50 crosses_below sma200")
    _refused("From a YouTube video about the golden cross on SPY: he buys on the golden cross and "
             "sells on the death cross. Same thing but on QQQ, because I want it out sooner.")


@pytest.mark.parametrize("change, weights", [
    ("i want the same but 70/30", "QQQ=0.7 TLT=0.3"),
    ("I'd like that at a 90-10 split.", "QQQ=0.9 TLT=0.1"),
])
def test_the_sources_weights_at_the_writers_ratio(change: str, weights: str) -> None:
    _reads(f"my buddy runs 80% QQQ and 20% TLT, rebalanced every month. {change}",
           kind="target_weights", weights=weights, schedule="monthly")


def test_a_ratio_of_another_count_of_funds_is_refused() -> None:
    _refused("my buddy runs 80% QQQ and 20% TLT, rebalanced every month. i want the same but "
             "70/20/10")


# -- what the source claims, what the writer thinks ---------------------------------------------
@pytest.mark.parametrize("claim", [
    "The author claims it beat the S&P with smaller drawdowns.",
    "Pat claims a 60% win rate.",
    "He claims the 2-to-1 reward to risk is the secret.",
    "He says it keeps you out of the big crashes, which is what I care about - I'm 61 and I "
    "can't sit through another 2008.",
    "People there say calendar trading is pointless.",
    "(the host claims it wins about 80% of the time, which honestly sounds too good)",
])
def test_what_the_source_claims_is_set_aside(claim: str) -> None:
    _reads(f"Heard on a podcast: {RSI2} {claim}", symbols="SPY", entry="rsi2 lt 10",
           exit="rsi2 gt 70")


@pytest.mark.parametrize("claim", ["He claims a 5% stop works best.",
                                   "He says he rebalances every Friday."])
def test_a_claim_that_adds_to_the_rule_is_refused_or_read(claim: str) -> None:
    with pytest.raises(Exception):  # noqa: B017 - a ParseError or a read that is not this one
        spec = _parse(f"Heard on a podcast: {RSI2} {claim}")
        assert spec.risk.stop_loss_pct is None and spec.schedule.value == "daily"


@pytest.mark.parametrize("opinion", [
    "I like having both exits.", "Fewer trades is better for me.",
    "I like that it never touches stocks.", "I'm 24 and just starting out.",
    "He's younger than me and takes more risk.", "Seems like a lot of trading to me.",
    "I think 70 is too high.", "Weekly fits my life, which is why I like it.",
])
def test_an_opinion_holding_acts_of_no_condition_is_set_aside(opinion: str) -> None:
    _reads(f"{RSI2} {opinion}", symbols="SPY", entry="rsi2 lt 10", exit="rsi2 gt 70")


@pytest.mark.parametrize("opinion", [
    "I like that it only sells after 3 days.", "I like that it never buys on Mondays.",
    "I'm fine holding it until it doubles.", "I think 80 is better.",
])
def test_an_opinion_that_says_more_is_never_set_aside(opinion: str) -> None:
    with pytest.raises(Exception):  # noqa: B017 - refused, or read as the rule it says
        spec = _parse(f"{RSI2} {opinion}")
        assert spec.risk.min_hold_bars is None and spec.schedule.value == "daily"
        assert [c.right.value for c in spec.exit.flat()] == [70.0]  # type: ignore[union-attr]


# -- a source's rule restated in words ----------------------------------------------------------
@pytest.mark.parametrize("row", _grid(30, 6, said=[
    "My friend buys Nasdaq breakouts.", "A guy on YouTube trades tech breakouts.",
    "I heard about buying breakouts on a podcast.", "My friend buys breakouts in tech stocks.",
], rule=[
    "Buy QQQ when it closes above its 50-day high and sell after 10 trading days.",
    "Buy QQQ when it closes above the highest high of the last 50 days; sell after 10 trading "
    "days.",
]))
def test_a_restatement_beside_the_rule_is_set_aside(row: dict[str, str]) -> None:
    _reads(f"{row['said']} {row['rule']}", symbols="QQQ", entry="price gt hh50", hold_bars=10)


def test_a_restatement_of_controls_classes_and_a_filter() -> None:
    _reads("My uncle puts a trailing stop on everything he owns. Buy QQQ when its price crosses "
           "above the 50-day SMA, sell when it crosses below, and keep an 8% trailing stop.",
           symbols="QQQ", trailing=8)
    _reads("A friend who trades small caps only buys their breakouts when large caps are trending "
           "too. Buy IWM when it closes above its 20-day high and SPY is above its 100-day SMA; "
           "sell IWM when it closes below its 20-day low.", symbols="IWM",
           entry="price gt hh20; price@SPY gt sma100@SPY", exit="price lt ll20")


@pytest.mark.parametrize("said", [
    "My friend buys Nasdaq breakouts with a trailing stop.",  # no trailing stop in the rule
    "My friend only buys Nasdaq breakouts when the RSI agrees.",  # a filter the rule lacks
    "My friend buys gold breakouts.",  # another class of fund
    "My friend buys Nasdaq breakouts at the close.",  # a time of day
    "My friend buys Nasdaq breakouts and never holds them past Friday.",
])
def test_a_restatement_that_says_more_than_the_rule_is_refused(said: str) -> None:
    _refused(f"{said} Buy QQQ when it closes above its 50-day high and sell after 10 trading days.")


def test_a_name_of_the_cross_must_be_the_rule_said_just_before() -> None:
    text = ("I would like to buy VTI when the 50-day moving average rises above the 200-day moving "
            "average. I read that this is called a {} cross. I'd like to sell when the 50-day "
            "falls back below the 200-day.")
    _reads(text.format("golden"), symbols="VTI", entry="sma50 crosses_above sma200")
    _refused(text.format("death"))


# -- weights by class of asset, then the funds --------------------------------------------------
@pytest.mark.parametrize("text, weights", [
    ("Ray Dalio's all weather mix: 30% stocks, 40% long-term bonds, 15% intermediate bonds, 7.5% "
     "gold and 7.5% commodities. I'd use VTI, TLT, IEF, GLD and DBC for those and rebalance every "
     "quarter.", "VTI=0.3 TLT=0.4 IEF=0.15 GLD=0.075 DBC=0.075"),
    ("Harry Browne's permanent portfolio: a quarter each in stocks, long-term Treasuries, gold and "
     "cash, rebalanced every quarter. I'd build it with VTI, TLT, GLD and BIL.",
     "VTI=0.25 TLT=0.25 GLD=0.25 BIL=0.25"),
    ("The golden butterfly: 20% each in total market, small caps, long bonds, short bonds and "
     "gold. In my account that's VTI, IWM, TLT, SHY and GLD, and I'd rebalance every quarter.",
     "VTI=0.2 IWM=0.2 TLT=0.2 SHY=0.2 GLD=0.2"),
])
def test_the_funds_named_for_the_classes_of_the_weights(text: str, weights: str) -> None:
    _reads(text, kind="target_weights", weights=weights, schedule="quarterly")


@pytest.mark.parametrize("funds", ["TLT and SPY", "SPY, TLT and GLD", "GLD and TLT"])
def test_funds_that_are_not_the_classes_in_order_are_refused(funds: str) -> None:
    _refused(f"A classic mix: 60% stocks and 40% bonds, rebalanced yearly. I'd use {funds} for "
             "those.")


# -- other wordings -----------------------------------------------------------------------------
@pytest.mark.parametrize("text, facts", [
    ("Buy GLD when it closes below its 20-day low and sell a week later.",
     {"entry": "price lt ll20", "hold_bars": 5}),
    ("Buy DBC on a MACD crossover above the signal line and sell on the cross back under.",
     {"entry": "macd crosses_above macd_signal", "exit": "macd crosses_below macd_signal"}),
    ("hold SPY when it's above the 200 day moving avg and hold nothing when it's below.",
     {"entry": "price gt sma200", "exit": "price lt sma200"}),
    ("I want buy SPY when MACD cross up the signal line and sell when MACD cross down the signal "
     "line, and each time use only 2000 dollars.", {"kind": "fixed_amount", "amount": 2000}),
    ("Can the bot buy VNQ when the 20 day crosses above the 50 day and stick a 15% take profit and "
     "5% stop on it. sell also on the cross back below", {"take": 15, "stop": 5}),
    ("SPY pullback play. buy it when it closes below its 10-day low, take profit at 3%, or sell "
     "after 7 days if it hasn't hit that", {"take": 3, "hold_bars": 7, "exit": "none"}),
    ("honestly I just want to buy and hold SPY and AGG half and half, no rebalancing or anything",
     {"kind": "target_weights", "weights": "SPY=0.5 AGG=0.5"}),
    ("TLT mean reversion with wider bands, 20 days and 2.5 standard deviations. Buy when it closes "
     "below the lower band and sell it after 5 days.", {"entry": "price lt bb_lower20[2.5]"}),
    ("Buy QQQ when it closes above the upper Bollinger band (momentum!), sell when it closes under "
     "the middle band.", {"entry": "price gt bb_upper20"}),
    ("hold SPY or EFA, whichever had the higher 12-month return, but only if that return is above "
     "zero, otherwise AGG. Check monthly.", {"kind": "momentum_rotation", "lookback": 252,
                                             "alternative": "AGG", "positive": "yes"}),
    ("The newsletter compares VTI against EFA on a 12-month lookback. Each week hold the stronger "
     "of the two if its return is positive, otherwise hold TLT.",
     {"kind": "momentum_rotation", "lookback": 252, "schedule": "weekly"}),
    ("My friend checks his rotation every week instead of every month because he hates waiting. "
     "Weekly, hold the top two of QQQ, SPY, IWM and MDY ranked by 1-month return.",
     {"top": 2, "schedule": "weekly"}),
    ("Podcast host's rule for mid caps: buy MDY when the price crosses above its 20-day SMA, sell "
     "when it closes below the 20-day SMA, but hold at least 5 days before any sell so you don't "
     "get whipsawed.", {"min_hold": 5}),
    ("A commodity trend-following podcast: equal weight GLD and DBC, buy each on a close above its "
     "50-day high and sell each on a close below its 25-day low.",
     {"symbols": "GLD DBC", "entry": "price gt hh50", "exit": "price lt ll25"}),
    ("From a quant blog: equal weight across SPY, EFA and EEM; buy each one when its RSI(2) is "
     "below 10, and sell each one when it closes above its 10-day SMA. The blogger says spreading "
     "it across regions smooths things out.", {"symbols": "SPY EFA EEM", "kind": "equal_weight"}),
    ("my grandpa's rule (hes 85 and still trades!!): buy SPY when its 5% below its 50 day average, "
     "sell when it closes above the 50 day.", {"entry": "price lt sma50-5%"}),
    ("EEM hysteresis rule - buy EEM when price is 2% above its 50 day SMA, sell when price is 2% "
     "below the 50 day SMA. The band is so I don't get chopped up around the average.",
     {"entry": "price gt sma50+2%", "exit": "price lt sma50-2%"}),
    ("SPY down 3 days in a row is my buy signal and I usually get out after 5 trading days.",
     {"entry": "down_streak ge 3", "hold_bars": 5}),
])
def test_wordings_of_the_round(text: str, facts: dict[str, object]) -> None:
    _reads(text, **facts)


@pytest.mark.parametrize("text", [
    "Buy GLD when it closes below its 20-day low and sell a week or two later.",
    "hold SPY when it's above the 200 day moving avg and hold nothing.",
    "Buy QQQ when it closes above the upper Bollinger band (momentum, not too much!), sell when it "
    "closes under the middle band.",
    "buy it when it closes below its 10-day low, or sell after 7 days if it hasn't hit that",
])
def test_wordings_of_the_round_that_stay_refused(text: str) -> None:
    _refused(text)
