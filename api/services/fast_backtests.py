"""Runs on the fast engine (`runtime.fast_engine`): which versions it accepts, and running a
recorded BacktestRun with it, recorded exactly like a Lumibot run (same artifacts, metrics and
result shape; `engine: "fast"` in the result).

A version is accepted only when its file is, statement for statement, the code its
StrategySpec renders to: edited code and agent strategies are refused with that reason (the
fast engine would have to guess what they do), and so is any spec construct the engine does not
implement (`runtime.fast_engine.unsupported_features`).
"""

from __future__ import annotations

import ast
import time
from pathlib import Path
from typing import Any

from core import python_ast
from core.errors import InvalidInput
from core.models import StrategyVersion
from generator.parameters import apply_parameters
from generator.render import plan_strategy, render_strategy
from generator.spec import StrategySpec
from runtime.backtest import BacktestRequest, WorkerOutcome
from runtime.fast_engine import FastEngineRefused, run_request, unsupported_features


def _logic(source: str) -> str:
    """The module's statements without docstrings (a summary may be worded differently)."""
    tree = python_ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]  # type: ignore[attr-defined]
    return ast.dump(tree)


def refused(code: str, message: str) -> InvalidInput:
    return InvalidInput(message, code=code)


def fast_spec(version: StrategyVersion, code_path: Path) -> StrategySpec:
    """The spec the fast engine runs for `version`, or InvalidInput saying why it will not."""
    source = code_path.read_text(encoding="utf-8")
    if "runtime.agents.strategy_api" in source:
        raise refused("fast_engine_refused",
                      "the fast engine does not run agent strategies (a model decides their "
                      "trades); run them on the Lumibot engine")
    try:
        spec = StrategySpec.model_validate(version.spec or {})
    except ValueError as exc:
        raise refused("fast_engine_refused",
                      "this version has no StrategySpec; the fast engine runs plain specs "
                      "only") from exc
    if _logic(render_strategy(spec)) != _logic(source):
        raise refused("fast_engine_refused",
                      f"version {version.number} is edited code (it is not what its spec "
                      "renders to); the fast engine runs plain specs only, never an "
                      "approximation: run it on the Lumibot engine")
    missing = unsupported_features(spec.model_dump(mode="json"))
    if missing:
        raise refused("fast_engine_refused",
                      "the fast engine does not implement " + ", ".join(missing)
                      + " yet; run this strategy on the Lumibot engine")
    return spec


def fast_inputs(spec: StrategySpec, overrides: dict[str, Any]) -> tuple[dict[str, Any],
                                                                       dict[str, Any]]:
    """What the runtime's fast engine takes: the spec's JSON with `overrides` (a run's or a
    sweep's parameters) written into it, and its rendered code's `parameters`. The window
    (`history_bars`) stays the original code's unless the overrides set it, as in Lumibot."""
    original = plan_strategy(spec, summary="-").parameters
    try:
        applied = apply_parameters(spec, overrides)
    except ValueError as exc:
        raise FastEngineRefused(str(exc)) from exc
    params = dict(plan_strategy(applied, summary="-").parameters)
    params["history_bars"] = overrides.get("history_bars", original["history_bars"])
    params["data_symbols"] = original["data_symbols"]
    return applied.model_dump(mode="json"), params


def run_fast(spec: StrategySpec, request: BacktestRequest, run_dir: Path | None
             ) -> WorkerOutcome:
    """One run on the fast engine, as the executor's outcome of a Lumibot run would be."""
    started = time.monotonic()
    try:
        spec_json, params = fast_inputs(spec, request.parameters)
        result = run_request(spec_json, params, request, run_dir=run_dir)
    except FastEngineRefused as exc:
        return WorkerOutcome(False, error=str(exc), duration_s=time.monotonic() - started)
    result["class_name"] = request.class_name
    return WorkerOutcome(True, result=result, duration_s=time.monotonic() - started)
