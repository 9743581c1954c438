"""The `offline` agent: a deterministic baseline that decides on the same snapshot a model sees.

Rule: equal weight across the symbols whose last completed close is above their 200-day
average (capped at the agent's `max_weight`); cash when none is. No model, no key, no network:
it gives every comparison a reference and the demo a working agent.
"""

from __future__ import annotations

from runtime.agents.decision import Decision
from runtime.agents.snapshot import BASELINE_SMA, Snapshot


def baseline_decision(snapshot: Snapshot, max_weight: float = 1.0) -> Decision:
    key = f"sma_{BASELINE_SMA}"
    above = [
        view.symbol
        for view in snapshot.symbols
        if view.indicators.get(key) is not None and view.last_close > (view.indicators[key] or 0)
    ]
    share = min(1.0 / len(above), max_weight) if above else 0.0
    weights = {view.symbol: (share if view.symbol in above else 0.0) for view in snapshot.symbols}
    rationale = (
        f"above their {BASELINE_SMA}-day average: {', '.join(above)}; equal weight"
        if above
        else f"nothing is above its {BASELINE_SMA}-day average; all cash"
    )
    return Decision(target_weights=weights, rationale=rationale, confidence=None)
