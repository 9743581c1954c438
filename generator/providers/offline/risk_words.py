"""A stop, a target or a trailing stop said as a sell rule in the writer's own words: "but please
also sell if it ever falls 5% below what I paid", "sell if it is ever 6% under my entry", "get
out if it ever drops 12% from the highest point since I bought it", "take the money if it's
ever 20% above what I paid".

This module owns `take_risk_clauses`. It runs after the risk patterns, on what they left, and
reads a clause (the words between punctuation) as a bag of words over a closed lexicon rather
than as one more pattern. A clause is a control when it holds exactly one percentage, a verb
that closes the position, a word that says the price moved (down or up), a word that says from
where (what was paid; or the highest point since, for a trailing stop), and otherwise only
filler:

- down from what was paid: the stop loss; up from it: the take profit;
- down from the highest point (since the buy): the trailing stop.

A clause with no "from where" ("sell if it ever falls 5%": from the entry, or from yesterday's
close?), with another number, a symbol or a condition word is left to the usual check, which
refuses what it cannot map.
"""

from __future__ import annotations

import re

from generator.providers.offline.phrases import lone_quantity, split_at_marks
from generator.providers.offline.vocabulary import CONSUMED, words

_CLOSES = frozenset(words("sell sells selling exit exiting dump bail close cut out take"))
# ("if it goes against me by 5%": the loss of the writer's position)
_DOWN = frozenset(words(
    """falls fall fell drops drop dropped sinks sink slides slide declines decline loses lose
    down below under beneath lower against"""))
# ("sell when I've made 5%": the writer's gain)
_UP = frozenset(words("rises rise rose gains gain climbs climb up above over higher made make"))
# from what was paid ("what I paid", "my entry", "my buy price", "where I bought it")
_PAID = frozenset(words(
    """paid entry buy purchase cost basis bought price point level where fill"""))
# from the highest point since the buy ("the highest point since I bought it", "its peak")
_PEAK = frozenset(words("highest high peak top best max maximum"))
_FILLER = frozenset(words(
    """if when once whenever ever at any time it its it's is gets goes get go ends end the a an
    my our your i we i've we've what from since after and but also please just too then so more
    than by or of for position trade me all everything money profit loss profits gains off
    on too right away immediately anyway regardless"""))
_WRITER = frozenset(words("i i'm we we're i've we've im"))
_ITS = frozenset(words("it its it's"))
# the writer as the subject of the move ("if im down 7% sell it anyway": "it" is what is sold)
_WRITER_MOVES = re.compile(r"(?<!\S)(?:i|i'm|im|we|we're|i've|we've)(?: am| are)?(?: ever)?"
                           r" (?:down|up|lose|lost|made|make|gain|gained)(?!\S)")
# a clause that only closes ("sell too", "sell it anyway", "get out right away"): the verb of
# the control said in the clause before it ("if I ever lose 12% on it, sell right away")
_ONLY_CLOSES = re.compile(r"^(?:then )?(?:just )?(?:sell|exit|get out|get me out|close it|bail)"
                          r"(?: it| out)?(?: too| anyway| regardless| right away| immediately"
                          r"| as well)?$")
_LEXICON = _CLOSES | _DOWN | _UP | _PAID | _PEAK | _FILLER | _WRITER
_PERCENT = re.compile(r"(?<!\S)(?P<n>\d+(?:\.\d+)?) (?:%|percent)(?!\S)")


def _control(clause: str) -> tuple[str, float] | None:
    """The control ("stop", "take" or "trailing", as `risk._CONTROLS` names them) and its level,
    when the clause says one control and nothing else."""
    said = lone_quantity(clause, _PERCENT, _LEXICON)
    if said is None:
        return None
    level, rest = said
    if not any(w in _CLOSES for w in rest):
        return None
    down, up = any(w in _DOWN for w in rest), any(w in _UP and w != "up" for w in rest)
    # "up" alone says a gain ("if it's ever up 20% from what I paid"), unless "ends up"
    up = up or ("up" in rest and not down)
    if down == up:
        return None
    value = float(level.group("n"))
    if any(w in _PEAK for w in rest):
        return ("trailing", value) if down else None
    # "sell if I lose 3%", "when we're up 4%": the writer's own gain or loss is the position's,
    # from what was paid (the price's move of a day is said of "it", never of "I"); "if it
    # goes against me by 5%" is the writer's loss too
    mine = any(w in _WRITER for w in rest) and not any(w in _ITS for w in rest)
    mine = mine or ("against" in rest and "me" in rest) or _WRITER_MOVES.search(clause) is not None
    # ("if it goes up 10% take the profit": a profit is made from what was paid)
    mine = mine or (up and any(w in ("profit", "profits") for w in rest))
    if not mine and not any(w in _PAID for w in rest):
        return None
    return ("stop", value) if down else ("take", value)


def take_risk_clauses(text: str) -> tuple[str, list[tuple[str, float, str]]]:
    """`text` with each clause that says only a stop, target or trailing stop taken out, and
    what each said: (control, level, the clause)."""
    found: list[tuple[str, float, str]] = []

    def read(piece: str) -> bool:
        control = _control(piece.strip()) if piece.strip() else None
        if control is not None:
            found.append((*control, piece.strip()))
        return control is not None

    def take(piece: str) -> str:
        """The clause taken when it is a control, else the control said after its last "and"
        ("buy GLD when ... and sell when I've made 5%")."""
        if read(piece):
            return f" {CONSUMED} "
        head, _, tail = piece.rpartition(" and ")
        return f"{head} {CONSUMED} " if head.strip() and read(tail) else piece

    pieces = split_at_marks(f" {text.strip()} ", ",;.⋄:")
    for k in range(0, len(pieces), 2):
        after = pieces[k + 2].strip() if k + 2 < len(pieces) else ""
        # ("if I ever lose 12% on it , sell right away": the control and its verb, one clause)
        if (k + 1 < len(pieces) and pieces[k + 1] == "," and _ONLY_CLOSES.match(after)
                and read(f"{pieces[k].strip()} {after}")):
            pieces[k], pieces[k + 2] = f" {CONSUMED} ", f" {CONSUMED} "
        else:
            said = pieces[k]
            pieces[k] = take(said)
            if (pieces[k] != said and k + 2 < len(pieces) and pieces[k + 1] == ","
                    and any(w in _CLOSES for w in said.split())):
                # ("sell if it's down 4% from what I paid, or on the cross back below the 50
                # day": the sell's verb, taken with the control, governs what follows "or")
                pieces[k + 2] = _OR_GOES_ON.sub(" or sell ", pieces[k + 2], count=1)
    return "".join(pieces), found


# what may follow a sell's control after "or" and still be the sell's: an event or a condition
_OR_GOES_ON = re.compile(r"^\s*or (?=(?:on|when|if|once|whenever|as soon as|at) )")
