"""Exit phrases that say how the sell rule follows from the buy rule, without restating it.

This module owns "sell on the cross back" / "on the opposite cross" / "on the bearish cross"
(the opposite crossing), "sell when either condition fails" (any entry condition stops
holding), "sell when both are false" (every entry condition stops holding), "sell otherwise" /
"otherwise keep that money in cash" (the entry no longer holds). It takes them out of the text
and sets the state's `exit_mode`; `rules.derived_exit` builds the rule from the entry.
"""

from __future__ import annotations

import re

from generator.providers.offline.allocation import ALT_PATTERNS, OTHERWISE_SELL
from generator.providers.offline.phrases import SYM, rx, split_at_marks, take
from generator.providers.offline.state import ParseState
from generator.providers.offline.vocabulary import CONSUMED, NO_OTHER_EXIT

_SELL = (r"(?:sell|sells|selling|exit|exits|get out|all out|out|close(?: it| the position)?"
         r"|dump it|dump|flatten|flatten out|flat|go flat)")
_SELL_OBJ = r"(?: it| them| out| everything)?"
_OPPOSITE = (
    r"(?:the |a )?(?:cross(?:ing)? back(?: down| below| under| over| above)?"
    r"|(?:opposite|reverse|reversed|other|bearish|downward|negative|contrary)"
    r" cross(?:ing|over|es over|es)?"
    r"|cross(?:ing)? in the other direction|opposite signal|reverse signal"
    r"|cross(?:ing)? (?:down|under)|bear(?:ish)? crossover"
    # ("sell on the reverse": the cross said before, the other way)
    r"|reverse(?= [,;.⋄]| ?$))"
)
_WHEN = r"(?:when|if|once|as soon as|whenever)"
EXIT_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # ("sell the cross back": the event said as the object)
    (rx(rf"(?:, )?(?:and |otherwise |else )?{_SELL}{_SELL_OBJ} (?:(?:on|at|with|after|upon) |(?=the"
        rf" )){_OPPOSITE}"), "opposite"),
    # ("can it also sell automatically when the opposite cross happens?": the event, said to happen)
    (rx(rf"(?:, )?(?:and )?{_SELL}{_SELL_OBJ}(?: automatically)? {_WHEN} {_OPPOSITE}"
        r" (?:happens|occurs|comes|shows up|hits)(?= [,;.?!⋄]| ?$)"), "opposite"),
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
        rx(rf"(?:, )?(?:and )?{_SELL}{_SELL_OBJ} {_WHEN} (?:(?:both|all)(?: of)?"
           r"(?: the| them| those| these)?(?: conditions?| rules?| signals?| of them| 2| two)?"
           r" (?:(?:are|is) )?(?:false|fail|are not true|no longer hold|stop holding|broken"
           r"|are not met|not met)|neither(?: of)?(?: the| them| those| these)?(?: conditions?"
           r"| rules?| signals?| of them| 2| two)? (?:is |are )?(?:true|met|holds?))"),
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
    # the rewrites' "no other exit" (`vocabulary.NO_OTHER_EXIT`): the risk controls close
    # positions, and a rule said as a state gets no sell rule of its negation
    (rx(rf"(?:, )?{NO_OTHER_EXIT}(?= [.;!,⋄]| ?$)"), "controls"),
    # "else flat", "otherwise out", "flat otherwise"
    (
        rx(r"(?:, )?(?:and )?(?:else|otherwise|if not)(?: ,)? (?:go |be |stay |get )?(?:flat|out"
           r"|in cash|to cash)|(?:, |; |and )(?:go |be |stay |get )?(?:flat|out) (?:otherwise"
           r"|else)"),
        "negate",
    ),
]


def _settle_mode(state: ParseState, mode: str, said: str) -> None:
    if state.exit_mode is not None and state.exit_mode != mode:
        raise state.fail("two different ways to sell were given", [said])
    state.exit_mode = mode
    state.understood.append(f"exit: {_LABELS[mode]}")


