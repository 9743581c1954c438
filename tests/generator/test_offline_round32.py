"""The thirty-second round: what forum posts and retold strategies showed in two development
sets written blind (105, 106), read on paraphrases through the whole static pipeline
(`corpus_support.run_case`), with the refusals beside them:

- the writer's own history is chatter: years or months of trading ("trader 20+ yrs", "traded
  tech 7 years", "2 months in"), an age with its unit ("58 yo"), losses ("lost like 6k on meme
  stocks in 2021", "already blew up one small acct"), several such clauses before the rule;
- a change said as a value alone ("I'd go with 12%", "I'd use 40 weeks tho", "I'd shorten the
  lookback to 9 months", "I'd do $1,500 a pop") replaces the source's one value of its unit;
- what a source claims, with no subject ("claims it sidestepped 2022"), by the original poster,
  or counting events and years ("the last three bottoms", "both 2008 and 2020");
- four silent misreadings fixed at their cause: "he won't sell unless X" (the negation had been
  dropped, so the exit was "not X"); "sell if it hits a 6% gain" once the gain was read as the
  target (the bare "it hits" had taken the buy rule's band); a size said in a title ("puts a
  third of his account into each trade: ...", dropped with the title's words); a change of an
  average whose rule names it by its length alone ("crosses above the 100", left unchanged).
"""

from __future__ import annotations

import pytest
from corpus_support import Case, run_case
from grid_support import refused as _refused

TREND = "Buy IWM when it closes above its 150 day SMA and sell when it closes below it."


def _reads(text: str, **facts: object) -> None:
    """`text` gives a spec with every fact (corpus notation), through the static pipeline."""
    outcome = run_case(Case("round32", text, {k: str(v) for k, v in facts.items()}))
    assert outcome.ok, (outcome.why, text)


# -- the writer's history ------------------------------------------------------------------------
@pytest.mark.parametrize("history", [
    "been trading options 4 yrs, mostly badly.",
    "Invested for 12 years.",
    "newish investor (3 months), already blew up a small account.",
    "15 years in real estate, new to funds.",
    "first real account, 2 months in.",
    "been in bonds for 6 yrs and got burned in 2022.",
    "61 yo, retired last spring.",
    "44 y/o, two kids, no time.",
    "lost 12k on crypto in 2022 and i'm done with that.",
    "lost about 40% in 2008 and learned my lesson.",
    "been doing this by hand with price alerts for 9 months.",
    "lost a bunch in march 2020 and learned from it.",
])
def test_the_writers_history_is_chatter(history: str) -> None:
    _reads(f"{TREND} {history}", symbols="IWM", entry="price gt sma150", exit="price lt sma150")


def test_a_story_in_several_clauses_before_the_rule() -> None:
    _reads("been investing 3 yrs, lost 5k on options in 2021 and i'm done guessing, just want "
           "something that buys SPY on the golden cross.", symbols="SPY",
           entry="sma50 crosses_above sma200", exit="sma50 crosses_below sma200")
    _reads("Gold idea. my uncle, trader 30+ yrs, told me to own GLD while it's above the 100 day "
           "SMA and sell when it isn't.", symbols="GLD", entry="price gt sma100",
           exit="price lt sma100")


def test_what_a_fund_lost_stays_a_rule() -> None:
    # ("sell if I lost 8% on it": a loss the rule acts on, never the writer's history)
    _refused("Buy IWM when it closes above its 150 day SMA, and sell if I lost 8% on it.")
    # ("trading 5 days": not a span of experience)
    _refused("Buy IWM when it closes above its 150 day SMA, stop trading 5 days after a loss.")


# -- a change said as a value -----------------------------------------------------------------
def test_a_value_alone_replaces_the_sources_one_value_of_its_unit() -> None:
    _reads("A blog holds TLT while it's above the 100 day SMA, out when it's below, and sizes it "
           "to a 10% annual volatility target. I'd go with 15% since I'm a lot younger than him.",
           symbols="TLT", entry="price gt sma100", target_vol=15)
    _reads("He owns VTI when the weekly close is above the 20 week SMA and sells when the weekly "
           "close is below it. I'd use 30 weeks tho.", symbols="VTI",
           entry="price:weekly gt sma30:weekly", exit="price:weekly lt sma30:weekly")
    _reads("The host holds EEM when its 12 month return is positive and goes to cash when it is "
           "negative. I'd shorten the lookback to 6 months.", symbols="EEM", entry="roc126 gt 0",
           exit="roc126 lt 0")
    _reads("My planner keeps 60% VTI and 40% AGG, rebalanced whenever a weight "
           "drifts 8 points. I'd tighten that band to 4 points.", symbols="VTI AGG",
           weights="VTI=0.6 AGG=0.4", drift=4)
    _reads("She puts $2,000 into QQQ every time it falls 3 days in a row and sells after 5 "
           "trading days. I'd do $1,000 a pop.", symbols="QQQ", kind="fixed_amount",
           amount=1000, entry="down_streak ge 3", hold_bars=5)


