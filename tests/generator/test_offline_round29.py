"""The twenty-ninth round: sets 82 and 86 (unseen through round 28) read; six sets written blind
from the corpus header, two kept unseen (87, a trading app's text box; 88, strategies retold
from a source) and four read (89, adversarial; 90, forum posts; 91 and 92, the population of 88).
Each mechanism is tested on paraphrases with the refusals beside it, judged in the corpus's
notation through the whole static pipeline (`corpus_support.run_case`).

The wrong readings fixed first:

- "rebalance biennially" (every two years) had been read as the monthly default with the word
  ignored; "bianually" and "biannualy" (a near miss of "biannually") too: all refused by name;
- "When the trend is really strong, size up." beside a whole rule had been ignored as chatter;
- a rotation's funds set aside in a loose idea came back sorted ("EEM EFA IWM QQQ SPY"), not in
  the writer's order;
- "I want to sell on a 6% trailing stop rather than the opposite cross" had kept the opposite
  cross as the sell rule beside the trailing stop.
"""

from __future__ import annotations

import pytest
from corpus_support import Case, run_case
from grid_support import grid as _grid
from grid_support import parse_stored as _parse
from grid_support import refused as _refused

from generator.providers.offline import ParseError
from generator.providers.offline.parser import parse_text

GOLDEN = {"entry": "sma50 crosses_above sma200", "exit": "sma50 crosses_below sma200"}


def _reads(text: str, **facts: object) -> None:
    """`text` gives a spec with every fact (corpus notation), through the static pipeline."""
    outcome = run_case(Case("round29", text, {k: str(v) for k, v in facts.items()}))
    assert outcome.ok, (outcome.why, text)


# -- the wrong readings -------------------------------------------------------------------------
@pytest.mark.parametrize("said", ["biennially", "biennial", "every other year", "every 2 years",
                                  "bianually", "biannualy", "bimonthy"])
def test_a_period_the_spec_has_not_or_its_near_miss_is_refused(said: str) -> None:
    with pytest.raises(ParseError):
        _parse(f"Keep 50% VTI and 50% BIL, rebalance {said}.")


def test_biannually_itself_stays_semiannual() -> None:
    assert _parse("Keep 50% VTI and 50% BIL, rebalance biannually.").schedule.value == "semiannual"


@pytest.mark.parametrize("extra", ["When the trend is really strong, size up.",
                                   "Size up when it's strong.", "Double up on big dips.",
                                   "Size down in bad markets."])
def test_sizing_up_or_down_is_refused_never_chatter(extra: str) -> None:
    _refused(f"Buy SPY when the 50-day SMA crosses above the 200-day SMA and sell on the death "
             f"cross. {extra}")


def test_the_funds_of_a_set_aside_list_keep_the_writers_order() -> None:
    _reads("Relative strength rotation: SPY, QQQ, IWM, EFA, EEM. Every month buy the top 2 by "
           "3-month return, split evenly, sell the rest.", symbols="SPY QQQ IWM EFA EEM",
           kind="momentum_rotation", top=2, lookback=63)


# -- adoption: a source's rule taken up by the writer -------------------------------------------
SOURCES = [
    "A guy on YouTube buys {f} when the 50-day moving average crosses above the 200-day and gets "
    "out on the death cross.",
    "My uncle buys {f} on the golden cross and sells on the death cross.",
    "A book I read says to buy {f} on a golden cross and sell on a death cross.",
    "This trading channel buys {f} on the golden cross and sells it on the death cross. He says "
    "it beat buy and hold over 20 years.",
]
AS_IS = ["I want the exact same rules.", "Same rules for me.", "I'll copy him exactly.",
         "That's what I want too.", "I want to run his rule as is.", "Build it as written."]


@pytest.mark.parametrize("row", _grid(29, 8, source=SOURCES, adopt=AS_IS))
def test_a_source_rule_adopted_as_is(row: dict[str, str]) -> None:
    _reads(f"{row['source'].format(f='SPY')} {row['adopt']}", symbols="SPY", **GOLDEN)


