"""AgentSpec → a plain-English summary and the source of a Lumibot agent strategy.

The rendering rules are the rule-based renderer's (`generator.render`: StrictUndefined, values
only through the `py` literal filter, black-formatted); the template is
`templates/agent_strategy.py.j2`. The plan is only typed values: symbols, cadence, lookback,
indicator kinds and periods, the model selector (checked against a strict pattern by the spec),
limits. The user's text never reaches the code.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import black

from generator.agent_spec import AGENT_SPEC_VERSION, AgentSpec, Cadence
from generator.render import (
    GENERATOR_VERSION,
    RenderError,
    class_name_for,
    template_environment,
)

_PERIOD_WORD = {Cadence.daily: "day", Cadence.weekly: "week", Cadence.monthly: "month"}


@dataclass
class AgentPlan:
    class_name: str
    title: str
    summary: str
    period_word: str
    parameters: dict[str, Any]


def describe_agent(spec: AgentSpec) -> str:
    shown = ", ".join(i.name.replace("_", " ") for i in spec.indicators) or "no extra indicators"
    cap = "" if spec.max_weight >= 1 else f", at most {spec.max_weight:.0%} in any one symbol"
    anonymised = (
        " Snapshots are anonymised (neutral tickers, rebased prices, no dates)."
        if spec.anonymize else ""
    )
    return (
        f"An agent decides {spec.cadence.value}, at the open, how to split the portfolio between "
        f"{', '.join(spec.symbols)} and cash (weights 0..1 summing to at most 1{cap}). It sees "
        f"the last {spec.lookback_days} completed daily closes, 5/21/63-day returns, "
        f"the 200-day average and {shown}. Model: {spec.model}. An invalid or missing answer "
        f"means hold.{anonymised}"
    )


def plan_agent(spec: AgentSpec, summary: str | None = None) -> AgentPlan:
    parameters: dict[str, Any] = {
        "symbols": list(spec.symbols),
        "data_symbols": spec.all_symbols(),
        "cadence": spec.cadence.value,
        "lookback_days": spec.lookback_days,
        "indicators": [{"kind": i.kind.value, "period": i.period} for i in spec.indicators],
        "model": spec.model,
        "max_weight": spec.max_weight,
        "anonymize": spec.anonymize,
        "cash_reserve": spec.cash_reserve,
        "rebalance_band": spec.rebalance_band,
        "history_bars": spec.lookback(),
    }
    return AgentPlan(
        class_name=class_name_for(spec.name.replace("Agent", "") + " Agent"),
        title=spec.name,
        summary=summary or describe_agent(spec),
        period_word=_PERIOD_WORD[spec.cadence],
        parameters=parameters,
    )


def render_agent(spec: AgentSpec, summary: str | None = None) -> str:
    plan = plan_agent(spec, summary)
    spec_json = json.dumps(spec.model_dump(mode="json"), sort_keys=True)
    source = template_environment().get_template("agent_strategy.py.j2").render(
        plan=plan,
        generator_version=GENERATOR_VERSION,
        spec_version=AGENT_SPEC_VERSION,
        spec_sha256=hashlib.sha256(spec_json.encode()).hexdigest(),
    )
    try:
        return black.format_str(source, mode=black.Mode(line_length=100))
    except black.InvalidInput as exc:
        raise RenderError(f"rendered agent code is not valid Python: {exc}") from exc
