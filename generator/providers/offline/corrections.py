"""Corrections: the writer changing their mind in the text, applied to what they corrected.

People correct themselves as they write: "RSI below 30, I mean 25", "sell above 60, actually
make that 65", "use 50% of the account. Sorry, I meant 30%, not 50.", "Scratch that, make the
stop 7%", "Actually use the EMA not the SMA", "Hmm no, use 3-month momentum instead, and pick
the top 2 not the top 1", "Wait, the slow EMA should be 40, not 30". This module owns reading
them. A correction is a marker (`_MARKER`: "I mean", "no wait", "actually", "scratch that",
"sorry", "correction:" ...) and what follows it up to the end of its sentence; that is split
into parts at "and" and commas, and each part must be one of:

* **new for old**: "40, not 30", "30% not 50", "the EMA not the SMA", "the top 2 instead of the
  top 1" — every earlier occurrence of the old value or word becomes the new one;
* **a value of a kind**: "make it 25", "use 3-month momentum instead", "make the exit the
  20-day low", "a 12% vol target", "3 down days in a row", "sell after 4 days" — the last
  earlier phrase of the same kind (a bare number, a moving average, an N-day high or low, a
  lookback, a streak, a time exit, a top N) takes the new value; "make the stop 7%" changes the
  number said with the stop;
* **a share, a ratio or a schedule**: "GLD should be 25%", "35% TLT", "make it 70/30" (the
  shares said before, in order), "rebalance every quarter instead";
* **an addition**, kept as an instruction of its own: "and add a 25% take profit";
* **a remark** on the change ("10 is too tight", "for both the buy and the sell", "is safer",
  "still rebalanced annually").

The text before the marker is then read as corrected, and the correction is listed as ignored.
A correction any part of which cannot be placed is refused, never guessed. A limit: "40, not
30" changes every 30 said before, whatever it measured; a writer who corrects one of two equal
numbers gets both changed (the summary shows it).
"""

from __future__ import annotations

import re

from generator.providers.offline.phrases import SYM, rx, squash
from generator.providers.offline.state import ParseState

_MARKER = (r"(?:(?:hmm+|oh|oops|ok|okay)(?: ,)? )?(?:no wait|wait ,|i mean|i meant|make that"
           r"|or rather|correction :?|(?:no )?actually(?: no)?(?: ,)?|scratch that"
           r"|(?:i'm |i am )?sorry(?: ,)?(?: i meant| i mean)?|on second thought|hmm+(?: ,)? no"
           r"|no ,)(?: ,)?")
_NUM = r"\d+(?:\.\d+)?"
_UNIT = r"(?: (?:%|percent|day|days|week|weeks|month|months))?"

# the kinds of value a correction may give, most specific first; each pattern finds a phrase
# of its kind, with the number that changes in group "n"
_KINDS: list[tuple[str, str]] = [
    ("average", rf"(?:the )?(?P<n>{_NUM}) (?:day|week|month) (?:simple |exponential )?"
                r"(?:sma|ema|moving average|ma|dma)"),
    ("high", rf"(?:the )?(?P<n>{_NUM}) (?:day|week) high"),
    ("low", rf"(?:the )?(?P<n>{_NUM}) (?:day|week) low"),
    ("lookback", rf"(?P<n>{_NUM}) (?:day|week|month) (?:momentum|return|returns|performance|roc)"),
    ("streak", rf"(?P<n>{_NUM}) (?:down|up|red|green|losing|winning) (?:days|closes|day)"),
    ("hold", rf"(?:sell )?after (?P<n>{_NUM}) (?:days|trading days|bars|weeks)"),
    ("top", rf"(?:the )?(?:top|best) (?P<n>{_NUM})"),
    ("volatility", rf"(?P<n>{_NUM}) % (?:vol|volatility|annual volatility|annualised volatility"
                   r"|annualized volatility)(?: target)?"),
]
_KIND_RES = [(name, re.compile(rf"(?<!\S){body}(?!\S)")) for name, body in _KINDS]

# "make the stop 7%": the role whose number changes, and the words that say it in the text
_ROLES = {
    "stop": r"stop|stop loss|hard stop", "take profit": r"take profit|profit target|target",
    "trailing stop": r"trailing stop|trailing", "volatility": r"vol|volatility",
}

_QUALIFIER = r"(?:annual|annualised|annualized|hard|fixed|initial)"
_NEW_FOR_OLD = re.compile(
    r"^(?:(?:make|set|change) (?:it|that|them) (?:to )?|use |pick |hold |it should be |should"
    r" be |(?:the |a )?(?:[a-z]+ )?(?:[a-z]+ )?should be )?(?P<new>.+?)(?: ,)? (?:not|instead of)"
    r" (?P<old>.+?)$")
