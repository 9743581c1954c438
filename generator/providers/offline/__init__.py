"""The offline parser: a deterministic, rule-based reader of plain English into a StrategySpec.

This package owns the mapping from common trading phrasing to `generator.spec.StrategySpec`
without any model or network. It is deliberately conservative: every clause of the text must be
mapped, otherwise `ParseError` is raised naming what was understood and what was not. It never
guesses a threshold, a period or a symbol.

How a text is read
------------------
1. Normalisation: lower case (tickers upper case), typo table (``wen`` -> ``when``, ``crosess`` ->
   ``crosses`` ...), number words, ``50dma`` -> ``50 dma``, ``50-day`` -> ``50 day``; before
   all that, code and maths pasted as rules (Pine Script, AmiBroker AFL, ``P_t > SMA_200(t)``,
   ``entry_rule: sma(50) > sma(200)``) are said in words (`formulas`).
2. Global phrases are taken out first: schedule, risk controls, the alternative asset, position
   size. Before them, a strategy told as what the writer did is retold in the present
   (`narration`), and corrections ("no wait, make it 25", "30%, not 50", "make the stop 7%")
   are applied to what they correct (`corrections`).
   Before them (`framing`, `exits`): small talk ("hey!", "can you make me a bot that",
   "thanks") and a title ("Classic 60/40: ...") are taken out and listed as ignored, the title's
   meaningful words checked against the spec at the end; "sell on the cross back", "sell when
   either condition fails" / "both are false" / "otherwise keep that money in cash" say how the
   exit follows from the entry.
3. The rest is read as one of five families, tried in this order:
   per-symbol legs ("50% on SPY when ..., 50% on TLT when ..."; each leg is read as a sentence
   of its own and the legs must agree) -> `fixed_fraction`;
   fixed weights ("60/40 SPY/AGG", "60% SPY 40% TLT", "25% each in ...") -> `target_weights`;
   rotation ("top 2 of SPY, EFA, EEM by 6-month momentum") -> `momentum_rotation`;
   "buy and hold X" / "equal weight X, Y, Z" with no rules -> `target_weights` (equal);
   otherwise buy/sell rules -> a signal strategy.
4. Anything left that is not filler ("the", "please", "I want to" ...) is reported as not
   understood.

Tickers
-------
ALL-CAPS words of 1-5 letters are tickers unless they are English words or indicator names
(SMA, RSI, I, A ...). Lower-case tickers are recognised from a small fixed table of well-known
ETFs (spy, qqq, iwm, tlt, agg, gld, bil, efa, eem, ...) and, when given, from `known_symbols`.
Text written entirely in capitals is read with the table and `known_symbols` only.

Names understood as symbols:

=============================================  ======
"S&P 500", "the S&P", "S&P", "sp500"            SPY
"nasdaq", "nasdaq 100", "the nasdaq-100"        QQQ
"gold"                                          GLD
"long bonds", "long-term treasuries",           TLT
"treasuries", "treasury bonds"
"t-bills", "treasury bills"                     BIL
"cash" after otherwise/else/when out of the     BIL (as the alternative asset)
market ("otherwise go to cash")
=============================================  ======

"keep the rest in cash" is the spec's default (uninvested money stays in cash) and sets nothing.

Defaults and conventions
------------------------
* Periods: "50-day", "50 day", "50d", "50dma", "50-period", "SMA(50)", "SMA 50"; months are 21
  trading days, weeks 5, years 252 ("3-month" = 63, "6-month" = 126, "12-month"/"1 year" = 252;
  "52-week", the year's high or low, is 252 too).
* "moving average"/"average"/"MA"/"DMA" mean an SMA; a bare "the 200-day" compared with the price
  or another moving average is an SMA of that period. Moving averages, momentum and highs/lows
  need an explicit period; RSI defaults to 14, Bollinger bands to 20 days / 2 std, MACD to
  12/26/9 (the conventional settings).
* Operators: "crosses above/below" -> crosses_above/below. Motion verbs ("goes above", "rises
  above", "drops below") are crossings when both sides are lines (moving averages, MACD and its
  signal), otherwise level tests (gt/lt). State words ("is above", "closes below", "under") and
  breakouts ("breaks above the 20-day high") are gt/lt. "turns positive/negative" is a crossing of
  zero, "is positive/negative" a level test against zero. "at least" / "at most" / ">=" / "<="
  include the level (ge/le): "at least 10% below its 200-day SMA" is le the SMA less 10%.
* "a weekly close below it" / "a monthly close above the 10-month SMA" compare the close of the
  last completed week or month (price on weekly/monthly bars), not the daily price, also as a
  sell rule's subject ("sell when the weekly close drops under it"); when a monthly close is
  compared, an N-month average is N monthly bars (sma10 on monthly bars).
* "golden cross" is the 50-day SMA crossing above the 200-day SMA, "death cross" below.
* Pronouns: "it" refers to the left side of the previous condition ("sell when it rises above 70"
  after an RSI entry), or to the price when there is none or when it is compared with a price
  level; a missing right side repeats the previous indicator ("sell when it falls below"), never
  a previous number.
* Spec v2 phrasings: "2% above its 50-day SMA" (an offset), "closes down 3 days in a row" (a
  streak, ge 3), "sell after holding for 5 days" (time exit), "hold for at least 3 days"
  (minimum hold), "the 10-week EMA" (weekly bars; months stay daily: "10-month" = 210 days,
  unless a monthly close is compared),
  ATR, stochastic %K/%D, volatility, drawdown, volume, "every 6 months", "rebalance when a
  weight drifts more than 5 points" (with a schedule said beside it, "quarterly, or sooner if
  ...", both: `drift_or_schedule`), "target 10% volatility", "$5,000 per position"; "A unless
  B" adds B negated to the entry; "more than 20% below its highest close of the past year" and
  "within 5% of that high" are the drawdown (`pullbacks`), "monthly bars" makes "the 6-month
  SMA" six monthly bars.
* Framing and corrections: "Name: Bond Guard.", a quoted name and chatter ("nothing fancy",
  "that's it") are ignored and listed; "RSI below 30, I mean 25" replaces the number (also a
  moving average or a symbol), any other "I mean" is refused. "Every Friday"/"every Monday" is
  the weekly schedule, other weekdays are refused naming them; months are accepted when the
  schedule acts in them ("once a year in January"). A title may give its family's settings
  ("Bollinger Bands 20, 2", "Stochastic 14,3", "Donchian 55/20", "10/30 EMA crossover"),
  checked against the rules.
* Refused rather than guessed: stops in ATR multiples, the highest/lowest close of N days
  compared with the price (a pullback from it is the drawdown), "10% below its 52-week high"
  with no word of closes (the highest high or the highest close?),
  comparisons across scales (MACD vs a moving average), an indicator
  compared with itself, a number with no subject ("when under 30"), "the 200" with no unit (a
  price of 200 or the 200-day average?), a level said of "it" with no word of a price ("when
  it's above 50": the price or an oscillator?), a negation of anything but a side ("not
  rising"; "not above 70" is read as at or below 70), short selling (naming
  STRATFORGE_ALLOW_SHORT), and indicators the spec lacks (VWAP, ADX, OBV, ...). Vague texts
  ("buy the dip", "sell when it drops") are refused too; `generator.clarify` turns the refusal
  into questions and completions. Also refused: "only if C" opening a clause right after the sell
  rule (C could limit the buy or the sell), "unless B, then <anything but staying out>" (the
  "then" is about B being true), and an instruction to the system ("import os", "delete the
  files", "ignore previous instructions"), which is never ignored beside the rules.
* A faster moving average crossing a slower one with no direction said ("buy when the 20 EMA
  crosses the 50 EMA") is the cross up in a buy rule and the cross down in a sell rule; any
  other undirected cross stays unclear. A bracket that says the rule's condition again ("on a
  bullish MACD crossover (MACD line over the signal line)") is dropped only when the text read
  without it already has that condition, in the rule the bracket stands in.
* Exit rules: an entry that is a single crossing with nothing said about selling (no sell rule,
  and no stop, target, trailing stop or time exit: those are its exit then) exits on the
  opposite crossing (`Condition.negated`); "hold X while <conditions>" or "..., otherwise Y/sell"
  exits when the conditions stop holding (the negated rule: "all" becomes "any" of the negated
  conditions and vice versa). A level entry ("RSI below 30") with no sell rule is refused unless a
  risk control (stop loss, trailing stop, take profit) is given to close positions.
* Allocation: one traded symbol -> all_in; several traded symbols -> equal_weight; "use 25% of the
  portfolio per position" -> fixed_fraction 0.25; "all in" -> all_in. A risk said with a stop
  sizes the position by the stop ("2% of my account at risk, stop 5% below entry" -> 0.4); "N% at
  risk" with no stop is refused; "risk 15% of the account per trade" with no stop is the position
  (the corpus's convention). "Never rebalance" / "no rebalancing" of fixed weights ->
  `allocation.buy_once` (bought once, then held).
* A strategy named in a few words ("QQQ 20/100 EMA crossover", "200 SMA trend filter on QQQ",
  "Donchian 20/10 on GLD", "DBC golden cross") is the whole strategy only when no rule is said
  beside it (a sell rule after it is allowed). A rule said of its source in the third person
  ("Connors buys ...", "the original rule says buy ...") gives way to the writer's own rule of
  the same sides only when that one stands alone (no pronoun that could point into the source's
  clause, every fund named again); "I do the same (but ...)" takes it as the writer's. A bot, a
  system or the price that "buys" is never a source.
* Also refused rather than guessed: "both"/"either" as the subject of a level ("sell when both
  are above 50"), a level with no subject after a price condition in a text that reads an
  oscillator ("..., exit when it's back above 50"), a family on daily and on longer bars ("the
  weekly RSI ..., the daily RSI ..."), a line in days on weekly bars ("the 200-day SMA on the
  weekly chart"), a filter naming another fund than its buy rule's, and "or if ..." after a time
  exit that took the sell verb with it.
* Nineteenth round, refused rather than guessed: a condition in a sentence of its own, joined by
  no word, after a whole sell rule ("Sell when RSI(2) > 70. Especially when SPY is above its
  200-day."); an indicator the sell rule reads bare that the buy rule read only on another fund
  ("buy QQQ when SPY's RSI(2) < 10, sell when RSI(2) > 70": whose?); a line said by its period
  alone ("the 20") that was compared on two funds (on one, it is that fund's); "or ..." after a
  stop or target that took the sell verb with it (an event after it stays the sell's: "sell if
  it drops 10% from my entry or on a death cross"); a price compared with zero ("when it goes
  from negative to positive" with the price as "it"); "It does well when ..."; periods the spec
  has no schedule for ("fortnightly", "bi-weekly", "bi-monthly", "every other month").
  "Semi-annually" and "biannually" are semiannual (a prefix is never a misspelling).
* A close said with a verb after "the weekly close" (or monthly) is that close when compared with
  the line named before or one in weeks (months); against a line in days it stays the daily
  close. "Falls 5% in a week" is the return over the span (roc5 lt -5; "at least" includes the
  level). A reason or an opinion after the rules ("... a lot imo", "I read bonds do well when
  stocks crash") is ignored only with a mark of a reason and no number, comparison, indicator,
  rule word or new fund; a claim about the record ("The guy claimed 75% winners.") likewise.
* Twentieth round: a reason that reports a source or a view ("my coworker says ...", "I figure
  ...", "..., I'm scared of ...", "because I read they move together when rates fall") is ignored
  under the same rule, its idioms ("never get wiped out", "keeps you out of the big crashes",
  "at once") taken out first; a reported belief may hold "when". "No stop needed" is ignored only
  when no stop, target or trailing stop is given; "Either one is enough." only after "either ...
  or ..." or a sentence joined by "or" and never "and". The writer's own loss or gain ("sell if I
  lose 3%"), and a profit taken ("if it goes up 10% take the profit"), are from the entry; a
  day's move stays refused. The day after a signal is the signal's trade (every fill is at the
  next open). One pair of averages named by its periods has its crossings said by direction
  ("20/100 SMA cross up = buy", "the bull cross", "exit on the 9/21 cross down"); two pairs are
  never guessed between. A title's count of lines ("the two line thing", "SPY with two EMAs")
  must match the averages the rules use; a name alone as a title may be followed by a head of
  lines. A word the table of wordings drops that carries no meaning (`vocabulary.GLOSS_WORDS`:
  "stocks", "bonds", "real estate", "actually") is listed as ignored.
* Twenty-first round: "filter", "absolute", "abs" and "even" are words of meaning, never ignored
  ("abs filter" is a rotation's momentum filter; "even if the RSI is above 80" after a minimum
  hold is refused, not read as a second sell condition). A count said with a portfolio ("a
  three way split", "Five fund portfolio") must be the number of funds the text names; "the line"
  is the one line the text names, never one of two. The writer's money ("I have $20k in
  savings") is no size of the rules; a loss "on any trade" is the stop, with no trade named it is
  refused. A side said as a sign after "the monthly close" ("> 12-month SMA") is that close's.
  Bare conditions as the first clause, before a sell rule said in full and with no buy verb
  anywhere, are the buy rule; before a bare sell verb ("when X, sell") they stay the sell's. A
  question in brackets with no number or fund is the writer's doubt.
* Twenty-second round (constructs read as grids of their parts, `bench/construct_grids.py`): a
  pair of averages is one pair however it is named ("9 and 21 EMA", "EMA 9/21", "9-21",
  "9 over 21", "fast 9 / slow 21", "EMA(9)/EMA(21)", "9 ema x 21 ema"), and its crossings said
  by direction, by speed ("the fast crosses above the slow"), by period ("the 9 crosses over the
  21"), as "it", or bare after a buy verb; a crossing said again in brackets in its own direction
  is the same crossing (the other direction is refused). A schedule in brackets is a schedule,
  never a remark. A fall "from the peak/high" is the trailing stop, never a stop from entry.
  A fund a title names is traded when the rules trade none and every condition is one other
  fund's (with "it" as a condition's subject, refused). Settings said apart from the MACD, in a
  text whose only indicator with settings is the MACD, are its settings.
* Twenty-third round (the constructs the blind sets of round 22 failed on, as grids): a market
  filter said apart ("trade IWM only when SPY is above its 200-day: buy when ...") is one more
  condition of the buy rule, and a note that the sell ignores it is checked, never used
  (`filter_notes`); "no other sell rule" leaves the stop and target as the only exits of a rule
  said as a state; traders' terse notes, a rotation's filter and idle money, and a rule's parts
  in other ordinary words are rewritten into the words the readers know (`rewordings`); a
  reason that names nothing to compare, and a question after the rule in its sentence, are
  asides.
* Twenty-fourth round (beginners, read as a class): a writer's explanations (a bracket, a
  "which is ..." clause, a sentence defining a word, "this is called ...") are dropped only
  when they add nothing the rest of the text does not say (`explanations`); "above both" is
  each of the two lines compared before (other than two: refused); "buy when A, as long as B"
  is no hold when a stop, target or time exit closes positions; the sell said as the buy rule
  ceasing, bare weights that add up to 100, a chat's asides, the passive, and settings said
  around the rule are rewritten into the words the readers know (`rewordings`).
* A word the speller leaves that is a near miss of a schedule word ("rebalance dayli",
  "quarterley") is never filler: it is refused by name (`state.says_nothing`); a sentence of
  size or of what to let run ("Go heavier when ...", "Ride the winners.") is never chatter or a
  remark (`vocabulary.SIZE_OR_HANDLING`); asset classes and acronyms in capitals ("REIT", "IBD",
  "IRA") are words, never funds (`vocabulary.VOCAB`).
* Twenty-ninth round (strategies retold from a source): a rule someone else follows, adopted by
  the writer as it is or with a change said precisely ("I want the exact same rules, but on QQQ
  instead", "same but holding 6 days instead of 4", "with a 15% trailing stop", "with a 10 month
  average", "rather than the opposite cross"), is read whole by `adoption` before anything else;
  a source told in the third person, its advice ("suggests owning ... and being in cash") or its
  past ("kept 60% in SPY ... and rebalanced") is said as the rule (`narration`); what the source
  says of its rule, an opinion that names only the rule's own words, and pieces around the rule
  that each keep the other from reading are set aside (`asides`). Refused rather than ignored, as
  they once were: "biennially" and near misses of "biannually", "Any of them is enough." after
  "A and B", "size up", a sentence with a day or a month in it ("I check it on Mondays" is the
  weekly schedule; "I like that it skips Mondays" is refused).
* Thirtieth round (retold strategies, ordinary people): a source's value then the writer's ("He
  holds 10, I want 7.", "He uses SPY; I want to run it on MDY instead.") is read as the change
  (`adoption`); a source's rule restated in words beside the precise rule ("My friend buys Nasdaq
  breakouts.") is set aside when every word of meaning names something the rule has
  (`restatements`); weights said by class of asset then the funds for them ("30% stocks, 40%
  long-term bonds, ... I'd use VTI, TLT, ... for those") are put on those funds in order, each
  checked against its class (`class_funds`, with `vocabulary.FUND_CLASSES`). Refused rather than
  ignored, as they once were: a control said of someone else that the rules lack ("He uses a
  trailing stop too."), an aside naming a time of the trading day ("I like that it sells before
  the close."), an opinion saying how long or how far ("I'm fine holding it until it doubles.").
* Schedule: daily for rule strategies and monthly for weights/rotation strategies unless said.
* A rotation needs its momentum lookback ("by 6-month momentum", "over the last 3 months").
* Clauses read as bags of words over a closed lexicon, when no pattern took them: a rotation's
  filter and its alternative fund ("If even the winner is down over those 3 months, hold SHY";
  `rotation_filters`), a time exit ("bail out after 6 days no matter what") and a minimum hold
  ("don't let it sell until I've held it for at least 10 days"; `holding_periods`), a stop,
  target or trailing stop said as a sell rule ("sell if it ever falls 6% below what I paid";
  `risk_words`), a portfolio's rebalancing and drift band ("reset it every month", "only
  rebalance when something ends up more than 10 points away from where it should be";
  `rebalance_words`), the
  sell rule said from the buy rule ("sell when both of those are no longer true", "move me to
  cash when it doesn't"; `exits`) and a
  volatility target ("size my SPY position so it runs at about 10% volatility a year";
  `allocation`). Every word must be one the clause's lexicon knows, and a count or period in it
  must agree with the rest of the text, or the clause is left to be refused.

Modules
-------
`parser` runs the phases in order (`parse`, `parse_text` with the ignored words); `normalise`
(with `formulas`: code and maths in words, and `tables`: a spreadsheet's header and rows pasted
as the strategy) is step 1; `framing` (titles, small talk, letters, a story of the writer's past,
the rule said again "in other words"), `explanations` (what a writer says to explain a word),
`ideas` (the idea said in loose words beside the precise rule, set aside only when the rest is a
whole strategy), `restatements` (a source's rule restated in words beside the precise rule, on
the same test, every word of meaning checked against that rule), `class_funds` (weights said by
class of asset, then the funds named for them), `adoption` (a source's rule the writer takes
up, as it is or with a change),
`asides` (the story, reason, remark, opinion, question about the rule or
comment on the market around a rule, and what someone else said before the writer's own rule,
set aside on the same test), `narration` (a strategy
told as a story, or as what someone else does: "A YouTuber keeps EEM only while ..."),
`corrections` (edits the writer made), `wordings` (one construct said many ways,
rewritten to one, with `rewordings` and `filter_notes`), `exits`, `schedule`, `risk` (with
`holding_periods` and `risk_words`) and `allocation` take out the global phrases of step 2;
`portfolios` holds the legs, weights, rotation (with `rotation_filters`) and buy-and-hold
(with `rebalance_words`) families and `signals` the rule family of step 3, which reads `clauses`,
`conditions` and `indicators` and builds `rules`. Shared by all: `vocabulary` (every word list),
`phrases` (how patterns are written and taken out), `state` (the parse in progress), `terms`
(what a rule is read into), `assemble` (the final spec) and `errors` (`ParseError`). Modules
import each other by full path, never through this package.
"""

from __future__ import annotations

from generator.providers.offline.errors import ParseError
from generator.providers.offline.parser import parse

__all__ = ["ParseError", "parse"]
