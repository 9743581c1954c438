"""Checking that a rendered strategy is laid out byte for byte as black lays it out.

`render_strategy` lays out the parts of a strategy that vary per spec itself
(`generator.code_layout`) instead of running black on every file. `assert_laid_out_as_black`
renders one spec of each structure both ways (the laid-out file, and the old path: the raw
template through black) and the two must be the same bytes. Used by
`tests/generator/test_code_layout.py` (the render families and the v1 fixtures) and
`tests/generator/test_trader_corpus.py` (every spec a corpus sentence gives, checked where the
corpus is parsed so it is parsed once).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import pytest

from generator import render
from generator.code_layout import NotPlain
from generator.spec import StrategySpec


def _through_black(spec: StrategySpec, monkeypatch: pytest.MonkeyPatch) -> str:
    def refuse(plan: Any) -> Any:
        raise NotPlain("the old path")

    with monkeypatch.context() as m:
        m.setattr(render, "_layout", refuse)
        return render.render_strategy(spec)


def structure(spec: StrategySpec) -> str:
    """The spec with its name left out, every number written 0 and every ticker S: specs that
    share it take the same template branches and differ only in the literals laid out."""
    data = spec.model_dump(mode="json")
    data.pop("name", None)
    text = re.sub(r"-?\d+(\.\d+)?", "0", json.dumps(data, sort_keys=True))
    return re.sub(r'"[A-Z]{1,5}"', '"S"', text)


def one_per_structure(specs: Iterable[StrategySpec]) -> list[StrategySpec]:
    """One spec for each structure: the one with the longest name, the likeliest to wrap. The
    corpus gives ~9,000 specs in ~1,100 structures; black takes ~70 ms a file, and literals of
    every length are checked on their own (test_code_layout)."""
    chosen: dict[str, StrategySpec] = {}
    for spec in specs:
        key = structure(spec)
        if key not in chosen or len(spec.name) > len(chosen[key].name):
            chosen[key] = spec
    return list(chosen.values())


def assert_laid_out_as_black(specs: Iterable[StrategySpec],
                             monkeypatch: pytest.MonkeyPatch) -> int:
    """Every spec of `specs`, one per structure, renders to black's bytes and takes the path
    without black; returns how many structures were checked."""
    chosen = one_per_structure(specs)
    for spec in chosen:
        code = render.render_strategy(spec)
        assert code == _through_black(spec, monkeypatch), spec.name
        # every spec takes the path without black (NotPlain here fails the test)
        render._layout(render.plan_strategy(spec))
    return len(chosen)