@pytest.mark.parametrize("row", _grid(290, 8, source=SOURCES, adopt=[
    "I want the exact same rules, but on QQQ instead.", "I want that on QQQ.",
    "Same rules, but I want QQQ.", "I'd like that rule set on QQQ rather than SPY.",
    "I want the same thing but on QQQ not SPY.", "I'd use it on QQQ instead of SPY."]))
def test_a_source_rule_put_on_another_fund(row: dict[str, str]) -> None:
    _reads(f"{row['source'].format(f='SPY')} {row['adopt']}", symbols="QQQ", **GOLDEN)


def test_a_rule_told_of_no_fund_is_put_on_the_one_named() -> None:
    _reads("A book on the Turtle traders explains their breakout idea: buy when the price closes "
           "above the highest high of the last 20 days, and exit when it closes below the lowest "
           "low of the last 10 days. I want that on GLD.", symbols="GLD",
           entry="price gt hh20", exit="price lt ll10")
    _reads("The chapter says to buy when a fund closes above its 52-week high and sell when it "
           "closes below its 200-day moving average. I'd like to apply that to SPY.",
           symbols="SPY", entry="price gt hh252", exit="price lt sma200")


def test_which_fund_a_change_replaces_must_be_clear() -> None:
    # the source trades QQQ with a filter on SPY: "on MDY" alone could replace either
    _refused("A swing trading channel buys QQQ when MACD crosses above the signal line, but only "
             "when SPY is over its 200-day SMA, and sells when MACD crosses back under the signal "
             "line. I want that on MDY.")
    _reads("A swing trading channel buys SPY when MACD crosses above the signal line, but only "
           "when SPY is over its 200-day SMA, and sells when MACD crosses back under the signal "
           "line. I want that on MDY instead of SPY.", symbols="MDY")


@pytest.mark.parametrize("change, facts", [
    ("I want exactly that, but with a 15% trailing stop.", {"trailing": 15, "exit": "none"}),
    ("I'll use a 15% trailing stop instead.", {"trailing": 15, "exit": "none"}),
    ("I'd like that plus a 7% stop loss on top.", {"trailing": 12, "stop": 7}),
    ("Same rules, with a 20% profit target added.", {"trailing": 12, "take": 20}),
    ("I want it but with $3,000 per trade.", {"trailing": 12, "amount": 3000}),
])
def test_a_control_or_size_the_writer_changes(change: str, facts: dict[str, object]) -> None:
    _reads("A YouTuber buys QQQ when it closes above its 50-day high and then just rides it with a "
           f"12% trailing stop, no other exit. He calls it letting winners run. {change}",
           symbols="QQQ", entry="price gt hh50", **facts)


@pytest.mark.parametrize("change, facts", [
    ("I want it but holding 6 days instead of 4.", {"hold_bars": 6}),
    ("I'd rather hold 6 trading days.", {"hold_bars": 6}),
    ("I want the same but with 15 instead of 10.", {"entry": "rsi3 lt 15", "hold_bars": 4}),
])
def test_a_number_the_writer_puts_in_place_of_the_sources(change: str,
                                                          facts: dict[str, object]) -> None:
    _reads("Reddit short-term trade: buy QQQ when its 3-day RSI is under 10 and sell after 4 "
           f"trading days. People in the thread said it works. {change}", symbols="QQQ", **facts)


@pytest.mark.parametrize("change", [
    "I want it but holding 6 days instead of 5.",  # the source says 4, not 5
    "I'd do the same but tweak the exit a bit.",
    "Same rules but with a tighter entry.",
])
def test_a_change_that_is_not_clear_is_refused(change: str) -> None:
    _refused("Reddit short-term trade: buy QQQ when its 3-day RSI is under 10 and sell after 4 "
             f"trading days. {change}")


