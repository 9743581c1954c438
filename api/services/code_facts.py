"""What a version's code declares about itself, read statically (never by running it): its
literal `parameters`, and from them the symbols whose bars it needs and its warm-up length;
and the check that run-time overrides of those parameters stay within them.
"""

from __future__ import annotations

import ast
import copy
import functools
import math
from typing import Any

from core import python_ast
from core.errors import InvalidInput
from core.models import StrategyVersion
from generator.agent_spec import AgentSpec, is_agent_spec
from generator.spec import StrategySpec


def declared_parameters(source: str) -> dict[str, Any]:
    """The literal `parameters = {...}` of the Strategy class in `source`, read without running
    it (values that are not plain literals are skipped). A source's answer is kept (parsing a
    strategy costs milliseconds on every page that shows one); each caller gets its own copy."""
    return copy.deepcopy(_declared_parameters(source))


@functools.lru_cache(maxsize=128)
def _declared_parameters(source: str) -> dict[str, Any]:
    try:
        tree = python_ast.parse(source)
    except SyntaxError:
        return {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if (
                    isinstance(item, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "parameters" for t in item.targets)
                    and isinstance(item.value, ast.Dict)
                ):
                    out: dict[str, Any] = {}
                    for key, value in zip(item.value.keys, item.value.values, strict=True):
                        if key is None:  # a `**mapping` entry
                            continue
                        try:
                            out[ast.literal_eval(key)] = ast.literal_eval(value)
                        except (ValueError, TypeError, SyntaxError):
                            continue
                    return out
    return {}


def code_data_needs(source: str, version: StrategyVersion) -> tuple[list[str], int]:
    """Which symbols' bars the code reads and how much warm-up: from its `parameters`
    (read statically; edits may change them), else from the version's spec."""
    declared = declared_parameters(source)
    spec: StrategySpec | AgentSpec | None = None
    if version.spec:
        spec = (AgentSpec.model_validate(version.spec) if is_agent_spec(version.spec)
                else StrategySpec.model_validate(version.spec))
    symbols = declared.get("data_symbols") or (spec.all_symbols() if spec else [])
    warmup = declared.get("history_bars") or (spec.lookback() if spec else 0)
    return [str(s) for s in symbols], int(warmup)


def is_period(name: str) -> bool:
    """A parameter that counts bars (an indicator period, a lookback in days)."""
    return "period" in name or name.endswith("_days") or name.endswith("lookback")


def check_parameters(
    declared: dict[str, Any], given: dict[str, Any], max_lookback: int
) -> dict[str, Any]:
    """Run-time overrides of a version's `parameters`, held to what the code declares and to
    the server's limits (refused, never clamped): only declared names, each of its default's
    type, periods 1..`max_lookback`, numbers finite."""
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise InvalidInput(
            f"unknown parameter(s) {', '.join(unknown)}; this version declares "
            f"{', '.join(sorted(declared))}",
            code="unknown_parameter",
            unknown=unknown,
            declared=sorted(declared),
        )
    problems: list[str] = []
    for name, value in given.items():
        default = declared[name]
        if isinstance(default, bool):
            if not isinstance(value, bool):
                problems.append(f"{name} must be true or false")
        elif isinstance(default, (int, float)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                problems.append(f"{name} must be a number")
            elif not math.isfinite(value) or abs(value) > 1e9:
                problems.append(f"{name} must be a finite number")
            elif isinstance(default, int) and not float(value).is_integer():
                problems.append(f"{name} must be a whole number")
            elif is_period(name) and not 1 <= value <= max_lookback:
                problems.append(f"{name} must be between 1 and {max_lookback} bars")
        elif isinstance(default, str):
            if not isinstance(value, str) or len(value) > 200:
                problems.append(f"{name} must be a text of at most 200 characters")
        elif isinstance(default, list):
            if (not isinstance(value, list) or len(value) > 100
                    or not all(isinstance(v, str) and len(v) <= 20 for v in value)):
                problems.append(f"{name} must be a list of at most 100 symbols")
        else:
            problems.append(f"{name} cannot be changed at run time")
    if problems:
        raise InvalidInput("; ".join(problems), code="bad_parameters", problems=problems)
    return dict(given)
