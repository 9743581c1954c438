"""Providers: what turns text into a `StrategySpec` proposal.

This package owns the provider interface and its accounting (`base`), the deterministic offline
parser (`offline`, behind `offline_provider`), the LLM providers (`llm` and its OpenAI and
Anthropic wire formats), recorded answers and their replay (`recordings`, `replay`), and
choosing among them with fallbacks (`registry`).
"""
