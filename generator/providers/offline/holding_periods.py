"""A time exit said in the writer's own words: "bail out after 6 days no matter what", "hold it
for one month, then sell", "and sell 3 days later regardless"; and a minimum hold: "but don't
let it sell until I've held it for at least 10 days", "don't sell during the first three days
no matter what the RSI says".

This module owns `read_time_exits` and `read_min_holds`. Each reads a clause (the words between
punctuation) as a bag of words over a closed lexicon rather than as one more pattern:

- a time exit (`read_time_exits`, after the risk patterns, on what they left): exactly one
  holding period (a number and a unit: days, weeks, months or years, a month being 21 trading
  days and a year 252), a verb that closes the position or holds it, and otherwise only words of
  holding and filler. A "then sell" said as its own clause right after the period is part of it;
- a minimum hold (`read_min_holds`, before the minimum-hold patterns): exactly one holding
  period, a sell that waits ("don't sell until", "during the first") or a hold of at least the
  period ("hold at least 10 days before any sell", "hold min 3 days"), and otherwise only
  words of its lexicon ("no matter what the RSI says" included).

A clause that holds any other word (a condition, a percentage, a second period) is left to the
usual check, which refuses what it cannot map.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from generator.providers.offline.phrases import lone_quantity, split_at_marks
from generator.providers.offline.state import ParseState
from generator.providers.offline.vocabulary import CONSUMED, UNIT_DAYS, words

_UNIT_BARS = {u: UNIT_DAYS[u] for u in words(
    "day days bar bars session sessions week weeks month months year years")}
_PERIOD = re.compile(r"(?<!\S)(?P<n>\d+) (?:trading |market )?(?P<u>" + "|".join(_UNIT_BARS)
                     + r")(?!\S)")
_CLOSES = frozenset(words("sell sells selling sold exit exits exiting close out dump bail"))
_HOLDS = frozenset(words("hold holds holding keep keeps keeping stay ride"))
_LEXICON = _CLOSES | _HOLDS | frozenset(words(
    """get gets it them the position trade after later then and just always anyway regardless
    no matter what whatever happens for at most max maximum up to only i i'll we we'll me my
    total held in of time period trading market a an that's is be will should each no
    more than longer bought buying purchase purchased entered entering entry i've
    if nothing happen happens happened within stop hasn't hit triggered been exactly once since
    when it's buy regardless price end"""
))
# "then sell" said as a clause of its own right after the period
_THEN_CLOSE = re.compile(r"^(?:and )?(?:then )?(?:just )?(?:sell|exit|get out|close it|close)"
                         r"(?: it| them| out)?(?: anyway| regardless| no matter what)?$")


# "hold for a week", "sell a month later": one unit
_ONE_UNIT = re.compile(r"(?<!\S)(?:a|an|one) (?P<u>day|week|month|year)(?!\S)")


def _bars(clause: str) -> int | None:
    """The clause's holding period in trading days, when it is a time exit and nothing else."""
    said = lone_quantity(_ONE_UNIT.sub(lambda m: f"1 {m.group('u')}", clause), _PERIOD, _LEXICON)
    if said is None:
        return None
    m, rest = said
    if not any(w in _CLOSES or w in _HOLDS for w in rest):
        return None
    return int(m.group("n")) * _UNIT_BARS[m.group("u")]


# -- a minimum hold ------------------------------------------------------------------------------
_NOT = frozenset(words("don't dont do not never no can't cannot won't shouldn't mustn't without"
                      " ignore ignoring"))
_WAITS = frozenset(words("until before during within first least minimum min"))
_MIN_LEXICON = _NOT | _WAITS | _CLOSES | _HOLDS | frozenset(words(
    """let it them the position trade i i've we we've have has had held owned own been is it's
    for at a an of in any but and please just so only after buying bought entry entering getting
    buy purchase days matter what whatever happens regardless even if want that this exit rule
    once
    kick kicks in can could trigger triggers fire fires allowed to act acted acting on counts
    count applies apply matters takes take effect signal signals old always"""))
# "no matter what the RSI says", "even if the RSI is high": whatever the sell rule says, the
# hold comes first (a level said there -- "even if the RSI is above 80" -- is no such aside)
_WHATEVER_SAYS = re.compile(r"(?<!\S)(?:no matter what (?:the )?(?:[a-z0-9]+ ){0,3}(?:says|say"
                            r"|shows|does|tells me|signals)"
                            r"|even if (?:the )?(?:rsi|macd|price|indicator|signal|sell signal"
                            r"|exit signal|sell rule|exit rule|rule|it|averages|moving averages"
                            r"|lines|mas|smas|emas|crossover|cross)(?: is| gets| goes| says"
                            r"| fires| triggers| looks| (?:cross|crosses|flip|flips)(?: back)?)?"
                            r"(?: (?:high|low|overbought|oversold|sell|up|down|good|bad|great|so"
                            r"|over|under|the other way))?)(?!\S)")
