"""What a writer says to explain the words of a rule, taken out when it adds nothing to it.

Beginners explain as they go: a bracket after a line ("the 50-day moving average (the average
of the last 50 closing prices)"), a relative clause ("..., which I understand is just the
20-day average"), a sentence that defines a word ("MACD is the difference between the 12-day
and 26-day exponential averages, and the signal line is a 9-day average of that."). This module
owns finding them and deciding whether one may go: it goes (and is listed as ignored) only when
it says nothing the rules could use that the rest of the text does not say already:

- no action and no rule word (buy, sell, hold, stop, target, rebalance, entry, signal, ...);
- no fund the rest of the text does not name;
- every number in it said elsewhere in the text, or the usual setting of the indicator it
  explains (RSI 14 on a 0-100 scale, MACD 12/26/9, Bollinger 20 days and 2 deviations), or a
  length the text says in other units ("126-day rate of change (about six months)").

An explanation that says more (its own setting, a fund, a rule) stays, and the readers read or
refuse it as before: dropping it could lose a meaning, never so here.
"""

from __future__ import annotations

import re

from generator.providers.offline.phrases import SYM, rx
from generator.providers.offline.state import ParseState
from generator.providers.offline.vocabulary import INDICATOR_WORDS, words

# words that make a fragment a rule (or part of one), never an explanation
_RULE_WORDS = frozenset(words(
    """buy buys buying bought sell sells selling sold hold holds holding held own owns owned
    exit exits exited exiting enter enters entered entry get out long short shorts stop stops
    target targets profit trailing rebalance rebalancing rebalanced switch rotate invest put
    keep move dump setup trigger rule rules position want i'd i'll we'd we'll should must only
    never always unless either or not don't dont no instead when whenever if once while until
    then = > <"""
    # a crossing or a side named: the readers of what is "said again" check it against the rule
    """ cross crosses crossed crossing crossover crossovers bullish bearish golden death"""
))
# a sentence of its own that names one of these states a rule, never an explanation ("The filter
# is SPY above its 200-day SMA."; in a bracket beside the rule, "(using SPY as the market
# filter)" names what is said)
_RULE_NOUNS = frozenset(words(
    """filter filters filtered condition conditions confirm confirms confirmation require
    requires requirement"""
))
# ("over 200 days", "over the last 50 days": a length, not a side)
_OVER_A_LENGTH = rx(r"over (?:the (?:last|past|previous) )?\d+ (?:trading )?(?:days|weeks|months"
                    r"|years)")
# a side said in a bracket or a "which" clause ("(price over the 80 day)", "(MACD line under the
# signal line)"): the rule said again, which those readers check, never an explanation
_SIDE_WORDS = frozenset(words(
    """above below under over beneath higher lower exceeds up down positive negative"""
))
# the words that name what an explanation explains (the indicators, by name or in words)
# (a rule word -- "stop", "cross" -- is no term: a fragment that holds one is never dropped)
_TERMS = INDICATOR_WORDS | frozenset(words(
    """average averages moving band bands bollinger line lines signal histogram rsi macd
    momentum return returns rate change breakout high low highest lowest oscillator indicator
    strength relative deviation deviations"""
)) - frozenset(words("k d n x"))
# the usual settings an explanation of that indicator may say
_USUAL = {"rsi": {14.0, 0.0, 100.0}, "relative": {14.0, 0.0, 100.0},
          "macd": {12.0, 26.0, 9.0}, "bollinger": {20.0, 2.0}, "bands": {20.0, 2.0},
          "band": {20.0, 2.0}}
_DAYS_PER = {"week": 5, "weeks": 5, "month": 21, "months": 21, "year": 252, "years": 252}
_NUMBER = re.compile(r"(?<!\S)(\d+(?:\.\d+)?)(?: (days?|weeks?|months?|years?))?(?!\S)")

# a bracket of words: "( the average of the last 50 closing price )"
_BRACKET = re.compile(r"\( (?P<words>[^()]+?) \)")
# a relative clause that explains the word before it: ", which I understand is just ..."
_WHICH = rx(r"(?:, )?which (?:i (?:understand|believe|think|read|guess|assume) |as i understand it"
            r" |(?:i'm told|i am told) )?(?:is|are|means|measures)(?: just| basically| simply)?"
            r" (?P<words>[^,.;!?⋄]+?)(?= [,.;!?⋄]| ?$)")
