"""Run-time parameters (the names in a generated strategy's `parameters`, as a sweep or
`--param` overrides them) mapped back onto the spec the strategy was rendered from.

The mapping is found by asking the renderer: each numeric field of the spec is nudged in turn
and the parameter whose value follows it is that field's name. A parameter no field maps to
(or one the fast engine cannot apply) is refused by name, never ignored.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from generator.spec import StrategySpec

Path_ = tuple[str | int, ...]
DERIVED = {"history_bars", "data_symbols", "symbols", "schedule"}


def _leaves(data: Any, path: Path_ = ()) -> list[tuple[Path_, float]]:
    out: list[tuple[Path_, float]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            out.extend(_leaves(value, (*path, key)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out.extend(_leaves(value, (*path, i)))
    elif isinstance(data, (int, float)) and not isinstance(data, bool):
        out.append((path, data))
    return out


def _set(data: Any, path: Path_, value: Any) -> None:
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


def _params(spec_json: dict[str, Any]) -> dict[str, Any] | None:
    from generator.render import plan_strategy

    try:
        return plan_strategy(StrategySpec.model_validate(spec_json), summary="-").parameters
    except ValueError:
        return None


@lru_cache(maxsize=256)
def _mapping(spec_text: str) -> dict[str, list[Path_]]:
    base_json = json.loads(spec_text)
    base = _params(base_json)
    assert base is not None
    groups: dict[tuple[Any, float], list[Path_]] = {}
    for path, value in _leaves(base_json):
        if path and path[0] != "spec_version":
            groups.setdefault((path[-1], value), []).append(path)
    mapping: dict[str, list[Path_]] = {}
    for (_, value), paths in groups.items():
        # the same period read by several rules is one parameter: nudge them together first
        for tried in ([paths] if len(paths) == 1 else [paths, *[[p] for p in paths]]):
            name = _follows(spec_text, base, tried, value)
            if name is not None:
                mapping.setdefault(name, []).extend(tried)
                if tried is paths:
                    break
    return mapping


def _follows(spec_text: str, base: dict[str, Any], paths: list[Path_], value: float
             ) -> str | None:
    """The one parameter whose value follows the fields at `paths` when they are nudged."""
    for nudged in (value + 1, value - 1, value * 1.01):
        new_value = type(value)(nudged) if isinstance(value, int) else nudged
        trial = json.loads(spec_text)
        for path in paths:
            _set(trial, path, new_value)
        got = _params(trial)
        if got is None or set(got) != set(base):
            continue
        changed = [k for k in base if k not in DERIVED and got[k] != base[k]]
        if len(changed) == 1 and got[changed[0]] == new_value:
            return changed[0]
    return None


def _get(data: Any, path: Path_) -> Any:
    for key in path:
        data = data[key]
    return data


def apply_parameters(spec: StrategySpec, overrides: dict[str, Any]) -> StrategySpec:
    """`spec` with each overridden parameter written into the fields it was rendered from."""
    wanted = {k: v for k, v in overrides.items() if k not in ("history_bars",)}
    if not wanted:
        return spec
    text = spec.model_dump_json()
    mapping = _mapping(text)
    data = json.loads(text)
    for name, value in wanted.items():
        paths = mapping.get(name)
        if not paths:
            raise ValueError(f"the fast engine cannot map parameter {name!r} onto the spec")
        for path in paths:
            _set(data, path, value)
    return StrategySpec.model_validate(data)