def extract_exit_phrases(state: ParseState) -> None:
    for pattern, mode in EXIT_PATTERNS:

        def on_match(m: re.Match[str], mode: str = mode) -> str:
            _settle_mode(state, mode, m.group(0).strip())
            return CONSUMED

        state.t = take(pattern, state.t, on_match)
    _read_exit_clauses(state)


# -- the sell rule said from the buy rule, in the writer's own words ------------------------------
# A clause is read as a bag of words over a closed lexicon: a verb that sells, a word of when,
# words that point back at the buy conditions ("both of those", "either one", "that setup"),
# words that say they stopped holding ("no longer true", "are false", "stops being true"), and
# filler. Which conditions it points at decides the mode: all of them (every one has failed),
# any one, or the one rule. Any other word leaves the clause to the usual check.
_EXIT_VERBS = frozenset({"sell", "sells", "exit", "out", "get", "flat", "close", "dump",
                         "flatten", "bail", "leave", "unwind",
                         # where the money goes: "move me to cash when it doesn't", "hold
                         # nothing otherwise" ("in cash" is read as "cash", never "in"); the
                         # money waits in cash (no alternative fund)
                         "cash", "nothing"})
# "otherwise", "else": when the buy rule does not hold, said in one word
_OTHERWISE = frozenset({"otherwise", "else"})
_WHEN_WORDS = frozenset({"when", "if", "once", "whenever", "as", "soon", "then"}) | _OTHERWISE
_ALL_WORDS = frozenset({"both", "all", "neither", "none", "every"})
_ANY_WORDS = frozenset({"either", "any", "one", "1"})
_ONE_WORDS = frozenset({"it", "its", "that", "this", "setup", "condition", "rule", "signal",
                        "trend"})
_POINTERS = _ALL_WORDS | _ANY_WORDS | _ONE_WORDS | frozenset(
    {"of", "those", "these", "them", "the", "conditions", "rules", "signals", "things", "two",
     "2", "buy", "entry", "my", "above", "reasons"})
_FAILED_WORDS = frozenset({"no", "longer", "not", "false", "fails", "fail", "failed", "stops",
                           "stop", "stopped", "being", "true", "holding", "hold", "holds",
                           "broken", "breaks", "break", "isn't", "aren't", "is", "are", "goes",
                           "go", "turns", "turn", "met", "anymore", "valid", "the", "case",
                           "become", "becomes", "has", "have", "both", "flips", "flip",
                           # "sell it when it isn't positive anymore": the state said again
                           "positive",
                           "flipped", "reverses", "reversed", "doesn't", "don't", "didn't",
                           "doesnt", "dont"})
_FILLER = frozenset({"and", ",", "just", "i", "we", "i'll", "we'll", "will", "want", "to", "it",
                     "them", "everything", "⋄", "please", "should", "you", "then", "me", "us",
                     "move", "moved", "be", "stay", "sit", "park", "keep", "put", "money", "our",
                     "all",
                     # said of a bot: "a bot that holds VTI while ... and moves to cash when
                     # it isn't"
                     "moves", "stays", "sits", "parks", "keeps", "puts",
                     # "switch to cash when it isn't", "be completely out when it's not"
                     "switch", "switches", "completely", "entirely", "fully", "totally"})
_EXIT_LEXICON = _EXIT_VERBS | _WHEN_WORDS | _POINTERS | _FAILED_WORDS | _FILLER
_NEGATED = re.compile(r"(?<!\S)(?:no longer|not|false|fails?|failed|stops? being true"
                      r"|stopped being true|stops? holding|broken|breaks?|isn't|aren't"
                      r"|not met|anymore|flips?|flipped|reverses|reversed|doesn't|don't"
                      r"|didn't|doesnt|dont|otherwise|else)(?!\S)")
_IN_CASH = re.compile(r"(?<!\S)(?:in|to|into) cash(?!\S)")
# "..., otherwise not" after a rule that holds ("own", "hold", "be in"): the holding ends when
# the rule stops holding ("buy when A, otherwise not" says nothing of the sell and is left)
_NOT_OTHERWISE = [["otherwise", "not"], ["else", "not"], ["and", "otherwise", "not"]]
_HOLDING = re.compile(r"(?<!\S)(?:hold|holds|own|owns|be in|stay in|keep)(?!\S)")


