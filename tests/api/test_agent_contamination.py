"""Contamination marks: the longest matching cutoff prefix, unknown models as the latest, the
offline baseline never."""

from __future__ import annotations

from datetime import date

from api.services.agent_contamination import contamination
from core.config import DEFAULT_AGENT_CUTOFFS

CUTOFFS = {"gpt-4.1": "2024-06-01", "claude-sonnet-4": "2025-03-31",
           "claude-sonnet-4-5": "2025-07-31"}


def test_a_window_before_the_cutoff_is_contaminated_after_it_is_not() -> None:
    before = contamination("openai:gpt-4.1-mini", date(2023, 1, 3), CUTOFFS)
    after = contamination("openai:gpt-4.1-mini", date(2024, 7, 1), CUTOFFS)
    assert before.contaminated and before.cutoff == "2024-06-01"
    assert "2023-01-03" in before.reason and "gpt-4.1-mini" in before.reason
    assert not after.contaminated


def test_the_longest_prefix_wins_and_unknown_models_count_as_the_latest() -> None:
    sonnet = contamination("anthropic:claude-sonnet-4-5", date(2025, 5, 1), CUTOFFS)
    assert sonnet.contaminated and sonnet.cutoff == "2025-07-31"
    unknown = contamination("openai-compatible:llama3.1", date(2030, 1, 1), CUTOFFS)
    assert unknown.contaminated and unknown.cutoff is None and "latest" in unknown.reason
    assert not contamination("offline", date(2000, 1, 3), CUTOFFS).contaminated


def test_the_default_table_knows_the_issue_examples() -> None:
    for model in ("openai:gpt-4.1-mini", "anthropic:claude-sonnet-4-5"):
        assert contamination(model, date(2023, 1, 3), DEFAULT_AGENT_CUTOFFS).cutoff is not None
