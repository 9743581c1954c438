"""What happened to the writer, or why they want the rule, said before the rule itself.

Writers often open with the story behind a rule: "I got burned holding EEM all through 2022 so
now I only own it while ...", "Since the 2008 crash I stay out of stocks unless ...", "After
getting stuck in EEM for a year of drawdown I only buy when ...", "Because bonds tend to rally
when stocks sell off, I hold TLT whenever ...". Read as part of the rule, the story's words
sank the text. This module owns recognising such an opening and setting it aside (listed as
ignored). An opening is one of:

- a reason: "because ..." (or "as ...") up to the comma that ends it;
- a story that ends in "so" ("..., so now", "... so now I ..."), told in the past ("got",
  "had", "was", "lost", "getting", ...);
- "since the 2008 crash" / "after getting stuck in EEM for a year" up to "I" or "we" and the
  present-tense verb of the rule.

It is set aside only when all of these hold:

- it says no rule: no comparison, indicator, crossing, control, schedule or weight word
  (`_RULE_WORDS`), and no number but a year (2008, 2022);
- the rest of the text, without it, is a whole strategy on its own (the same parser reads it);
- every fund it names is traded by that strategy (when the rest says "it", the fund the story
  named is what it speaks of).

A story that holds a rule ("Since SPY fell below its 200-day I ...") stays, and is read or
refused as before.

`framing` takes out the reasons its word lists alone can clear ("Since bonds rally when stocks
crash, I want ...", no year, no verb of the rules); this module is the second look, for the
openings those lists cannot clear (a year, "holding EEM", "when stocks sell off", no comma
before the rule), cleared instead by the rest of the text reading as a whole strategy without
them, as `ideas` does for an idea said loosely.
"""

from __future__ import annotations

import re

from generator.providers.offline.errors import ParseError
from generator.providers.offline.phrases import SYM, rx, squash
from generator.providers.offline.state import ParseState

# words a rule is made of: an opening holding one is never set aside
_RULE_WORDS = rx(
    r"above|below|under|over|beneath|cross|crosses|crossed|crossing|crossover|golden|death"
    r"|average|averages|sma|ema|ma|dma|rsi|macd|band|bands|bollinger|momentum|return|returns"
    r"|high|highs|low|lows|stop|stops|target|trailing|profit|rebalance|rebalanced|rebalancing"
    r"|daily|weekly|monthly|quarterly|yearly|annually|every|weight|weights|equal|equally"
    r"|percent|%|positive|negative|unless|otherwise|signal|breakout|streak|row"
)
# the past told as a story: an opening ending in "so" must hold one
_PAST = rx(
    r"got|had|was|were|lost|losing|burned|burnt|crashed|crashing|took|bought|sold|held|learned"
    r"|learnt|tried|did|been|getting|went|watched|saw|rode|stuck|missed|panicked|gave"
)
_START = r"(?:^|(?<= [.!?;⋄] ))\s*"
_SUBJECT_VERB = (r"(?=(?:i|we) (?:only |now |just |always |then )*(?:buy|hold|own|stay|keep|sell"
                 r"|trade|use|want|go|get|switch|move|invest|put|run|check|look|am|'m)(?!\S))")
_OPENINGS = (
    # "because bonds tend to rally when stocks sell off , ..."
    re.compile(_START + r"(?P<s>(?:because|as) (?:(?! [.!?;⋄] | , ).)+?) , "),
    # "i got burned holding EEM all through 2022 so now ...", "i had a rough 2022 , so now ..."
    # (the small talk has taken "so" out before "now": "... 2022 now i only own it")
    re.compile(_START + r"(?P<s>(?:i|we|i've|we've|my|our) (?:(?! [.!?;⋄] | so | now ).)+?)(?: ,)?"
               r" (?:so (?:now |these days |nowadays |from now on |since then )?"
               r"|(?:now|these days|nowadays|from now on) )(?:, )?"),
    # "since the 2008 crash i stay out ...", "after getting stuck in EEM for a year i only ..."
    re.compile(_START + r"(?P<s>(?:since|after|ever since) (?:(?! [.!?;⋄] ).)+?)(?: ,)? "
               + _SUBJECT_VERB),
)


def _a_story(opening: str) -> bool:
    """Whether `opening` tells a story or a reason and holds no rule."""
    padded = f" {opening} "
    if _RULE_WORDS.search(padded):
        return False
    if re.search(r"\d", re.sub(r"(?<!\S)(?:19|20)\d\d(?!\S)", "", opening)):
        return False  # a number that is not a year may be a level or a length
    if re.match(r"(?:i|we|i've|we've|my|our) ", opening):
        return bool(_PAST.search(padded))
    if opening.startswith(("since", "after", "ever since")):
        # "since the 2008 crash", "after getting stuck in EEM": an event or what the writer did
        return bool(_PAST.search(padded) or re.search(r"(?:19|20)\d\d|crash|bear market|covid"
                                                      r"|recession|bubble", opening))
    return True  # "because ...": a reason


def drop_backstory(state: ParseState) -> None:
    """Set aside each opening that tells the story or the reason behind the rule (see the
    module's doc)."""
    if state.subparse is None:
        return
    for pattern in _OPENINGS:
        for m in reversed(list(pattern.finditer(state.t))):
            said = m.group("s").strip()
            if not _a_story(said):
                continue
            rest = squash(state.t[:m.start()] + " " + state.t[m.end():])
            funds = set(re.findall(SYM, said))
            if funds and not re.search(SYM, rest):
                rest = f"{' '.join(sorted(funds))} : {rest}"
            elif len(funds) == 1 and re.match(r" (?:i |we )?[a-z' ]*\b(?:it|its)\b", rest):
                # ("... holding EEM all through 2022 so now i only own it while it is above"):
                # "it" is the fund the story named
                rest = f"{next(iter(funds))} : {rest}"
            try:
                spec = state.subparse(rest)
            except ParseError:
                continue
            if not funds <= set(spec.all_symbols()):
                continue
            state.ignored.append(said)
            state.understood.append(f"the story behind the rule: {said}")
            state.t = f" {rest} "