# "the sell waits until then", said after the hold: the hold said again
_WAITS_UNTIL_THEN = re.compile(r"^(?:and )?(?:the |my |any )?(?:sell|exit|selling)"
                               r"(?: rule| signal)? (?:waits|has to wait|must wait|will wait"
                               r"|can wait) (?:until|till) (?:then|that|after that)$")


def _min_hold_bars(clause: str) -> int | None:
    """The clause's minimum hold in trading days, when it says one and nothing else: one holding
    period, a sell that waits ("don't sell until", "don't let it sell during the first") or a
    hold before any sell ("hold at least 10 days before any sell"), and only words of the
    lexicon besides."""
    said = lone_quantity(_WHATEVER_SAYS.sub(" ", clause), _PERIOD, _MIN_LEXICON)
    if said is None:
        return None
    m, rest = said
    waits = any(w in _WAITS for w in rest)
    # ("don't sell until ...", "only sell after I've held at least 10 days", "only sell once
    # I've held it at least 10 days")
    sell_waits = (any(w in _NOT for w in rest) or {"only", "after"} <= set(rest)
                  or {"once", "least"} <= set(rest)) and any(
        w in _CLOSES for w in rest)
    # ("hold at least 10 days before any sell", "but hold min 3 days": a hold of at least N)
    hold_first = (any(w in _HOLDS for w in rest)
                  and any(w in ("least", "minimum", "min") for w in rest)
                  and ("before" not in rest or any(w in _CLOSES for w in rest)))
    # ("sell when ..., but only after I've held it at least 3 days": the sell said before)
    held_first = ({"only", "after"} <= set(rest) and any(w in ("held", "owned") for w in rest)
                  and any(w in ("least", "minimum", "min") for w in rest))
    if not waits or not (sell_waits or hold_first or held_first):
        return None
    return int(m.group("n")) * _UNIT_BARS[m.group("u")]


def read_min_holds(state: ParseState) -> None:
    """Take each clause that says only a minimum hold out of the text, as `min_hold_bars`."""
    def read(piece: str) -> bool:
        bars = _min_hold_bars(piece.strip()) if piece.strip() else None
        if bars is None:
            return False
        state.risk["min_hold_bars"] = state.settle(state.risk.get("min_hold_bars"), bars,
                                                   "minimum holding periods", piece.strip())
        state.understood.append(f"minimum holding period {bars} trading days")
        return True

    def take(piece: str) -> str:
        """The clause taken when it is a minimum hold (or says again that the sell waits for
        one read before), else the hold said after its last "but"
        ("sell when it's above 50 - but don't let the sell rule kick in until I've held at
        least 3 days", its dash gone)."""
        if read(piece) or ("min_hold_bars" in state.risk
                           and _WAITS_UNTIL_THEN.match(piece.strip())):
            return f" {CONSUMED} "
        head, _, tail = piece.rpartition(" but ")
        return f"{head} {CONSUMED} " if head.strip() and read(tail) else piece

    state.t = "".join(take(p) if k % 2 == 0 else p
                      for k, p in enumerate(split_at_marks(f" {state.t.strip()} ", ",;.⋄:")))


def read_time_exits(state: ParseState) -> None:
    """Take each time-exit clause out of the text, as the spec's `max_hold_bars`."""
    pieces = split_at_marks(f" {state.t.strip()} ", ",;.⋄:")
    k = 0
    while k < len(pieces):
        clause = pieces[k].strip()
        bars = _bars(clause) if clause else None
        then_close = k + 2 < len(pieces) and bool(_THEN_CLOSE.match(pieces[k + 2].strip()))
        if bars is None and clause and then_close:
            # "if the stop hasn't hit after 60 trading days , sell anyway": the period, then
            # the close said in a clause of its own
            bars = _bars(f"{clause} {pieces[k + 2].strip()}")
        if bars is None:
            k += 1
            continue
        state.risk["max_hold_bars"] = state.settle(state.risk.get("max_hold_bars"), bars,
                                                   "holding periods", clause)
        state.understood.append(f"time exit after {bars} trading days held")
        pieces[k] = f" {CONSUMED} "
        # "hold it for 1 month , then sell": the close said after the period
        if then_close:
            pieces[k + 2] = f" {CONSUMED} "
        k += 1
    state.t = "".join(pieces)
    if "max_hold_bars" in state.risk:
        state.t = _NO_LONGER_THAN_THAT.sub(_said_again(state), state.t)


# "... and sell it one month later? I definitely don't want to hold longer than that.": the time
# exit already read, said again as the writer's wish (never read with no time exit)
_NO_LONGER_THAN_THAT = re.compile(
    r"(?<!\S)(?:and |but )?(?:i |we )?(?:definitely |really |just )?(?:don't|do not|never) want"
    r" to (?:hold|keep|own) (?:it |them |the position |on )?(?:any )?longer than that(?!\S)")


def _said_again(state: ParseState) -> Callable[[re.Match[str]], str]:
    def said(m: re.Match[str]) -> str:
        state.understood.append(f"the time exit said again: {m.group(0).strip()}")
        return f" {CONSUMED} "
    return said
