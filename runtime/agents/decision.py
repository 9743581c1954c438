"""The decision an agent returns, its JSON schema, and the check every answer passes.

A decision is `target_weights` (symbol → fraction of equity, each 0…`max_weight`, summing to
at most 1; symbols outside the agent's list refused), a short `rationale` and an optional
`confidence` (0…1). `check_decision` validates raw data against that contract and returns the
problems in words a model can act on (the repair loop sends them back). A symbol missing from
`target_weights` means weight 0. The server's limits never come from the answer.

`Outcome` names what became of one decision: `decided` (trade to the weights) or `held`
(no orders: an invalid or failed answer, the cost cap, no decision service). A hold is a
decision too, recorded with its reason; it is never an exception in the bot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

SUM_TOLERANCE = 1e-6


class Outcome(StrEnum):
    decided = "decided"
    held = "held"


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    target_weights: dict[str, float]
    rationale: str = Field(min_length=1, max_length=1000)
    confidence: float | None = Field(default=None, ge=0, le=1)


def decision_schema(symbols: Sequence[str]) -> dict[str, Any]:
    """The JSON schema the model fills (its symbols are the ones it may use)."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["target_weights", "rationale"],
        "properties": {
            "target_weights": {
                "type": "object",
                "description": "symbol -> fraction of equity (0..1); the weights sum to at most "
                "1; the rest stays in cash",
                "properties": {s: {"type": "number", "minimum": 0, "maximum": 1} for s in symbols},
                "additionalProperties": False,
            },
            "rationale": {"type": "string", "maxLength": 1000},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        },
    }


def check_decision(
    data: Any, symbols: Sequence[str], max_weight: float = 1.0
) -> tuple[Decision | None, list[str]]:
    """The decision in `data`, or the problems that refuse it."""
    if not isinstance(data, dict):
        return None, ["the answer is not a JSON object with target_weights and rationale"]
    try:
        decision = Decision.model_validate(data)
    except ValidationError as exc:
        return None, [
            f"{'.'.join(str(p) for p in e.get('loc', ())) or '(decision)'}: {e.get('msg')}"
            for e in exc.errors()[:8]
        ]
    problems: list[str] = []
    allowed = set(symbols)
    for symbol, weight in decision.target_weights.items():
        if symbol not in allowed:
            problems.append(f"{symbol[:20]!r} is not one of the agent's symbols "
                            f"({', '.join(symbols)})")
        elif not (isinstance(weight, int | float) and math.isfinite(weight)):
            problems.append(f"weight of {symbol} is not a number")
        elif not 0 <= weight <= max_weight + SUM_TOLERANCE:
            problems.append(f"weight of {symbol} must be between 0 and {max_weight:g}")
    total = sum(w for w in decision.target_weights.values() if math.isfinite(w))
    if total > 1 + SUM_TOLERANCE:
        problems.append(f"the weights sum to {total:.4f}; they must sum to at most 1")
    if problems:
        return None, problems
    weights = {s: float(decision.target_weights.get(s, 0.0)) for s in symbols}
    return decision.model_copy(update={"target_weights": weights}), []


def full_weights(weights: dict[str, float], symbols: Sequence[str]) -> dict[str, float]:
    """Every symbol's weight (missing ones 0), in the agent's order."""
    return {s: float(weights.get(s, 0.0)) for s in symbols}