@pytest.mark.parametrize("text, facts", [
    ("Meb Faber's timing model: at the end of each month, if SPY's monthly close is above its "
     "12-month simple moving average, hold it; if the monthly close is below, sell. I'd like the "
     "same but with a 10-month average.",
     {"entry": "price:monthly gt sma10:monthly", "exit": "price:monthly lt sma10:monthly"}),
    ("A newsletter holds TIP while its 6 month return is positive and switches to cash when it's "
     "negative. Same rule, but with a 3-month return.",
     {"entry": "roc63 gt 0", "exit": "roc63 lt 0"}),
    ("Someone posted a dual momentum setup: every month buy whichever of SPY, EFA and EEM has the "
     "best 12-month return, but if that return is negative sit in AGG instead. I'd like the same "
     "thing with a 6-month lookback rather than 12.",
     {"kind": "momentum_rotation", "lookback": 126, "alternative": "AGG", "positive": "yes"}),
    ("A forum post suggested 40% SPY, 20% EFA, 20% TLT, 10% GLD and 10% VNQ, rebalanced "
     "quarterly. I'll use those weights but rebalance monthly instead of quarterly.",
     {"kind": "target_weights", "schedule": "monthly"}),
])
def test_a_setting_the_writer_gives_again(text: str, facts: dict[str, object]) -> None:
    _reads(text, **facts)


def test_a_sell_rule_replaced_by_a_control_is_gone() -> None:
    text = ("A podcast about trend following says to buy TLT when its 50-day SMA crosses above its "
            "150-day SMA. I'm fine with his entry, but I want to sell on a 6% trailing stop rather "
            "than the opposite cross.")
    _reads(text, symbols="TLT", entry="sma50 crosses_above sma150", exit="none", trailing=6)
    # (the sell rule replaced with no control to close positions: no exit at all, refused)
    _refused(text.replace("sell on a 6% trailing stop", "sell some other way"))


def test_the_words_of_an_adopted_rule_are_listed() -> None:
    read = parse_text("I read an interview with a fund manager who buys LQD when its 2-day RSI is "
                      "below 10 and gets out at a 2% gain or after 7 trading days. I want the same "
                      "but with a 1.5% target.", known_symbols={"LQD"})
    assert read.spec.risk.take_profit_pct == 1.5 and read.spec.risk.max_hold_bars == 7
    assert "an interview with a fund manager" in read.ignored
    assert any("adopted" in u for u in read.understood)


# -- the source told in the third person --------------------------------------------------------
@pytest.mark.parametrize("text, facts", [
    ("Someone in an investing Facebook group buys QQQ when it closes above its 20-day high and "
     "sells when QQQ closes below its 20-day low.",
     {"entry": "price gt hh20", "exit": "price lt ll20"}),
    ("My sister read a newsletter that holds QQQ while its 14-day RSI is above 50 and sits out "
     "when it's below 50.", {"entry": "rsi14 gt 50", "exit": "rsi14 lt 50"}),
    ("A retired engineer on a forum keeps it simple: he owns SPY whenever the 50-day average is "
     "above the 200-day average and owns nothing when it isn't.",
     {"entry": "sma50 gt sma200", "exit": "sma50 lt sma200"}),
    ("My financial planner told me he keeps clients in EFA while the MACD histogram is above zero "
     "and moves them out when it is below zero.",
     {"entry": "macd_hist gt 0", "exit": "macd_hist lt 0"}),
    ("A bond guy on a podcast buys TLT when its 3-day RSI is below 15 and simply sells after 5 "
     "trading days.", {"entry": "rsi3 lt 15", "exit": "none", "hold_bars": 5}),
    ("A swing trader I follow buys QQQ when it closes above its 20-day high and sells when it "
     "closes below its 20-day moving average, but he never sells in the first 3 days after "
     "buying.", {"entry": "price gt hh20", "exit": "price lt sma20", "min_hold": 3}),
    ("A book on trend following suggests owning EFA only when its 12-month return is positive and "
     "being in cash whenever it's negative.", {"entry": "roc252 gt 0", "exit": "roc252 lt 0"}),
    ("My old boss kept 60% in SPY and 40% in AGG and rebalanced once a year.",
     {"kind": "target_weights", "weights": "SPY=0.6 AGG=0.4", "schedule": "yearly"}),
])
def test_a_rule_told_of_someone_else_is_read_as_the_rule(text: str,
                                                        facts: dict[str, object]) -> None:
    _reads(text, **facts)


