"""What a version's code declares about itself, read statically (never by running it): its
literal `parameters`, and from them the symbols whose bars it needs and its warm-up length.
"""

from __future__ import annotations

import ast
from typing import Any

from core.models import StrategyVersion
from generator.spec import StrategySpec


def declared_parameters(source: str) -> dict[str, Any]:
    """The literal `parameters = {...}` of the Strategy class in `source`, read without running
    it (values that are not plain literals are skipped)."""

    try:
        tree = ast.parse(source)
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
    spec = StrategySpec.model_validate(version.spec) if version.spec else None
    symbols = declared.get("data_symbols") or (spec.all_symbols() if spec else [])
    warmup = declared.get("history_bars") or (spec.lookback() if spec else 0)
    return [str(s) for s in symbols], int(warmup)
