"""Exit phrases that say how the sell rule follows from the buy rule, without restating it.

This module owns "sell on the cross back" / "on the opposite cross" / "on the bearish cross"
(the opposite crossing), "sell when either condition fails" (any entry condition stops
holding), "sell when both are false" (every entry condition stops holding), "sell otherwise" /
"otherwise keep that money in cash" (the entry no longer holds). It takes them out of the text
and sets the state's `exit_mode`; `rules.derived_exit` builds the rule from the entry.
"""

from __future__ import annotations

import re

from generator.providers.offline.phrases import rx, take
from generator.providers.offline.state import ParseState
from generator.providers.offline.vocabulary import CONSUMED

_SELL = (r"(?:sell|sells|selling|exit|exits|get out|out|close(?: it| the position)?|dump it|dump"
         r"|flatten|flatten out|flat|go flat)")
_SELL_OBJ = r"(?: it| them| out| everything)?"
_OPPOSITE = (
    r"(?:the |a )?(?:cross(?:ing)? back(?: down| below| under| over| above)?"
    r"|(?:opposite|reverse|reversed|other|bearish|downward|negative|contrary)"
    r" cross(?:ing|over|es over|es)?"
    r"|cross(?:ing)? in the other direction|opposite signal|reverse signal"
    r"|cross(?:ing)? (?:down|under)|bear(?:ish)? crossover)"
)
_WHEN = r"(?:when|if|once|as soon as|whenever)"
EXIT_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (rx(rf"(?:, )?(?:and |otherwise |else )?{_SELL}{_SELL_OBJ} (?:on|at|with|after|upon)"
        rf" {_OPPOSITE}"), "opposite"),
    (rx(rf"(?:, )?(?:and )?{_SELL}{_SELL_OBJ} {_WHEN} (?:it|they|the lines?) "
        r"cross(?:es)? back(?: (?:below|under|down|above|over|up|the other way))?"
        r"(?= (?:,|;|\.|⋄|and|with|plus)(?!\S)| ?$)"), "opposite"),
    (
        rx(rf"(?:, )?(?:and )?{_SELL}{_SELL_OBJ} {_WHEN} (?:either|any|one)(?: of)?"
           r"(?: the| them| those| these)?(?: conditions?| rules?| signals?| of them| 2| two"
           r"| 1| one)?"
           r" (?:fails?|is false|is not true|is no longer true|no longer holds|stops? holding"
           r"|breaks?|turns false|goes false|is not met|is no longer met)"),
        "negate_any",
    ),
    (
        rx(rf"(?:, )?(?:and )?{_SELL}{_SELL_OBJ} {_WHEN} (?:both|all|neither)(?: of)?"
           r"(?: the| them| those| these)?(?: conditions?| rules?| signals?| of them| 2| two)?"
           r" (?:(?:are|is) )?(?:false|fail|are not true|no longer hold|stop holding|broken"
           r"|are not met|not met|true)"),
        "negate_all",
    ),
    (
        rx(rf"(?:, )?(?:and )?{_SELL}{_SELL_OBJ} {_WHEN} (?:that|this|it|the (?:condition|rule"
           r"|signal|setup|buy condition|buy rule|entry condition)) (?:is no longer true"
           r"|no longer holds|stops? holding|fails|is false|reverses|is not true|ends)"),
        "negate",
    ),
    (
        rx(rf"(?:, )?(?:and )?{_SELL}{_SELL_OBJ} {_WHEN} (?:it|that|this|they|it is|they are"
           r"|that is) (?:is not|isn't|are not|aren't|not|no longer|is no longer|are no longer)"
           r"(?: (?:the case|true|so))?(?= (?:,|;|\.|⋄|and|with|plus)(?!\S)| ?$)"),
        "negate",
    ),
    (
        rx(r"(?:, )?(?:and )?(?:otherwise|else|or else|if not|when not)(?: ,)? (?:keep|hold|leave"
           r"|park|put|have|stay in|be in|sit in|go to|move to|stay)(?: that| the| my| our| all)?"
           r"(?: money| capital| cash| position| portfolio)?(?: in)? cash"),
        "negate",
    ),
    # "buy VTI on the golden cross and then never sell": no exit, not even the opposite crossing
    (rx(r"(?:, )?(?:and )?never sell(?: it| them)?(?: ,)?(?: never sell)?(?= [.;!,⋄]| ?$)"),
     "none"),
    # "else flat", "otherwise out", "flat otherwise"
    (
        rx(r"(?:, )?(?:and )?(?:else|otherwise|if not)(?: ,)? (?:go |be |stay |get )?(?:flat|out"
           r"|in cash|to cash)|(?:, |; |and )(?:go |be |stay |get )?(?:flat|out) (?:otherwise"
           r"|else)"),
        "negate",
    ),
]


def extract_exit_phrases(state: ParseState) -> None:
    for pattern, mode in EXIT_PATTERNS:

        def on_match(m: re.Match[str], mode: str = mode) -> str:
            if state.exit_mode is not None and state.exit_mode != mode:
                raise state.fail("two different ways to sell were given", [m.group(0).strip()])
            state.exit_mode = mode
            state.understood.append(f"exit: {_LABELS[mode]}")
            return CONSUMED

        state.t = take(pattern, state.t, on_match)


_LABELS = {
    "none": "none (never sell)",
    "opposite": "the opposite crossing",
    "negate": "when the buy condition no longer holds",
    "negate_any": "when any buy condition fails",
    "negate_all": "when every buy condition fails",
}