@pytest.mark.parametrize("remark", [
    "He says the win rate is around 75%.", "He calls it his rubber-band trade.",
    "His thinking is that bonds catch a bid when stocks are in trouble.",
    "The author says most trades lose but the winners are huge.",
    "She thinks it's a momentum filter in disguise.",
])
def test_what_the_source_says_of_its_rule_is_set_aside(remark: str) -> None:
    _reads(f"My brother buys SPY when RSI(2) is below 10 and sells when RSI(2) is above 70. "
           f"{remark}", symbols="SPY", entry="rsi2 lt 10", exit="rsi2 gt 70")


def test_a_control_the_source_is_said_to_use_is_part_of_the_rule() -> None:
    _reads("My brother buys SPY when RSI(2) is below 10 and sells when RSI(2) is above 70. He says "
           "he also uses a 5% stop.", entry="rsi2 lt 10", exit="rsi2 gt 70", stop=5)


@pytest.mark.parametrize("remark", [
    "He says it only works with a 5 day RSI.", "He says he sizes up after a loss.",
])
def test_a_source_remark_that_adds_to_the_rule_stays_and_is_refused(remark: str) -> None:
    _refused(f"My brother buys SPY when RSI(2) is below 10 and sells when RSI(2) is above 70. "
             f"{remark}")


# -- sets 82, 86, 89 and 90 ---------------------------------------------------------------------
@pytest.mark.parametrize("text, facts", [
    ("buy SPY when it closes under the lower band, sell when it gets back above the middle band. "
     "standard 20 day settings", {"entry": "price lt bb_lower20", "exit": "price gt bb_middle20"}),
    ("IEF idea: bollinger bands 20 day but 2.5 std devs. buy when the close is below the lower "
     "band, sell when the close is above the upper band.",
     {"entry": "price lt bb_lower20[2.5]", "exit": "price gt bb_upper20[2.5]"}),
    ("dual momentum - compare SPY vs EFA over the last 6 months, hold whichever did better, "
     "rebalance monthly. if neither of them is up over that period hold AGG",
     {"kind": "momentum_rotation", "top": 1, "lookback": 126, "alternative": "AGG"}),
    ("trade IWM with rsi under 30 as the entry but only if SPY is above its 200 day. exit when the "
     "rsi is back over 50.",
     {"entry": "rsi14 lt 30; price@SPY gt sma200@SPY", "exit": "rsi14 gt 50"}),
    ("5 day RSI below 30 on IWM plus price above the 200 ema. exit when the close is above the 5 "
     "day sma", {"entry": "rsi5 lt 30; price gt ema200", "exit": "price gt sma5"}),
    ("Time based exit: buy TLT when it closes above its 20 day high, hold it for 10 days then "
     "sell.", {"entry": "price gt hh20", "hold_bars": 10}),
    ("GLD breakout. buy when it closes above its 50 day high, then trail it with an 8% stop",
     {"entry": "price gt hh50", "trailing": 8}),
    ("momentum chaser here. buy QQQ once its been up 3 days in a row and dump it after a week",
     {"entry": "up_streak ge 3", "hold_bars": 5}),
    ("get me into DBC when it crosses over the 100 day MA",
     {"entry": "price crosses_above sma100", "exit": "price crosses_below sma100"}),
    ("60% SPY and 40% TLT, rebalanced monthly, and scale the whole thing so volatility stays "
     "around 8% a year.", {"weights": "SPY=0.6 TLT=0.4", "target_vol": 8}),
    ("Connors RSI(2) on SPY. Rules: 1) SPY closes above its 200 day SMA 2) RSI(2) is below 10, if "
     "both are true buy. Sell once RSI(2) is above 70.",
     {"entry": "price gt sma200; rsi2 lt 10", "exit": "rsi2 gt 70"}),
    ("EFA momentum trigger: buy when the 14 day RSI crosses above 50. No exit worked out yet.",
     {"entry": "rsi14 crosses_above 50", "exit": "rsi14 crosses_below 50"}),
    ("buy hyg when ema 10 crosses above ema 30. sell if it crosses back under, or if im down 3% "
     "from where i bought", {"entry": "ema10 crosses_above ema30", "stop": 3}),
    ("I'm 41 with 3 kids and 2 dogs. Buy EWJ when its 5-day RSI is under 25 and sell when the "
     "5-day RSI is over 60.", {"entry": "rsi5 lt 25", "exit": "rsi5 gt 60"}),
    ("My account is $40,000. Use 25% of my account per trade: buy IWM when it closes below the "
     "lower Bollinger band and sell when it closes above the middle band.",
     {"kind": "fixed_fraction", "fraction": 0.25}),
    ("Buy VTI when the MCAD crosses over its signal line, sell when the MCAD crosses under it.",
     {"entry": "macd crosses_above macd_signal"}),
])
def test_a_construct_of_the_read_sets(text: str, facts: dict[str, object]) -> None:
    _reads(text, **facts)


