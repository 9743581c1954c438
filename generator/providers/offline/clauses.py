"""Clauses: a rule text cut into "verb + symbols + condition pieces", and put back together.

This module owns the verbs (buy / hold / sell and their casual forms), the keywords that
introduce a condition ("when", "if", "once"; "while", "as long as" for a hold), cutting the
tagged text into clauses at punctuation and verbs, reading each clause (its verb, the symbols
it names, its condition pieces and the "and"/"or" between them), and attaching the clauses that
have no verb to the rule they belong to ("when X, buy SPY"; "buy SPY when X, and Y").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.providers.offline.phrases import rx
from generator.providers.offline.state import ParseState, Tagger, says_nothing
from generator.providers.offline.vocabulary import CONNECTORS, FILLER, OBJECT_WORDS, SPLITTERS

_ENTRY_VERBS = rx(
    r"buy(?:ing|s)?|go long(?: on)?|going long|get long|enter(?: a)?(?: long)?(?: position)?"
    r"(?: in| into)?|get (?:back )?in(?:to)?|purchase|gimme|give me|grab|accumulate"
    r"|invest(?: everything| all)? in|put (?:money |it all |everything )?(?:in|into)|pick up"
    r"|load up on|scoop up|acquire|establish a (?:long )?position in"
    # "take a position in HYG once ...", "open a long position on", "go into GLD when"
    r"|(?:take|open|initiate|start) an? (?:long )?position(?: in| on)?|go into"
)
# "long GLD when ...", like "own GLD when ...": the position while the state holds (its exit,
# when none is said, is the state failing); "buy" and "go long" are the act of entering
_HOLD_VERBS = rx(
    r"hold|holds|holding|own|owns|owning|stay in|stay long|remain in|be in|be long|keep holding"
    r"|keep|stay invested in|be invested in|remain invested in|ride|long"
)
_STAY_LONG = rx(r"(?:stay|remain|be|keep) long(?: in| on)?")
_EXIT_VERBS = rx(
    # "sell everything and go to cash", "stay in cash", "all out": one exit
    r"(?:sell(?:ing|s)?(?: it| everything| all)?(?: ,)? and )?(?:(?:go|going|move|moving|switch"
    r"|switching|get|exits?)(?: back)?(?: entirely| fully| completely| all the way)? (?:to|into)"
    r" cash|(?:stay|sit|be|remain|wait) in cash)|(?:go |get )?all out"
    r"|sell(?:ing|s)?(?: it| everything| all| out| off)?|exit(?:s|ing)?(?: the position)?"
    r"|get out(?: of)?|go flat"
    r"|close (?:(?:it|them|the position|the trade) out|out|it|the position|the trade"
    r"|my position|the long)|dump|ditch|liquidate(?: the (?:holding|position)| it)?|unload"
    r"|take profits?|step aside"
    r"|flatten(?: out| the position| it)?|dumping(?: it)?|dumps|ditching(?: it)?|unloading(?: it)?"
    # ("flat while it's negative": "while" is tagged before the verbs, as for "out")
    r"|(?:be |stay |get )?flat(?= (?:(?:when|if|once|whenever|while|on)(?!\S)|⟦wl))"
    # "unwind it when ...", "let it go when ...", "step out when ...", "leave when ..."
    r"|unwind(?: it| them| the position)?|let (?:it|them) go|step out(?: of it)?"
    r"|get rid of(?: it| them)?|cash out(?: of it)?|take (?:it|them|the position) off"
    r"|dispose of(?: it| them| the (?:position|holding|shares)| my (?:position|holding))?"
    r"|leave(?: it)?(?= (?:when|if|once|whenever|on|at)(?!\S))"
    # "out when RSI > 60", "out on the cross down": the exit, said with one word
    # (and "out of it while it's negative": "while" is tagged before the verbs)
    r"|(?<![^\s,;.⋄:])out(?: of it| of them)?(?= (?:(?:when|if|once|whenever|on|at|after"
    r"|as soon as)(?!\S)"
    r"|⟦wl))"
    # "out to cash when it's below", "... and move out when it's below": the exit, said as leaving
    r"|(?:go |get |move )?out to cash(?= (?:when|if|once|whenever)(?!\S))"
    r"|(?:move|step|get) out(?: of it)?(?= (?:when|if|once|whenever)(?!\S))"
    # "long while the histogram is positive, cash when it's negative"
    r"|(?<=[,;.⋄:] )(?:in )?cash(?= (?:when|if|once|whenever)(?!\S))"
)
_KEYWORDS = rx(
    r"whenever|when|if|once|as soon as|after|any time|anytime|every time|each time|upon"
    r"|provided(?: that)?|in case|on days when"
)
_WHILE_KEYWORDS = rx(r"while|as long as|so long as")


def _verb(role: str) -> Tagger:
    def handler(state: ParseState, m: re.Match[str]) -> str:
        token = state.placeholder("v", m.group(0))
        state.verbs[token] = role
        return token

    return handler


def _keyword(kind: str) -> Tagger:
    """ "w" (when/if...) or "wl" (while/as long as): the token starts with ⟦w either way."""
    return lambda state, m: state.placeholder(kind, m.group(0))


# right after the indicators; "while" before the verbs, so that "as long as" is not the verb
# "long"
VERB_RULES: list[tuple[re.Pattern[str], Tagger]] = [
    (_WHILE_KEYWORDS, _keyword("wl")),
    (_EXIT_VERBS, _verb("exit")),
    # "stay long", "be long": a hold, before "long" can be the entry verb
    (_STAY_LONG, _verb("hold")),
    (_ENTRY_VERBS, _verb("entry")),
    (_HOLD_VERBS, _verb("hold")),
]
# last of all, once operators and numbers are tagged
KEYWORD_RULES: list[tuple[re.Pattern[str], Tagger]] = [(_KEYWORDS, _keyword("w"))]


@dataclass
class Clause:
    conn: str | None = None  # "and"/"or" joining it to the clause before
    verb: str | None = None  # entry / hold / exit
    keyword: str | None = None  # "w" (when/if) or "wl" (while/as long as)
    symbols: list[str] = field(default_factory=list)
    pieces: list[list[str]] = field(default_factory=list)
    joins: list[str] = field(default_factory=list)  # connector before each piece
    words: list[str] = field(default_factory=list)  # the clause as tagged, for messages
    # indexes of the pieces that start a group of their own: a clause taken in after
    # punctuation with its own connector ("either A or B, and C": C starts one)
    group_starts: set[int] = field(default_factory=set)
    # the clause opens a sentence of its own (after ".", "!" or "?")
    after_stop: bool = False
    # "buy when A, as long as B": the "while" came with a condition added after the buy rule,
    # a hold only when no stop, target or time exit closes positions (signals.parse_signal)
    while_added: bool = False

    def linked(self) -> list[tuple[list[str], str]]:
        """The pieces with their connectors, the first joined by the clause's own."""
        # "..., unless B": a clause that starts with "unless" keeps it (B is negated)
        return [(piece, join if k or join.startswith("unless") else (self.conn or "and"))
                for k, (piece, join) in enumerate(zip(self.pieces, self.joins, strict=True))]

    def add(self, pairs: list[tuple[list[str], str]], *, front: bool = False,
            group: bool = False) -> None:
        """Take (piece, connector) pairs, after the clause's own pieces or before them; `group`:
        the pairs form a group of their own (they came after punctuation and a connector)."""
        pieces = [piece for piece, _ in pairs]
        joins = [join for _, join in pairs]
        if front:
            self.pieces, self.joins = pieces + self.pieces, joins + self.joins
            self.group_starts = {k + len(pieces) for k in self.group_starts}
        else:
            if group and pieces:
                self.group_starts.add(len(self.pieces))
            self.pieces.extend(pieces)
            self.joins.extend(joins)


