"""The idea behind a strategy, said in loose words beside the rule that says it precisely.

Writers often say what they are after before (or after) they say the rule: "I only buy
strength. When QQQ closes at a new 52-week high, buy it, ...", "When stocks are overheated I
want to be in bonds. Buy TLT when SPY's RSI is above 70, ...", "i've heard you should only buy
when things are trending up, so buy IWM when it's above the 50 day average ...". Read as a rule,
the loose sentence is a second buy rule with no level, and the text was refused. This module owns
recognising such a sentence and setting it aside (listed as ignored). A sentence is set aside
only when all of these hold:

- it says a state in loose words (`_LOOSE`: stretched, strength, weakness, overheated, a
  downtrend, trending up, a dip, a pullback, snapping back, ...) and holds no number;
- it says no schedule, control, weight or "never sell"/"otherwise" (`_PRECISE`): words a rule
  may use without a number; and no word of size, speed or handling ("Buy more on weakness.",
  "Exit faster in downtrends.": `vocabulary.SIZE_OR_HANDLING` and "more"), which say what the
  precise rule does not;
- the rest of the text, without it, is a whole strategy on its own (the same parser reads it);
- every fund it names is traded by that strategy, and when it speaks of selling, that strategy
  has a sell rule of its own (a loose sell -- "sell when it looks weak" -- is never dropped for a
  stop: it is refused, and the clarification asks what it means);
- when it restricts the rule ("only in a healthy market", "never buy in a downtrend"), the buy
  rule compares with a moving average, a high or low, or momentum: the restriction said
  precisely ("Only buy in an uptrend. Buy SPY when RSI < 30, ..." is refused).

A loose sentence with no precise rule beside it stays and is refused as before ("buy the dip").
"""

from __future__ import annotations

import re

from generator.providers.offline.phrases import SYM, rx, squash
from generator.providers.offline.state import ParseState
from generator.providers.offline.vocabulary import says_size_or_handling
from generator.spec import Indicator, IndicatorKind, StrategySpec

# a state said in loose words, with no level
_LOOSE = rx(
    r"stretched|stretches|strength|weakness|overheated|overextended|overbought|oversold"
    r"|(?:a |the )?(?:healthy|falling|rising|strong|weak|bad|good) (?:market|markets|stretch"
    r"|stretches|ones)|downtrends?|uptrends?|trending (?:up|down)|(?:going|heading) (?:up|down)"
    r"|dips?|pullbacks?|snaps? back|snapping back|bounces? back|risk switch|works well"
    r"|cheap|expensive"
    # (round 29: a source's way told loosely before its rule: "moves into Treasuries when stocks
    # break down", "when the whole market cooperates", "when commodities turn up")
    r"|(?:breaks?|breaking) down|stocks (?:fall|crash|drop|tank|sell off)|in trouble|turns? up"
    r"|cooperates|is healthy|stretched too far"
)
# words a rule may say without a number: a sentence holding one is never set aside
_PRECISE = rx(
    r"rebalance|rebalanced|rebalancing|daily|weekly|monthly|quarterly|yearly|annually|every"
    r"|stop|stops|target|trailing|profit|loss|weight|weights|equal|equally|each|otherwise"
    r"|never sell|hold it|cross|crosses|crossover|golden|death|high|low|highs|lows|average"
    r"|averages|sma|ema|rsi|macd|band|bands|bollinger|momentum|return|returns"
)
_SELLS = rx(r"sell|sells|selling|exit|exits|get out|out|dump|cash|sit (?:the [a-z]+ )?out")
# a loose idea that restricts the rule ("only in a healthy market", "never buy in a downtrend")
_RESTRICTS = rx(r"only|never|unless|except|avoid|(?:don't|dont|do not|not) (?:buy|own|hold|be in"
                r"|trade|touch)")
_TRENDS = frozenset({IndicatorKind.sma, IndicatorKind.ema, IndicatorKind.highest_high,
                     IndicatorKind.lowest_low, IndicatorKind.roc})


def _has_a_trend_measure(spec: StrategySpec) -> bool:
    """Whether the buy rule compares with a moving average, a high or low, or momentum: the
    precise form of a loose restriction about the trend or the market."""
    if spec.entry is None:
        return False
    return any(c.left.kind in _TRENDS or (isinstance(c.right, Indicator)
                                           and c.right.kind in _TRENDS)
               for c in spec.entry.flat())


# sentences, and the loose half of "X, so Y" ("..., so buy IWM when ...", "..., only buy EFA
# when ...")
_SO = r" , (?:so )?(?=(?:only |then |i |i'll |i will |we )?(?:buy|hold|own|go long)(?!\S))"
_PIECE = re.compile(rf"(?:^|(?<= [.!?⋄] )|(?<=, so )|(?<= , ))(?P<s>(?:(?! [.!?⋄] |{_SO}).)+?)"
                    rf"(?P<end> [.!?⋄](?= |$)|{_SO}|\s*$)")


def a_loose_idea(said: str) -> bool:
    """Whether `said` says a state in loose words and nothing a precise rule says (see the
    module's doc); whether the rule beside it says it is `fits_the_rule`."""
    # ("Buy more on weakness.", "Exit faster in downtrends.": how much or how quickly, which
    # the precise rule does not say: never set aside)
    return bool(_LOOSE.search(f" {said} ")) and not (
        _PRECISE.search(f" {said} ") or re.search(r"\d|%", said)
        or says_size_or_handling(said.split()) or "more" in said.split())


def fits_the_rule(said: str, spec: StrategySpec) -> bool:
    """Whether the loose idea `said` may stand beside `spec`: a loose sell beside a sell rule of
    its own, a loose restriction beside a buy rule that measures the trend ("Only buy in an
    uptrend. Buy SPY when RSI < 30, ...": a loose filter the rule does not say is refused)."""
    if _SELLS.search(f" {said} ") and (spec.exit is None or not spec.exit.flat()):
        return False
    return not (_RESTRICTS.search(f" {said} ") and not _has_a_trend_measure(spec))


def drop_loose_ideas(state: ParseState) -> None:
    """Set aside each sentence that only says the idea in loose words (see the module's doc)."""
    if state.subparse is None or not _LOOSE.search(state.t):
        return
    for m in reversed(list(_PIECE.finditer(state.t))):
        said = m.group("s").strip()
        if not a_loose_idea(said):
            continue
        read = state.read_alone(squash(state.t[:m.start()] + " " + state.t[m.end():]),
                                list(dict.fromkeys(re.findall(SYM, said))))
        if read is None:
            continue
        rest, spec = read
        if not fits_the_rule(said, spec):
            continue
        state.ignored.append(said)
        state.understood.append(f"the idea, said loosely: {said}")
        state.t = f" {rest} "