@pytest.mark.parametrize("text", [
    # a filter of the market's trend the title says and the rules do not have
    "Trading QQQ only in bull markets. Entry is QQQ RSI(2) below 5, exit is QQQ RSI(2) above 60.",
    # a time exit / minimum hold the title says and the rules do not have
    "Time exit: buy TLT when it closes above its 20 day high, sell when it closes below its 20 "
    "day low.",
    "HYG cross with a minimum hold. Buy HYG when the price crosses above its 50 day SMA, sell "
    "when it crosses back below.",
    # two steps listed, then "all 3 are true"
    "Rules: 1) SPY closes above its 200 day SMA 2) RSI(2) is below 10, if all 3 are true buy. "
    "Sell once RSI(2) is above 70.",
    # "at EOD" is the end of the day: buying at the close
    "Buy SPY at EOD when RSI is below 30, sell when it is above 70.",
    # a past try that names what the rules do not say
    "buy DBC when price is above the 100 day sma, sell if the price closes below the 100 day "
    "sma. I used the 50 day before",
    # a state entry whose writer has no exit: still no sell rule
    "buy SPY when RSI is under 30. No exit worked out yet.",
])
def test_what_the_read_sets_taught_to_refuse(text: str) -> None:
    _refused(text)


@pytest.mark.parametrize("context", [
    "I only look at my phone at EOD after work.", "Just moved to NYC for a new job at a bank.",
    "Everyone at work talks about AI stocks.", "I save 15% of my pay and want the savings working.",
    "I have 2 kids in college and 1 in high school.", "I'm 29 and this is play money.",
    "This is for my Roth IRA, about $85,000.", "Mid caps never get any love on here lol.",
    "Kept getting shaken out way too early lol.", "Whipsaws killed me last time.",
    "Daily bars are fine.", "(momentum not reversion!)",
    "weekly charts only, i dont care about daily noise.",
])
def test_context_around_a_whole_rule_is_set_aside(context: str) -> None:
    _reads(f"{context} Buy IWM when the 10-week SMA crosses above the 40-week SMA and sell when "
           "the 10-week SMA crosses below the 40-week SMA.", symbols="IWM",
           entry="sma10:weekly crosses_above sma40:weekly",
           exit="sma10:weekly crosses_below sma40:weekly")