def split_clauses(state: ParseState, tokens: list[str]) -> list[Clause]:
    """Cut the tagged tokens at punctuation and before each verb (or a keyword after "and")."""
    raw: list[tuple[str | None, list[str], bool]] = []
    current: list[str] = []
    conn: str | None = None
    after_stop = False

    def flush() -> None:
        nonlocal current, conn, after_stop
        words = current
        lead: str | None = None
        while words and words[0] in CONNECTORS | {"then"}:
            lead = lead or words[0]
            words = words[1:]
        while words and words[-1] in CONNECTORS:
            words = words[:-1]
        if words:
            raw.append((conn or lead, words, after_stop))
            after_stop = False
        current, conn = [], None

    for tok in tokens:
        if tok in SPLITTERS:
            flush()
            after_stop = after_stop or tok in (".", "!", "?")
            continue
        is_verb = tok in state.verbs
        is_kw = tok.startswith("⟦w")
        if is_verb or (is_kw and current and current[-1] in CONNECTORS):
            joined: str | None = None
            if current and current[-1] in CONNECTORS:
                joined = current.pop()
            if current:
                flush()
            conn = joined
        current.append(tok)
    flush()
    clauses = [read_clause(state, c, words) for c, words, _ in raw]
    for clause, (_, _, stop) in zip(clauses, raw, strict=True):
        clause.after_stop = stop
    return clauses


