"""Notes about a market filter's reach: "the SPY filter is only for buying", "the sell doesn't
look at SPY at all", "no SPY filter on the exit".

A writer who filters the buy rule on another fund often says, in a sentence of its own, that
the sell rule does not read it. Such a sentence adds no rule; it is a claim about the rules,
so it is taken out of the text and kept (`ParseState.entry_only`), and `check_entry_only`
refuses the spec if the claim does not hold (the fund is not in the buy rule, or is in the
sell rule). A sentence is read so only when all its words come from a closed lexicon: a
fund, words of selling or buying, of the filter's role ("filter", "check", "matters",
"look at"), and of limiting ("only", "not", "ignores"); any other word (a level, an
indicator, a verb that acts) leaves it to the rules' readers.
"""

from __future__ import annotations

import re

from generator.providers.offline.phrases import SYM, split_at_marks
from generator.providers.offline.state import ParseState
from generator.providers.offline.vocabulary import CONSUMED, words
from generator.spec import Rule, StrategySpec

_SELLING = frozenset(words("sell sells selling sale exit exits exiting exit's sell's sold"))
_BUYING = frozenset(words("buy buys buying buy's entry entries entering getting in entry's"
                          " bought"))
# what the fund is to the rule: a filter, a check; the rule looks at it, ignores it
_ROLE = frozenset(words("filter check condition part matters matter care look looks looking"
                        " ignores ignore ignored applies apply applied counts count used uses"
                        " use involved affect affects"))
_LIMIT = frozenset(words("only just not no doesn't don't isn't aren't never without ignores"
                         " ignore ignored"))
_FILLER = frozenset(words("the a an for on of it at all completely is are be when where i we"
                          " to fwiw btw in and but with side rule rules signal that this what"
                          " does do whatever about anything either"))
_LEXICON = _SELLING | _BUYING | _ROLE | _LIMIT | _FILLER | {",", "-"}
_FUND = re.compile(rf"(?<!\S)(?P<s>{SYM})(?!\S)")


def _note_of(piece: str) -> str | None:
    """The fund a note speaks of ("" for "the filter"), or None when the piece is no note."""
    tokens = piece.split()
    funds = {m.group("s") for m in _FUND.finditer(piece)}
    rest = [t for t in tokens if t not in funds]
    if not rest or len(funds) > 1 or any(t not in _LEXICON for t in rest):
        return None
    said = set(rest)
    if not (said & _ROLE and said & _LIMIT and said & (_SELLING | _BUYING)):
        return None
    if not funds and "filter" not in said:
        return None
    return next(iter(funds), "")


def extract_filter_notes(state: ParseState) -> None:
    pieces = split_at_marks(f" {state.t.strip()} ", ".;!?⋄")
    kept: list[str] = []
    for piece in pieces:
        body = piece.strip(" .;!?⋄")
        fund = _note_of(body) if body else None
        if fund is None:
            kept.append(piece)
            continue
        state.entry_only.append(fund)
        state.understood.append(f"the {fund + ' ' if fund else ''}filter is only in the buy rule")
        kept.append(f" {CONSUMED} ")
    state.t = "".join(kept)


def _funds_of(rule: Rule | None, traded: list[str]) -> set[str]:
    """The funds other than the traded ones whose bars the rule reads (either side)."""
    if rule is None:
        return set()
    sides = [side for c in rule.flat() for side in (c.left, c.right)]
    said = {getattr(side, "symbol", None) for side in sides}
    return {fund for fund in said if fund is not None and fund not in traded}


def check_entry_only(state: ParseState, spec: StrategySpec) -> None:
    """Refuse the spec when a note said a filter is only the buy rule's and it is not so."""
    traded = list(spec.symbols)
    buy, sell = _funds_of(spec.entry, traded), _funds_of(spec.exit, traded)
    for fund in state.entry_only:
        in_buy = fund in buy if fund else bool(buy)
        in_sell = fund in sell if fund else bool(sell)
        if not in_buy or in_sell:
            name = f"the {fund} filter" if fund else "the filter"
            raise state.fail(f"the text says {name} is only part of the buy rule, but the rules "
                             "read say otherwise; say the buy and sell rules in full")
