"""Weights said by class of asset, then the funds that stand for the classes.

Famous portfolios are told by their classes, and the writer names the funds after: "Ray Dalio's
all-weather mix: 30% stocks, 40% long-term bonds, 15% intermediate bonds, 7.5% gold and 7.5%
commodities. I'd use VTI, TLT, IEF, GLD and DBC for those.", "a quarter each in stocks, long-term
Treasuries, gold and cash. I'd build it with VTI, TLT, GLD and BIL.", "20% each in total market,
small caps, long bonds, short bonds and gold. In my account that's VTI, IWM, TLT, SHY and GLD".
This module owns putting each fund in place of its class, in order, and taking the list of funds
out (listed as understood). It does so only when:

- the weights are one list ("P% A, P% B and P% C" or "P% each in A, B and C") and the funds one
  list said after it ("I'd use ...", "I'd build it with ...", "in my account that's ...",
  "using ..."), of the same length;
- each item is the fund said at its place (the normaliser may have named it already: "long-term
  bonds" is TLT) or a class that fund is one of (`vocabulary.FUND_CLASSES`: "small caps" IWM,
  "short bonds" SHY or BIL, "cash" BIL or SHY).

Anything else is left as it is, and read or refused as before.
"""

from __future__ import annotations

import re

from generator.providers.offline.phrases import SYM, SYMLIST, squash, symbols_in
from generator.providers.offline.state import ParseState
from generator.providers.offline.vocabulary import FUND_CLASSES

_P = r"\d+(?:\.\d+)? %"
_ITEM = (r"(?:(?!(?:and|each|in|every|with|then|held|hold|bought|buy|sell|checked|check)(?!\S)"
         r"|rebalanc)[a-z][a-z-]*(?: [a-z][a-z-]*){0,2}|" + SYM + ")")
# "30 % stocks , 40 % TLT , 15 % intermediate bonds , 7.5 % GLD and 7.5 % commodities"
_EACH_WEIGHT = re.compile(rf"(?<!\S){_P} (?:in )?{_ITEM}(?:(?: ,| and| , and) {_P} (?:in )?"
                          rf"{_ITEM})+(?= [.,;:⋄]| ?$)")
# "25 % each in stocks , TLT , GLD and cash"
_ONE_WEIGHT = re.compile(rf"(?<!\S){_P} each (?:in |into |of |across )?{_ITEM}(?:(?: ,| and| , and)"
                         rf" {_ITEM})+(?= [.,;:⋄]| ?$)")
# the funds, said after: "i'd use VTI , TLT ... for those", "in my account that VTI , ..."
_FUNDS = re.compile(
    r"(?:(?:i'd|i would|i will|i'll|i want to|we'd|we would) (?:use|build it with|build it using"
    r"|hold|buy|go with|do it with|do that with|fill it with|implement it with)"
    r"|in my account(?: that's| that is| that| it's| it is| these are| those are| i use)?"
    r"|(?:that's|that is|i use|using)(?= " + SYM + r" ,))"
    rf" (?P<syms>{SYMLIST})(?: for (?:those|them|these|each)| respectively| in that order)?")


def _items(weights: str) -> list[str]:
    body = re.sub(rf"(?<!\S){_P}(?: each)?(?: (?:in|into|of|across))?(?!\S)", " ", weights)
    return [squash(x).strip() for x in re.split(r" , and | , | and ", f" {body} ") if x.strip()]


def _stands_for(item: str, fund: str) -> bool:
    if re.fullmatch(SYM, item):
        return item == fund
    known = [FUND_CLASSES[w] for w in item.replace("-", " ").split() if w in FUND_CLASSES]
    return bool(known) and all(fund in funds for funds in known)


def map_class_funds(state: ParseState) -> None:
    """Put the funds the writer names in place of the classes their weights name (see the
    module's doc)."""
    said = _FUNDS.search(state.t)
    if said is None:
        return
    funds = symbols_in(said.group("syms"))
    before = state.t[:said.start()]
    weights = list(_EACH_WEIGHT.finditer(before))
    one_share = not weights
    if one_share:
        weights = list(_ONE_WEIGHT.finditer(before))
    if len(weights) != 1:
        return
    m = weights[0]
    items = _items(m.group(0))
    if len(items) != len(funds) or not all(map(_stands_for, items, funds)):
        return
    shares = re.findall(_P, m.group(0))
    if one_share:
        rewritten = f"{shares[0]} each in {' , '.join(funds)}"
    else:
        rewritten = " , ".join(f"{p} {f}" for p, f in zip(shares, funds, strict=True))
    state.understood.append(f"the funds for the classes: {said.group(0).strip()}")
    state.t = squash(f"{before[:m.start()]} {rewritten} {before[m.end():]} ,"
                     f" {state.t[said.end():]}")