def read_clause(state: ParseState, conn: str | None, words: list[str]) -> Clause:
    clause = Clause(conn="or" if conn == "or" else ("and" if conn else None), words=words)
    if says_nothing(words):
        # "as a backstop", "is it possible to", "whatever happens": no verb, no condition
        state.ignored.append(state.render(words))
        return clause
    i = 0
    if words and words[0] in state.verbs:
        clause.verb = state.verbs[words[0]]
        i = 1
    kw_index = next((j for j in range(i, len(words)) if words[j].startswith("⟦w")), None)
    if kw_index is not None:
        pre, cond = words[i:kw_index], words[kw_index + 1 :]
        clause.keyword = "wl" if words[kw_index].startswith("⟦wl") else "w"
    elif clause.verb is not None:
        j = i
        while j < len(words) and (words[j] in state.syms or words[j] in OBJECT_WORDS
                                  or (words[j] in FILLER and not words[j].startswith("⟦"))):
            j += 1
        pre, cond = words[i:j], words[j:]
    else:
        pre, cond = [], words[i:]
    stray: list[str] = []
    lead: list[str] = []  # "buy SPY above its 200-day SMA when ...": a condition before "when"
    for k, w in enumerate(pre):
        if w in state.ops and clause.keyword is not None:
            lead = pre[k:]
            break
        if w in state.syms:
            clause.symbols.extend(state.syms[w])
        elif w not in OBJECT_WORDS and w not in FILLER:
            stray.append(w)
    if stray and says_nothing(stray):
        # "buy QQQ right away when ...": words between the verb and its condition that say
        # nothing a spec could hold
        state.ignored.append(state.render(stray))
    elif stray:
        state.reject(words)
    if lead:
        cond = [*lead, "and", *cond]
    piece: list[str] = []
    join = "and"
    negating = False  # after "unless": each piece is negated, and/or swap (De Morgan)
    for w in cond:
        if w.startswith("⟦w"):  # "when A while B", "if A as long as B": a second condition
            w = "and"
        if w in CONNECTORS or w == "unless":
            if piece:
                clause.pieces.append(piece)
                clause.joins.append(join)
            if w == "unless":
                if negating:
                    state.reject(cond, "'unless' can be said once per rule")
                negating = True
                join = "unless"
            else:
                join = "or" if w == "or" else "and"
                if negating:
                    join = "unless-" + join
            piece = []
        else:
            piece.append(w)
    if piece:
        clause.pieces.append(piece)
        clause.joins.append(join)
    # "RSI(14) under 30 on SPY": the symbol said after the condition is the one it is computed
    # on, as in "SPY's RSI(14) under 30"
    # (only when the condition says its own subject: "sell when above 70 on SPY" compares the
    # subject said before, never SPY's price)
    for k, p in enumerate(clause.pieces):
        if (len(p) >= 4 and p[-2] in ("on", "for", "in") and p[-1] in state.syms
                and len(state.syms[p[-1]]) == 1
                and not any(w in state.syms for w in p[:-1])
                and not p[0].startswith(("⟦o", "⟦k"))):
            clause.pieces[k] = [p[-1], *p[:-2]]
    # a piece that is only filler ("then", "it") carries nothing
    kept = [(p, j) for p, j in zip(clause.pieces, clause.joins, strict=True)
            if any(w not in FILLER for w in p)]
    clause.pieces = [p for p, _ in kept]
    clause.joins = [j for _, j in kept]
    _either_groups(clause)
    return clause