@pytest.mark.parametrize("context", [
    # "either", "both", "any" change a rule's logic: never a comment
    "Either one is enough.", "Any of them is enough.", "Both must hold.",
    # a wish of speed or size with no level
    "Tighten the stop later.", "I want out fast.",
])
def test_context_that_changes_the_rule_is_refused(context: str) -> None:
    _refused(f"Buy SPY when RSI is under 30 and it's above its 200-day SMA. {context} Sell when "
             "RSI goes over 70.")


@pytest.mark.parametrize("typo, facts", [
    ("Buy SPY when the RSI(2) gose below 10 and sell when it gose abov 80.",
     {"entry": "rsi2 lt 10", "exit": "rsi2 gt 80"}),
    ("Buy LQD when it clsoes above the uper Bolinger band, sell when it closes under the midle "
     "band.", {"entry": "price gt bb_upper20", "exit": "price lt bb_middle20"}),
    ("Equal wieght SPY, EFA, EEM and AGG and rebalanse anually.",
     {"weights": "SPY=0.25 EFA=0.25 EEM=0.25 AGG=0.25", "schedule": "yearly"}),
])
def test_typos_that_mean_one_thing(typo: str, facts: dict[str, object]) -> None:
    _reads(typo, **facts)


# -- the population of set 88: who told the writer, what they like and fear, then the rule --------
@pytest.mark.parametrize("story, opinion", [
    ("I read Larry Connors' short-term trading book and the RSI(2) chapter stuck with me.",
     "It wins most of the time, which I like."),
    ("A mean-reversion YouTuber I watch uses the RSI on SPY.",
     "I like that the RSI is simple; I'm nervous about using it in a strong downtrend."),
    ("My friend moves into bonds when stocks break down.",
     "I worry it doesn't always work when stocks fall."),
])
def test_a_story_and_an_opinion_around_the_rule_are_set_aside(story: str, opinion: str) -> None:
    _reads(f"{story} Buy SPY when RSI(2) is below 10 and sell when RSI(2) is above 70. {opinion}",
           symbols="SPY", entry="rsi2 lt 10", exit="rsi2 gt 70")


@pytest.mark.parametrize("opinion", [
    # an opinion that names what the rule does not say stays, and is refused
    "I like that it skips Mondays.", "I like that it only buys above the 200-day.",
    "I'm nervous, so I'd rather use the 3-day RSI.",
])
def test_an_opinion_that_names_more_than_the_rule_is_refused(opinion: str) -> None:
    _refused(f"Buy SPY when RSI(2) is below 10 and sell when RSI(2) is above 70. {opinion}")


def test_who_someone_is_is_set_aside_only_without_a_rule_in_it() -> None:
    _reads("My friend who works at a bank holds 60% SPY and 40% TLT and rebalances every quarter.",
           weights="SPY=0.6 TLT=0.4", schedule="quarterly")
    read = parse_text("A YouTuber who retired at forty runs 70% QQQ and 30% IEF. Rebalance back to "
                      "those weights every month.", known_symbols={"QQQ", "IEF"})
    assert "a youtuber who retired at 40" in read.ignored
    # (a "who" clause that says a rule is never dropped with the someone)
    _refused("My friend who only buys below the 50-day sells SPY when RSI(2) is above 70.")


@pytest.mark.parametrize("remark, schedule", [
    ("He says he checks it every Friday.", "weekly"),
    ("He says he rebalances every year.", "yearly"),
])
def test_a_schedule_said_of_the_source_is_read_never_dropped(remark: str, schedule: str) -> None:
    # (both had been set aside as a claim about the rule, the schedule dropped)
    _reads(f"My brother buys SPY when RSI(2) is below 10 and sells when RSI(2) is above 70. "
           f"{remark}", entry="rsi2 lt 10", exit="rsi2 gt 70", schedule=schedule)