_MAKE_IT = re.compile(r"^(?:(?:make|set|change) (?:it|that)(?: to)?|just) (?P<new>.+?)$")
_MAKE_ROLE = re.compile(r"^(?:make|set|change|move) the (?P<role>[a-z ]+?) (?:to |at )?"
                        rf"(?P<new>(?:the )?{_NUM}.*?)$")
_USE = re.compile(r"^(?:use|go with|pick|hold|with|(?:make it|make that)) (?P<new>.+?)"
                  r"(?: instead)?$")
_REMARK = re.compile(rf"^(?:still [a-z ]+|(?P<n>{_NUM})(?: %)? (?:is|was|seems|feels)"
                     r" (?:too|a bit|way) [a-z]+|for both(?: the)? [a-z ]+|(?:is|would be|seems"
                     r"|feels) (?:safer|better|fine|nicer|less risky|too [a-z]+)|for both|instead"
                     r"|please|thanks)$")
_RISK_PHRASE = re.compile(rf"(?:a |an )?{_NUM} % (?:take profit|profit target|stop loss|stop"
                          r"|trailing stop|target)")
_SENTENCE_END = re.compile(r" [.!?⋄](?= |$)")


def _strip_article(words: str) -> str:
    return re.sub(r"^(?:the|a|an|its) ", "", words.strip())


def _number(text: str) -> str | None:
    m = re.fullmatch(rf"(?P<n>{_NUM}){_UNIT}", text.strip())
    return m.group("n") if m else None


_BARE_NUMBER = re.compile(rf"(?<!\S){_NUM}(?!\S)")


def _splice_last(before: str, pattern: re.Pattern[str], new: str,
                 groups: tuple[str | int, ...] = (0,)) -> str | None:
    """`before` with the last match of `pattern` replaced by `new`: of that match, the first of
    `groups` that took part (the whole match by default); None when nothing matches."""
    found = list(pattern.finditer(before))
    if not found:
        return None
    last = found[-1]
    group = next(g for g in groups if last.group(g) is not None)
    return before[:last.start(group)] + new + before[last.end(group):]


def _replace_all(before: str, old: str, new: str) -> str | None:
    """Every occurrence of `old` (a number, or words) in `before` becomes `new`; None when
    `old` is not there."""
    old_n, new_n = _number(old), _number(new)
    if old_n is not None and new_n is not None:
        pattern = re.compile(rf"(?<!\S){re.escape(old_n)}(?!\S)")
        replacement = new_n
    else:
        old, new = _strip_article(old), _strip_article(new)
        if not old or not new:
            return None
        pattern = re.compile(rf"(?<!\S){re.escape(old)}(?!\S)")
        replacement = new
    if not pattern.search(before):
        return None
    return pattern.sub(replacement, before)


def _replace_last_of_kind(before: str, new: str) -> str | None:
    """The last phrase in `before` of the kind `new` is (a moving average, a streak, ...) takes
    `new`'s number; a bare number replaces the last number said."""
    new = re.sub(r" in a row$", "", new.strip())
    for _name, pattern in _KIND_RES:
        m_new = pattern.fullmatch(new) or pattern.fullmatch("the " + new)
        if m_new is not None:
            return _splice_last(before, pattern, m_new.group("n"), ("n",))
    n = _number(new)
    return _splice_last(before, _BARE_NUMBER, n) if n is not None else None


def _replace_role(before: str, role: str, new: str) -> str | None:
    """"make the stop 7%": the number said with the stop in `before` becomes 7."""
    n = _number(new.split(" %")[0]) if new[0].isdigit() else None
    words = next((w for r, w in _ROLES.items() if re.fullmatch(w, role) or role == r), None)
    if n is None or words is None:
        return _replace_last_of_kind(before, new)
    near = re.compile(rf"(?<!\S)(?:(?P<a>{_NUM})(?: %)?(?: {_QUALIFIER})? (?:{words})|(?:{words})"
                      rf"(?: loss)?(?: of| at| :)? (?P<b>{_NUM}))(?!\S)")
    return _splice_last(before, near, n, ("a", "b"))


_WEIGHT = re.compile(rf"^(?:(?P<sym>{SYM}) (?:should be |to |at |stays at |= )?(?P<n>{_NUM})(?: %)?"
                     rf"|(?P<n2>{_NUM})(?: %)? (?:in |for )?(?P<sym2>{SYM}))$")