def _either_groups(clause: Clause) -> None:
    """ "A and either B or C": "either" opens a group that its "or" continues, all(A, any(B,
    C)); "either B or C and A" closes it at the first "and" after the "or", all(any(B, C), A).
    Without "either", "and" binds tighter (rules.make_rule)."""
    opened, seen_or = False, False
    for k, (piece, join) in enumerate(zip(clause.pieces, clause.joins, strict=True)):
        if piece and piece[0] == "either":
            if k:
                clause.group_starts.add(k)
            opened, seen_or = True, False
        elif opened and join == "or":
            seen_or = True
        elif opened and join == "and" and seen_or:
            clause.group_starts.add(k)
            opened = False


def attach_verbless(state: ParseState, clauses: list[Clause]) -> list[Clause]:
    """The clauses with a verb, each holding the verbless clauses that belong to it: forward
    ("when X, buy SPY") or back ("buy SPY when X, and Y"); a lone verbless rule is a buy rule.
    A verbless clause that belongs nowhere is refused."""
    has_verb = any(c.verb for c in clauses)
    merged: list[Clause] = []
    pending: list[Clause] = []
    for idx, clause in enumerate(clauses):
        if clause.verb is None:
            if not clause.pieces:
                continue
            # the clause this one leads into, past continuations ("if A or B, and C, buy ...")
            nxt = next((c for c in clauses[idx + 1 :]
                        if c.verb or (c.pieces and c.conn is None)), None)
            # "buy SPY if A or if B. Sell on a 5% trailing stop": a clause that opens with "or"
            # after a rule goes on with that rule, not into the bare verb after it
            goes_on = clause.conn == "or" and bool(merged) and bool(merged[-1].pieces)
            # "buy QQQ on a close below the lower band, as long as B. Exit at a 5% profit or
            # after 21 days.": a condition with its keyword, after a rule, before a sentence that
            # sells by the controls alone, goes on with the rule (it was the sell's before)
            goes_on = goes_on or (clause.keyword is not None and bool(merged)
                                  and bool(merged[-1].pieces) and nxt is not None
                                  and nxt.after_stop and not nxt.pieces)
            # "Connors-style QQQ: RSI(3) < 15 and close > SMA(200); exit RSI(3) > 55": the first
            # clause, bare conditions with no keyword, before a sell rule said in full and with
            # no buy verb anywhere, is the buy rule
            if (not merged and not pending and clause.keyword is None and clause.conn is None
                    and nxt is not None and nxt.verb == "exit" and nxt.pieces
                    and not any(c.verb in ("entry", "hold") for c in clauses)):
                clause.verb = "entry"
                merged.append(clause)
                continue
            if nxt is not None and nxt.verb and (not nxt.pieces or not merged) and not goes_on:
                pending.append(clause)
            elif merged:
                target = merged[-1]
                # "Sell when RSI(2) > 70. Especially when SPY is above its 200-day.": a condition
                # in a sentence of its own, joined by no word, after a whole sell rule: a filter
                # on the buys, a preference or the sell's, which the text does not say
                if (clause.after_stop and clause.conn is None and clause.keyword is not None
                        and target.verb == "exit" and target.pieces):
                    raise state.fail("a condition in a sentence of its own after the sell rule: "
                                     "say which rule it belongs to ('buy only when ...' or 'sell "
                                     "when ... and ...')", [state.render(clause.words)])
                # "either A or B, as long as C": a clause with its own keyword is a group; so is
                # one that opens with "either" ("A and, on top of that, either B or C": all(A,
                # any(B, C)), never any(all(A, B), C))
                target.add(clause.linked(),
                           group=(clause.conn is not None or clause.keyword is not None
                                  or clause.joins[0].startswith("unless")
                                  or bool(clause.pieces and clause.pieces[0][:1] == ["either"])))
                if clause.keyword == "wl" and target.verb == "entry" and target.keyword != "wl":
                    target.keyword = "wl"
                    target.while_added = True
            elif not has_verb:
                clause.verb = "entry"
                merged.append(clause)
            else:
                state.reject(clause.words)
            continue
        if pending:
            starts = {0}
            pairs: list[tuple[list[str], str]] = []
            for p in pending:
                if pairs and p.conn is not None:
                    starts.add(len(pairs))  # "if A or B, and C, buy ...": C is a group
                pairs.extend(p.linked())
            if clause.pieces:
                starts.add(len(pairs))
            clause.add(pairs, front=True)
            if len(starts) > 1:
                clause.group_starts |= starts - {0}
            for p in pending:
                clause.keyword = clause.keyword or p.keyword
            pending = []
        merged.append(clause)
    for p in pending:
        state.reject(p.words)
    return merged
