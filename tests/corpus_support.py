"""The trader corpus (`tests/data/trader_corpus.txt`): loading it, and judging one answer.

A case is a sentence and the facts its spec must have (see the file's header for the keys); a
case marked `refuse` is judged right when the text is refused or answered with a clarification.
`judge` compares only the facts a case gives, so a case says what the sentence means and nothing
about how the parser reaches it. Used by `tests/generator/test_trader_corpus.py` and
`bench/generate.py`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CORPUS_PATH = Path(__file__).resolve().parent / "data" / "trader_corpus.txt"


@dataclass
class Case:
    set: str  # "development" | "held_out"
    text: str
    facts: dict[str, str] = field(default_factory=dict)
    line: int = 0

    @property
    def refuse(self) -> bool:
        return "refuse" in self.facts


def load_corpus(path: Path = CORPUS_PATH) -> list[Case]:
    cases: list[Case] = []
    current_set = ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.rstrip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current_set = line[1:-1]
            continue
        if line.startswith("> "):
            if not current_set:
                raise ValueError(f"line {number}: a case before any [set]")
            cases.append(Case(current_set, line[2:].strip(), line=number))
            continue
        if raw.startswith("  ") and ":" in line and cases:
            key, _, value = line.strip().partition(":")
            cases[-1].facts[key.strip()] = value.strip()
            continue
        raise ValueError(f"line {number}: cannot read {line!r}")
    return cases


# -- the facts of a spec, in the corpus notation ------------------------------------------------
_SHORT = {"highest_high": "hh", "lowest_low": "ll"}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def indicator_text(ind: Any) -> str:
    data = ind.model_dump() if hasattr(ind, "model_dump") else dict(ind)
    kind = data["kind"]
    out = _SHORT.get(kind, kind)
    if data.get("period") is not None:
        out += str(data["period"])
    if kind.startswith("macd") and (data.get("fast"), data.get("slow"), data.get("signal")) != (
        12, 26, 9):
        out += f"[{data['fast']},{data['slow']},{data['signal']}]"
    if kind.startswith("bb_") and data.get("num_std") not in (None, 2.0):
        out += f"[{_number(data['num_std'])}]"
    timeframe = data.get("timeframe")
    if timeframe not in (None, "daily"):
        out += f":{timeframe}"
    if data.get("symbol"):
        out += f"@{data['symbol']}"
    return out


def condition_text(cond: Any) -> str:
    data = cond.model_dump() if hasattr(cond, "model_dump") else dict(cond)
    left = indicator_text(cond.left)
    right_obj = cond.right
    if "value" in (right_obj.model_dump() if hasattr(right_obj, "model_dump") else {}):
        right = _number(right_obj.value)
    else:
        right = indicator_text(right_obj)
    offset = data.get("offset_pct")
    if offset:
        right += f"{'+' if offset > 0 else ''}{_number(offset)}%"
    op = data["op"]
    op = op.value if hasattr(op, "value") else op
    if right.startswith("price") and not left.startswith("price") and not offset:
        # "the 10-month average is below the price" is "price gt sma210": one notation for one
        # meaning, the price on the left
        return f"{right} {_MIRRORED[op]} {left}"
    return f"{left} {op} {right}"


_MIRRORED = {"gt": "lt", "lt": "gt", "ge": "le", "le": "ge", "crosses_above": "crosses_below",
             "crosses_below": "crosses_above"}


def item_text(item: Any) -> str:
    """A condition, or a nested group as "any(c1, c2)" / "all(...)" / "none(...)" with its
    items sorted."""
    if hasattr(item, "combine"):
        return f"{item.combine}({', '.join(sorted(item_text(c) for c in item.conditions))})"
    return condition_text(item)


def conditions_text(rule: Any) -> list[str]:
    """A rule's conditions in the corpus's notation ("price gt sma200"), none for no rule."""
    return [item_text(c) for c in rule.conditions] if rule is not None else []


def _rule(rule: Any) -> tuple[str, list[str]] | None:
    if rule is None:
        return None
    return rule.combine, [item_text(c) for c in rule.conditions]


def _want_items(text: str) -> list[str]:
    """"a; any(b; c)" -> ["a", "any(b, c)"]: ";" separates items, also inside a group."""
    items: list[str] = []
    depth, current = 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == ";" and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += ch
    items.append(current.strip())
    return [_normalise_group(i) for i in items if i]


def _normalise_group(item: str) -> str:
    head, paren, rest = item.partition("(")
    if not paren or head.strip() not in ("all", "any", "none"):
        return item
    inner = _want_items(rest[:-1])
    return f"{head.strip()}({', '.join(sorted(inner))})"


def _weights(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in text.split():
        sym, _, value = part.partition("=")
        out[sym] = float(value)
    return out


def judge(case: Case, spec: Any | None, refused: bool) -> tuple[bool, str]:
    """Whether the answer (a spec, or a refusal/clarification) is right for the case; why not."""
    if case.refuse:
        if refused:
            return True, ""
        return False, "a spec was produced for a text that must be refused"
    if spec is None:
        return False, "refused"
    problems: list[str] = []
    facts = case.facts
    alloc = spec.allocation
    risk = spec.risk

    def expect(key: str, got: object, want: object) -> None:
        if got != want:
            problems.append(f"{key}: got {got!r}, want {want!r}")

    if "symbols" in facts:
        expect("symbols", list(spec.symbols), facts["symbols"].split())
    for role in ("entry", "exit"):
        rule = _rule(getattr(spec, role))
        for combine in ("all", "any", "none"):
            key = {"all": role, "any": f"{role}_any", "none": f"{role}_not"}[combine]
            if key not in facts:
                continue
            if facts[key] == "none":
                expect(role, rule, None)
                continue
            want = _want_items(facts[key])
            if rule is None:
                problems.append(f"{role}: got none, want {want}")
                continue
            got_combine, got = rule
            expect(role, sorted(got), sorted(want))
            if len(want) > 1 or combine == "none":
                expect(f"{role} combine", got_combine, combine)
    if "side" in facts:
        expect("side", getattr(spec, "side", None) or "long", facts["side"])
    legs = getattr(spec, "legs", None) or []
    for n in range(1, 21):
        key = f"leg{n}"
        if key not in facts:
            continue
        head, _, rules = facts[key].partition("|")
        sym, fraction = head.split()
        if not legs and alloc.kind.value == "fixed_fraction":
            # legs that state one rule, each on its own symbol, with one share are the same
            # strategy as a fixed-fraction signal strategy over those symbols (the parser
            # writes them so; see portfolios.try_legs)
            entry = _rule(spec.entry)
            expect(f"{key} symbol", sym in spec.symbols, True)
            expect(f"{key} fraction", alloc.fraction, float(fraction))
            expect(f"{key} entry", sorted(entry[1]) if entry else None,
                   sorted(_want_items(rules)))
            continue
        if len(legs) < n:
            problems.append(f"{key}: no such leg")
            continue
        leg = legs[n - 1]
        expect(f"{key} symbol", leg.symbol, sym)
        expect(f"{key} fraction", leg.fraction, float(fraction))
        entry = _rule(leg.entry)
        assert entry is not None
        expect(f"{key} entry", sorted(entry[1]), sorted(_want_items(rules)))
    if "kind" in facts:
        expect("kind", alloc.kind.value, facts["kind"])
    if "weights" in facts:
        want_w = _weights(facts["weights"])
        got_w = dict(alloc.weights or {})
        if set(got_w) != set(want_w) or any(
            not math.isclose(got_w[s], want_w[s], abs_tol=1e-4) for s in want_w
        ):
            problems.append(f"weights: got {got_w}, want {want_w}")
    if "top" in facts:
        expect("top", alloc.top_n, int(facts["top"]))
    if "lookback" in facts:
        expect("lookback", alloc.lookback_days, int(facts["lookback"]))
    if "positive" in facts:
        expect("positive", alloc.require_positive_momentum, facts["positive"] == "yes")
    if "alternative" in facts:
        expect("alternative", alloc.alternative, facts["alternative"])
    if "fraction" in facts:
        expect("fraction", alloc.fraction, float(facts["fraction"]))
    if "schedule" in facts:
        schedule = spec.schedule.value if spec.schedule is not None else None
        expect("schedule", schedule, facts["schedule"])
    for key, field_name in (("stop", "stop_loss_pct"), ("take", "take_profit_pct"),
                            ("trailing", "trailing_stop_pct"), ("hold_bars", "max_hold_bars"),
                            ("min_hold", "min_hold_bars")):
        if key in facts:
            expect(key, getattr(risk, field_name, None), float(facts[key]))
    if "drift" in facts:
        expect("drift", getattr(alloc, "drift_band_pct", None), float(facts["drift"]))
        # a schedule said beside the band is kept: the two rebalance, whichever comes first
        expect("drift or schedule", bool(getattr(alloc, "drift_or_schedule", None)),
               "schedule" in facts)
    if "amount" in facts:
        expect("amount", getattr(alloc, "amount", None), float(facts["amount"]))
    if "target_vol" in facts:
        expect("target_vol", getattr(alloc, "target_volatility_pct", None),
               float(facts["target_vol"]))
    return (not problems), "; ".join(problems)


# the 21 ETFs of ../shared/data, the store the corpus sentences were written against
STORED_SYMBOLS = frozenset(
    ["AGG", "BIL", "DBC", "EEM", "EFA", "EWJ", "GLD", "HYG", "IEF", "IEV", "IWM", "IYR", "LQD",
     "MDY", "QQQ", "SHY", "SPY", "TIP", "TLT", "VNQ", "VTI"]
)


@dataclass
class Outcome:
    case: Case
    ok: bool
    refused: bool
    why: str
    # the provider could not answer (a network error, a timeout, a quota): neither a spec nor
    # a refusal, counted apart by `score` (only a model provider can fail so)
    failed: bool = False
    # a refusal answered with a clarification that set sentences apart (`generator.remarks_apart`):
    # the completion it suggests, the text without them
    suggestion: str = ""
    # the spec the case gave (None when refused or failed), for checks beyond the facts
    spec: Any = None


def run_case(case: Case, provider: Any | None = None) -> Outcome:
    """The static pipeline (the offline parser unless `provider` says another, limits, render,
    AST gate) plus the store's symbol check, as `POST /strategies` runs them, judged against the
    case. A case with `server: allow_short` runs on a server with STRATFORGE_ALLOW_SHORT on; one
    with `store: XLK DIA` on a store that also holds those symbols (a sentence naming an ETF
    outside the 21 stored ones is judged on what the parser understood, not on the store)."""
    from core.errors import StratforgeError, UpstreamFailed
    from generator.pipeline import generate
    from generator.providers.offline_provider import OfflineProvider
    from generator.spec import SpecLimits

    spec = None
    refused = False
    why = ""
    suggestion = ""
    try:
        allow_short = case.facts.get("server") == "allow_short"
        stored = set(STORED_SYMBOLS) | set(case.facts.get("store", "").split())
        generated = generate(case.text, provider=provider or OfflineProvider(),
                             limits=SpecLimits(max_symbols=20, allow_short=allow_short),
                             known_symbols=stored)
        missing = [s for s in generated.spec.all_symbols() if s not in stored]
        if missing:
            refused, why = True, f"unknown symbols {missing}"
        else:
            spec = generated.spec
    except UpstreamFailed as exc:
        if exc.code != "llm_invalid_answer":  # unreachable, timed out, out of quota
            return Outcome(case, False, False, exc.message, failed=True)
        # the model answered, never with a valid spec: no strategy, as a refusal gives none
        refused, why = True, exc.message
    except StratforgeError as exc:
        refused, why = True, exc.message
        if exc.details.get("set_apart"):
            suggestion = exc.details["suggestions"][0]
    ok, problem = judge(case, spec, refused)
    return Outcome(case, ok, refused, why if refused else problem, suggestion=suggestion,
                   spec=spec)


def run_suggestion(outcome: Outcome, provider: Any | None = None) -> Outcome | None:
    """The case's facts judged on the text without the sentences its clarification set apart
    (what a user who sends the suggestion as it is gets), or None when none were."""
    if not outcome.suggestion:
        return None
    case = outcome.case
    return run_case(Case(case.set, outcome.suggestion, case.facts, case.line), provider)


def score(outcomes: list[Outcome]) -> dict[str, Any]:
    """Share right, and how the wrong ones went: refused, or a spec with other facts."""
    right = sum(o.ok for o in outcomes)
    wrong_spec = sum(1 for o in outcomes if not o.ok and not o.refused and not o.failed)
    return {
        "cases": len(outcomes),
        "right": right,
        "share": right / len(outcomes) if outcomes else 0.0,
        "refused_wrongly": sum(1 for o in outcomes if not o.ok and o.refused),
        "wrong_spec": wrong_spec,
        "failed": sum(1 for o in outcomes if o.failed),
    }