def _replace_weight(before: str, sym: str, n: str) -> str | None:
    """"GLD should be 25%": the share said with GLD ("40 % GLD", "GLD 40 %", "40 % in GLD")."""
    near = re.compile(rf"(?<!\S)(?:(?P<a>{_NUM}) % (?:in |into |on )?{re.escape(sym)}"
                      rf"|{re.escape(sym)} (?P<b>{_NUM}) %)(?!\S)")
    return _splice_last(before, near, n, ("a", "b"))


_RATIO = re.compile(rf"^(?:(?:make|set|change) (?:it|that) (?:to )?)?"
                    rf"(?P<nums>{_NUM}(?: / {_NUM})+)$")


def _replace_ratio(before: str, shares: list[str]) -> str | None:
    """"make it 60/40": the shares said before ("70 % in SPY and 30 % in TLT"), in order."""
    found = list(re.finditer(rf"(?<!\S){_NUM}(?= %(?!\S))", before))
    if len(found) != len(shares):  # "hold QQQ and TLT 50/50": a ratio said before
        ratios = list(re.finditer(rf"(?<!\S){_NUM}(?: / {_NUM})+(?!\S)", before))
        if not ratios or len(ratios[-1].group(0).split(" / ")) != len(shares):
            return None
        last = ratios[-1]
        return before[:last.start()] + " / ".join(shares) + before[last.end():]
    for m, share in reversed(list(zip(found, shares, strict=True))):
        before = before[:m.start()] + share + before[m.end():]
    return before


_WHEN = (r"daily|weekly|monthly|quarterly|yearly|annually|semiannually|every (?:day|week|month"
         r"|quarter|year|6 months)|once a (?:week|month|quarter|year)|each (?:week|month|quarter"
         r"|year)")
_SCHEDULE = re.compile(rf"(?:(?:and )?(?:rebalance|rebalanced|rebalancing|rotate|check it)"
                       rf"(?: it| them)? )?(?P<when>{_WHEN})")
_SAID_WHEN = re.compile(rf"(?<!\S)(?:{_WHEN})(?!\S)")


def _apply_part(before: str, part: str) -> str | None:
    """`before` with one part of a correction applied; None when it cannot be placed."""
    part = part.strip()
    if not part or _REMARK.match(part):
        return before
    m = _NEW_FOR_OLD.match(part)
    if m:
        return (_replace_all(before, m.group("old"), m.group("new"))
                or _replace_last_of_kind(before, _strip_article(m.group("new"))))
    m = _WEIGHT.match(part)
    if m:
        return _replace_weight(before, m.group("sym") or m.group("sym2"),
                               m.group("n") or m.group("n2"))
    m = _RATIO.match(part)
    if m:
        return _replace_ratio(before, m.group("nums").split(" / "))
    m = _SCHEDULE.fullmatch(re.sub(r" instead$", "", part))
    if m:
        # "rebalance every quarter instead": the last schedule said before takes its place
        return _splice_last(before, _SAID_WHEN, m.group("when"))
    m = _MAKE_ROLE.match(part)
    if m and not re.fullmatch(r"it|that", m.group("role")):
        return _replace_role(before, m.group("role"), m.group("new"))
    for pattern in (_MAKE_IT, _USE):
        m = pattern.match(part)
        if m:
            return _replace_last_of_kind(before, _strip_article(m.group("new")))
    volatility = re.fullmatch(rf"(?:a |an )?(?P<n>{_NUM}) % (?:vol|volatility)(?: target)?"
                              r"(?: (?:is|would be) [a-z ]+)?", part)
    if volatility:
        return _replace_role(before, "volatility", volatility.group("n") + " %")
    return _replace_last_of_kind(before, _strip_article(part))


# a correction right after what it corrects: "RSI below 30, I mean 25", "RSI 10 or lower, no
# wait, 5 or lower", "the 150 day... actually the 200 day moving average"; across a full stop
# only with "I mean" ("VTI/BND... I mean VTI/AGG"), the other markers start a correction of
# their own sentence (`_LATER`)
_VALUE = (rf"(?:{_NUM}{_UNIT}(?: in a row)?|(?:the )?{_NUM} (?:day|week) (?:simple |exponential )?"
          rf"(?:sma|ema|moving average|ma|dma)|{SYM}(?: / {SYM})*)")
_IMMEDIATE = re.compile(
    rf"(?<!\S)(?P<old>{_VALUE})(?:(?: [,-]| \. \. \.)* {_MARKER}|(?: [.,-])* (?:i mean|i meant))"
    rf"(?: (?:make (?:it|that)|to|do|use|go with))? (?P<new>(?:at most |at least |the )?{_VALUE})"
    rf"(?: ,| -)?(?= [.,;!?⋄]| and | or | then |\s*$)")
