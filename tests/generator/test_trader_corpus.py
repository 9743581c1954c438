"""The trader corpus: how much of what retail traders write the offline parser understands.

`tests/data/trader_corpus.txt` holds sentences written as users write them (titles, small talk,
framing words, many phrasings per construct), each with the facts its spec must have, in a
development set and a held-out set that the parser is not tuned against. Each sentence goes
through the static pipeline and the store's symbol check (`corpus_support.run_case`); a
sentence counts as understood when the spec has every fact given, or when a sentence that must
be refused is refused. The shares are printed and must not fall under the floors; a spec with
wrong facts (a silently dropped or misread rule) is never allowed.

Baseline before the parser was reworked (issue 10), on the pre-issue code (commit cba7d31):
development 50/113 (44 %; 35/86 on the first 86 sentences, the other 27 were added later as
development data), held-out 33/70 (47 %), one wrong spec in each. After: development 109/113
(96 %), held-out 62/70 (89 %), no wrong spec.

Second round: a second held-out set (`held_out_2`, 43 sentences covering the first round's
constructs and shorts, per-symbol legs and nested groups) was written and committed before the
parser changes that followed it, and measured then: 33/43 (77 %), 7 refused wrongly, 3 wrong
specs. Its individual failures are not read while the parser is worked on (development
sentences are added instead), so its wrong specs are counted and reported, not asserted away.
One annotation was corrected after a development sentence showed it broke the corpus's
convention ("unless B" negates B's operator as Condition.negated does: lt -> gt, not ge).
After 38 new development sentences and the fixes they called for: development 149/151,
held-out 62/70, held-out 2 38/43 (2 wrong specs). The second round's development sentences and
held_out_2 were written by the same person, so held_out_2 is the less independent of the two.
"""

from __future__ import annotations

import pytest
from corpus_support import load_corpus, run_case, score

CASES = load_corpus()
FLOORS = {"development": 0.95, "held_out": 0.85, "held_out_2": 0.75, "held_out_3": 0.0}
# sets whose wrong specs are asserted to be none (held_out_2's are reported: see above)
NO_WRONG_SPEC = {"development", "held_out"}


def test_the_corpus_is_large_and_split() -> None:
    texts = [c.text for c in CASES]
    assert len(texts) >= 150
    assert len(set(texts)) == len(texts), "a sentence is listed twice"
    sets = {c.set for c in CASES}
    assert sets == set(FLOORS)
    for case in CASES:
        assert case.facts, f"line {case.line}: a case with no facts"


@pytest.mark.parametrize("which", sorted(FLOORS))
def test_share_understood(which: str, capsys: pytest.CaptureFixture[str]) -> None:
    outcomes = [run_case(c) for c in CASES if c.set == which]
    result = score(outcomes)
    with capsys.disabled():
        print(f"\n{which}: {result['right']}/{result['cases']} understood "
              f"({result['share']:.0%}); refused wrongly {result['refused_wrongly']}, "
              f"wrong spec {result['wrong_spec']}")
    wrong = [f"line {o.case.line}: {o.case.text!r}: {o.why}" for o in outcomes
             if not o.ok and not o.refused]
    assert result["share"] >= FLOORS[which], result
    if which in NO_WRONG_SPEC:
        assert not wrong, "specs with wrong facts:\n" + "\n".join(wrong)