@pytest.mark.parametrize("text", [
    # (two values in percent: which one changes is not guessed)
    "He buys SPY when RSI(2) is below 10 and sells when it's above 70, with a 5% stop and a 10% "
    "target. I'd use 8%.",
    # (the setting named is not the one the source's percent sets)
    "He buys SPY when RSI(2) is below 10 and sells when it's above 70, with a 10% profit target."
    " I'd tighten the stop to 5%.",
])
def test_a_value_that_does_not_say_which_one_is_refused(text: str) -> None:
    _refused(text)


def test_an_average_named_by_its_length_is_renamed_with_it() -> None:
    _reads("My neighbour trades IEF with a 20 day / 100 day SMA cross: buys when the 20 crosses "
           "above the 100 and sells when it crosses under. I'm going to try it with a 60 day "
           "instead of the 100.", symbols="IEF", entry="sma20 crosses_above sma60",
           exit="sma20 crosses_below sma60")
    _reads("My buddy buys GLD when the 9 day EMA crosses above the 21 day EMA and sells when it "
           "crosses back under. I'd use a 30 day EMA in place of the 21.", symbols="GLD",
           entry="ema9 crosses_above ema30")


# -- what the source claims -------------------------------------------------------------------
@pytest.mark.parametrize("claim", [
    "claims it sidestepped most of 2022.",
    "OP claims 11% CAGR which I doubt.",
    "They claim it flagged both 2000 and 2008 early.",
    "claims it caught the last four bear market bottoms.",
    "He claims it beats most target date funds.",
])
def test_a_claim_about_results_is_set_aside(claim: str) -> None:
    _reads(f"{TREND} {claim}", symbols="IWM", entry="price gt sma150", exit="price lt sma150")


def test_a_claim_with_a_limit_is_never_dropped() -> None:
    _refused(f"{TREND} He claims it works best if you hold at least 10 days.")


# -- the silent misreadings -------------------------------------------------------------------
@pytest.mark.parametrize("negation", ["he won't sell", "I won't sell", "never sell",
                                      "don't sell it"])
def test_not_selling_unless_is_selling_only_when(negation: str) -> None:
    _reads(f"own VTI when it's above the 200 day, but {negation} unless it's at least 4% under "
           "the 200 day", symbols="VTI", entry="price gt sma200", exit="price le sma200-4%")


def test_a_negation_without_unless_is_never_ignored() -> None:
    _refused("own VTI when it's above the 200 day, but he won't sell when it's under it")


def test_reaching_nothing_is_refused() -> None:
    _refused("buy VNQ when it's down 3 days in a row and below its lower Bollinger band, sell "
             "when it hits.")
    _reads("the guy buys VNQ when it's down 2 days in a row and below its lower Bollinger band, "
           "and gets out after 5 days or if it hits a 4% gain.", symbols="VNQ",
           entry="down_streak ge 2; price lt bb_lower20", exit="none", hold_bars=5, take=4)


def test_a_size_in_a_title_is_never_dropped() -> None:
    _refused("Guy at work puts a quarter of his account into each trade here: buy TLT when "
             "RSI(14) is below 30, sell when it's above 55.")
    _reads("buy TLT when RSI(14) is below 30, sell when it's above 55. Put a quarter of my "
           "account into each trade.", symbols="TLT", kind="fixed_fraction", fraction=0.25)


# -- words read as they are meant -------------------------------------------------------------
def test_ordinary_wordings() -> None:
    _reads("buy IWM on a close above its 50 day high, with a 6% initial stop and a 15% trailing "
           "stop.", symbols="IWM", entry="price gt hh50", stop=6, trailing=15)
    _reads("want to put exactly $1,200 into GLD every time it crosses above its 50 day EMA, sell "
           "when it crosses back below.", symbols="GLD", kind="fixed_amount", amount=1200,
           entry="price crosses_above ema50")
    _reads("own EFA while it's above the 10-month moving average, checked every day, not once a "
           "month, and sell when it isn't.", symbols="EFA", entry="price gt sma210",
           schedule="daily")
    _reads("only TLT: buy when RSI(2) is under 10, sell when it's over 60.", symbols="TLT",
           entry="rsi2 lt 10")
    for remark in ("can a bot do this so i stop checking it every hour lol",
                   "I'm less sure after 2022.", "(I'm not a coder at all)",
                   "thats my only rule, thanks"):
        _reads(f"{TREND} {remark}", symbols="IWM", entry="price gt sma150")


