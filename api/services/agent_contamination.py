"""Contamination: whether a backtest window lies inside what a model may have been trained on.

A table of training cutoffs (`Settings.agent_model_cutoffs`, model-name prefix → ISO date, the
longest prefix wins) decides it: a window that starts before the model's cutoff is
`contaminated`, with the reason; a model with no known cutoff counts as the latest model (every
past window is contaminated); the offline baseline never is. This marks results; it prevents
nothing (README, "What the model may already know").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Contamination:
    contaminated: bool
    reason: str
    cutoff: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"contaminated": self.contaminated, "reason": self.reason, "cutoff": self.cutoff}


def contamination(model: str, start: date, cutoffs: dict[str, str]) -> Contamination:
    """Whether a window starting at `start` lies before `model`'s training cutoff."""
    name = model.partition(":")[2] or model
    if model.partition(":")[0] == "offline":
        return Contamination(False, "the offline baseline has no training data", None)
    best = max((p for p in cutoffs if name.startswith(p)), key=len, default=None)
    if best is None:
        return Contamination(
            True, f"no training cutoff is known for {name}: it counts as the latest model, "
            "so any past window may be in its training data", None,
        )
    cutoff = cutoffs[best]
    if start < date.fromisoformat(cutoff):
        return Contamination(
            True, f"the window starts {start.isoformat()}, before {name}'s training cutoff "
            f"{cutoff}: the model may remember what happened", cutoff,
        )
    return Contamination(False, f"the window starts after {name}'s training cutoff {cutoff}",
                         cutoff)