_LATER = rx(rf"(?<=[.,;:!?⋄] ){_MARKER}")
_APOLOGY = re.compile(r"(?:oh |oops |ok |okay )?(?:i'm |i am )?sorry(?: ,)?")


# "I used to sell at 70 but now I sell at 60": the old plan, then the one the writer keeps
_USED_TO = rx(r"(?:i|we) used to (?P<old>(?:(?! [.;!?⋄] ).)+?)(?: ,)? but (?:now|these days"
              r"|nowadays|lately)(?: ,)?(?: i| we)?(?: just| only)?(?= (?:buy|sell|hold|own|use"
              r"|trade|exit|take|put|rebalance|keep|want|get|go|check)(?!\S))")


def _plan_given_up(state: ParseState, m: re.Match[str]) -> str:
    state.ignored.append(f"{m.group('old')} (the old plan)")
    state.understood.append(f"the old plan set aside: {m.group('old')}")
    return " "


def set_aside_old_plans(state: ParseState) -> None:
    """Take out each plan the writer says they gave up for the one they keep ("I used to sell at
    70 but now I sell at 60": the sell at 60), before a story in the past is retold in the
    present (`narration`) and the two plans read as one."""
    state.t = _USED_TO.sub(lambda m: _plan_given_up(state, m), state.t)


def apply_corrections(state: ParseState) -> None:
    text = state.t

    def immediate(m: re.Match[str]) -> str:
        old = m.group("old").split()
        new = re.sub(r"^(?:at most|at least) ", "", m.group("new")).split()
        if len(new) == 1 and len(old) == 2 and new[0][0].isdigit() and old[0][0].isdigit():
            new = [new[0], old[1]]  # "30 days, I mean 20": the unit said first
        if new[0] == "the" and old[0] != "the":
            new = new[1:]
        # "above the 150 day... actually the 200 day moving average": the writer broke off the
        # phrase and says it whole in the correction
        broken_off = (len(old) == 2 and len(new) > 2 and old[0][0].isdigit()
                      and new[0][0].isdigit() and new[1] == old[1])
        if not broken_off and (len(new) != len(old) or (len(old) > 1 and old[-1] != new[-1]
                                                        and not old[0].isalpha())):
            raise state.fail(f"'{m.group(0).strip()}' corrects one kind of thing with another; "
                             "write the sentence as you mean it", [m.group(0).strip()])
        state.understood.append(f"correction: {' '.join(new)} instead of {' '.join(old)}")
        state.ignored.append(f"{m.group('old')} (corrected)")
        return f" {' '.join(new)} "

    text = _IMMEDIATE.sub(immediate, text)
    while True:
        m = _LATER.search(text)
        if m is None:
            break
        end = _SENTENCE_END.search(text, m.end())
        stop = end.start() if end else len(text)
        said = text[m.end():stop].strip()
        before = text[:m.start()]
        said = re.sub(r"(?: ,)? for (?:both|all)(?: [a-z ]+)?$", "", said)
        sentence = re.split(r" [.!?⋄] ", " " + before)[-1]
        if not said and _APOLOGY.fullmatch(m.group(0).strip()) and not re.search(r"\d", sentence):
            # "I am not a native speaker, sorry.": an apology that corrects nothing (after a
            # number, "RSI below 30, sorry.", it may mean the number and is refused)
            state.ignored.append(m.group(0).strip())
            text = squash(before + " . " + text[stop:].lstrip(" .!?"))
            continue
        corrected: str | None = before if said else None
        added: list[str] = []
        applied: list[str] = []
        for part in re.split(r" (?:, and|,|and|;) (?!not |instead of )", said):
            if corrected is None:
                break
            if (re.match(r"(?:add|also|plus|and add) ", part) or _RISK_PHRASE.fullmatch(part)
                    or (_SCHEDULE.fullmatch(part) and not _SAID_WHEN.search(corrected))):
                # a new instruction ("add a 25% take profit", "and rebalance every quarter"
                # when no schedule was said before), kept
                added.append(re.sub(r"^(?:and add|add|also|plus) ", "", part))
                continue
            corrected = _apply_part(corrected, part)
            applied.append(part)
        if corrected is None:
            raise state.fail("a correction ('I mean ...', 'actually ...') that does not say what "
                             "it replaces is not read; write the sentence as you mean it",
                             [text[m.start():stop].strip()])
        state.understood.append(f"correction: {' , '.join(applied)}")
        state.ignored.append(f"{m.group(0).strip()} {' , '.join(applied)}")
        text = squash(corrected + " . " + " . ".join(added) + " " + text[stop:].lstrip(" .!?"))
    state.t = squash(text)