# a sentence that defines a word: "MACD is the difference between ...", "The RSI, as I
# understand it, measures ...", "I understand a trailing stop as a stop that ...", "The
# 'lowest low' of the past 10 days means ..."
_DEFINES = rx(r"(?:(?<=^ )|(?<=[.!?⋄] ))(?P<words>(?:the |a |an )?(?:[a-z0-9'\"-]+ ){1,7}?(?:, )?"
              r"(?:as i understand it (?:, )?)?(?:is|are|means|measures|refers to|shows|tells you"
              r"|looks at|compares|is basically|is just|is simply|is calculated as)"
              r" [^.!?⋄]+?|i understand (?:[a-z0-9'\"-]+ ){1,6}?as [^.!?⋄]+?) (?P<end>[.!?⋄]|$)")

# a sentence that names the rule: "I read that this is called a golden cross."
_CALLED = rx(r"(?:(?<=^ )|(?<=[.!?⋄] ))(?P<words>(?:i (?:read|heard|think|believe|learned)"
             r" (?:that )?)?(?:this|that|it) is (?:called|known as|named) [^.!?⋄]+?)"
             r" (?P<end>[.!?⋄]|$)")

# a setting said again in a bracket: "sell when it closes above the upper band (also 2.5)"
_SAME_AGAIN = rx(r"\( (?:also|again|same|the same|too) (?P<words>\d+(?:\.\d+)?(?: (?:std|sd"
                 r"|standard deviations?|deviations?|days?))?)(?: too| again)? \)")


def _numbers(text: str) -> list[tuple[float, str | None]]:
    return [(float(m.group(1)), m.group(2)) for m in _NUMBER.finditer(text)]


def _adds_nothing(fragment: str, rest: str, *, names_a_term: bool) -> bool:
    """Whether `fragment` says nothing the rest of the text does not: see the module's doc.
    `names_a_term`: it must name what it explains (a sentence of its own must; a bracket or a
    "which" clause stands next to what it explains)."""
    tokens = fragment.split()
    sides = _OVER_A_LENGTH.sub(" ", f" {fragment} ").split()
    if not names_a_term and any(t in _SIDE_WORDS for t in sides):
        return False
    if any(t in _RULE_WORDS for t in tokens) or len([t for t in tokens if t.isalpha()]) < 2:
        # (a bracket of numbers is a setting: "BB(20, 2.5)", "ROC(126)")
        return False
    if names_a_term and (not any(t in _TERMS for t in tokens)
                         or any(t in _RULE_NOUNS for t in tokens)):
        return False
    rest_funds = set(re.findall(SYM, rest))
    if any(re.fullmatch(SYM, t) and t not in rest_funds for t in tokens):
        return False
    said = {n for n, _ in _numbers(rest)}
    usual = set().union(*(_USUAL.get(t, set()) for t in tokens))
    for number, unit in _numbers(fragment):
        in_days = number * _DAYS_PER[unit] if unit in _DAYS_PER else None
        if number not in said and number not in usual and in_days not in said:
            return False
    return True


def drop_explanations(state: ParseState) -> None:
    """Take out the explanations that add nothing (`_adds_nothing`), listing them as ignored."""
    def said_again(m: re.Match[str]) -> str:
        rest = state.t[:m.start()] + " " + state.t[m.end():]
        if _numbers(m.group("words"))[0][0] not in {n for n, _ in _numbers(rest)}:
            return m.group(0)
        state.ignored.append(m.group(0).strip())
        return " "

    state.t = _SAME_AGAIN.sub(said_again, state.t)
    for pattern in (_BRACKET, _WHICH, _DEFINES, _CALLED):
        def drop(m: re.Match[str], alone: bool = pattern in (_DEFINES, _CALLED)) -> str:
            rest = state.t[:m.start()] + " " + state.t[m.end():]
            if not _adds_nothing(m.group("words"), rest, names_a_term=alone):
                return m.group(0)
            state.ignored.append(m.group(0).strip(" ,"))
            end = m.groupdict().get("end")
            return f" {end} " if end else " "

        state.t = pattern.sub(drop, state.t)
