"""The signal family: buy and sell rules over indicators ("buy SPY when ..., sell when ...").

This module owns the path a text takes when it is no portfolio: tagging the text in a fixed
order (`TAGGERS`: refused names and crosses, indicators, verbs, operators and values, keywords),
cutting it into clauses, reading each condition, deciding which symbols are traded, building
the entry and exit rules, and choosing the allocation (one symbol all in, several equal weight,
or the per-position size that was given).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from generator.providers.offline.assemble import build_spec
from generator.providers.offline.clauses import (
    KEYWORD_RULES,
    VERB_RULES,
    attach_verbless,
    split_clauses,
)
from generator.providers.offline.conditions import (
    COMPARISON_RULES,
    NAMED_RULES,
    each_of_both,
    read_condition,
)
from generator.providers.offline.errors import GENERIC, NOTHING
from generator.providers.offline.indicators import tag_indicators
from generator.providers.offline.rules import (
    GROUP_MARK,
    default_exit,
    make_rule,
    negated_rule,
    risk_closes,
    signal_name,
)
from generator.providers.offline.state import ParseState, TextTagger, chain, tagger
from generator.providers.offline.terms import STATE_OF_CROSS, Cond, Ind, negated_op
from generator.spec import AllocationKind, IndicatorKind, StrategySpec

# The order matters: a phrase is tagged by the first step that knows it, so longer and more
# specific phrases come first ("as long as" is a keyword before "long" can be a verb, "the
# 200-day SMA" is an indicator before "200" can be a number).
TAGGERS: tuple[TextTagger, ...] = (
    tagger(NAMED_RULES),
    tag_indicators,
    tagger(VERB_RULES),
    tagger(COMPARISON_RULES),
    tagger(KEYWORD_RULES),
)
tag_all = chain(TAGGERS)


# "it" as the subject of a condition ("and it's above", "when it closes below")
_IT_AS_SUBJECT = re.compile(r"(?<![\w'])(?:it's|its|it is|it)(?= (?:is|closes|closed|trades"
                            r"|crosses|goes|gets|drops|falls|rises|stays|moves|breaks|hits|was"
                            r"|above|below|over|under)(?!\w))|(?<![\w'])it's(?!\w)")


def resolve_symbols(state: ParseState, traded: list[str], conds: list[Cond]) -> list[str]:
    """The traded symbols: those named with a verb, else the one the conditions mention. An
    indicator of the single traded symbol is written with symbol None."""
    mentioned: list[str] = []
    for cond in conds:
        for ind in (cond.left, cond.right):
            if isinstance(ind, Ind) and ind.symbol and ind.symbol not in mentioned:
                mentioned.append(ind.symbol)
    # "Turtle style on DBC: buy a 20-day high breakout": the title's symbol; "Equal weight GLD,
    # TLT and SPY, buy each when ...": the title's symbols, when it said how they share
    # ("Candidates are EFA, EWJ and EEM; buy any of them when ...": the framed symbols, likewise)
    for named in ([] if state.title is None else state.title.symbols, state.framed_symbols):
        unique = list(dict.fromkeys(named))
        if not traded and not mentioned and (
                len(unique) == 1 or (len(unique) >= 2 and (state.equal or state.each))):
            traded = unique
    titled = [] if state.title is None else list(dict.fromkeys(state.title.symbols))
    # ("Pasted: IWM | long: close > 20d high & SPY > 200dma | ...", "a bot for IWM that buys
    # when ... and SPY > 200dma": the fund the text is framed on stands as a title's would)
    titled = titled or list(dict.fromkeys(state.framed_symbols))
    if (not traded and len(titled) == 1 and titled[0] not in mentioned
            and any(cond.left.symbol is None for cond in conds)):
        # "Trade IWM with RSI(2): buy below 10, ..., but only take buys when SPY's 50 day is over
        # its 200 day": the conditions said of no fund are the title's fund's; SPY is a filter
        traded = titled
    if (not traded and len(titled) == 1 and titled[0] not in mentioned and len(mentioned) == 1
            and all(cond.left.symbol is not None for cond in conds)
            and not _IT_AS_SUBJECT.search(state.raw.lower())):
        # "EFA: hold when SPY is above its 200-day SMA": the rules trade no fund they name, and
        # every condition is another fund's; the title's fund is traded, SPY is its filter
        # (with "it" as a condition's subject -- "... SPY's RSI is under 30 and it's above the
        # 200-day" -- which fund "it" is, is not plain: left to refuse)
        traded = titled
    if not traded and len(titled) == 1 and titled[0] in mentioned:
        # "IWM, double trend check: hold while IWM > SMA50 and SPY > SMA200": the rules name the
        # title's fund and a filter fund; the title says which is traded
        traded = titled
    if not traded:
        if len(mentioned) == 1:
            traded = mentioned
        elif not mentioned:
            raise state.fail("no symbol to trade was named (e.g. 'buy SPY when ...')")
        else:
            raise state.fail(
                "several symbols are mentioned but none is named as the one to buy: "
                + ", ".join(mentioned)
            )
    if len(traded) == 1:
        for cond in conds:
            if cond.left.symbol == traded[0]:
                cond.left = replace(cond.left, symbol=None)
            if isinstance(cond.right, Ind) and cond.right.symbol == traded[0]:
                cond.right = replace(cond.right, symbol=None)
    if state.alternative in traded:
        raise state.fail(f"{state.alternative} is both traded and the alternative asset")
    return traded


def _allocation(state: ParseState, traded: list[str]) -> dict[str, object]:
    if state.amount is not None:
        return dict(kind=AllocationKind.fixed_amount, amount=state.amount)
    if state.fraction is not None:
        return dict(kind=AllocationKind.fixed_fraction, fraction=state.fraction)
    if state.all_in:
        return dict(kind=AllocationKind.all_in)
    if state.equal or len(traded) > 1:
        return dict(kind=AllocationKind.equal_weight)
    return dict(kind=AllocationKind.all_in)


def _motion_exits(entry: list[tuple[str, Cond]],
                  exit_: list[tuple[str, Cond]]) -> list[tuple[str, Cond]]:
    """ "sell when the 20 EMA drops below the 50 EMA" is the crossing when every entry holds
    the 20 EMA above the 50 EMA (the two are then the same bar), but the state ("is below")
    when the entry names that state in only one of its alternatives: a position opened
    through another one, with the 20 EMA already below, is sold, not held until the lines
    cross up and down again."""
    joins = {j.lstrip(GROUP_MARK) for j, _ in entry[1:]}
    if "or" not in joins:
        return exit_
    out: list[tuple[str, Cond]] = []
    for join, cond in exit_:
        if cond.motion and cond.op in STATE_OF_CROSS:
            opposite = negated_op(STATE_OF_CROSS[cond.op])
            if any(e.left == cond.left and e.right == cond.right and e.op == opposite
                   for _, e in entry):
                cond = replace(cond, op=STATE_OF_CROSS[cond.op], motion=False)
        out.append((join, cond))
    return out


def _said_once(state: ParseState, rule: list[tuple[str, Cond]], said_in: dict[int, int],
               clauses: int, role: str) -> list[tuple[str, Cond]]:
    """A rule said in several clauses is refused, unless each clause says the same rule again
    ("Buy SPY when RSI(2) is below 10. To clarify: I buy SPY when the 2-day RSI is below 10,
    and ..."): then it is that rule, once."""
    said: dict[int, list[tuple[str, Cond]]] = {}
    for join, cond in rule:
        said.setdefault(said_in[id(cond)], []).append((join, cond))

    def meaning(items: list[tuple[str, Cond]]) -> list[tuple[str, object, object, object, object]]:
        return [(j if k else "", c.left, c.op, c.right, c.offset_pct)
                for k, (j, c) in enumerate(items)]

    groups = list(said.values())
    if len(groups) < clauses or any(meaning(g) != meaning(groups[0]) for g in groups[1:]):
        raise state.fail(f"only one {role} rule can be given (combine conditions with "
                         "'and'/'or')")
    state.understood.append(f"the {role} rule said again")
    return groups[0]


def _each_line(state: ParseState, pieces: list[list[str]], joins: list[str],
               read: list[Cond]) -> Iterator[tuple[int, list[str], str]]:
    """A clause's pieces with their joins and places, "above both" said once per line
    (`each_of_both`, on the conditions `read` before it, which the caller extends as it goes):
    "A and above both" is A and above the one and above the other; "unless it is above both"
    is unless above the one and the other."""
    for k, (piece, join) in enumerate(zip(pieces, joins, strict=True)):
        each = each_of_both(state, piece, read)
        if each is None:
            yield k, piece, join
            continue
        for n, one in enumerate(each):
            # (the second line continues the first: "and", or "unless-and" after "unless")
            yield (k if n == 0 else -1, one, join if n == 0 else
                   ("unless-and" if join.startswith("unless") else "and"))


def parse_signal(state: ParseState) -> StrategySpec:
    clauses = attach_verbless(state, split_clauses(state, tag_all(state, state.t).split()))
    entry_clauses = [c for c in clauses if c.verb in ("entry", "hold")]
    exit_clauses = [c for c in clauses if c.verb == "exit"]
    traded: list[str] = []
    for c in entry_clauses + exit_clauses:
        for s in c.symbols:
            if s not in traded:
                traded.append(s)
    # "hold X while A", "buy X while A"; "buy X when A, as long as B" only when no stop,
    # target or time exit is said ("..., as long as B. Sell after a month or at a 5% gain":
    # B filters the buys, the controls close them)
    hold = any(c.verb == "hold" or (c.keyword == "wl" and not (c.while_added
                                                                and risk_closes(state)))
               for c in entry_clauses)

    prev: Cond | None = None
    entry: list[tuple[str, Cond]] = []
    exit_: list[tuple[str, Cond]] = []
    # which clause each condition came from, for a rule said twice
    said_in: dict[int, int] = {}
    read: list[Cond] = []  # every condition read so far, for what "both" names
    verb: str | None = None
    for number, c in enumerate(clauses):
        if c.pieces and verb is not None and c.verb != verb:
            # a new rule: what "it" and a left-out side continue is the last condition of the
            # rule before on the traded symbol, not a filter on another one ("buy EEM when RSI(2)
            # < 10 and SPY is above its 200-day SMA, sell when it closes below the 15-day low")
            rule = exit_ if verb == "exit" else entry
            own = [cond for _, cond in rule if cond.left.symbol is None
                   or cond.left.symbol in traded]  # "buy HYG when HYG closes above ..."
            prev = own[-1] if own else prev
            if (prev is not None and prev.left.kind in (IndicatorKind.sma, IndicatorKind.ema)
                    and any(x.left.kind == IndicatorKind.price for x in own)):
                # ("buy QQQ when it's above the 50 day and the 50 day is above the 200 day. sell
                # if it drops below the 200"): after a rule on the fund's price and on a moving
                # average, "it" is the fund bought and sold, not the average last said
                prev = next(x for x in own if x.left.kind == IndicatorKind.price)
        if c.pieces:
            verb = c.verb
        for k, piece, join in _each_line(state, c.pieces, c.joins, read):
            cond = read_condition(state, piece, prev, role=c.verb)
            if cond is None:
                continue
            read.append(cond)
            prev = cond
            if join.startswith("unless"):
                # "A unless B" is A and not B; "unless B or C" is not B and not C
                cond = replace(cond, op=negated_op(cond.op))
                join = {"unless": "and", "unless-or": "and", "unless-and": "or"}[join]
                state.understood.append(f"'unless': {cond.text} is negated")
            if k in c.group_starts:
                join = GROUP_MARK + join  # a group of its own (rules.make_rule)
            (exit_ if c.verb == "exit" else entry).append((join, cond))
            said_in[id(cond)] = number
        if not c.pieces and c.verb is not None:
            # (a risk control that closes positions, so that a sell verb may name it)
            if c.verb == "exit" and risk_closes(state):
                # "exit with a 3% stop or a 6% target", "an 8% trailing stop to get out": the
                # sell verb of the controls that close the position
                state.understood.append("exit: by the stop, target or time exit")
                continue
            state.reject(c.words, f"'{state.render(c.words)}' says what to do but not when")
    buy_clauses = len([c for c in entry_clauses if c.pieces])
    if buy_clauses > 1:
        entry = _said_once(state, entry, said_in, buy_clauses, "buy")
    sell_clauses = len([c for c in exit_clauses if c.pieces])
    if sell_clauses > 1:
        exit_ = _said_once(state, exit_, said_in, sell_clauses, "sell")
    if state.not_understood:
        raise state.fail(GENERIC)
    if not entry and not (exit_ and state.entry_from_exit):
        if exit_:
            raise state.fail("a sell rule was given but no buy rule")
        raise state.fail(NOTHING, [state.raw.strip()])

    exit_ = _motion_exits(entry, exit_)
    traded = resolve_symbols(state, traded, [c for _, c in entry + exit_])
    for sym in traded:
        state.understood.insert(0, f"symbol {sym}")
    exit_rule = make_rule(state, exit_, "exit") if exit_ else None
    if not entry and exit_rule is not None:
        # "hold SPY, switch to IEF when ...": held while the switch condition does not hold
        entry_rule = negated_rule(exit_rule)
        state.understood.append("entry: when the switch condition does not hold")
    else:
        entry_rule = make_rule(state, entry, "entry")
    if exit_rule is not None and state.exit_mode not in (None, "controls"):
        # ("sell when A, no other exit": the sell rule said is the exit, as the words say)
        raise state.fail("two sell rules were given; say one of them")
    if exit_rule is not None and exit_rule.model_dump() == entry_rule.model_dump():
        # "buy SPY whenever A, and sell SPY whenever A": every day would buy and sell at once
        raise state.fail("the sell rule is the same as the buy rule; say when to sell")
    if exit_rule is None:
        exit_rule = default_exit(state, entry_rule, hold or state.otherwise)
    return build_spec(
        state,
        name=signal_name(entry_rule, traded),
        symbols=traded,
        allocation=_allocation(state, traded),
        entry=entry_rule,
        exit=exit_rule,
    )