# -- the second part of the round ---------------------------------------------------------------
def test_amounts_and_moves_said_around_the_condition() -> None:
    _reads("every time IEF closes more than 5% below its 100 day average he puts in $3,000, and he "
           "sells when it closes back above the 100 day.", symbols="IEF", kind="fixed_amount",
           amount=3000, entry="price lt sma100-5%", exit="price gt sma100")
    _reads("my cousin goes all in on EFA whenever its 3 month rate of change is positive and "
           "moves everything to cash when it drops below zero.", symbols="EFA",
           entry="roc63 gt 0", exit="roc63 lt 0")
    _reads("a guy on a forum said they only hold GLD when SPY is below its 100 day, otherwise they "
           "stay in cash.", symbols="GLD", entry="price@SPY lt sma100@SPY")


def test_the_weekly_n_line_is_the_n_week_line() -> None:
    _reads("buy IWM when the weekly 10 RSI is below 35, sell when the weekly RSI is over 65.",
           symbols="IWM", entry="rsi10:weekly lt 35", exit="rsi10:weekly gt 65")


@pytest.mark.parametrize("title", [
    "r/bogleheads post with 3k upvotes:",
    "RSI 30/70 on IWM:",
])
def test_counts_on_the_page_and_levels_in_a_title(title: str) -> None:
    _reads(f"{title} buy IWM when the 14 day RSI crosses back above 30, sell when it crosses "
           "above 70.", symbols="IWM", entry="rsi14 crosses_above 30",
           exit="rsi14 crosses_above 70")


def test_changes_said_as_the_only_change_or_a_setting() -> None:
    _reads("My aunt holds 70% VTI and 30% SHY, rebalanced once a year. The only change I'd make "
           "is rebalancing every quarter instead.", symbols="VTI SHY",
           weights="VTI=0.7 SHY=0.3", schedule="quarterly")
    _reads("The newsletter rotates monthly into the top 1 of SPY, EFA and EEM by 12-month return."
           " I'd use a 6 month lookback, 12 months feels slow.", symbols="SPY EFA EEM",
           kind="momentum_rotation", top=1, lookback=126, schedule="monthly")


def test_wordings_of_forum_posts() -> None:
    _reads("60/40 SPY AGG with a 5 point band. 60% SPY, 40% AGG, rebalance only when one drifts 5 "
           "percentage points.", symbols="SPY AGG", weights="SPY=0.6 AGG=0.4", drift=5)
    _reads("put $800 into EWJ every time the 3-period RSI is under 15, sell when it gets above 70. "
           "fixed $800 each trade no matter the account size.", symbols="EWJ",
           kind="fixed_amount", amount=800)
    _reads("two fund trend. split between VNQ and IEF equally. buy each one when it closes above "
           "its own 100 day SMA, sell each when it closes below.", symbols="VNQ IEF",
           kind="equal_weight", entry="price gt sma100")
    _reads("kept getting stopped out on the 20 day so now: buy MDY once it closes 1% above its 50 "
           "day SMA, sell when it closes back below the 50 day.", symbols="MDY",
           entry="price gt sma50+1%", exit="price lt sma50")
    _reads("My friend buys VTI when it closes above its 200 day SMA and sells when it closes below"
           " it, period. He claims nothing beats it.", symbols="VTI", entry="price gt sma200")


def test_a_report_with_no_subject_and_a_year() -> None:
    _reads("watched a video where the host claims this cut the 2022 drawdown in half. hold QQQ "
           "while it's above its 200 day moving average, go to cash when it's below.",
           symbols="QQQ", entry="price gt sma200", exit="price lt sma200")
    _reads("The book rotates monthly into the better of SPY and EFA by 12-month return. Author "
           "claims it cuts drawdowns, which is all I care about at 63.", symbols="SPY EFA",
           kind="momentum_rotation", top=1, lookback=252)


def test_no_sell_rule_said_as_the_writer_says_it() -> None:
    _reads("so im making my own: buy IWM when it closes above its 20 day high. no fixed exit, just "
           "a 7% trailing stop.", symbols="IWM", entry="price gt hh20", exit="none", trailing=7)
    _reads("Instead of the default I use MACD 5/35/5. Entry: MACD line crosses above its signal "
           "line on EFA. no exit rule written down yet.", symbols="EFA",
           entry="macd[5,35,5] crosses_above macd_signal[5,35,5]")
