"""A rule said of each of several symbols, rewritten as the rule of "it".

This module owns `said_of_each`: "when each one is above its own 200-day SMA", "buy any of them
when it closes above ...", "crosses above the signal on each one", "each fund is only held while
...", "if one drops below, sell just that one". The rule becomes one rule of "it", and
`ParseState.each` says it is the rule of every symbol (they share the money equally unless a
size is said).
"""

from __future__ import annotations

import re

from generator.providers.offline.phrases import SYM, rx, squash
from generator.providers.offline.state import ParseState

# "when each one is above its own 200-day SMA": the rule of every symbol, said of each
_EACH_ONE = re.compile(
    r"(?<!\S)(?:each (?:1|one)|each of them|every one of them|that (?:1|one)(?= when)"
    # "buy any of them when it closes above ...", "each fund is only held while ...", "hold each
    # one that's above ...": the rule of each symbol, said of any one
    r"|(?:any|whichever|each) of (?:them|those|these)(?= (?:when|whenever|if|once|that|whose"
    r"|which|while)(?!\S))|each (?:fund|etf|symbol|position|holding)(?= (?:is|closes|trades"
    r"|when|if|while|whenever)(?!\S))"
    r"|each(?= (?:is|closes|trades|goes"
    r"|drops|falls|rises|crosses|stays|gets|sits|holds|when|if|once|whenever|while|as long as)"
    r"(?!\S)))(?!\S)")
# "crosses above the signal on each one": the rule said of every symbol, with nothing to add
# (not "half in each", "50% in each": the share of each, read by the family)
# ("Equal weight QQQ + IWM + MDY. For each: long when ...": a head before the rules)
_ON_EACH = re.compile(r"(?<!\S)(?<!% )(?<!third )(?<!quarter )(?<!half )(?:on|for|in)"
                      r" (?:each (?:1|one)|each of them|each)"
                      r"(?= [,;.:⋄]| and | or |\s*$)")
_ITS_OWN = re.compile(r"(?<!\S)(?P<w>its|their) own(?!\S)")


# the rule of each symbol, said of it once `_EACH_ONE` has made "each one" "it" ("buy any of
# them whose 12-month momentum is positive", "each fund is only held while ...", "if one drops
# below, sell just that one")
_OF_EACH: list[tuple[re.Pattern[str], str]] = [
    (rx(r"(?<=it )whose"), " when its "),
    (rx(r"(?<=it )(?:that is|that's|which is|that are)(?= (?:above|below|over|under|trading"
        r"|in|up)(?!\S))"), " while it is "),
    (rx(r"it is (?:only )?(?:held|owned|kept|bought)(?: only)?(?= (?:while|when|if|as long as"
        r"|whenever)(?!\S))"), " hold it "),
    (rx(r"(?:(?<=if )|(?<=when )|(?<=once )|(?<=whenever ))(?:1|one|any|any 1|any one|a fund"
        r"|one of them|1 of them)(?= (?:drops|falls|closes|goes|slips|dips|crosses|is|gets)"
        r"(?!\S))"), " it "),
    (rx(r"(?:sell|dump|exit)(?: just| only)? that (?:1|one|fund|position)(?: only)?"), " sell it "),
    # "sell any one that drops under its 100-day": the sell of each, on its own condition
    (rx(r"(?:sell|dump|exit) (?:any|each) (?:1|one|fund|etf|position)(?: of them)? (?:that|which)"
        r"(?= (?:drops|falls|closes|goes|slips|dips|crosses|is|gets)(?!\S))"), " sell it when it "),
    # "..., each one (only) while it's above its own 100-day": the hold of each
    (rx(r"(?:(?<=^ )|(?<=[,;:.⋄] ))it(?: only)?(?= (?:while|as long as)(?!\S))"), " hold it "),
]


def said_of_each(state: ParseState, text: str) -> str:
    if _EACH_ONE.search(text) or _ON_EACH.search(text) or re.search(
            rf"(?<!\S)(?:for|on|in) each of (?={SYM}(?!\S))", text):
        state.each = True  # one rule said of every symbol: they share the money equally
    text = _ON_EACH.sub(" ", text)
    text = squash(_ITS_OWN.sub(lambda m: m.group("w"), _EACH_ONE.sub(" it ", text)))
    for pattern, replacement in _OF_EACH:
        text = squash(pattern.sub(replacement, text))
    return text