def _exit_mode_of(clause: str) -> str | None:
    if "cash" in clause.split() and any(
            p.search(clause) for p in (OTHERWISE_SELL, *(p for p, _ in ALT_PATTERNS))):
        # "otherwise cash", "cash otherwise": the allocation's own patterns read them (plain
        # cash, no alternative asset), as they did before this reader knew "cash"
        return None
    clause = _IN_CASH.sub("cash", clause)
    tokens = clause.split()
    if not tokens or any(t not in _EXIT_LEXICON for t in tokens):
        return None
    if re.search(r"(?<!\S)nothing else(?!\S)", clause):
        # "nothing else to get out": no other exit, never "else" as the buy rule failing
        return None
    if not any(t in _EXIT_VERBS for t in tokens) or not any(t in _WHEN_WORDS for t in tokens):
        return None
    if "neither" in tokens or "none" in tokens:
        # "neither is true (anymore)": every one has failed; "neither is false" says otherwise;
        # "leave when neither of them is" (is above its line): the conditions said again
        negated = bool(_NEGATED.search(clause.replace("anymore", " ")))
        elliptic = tokens[-1] in {"is", "are", "does", "do", "holds", "hold"}
        return "negate_all" if ("true" in tokens or elliptic) and not negated else None
    if not _NEGATED.search(clause):
        return None
    if any(t in _ALL_WORDS for t in tokens):
        return "negate_all"
    if any(t in _ANY_WORDS for t in tokens):
        return "negate_any"
    if any(t in _ONE_WORDS for t in tokens) or any(t in _OTHERWISE for t in tokens):
        return "negate"
    return None


def _without_the_held_fund(text: str, clause: str) -> str:
    """The clause with the fund it sells left out, when that fund is the one the text holds or
    buys ("own IEF; sell IEF when it isn't"): the exit says nothing more with it."""
    funds = [t for t in clause.split() if re.fullmatch(SYM, t)]
    if len(funds) != 1 or not re.search(
            r"(?<!\S)(?:hold|holds|own|owns|buy|buys|be in|stay in|keep|long)"
            rf" {re.escape(funds[0])}(?!\S)", text):
        return clause
    return re.sub(rf"(?<!\S){re.escape(funds[0])}(?!\S)", " ", clause)


def _read_exit_clauses(state: ParseState) -> None:
    def read(piece: str) -> str:
        """The piece with its exit clause taken out: the whole sentence ("when both of those
        are false , sell"), else one of its comma-separated clauses ("..., and sell when it
        isn't")."""
        clause = _without_the_held_fund(state.t, piece.replace(" , ", " ").strip())
        mode = _exit_mode_of(clause) if clause else None
        if mode is not None:
            _settle_mode(state, mode, clause)
            return f" {CONSUMED} "
        if " , " not in piece:
            # "hold QQQ while A and go to cash when it isn't": the clause after the last "and"
            head, _, tail = piece.rpartition(" and ")
            mode = _exit_mode_of(tail.strip()) if head.strip() and tail.strip() else None
            if mode is None:
                return piece
            _settle_mode(state, mode, tail.strip())
            return f"{head} {CONSUMED} "
        parts = piece.split(" , ")
        if parts[-1].split() in _NOT_OTHERWISE and _HOLDING.search(" ".join(parts[:-1])):
            # "own TLT whenever A, otherwise not": not held when the buy rule does not hold
            _settle_mode(state, "negate", parts[-1].strip())
            parts[-1] = f" {CONSUMED} "
        return " , ".join(read(part) for part in parts)

    pieces = split_at_marks(f" {state.t.strip()} ", ".;!?⋄")
    state.t = "".join(read(piece) for piece in pieces)


_LABELS = {
    "none": "none (never sell)",
    "controls": "only by the stop, target or time exit",
    "opposite": "the opposite crossing",
    "negate": "when the buy condition no longer holds",
    "negate_any": "when any buy condition fails",
    "negate_all": "when every buy condition fails",
}
