"""Rendered strategy code is lint-clean for every family the template supports: no unused or
write-only variables, no shadowed names, no undefined names (ruff F, E9, B, plus two AST checks
ruff does not make).

The specs are the families of `test_render.SPECS` with the template's switches on top of them:
an alternative asset or none, each subset of the risk controls, and a signal strategy with or
without an exit rule. The code is rendered fresh here, never read from
`generated_strategies/examples`.
"""

from __future__ import annotations

import ast
import builtins
import functools
import itertools
import subprocess
import sys
from pathlib import Path

import pytest
from test_render import SPECS

from generator.render import render_strategy
from generator.spec import StrategySpec

RISKS = ("stop_loss_pct", "take_profit_pct", "trailing_stop_pct")
RISK_LEVELS = {"stop_loss_pct": 5.0, "take_profit_pct": 30.0, "trailing_stop_pct": 10.0}
# one family per path through the template gets every combination of the switches; the other
# families (other indicators, so other helper imports) get none, all, and their own
FULL = ("golden_cross", "sixty_forty", "rotation")


def _variant(
    key: str, risks: tuple[str, ...], alternative: str | None, exit_: bool
) -> StrategySpec:
    data = SPECS[key].model_dump(mode="json")
    data["exit"] = data["exit"] if exit_ else None
    data["allocation"] = {**data["allocation"], "alternative": alternative}
    data["risk"] = {name: RISK_LEVELS[name] for name in risks}
    return StrategySpec.model_validate(data)


def _variants() -> dict[str, StrategySpec]:
    """The families of SPECS under the combinations of the template's switches: an alternative
    asset or none, each subset of the risk controls, and (signal families) an exit rule or none."""
    out = {f"{key}-as_written": spec for key, spec in SPECS.items()}
    for key, spec in SPECS.items():
        alternative = "GLD" if "BIL" in spec.all_symbols() else "BIL"
        exits = [True] if spec.is_weights else [True, False]
        if key in FULL:
            subsets = [c for n in range(len(RISKS) + 1) for c in itertools.combinations(RISKS, n)]
            choices = list(itertools.product(subsets, [None, alternative], exits))
        else:
            choices = [((), None, True), (RISKS, alternative, exits[-1])]
        for risks, alt, exit_ in choices:
            label = "-".join([key, *(r.split("_")[0] for r in risks), f"alt_{alt}"]
                             + ([] if exit_ else ["no_exit"]))
            try:
                out[label] = _variant(key, risks, alt, exit_)
            except ValueError:  # a combination the spec refuses (a drift band takes no stops)
                continue
    return out


VARIANTS = _variants()


@functools.cache
def rendered(key: str) -> str:
    return render_strategy(VARIANTS[key])


def _ruff() -> list[str]:
    beside = Path(sys.executable).with_name("ruff")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "ruff"]


def ruff_findings(code: str) -> str:
    """What `ruff check --select F,E9,B` says about `code` (empty when it is clean)."""
    result = subprocess.run(
        [*_ruff(), "check", "--isolated", "--no-cache", "--select", "F,E9,B",
         "--output-format", "concise", "--stdin-filename", "strategy.py", "-"],
        input=code, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode in (0, 1), result.stderr  # 2: ruff itself failed
    return result.stdout.strip() if result.returncode else ""


# -- what ruff does not check ---------------------------------------------------------------------
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ListComp, ast.SetComp,
           ast.DictComp, ast.GeneratorExp)


def _bound_here(scope: ast.AST) -> set[str]:
    """Names bound in `scope` itself (parameters, targets, loop variables), not in scopes
    nested in it."""
    names: set[str] = set()
    if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        args = scope.args
        names.update(a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs])
        names.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
    if isinstance(scope, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
        for generator in scope.generators:
            names.update(n.id for n in ast.walk(generator.target) if isinstance(n, ast.Name))
        return names
    for node in _own_nodes(scope):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _own_nodes(scope: ast.AST) -> list[ast.AST]:
    """The nodes of `scope`, without descending into nested scopes."""
    found: list[ast.AST] = []
    todo = list(ast.iter_child_nodes(scope))
    while todo:
        node = todo.pop()
        found.append(node)
        if not isinstance(node, _SCOPES):
            todo.extend(ast.iter_child_nodes(node))
    return found


def shadowed_names(code: str) -> list[str]:
    """Names bound in a function, lambda or comprehension that an enclosing scope (a function,
    the module's imports and definitions, or the builtins) already binds."""
    tree = ast.parse(code)
    module_names = set(dir(builtins))
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            module_names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            module_names.add(node.name)
    found: list[str] = []

    def visit(node: ast.AST, outer: set[str]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _SCOPES):
                own = _bound_here(child) - {"self"}
                for name in sorted(own & outer):
                    found.append(f"line {child.lineno}: {name!r} shadows an outer name")
                visit(child, outer | own)
            else:
                visit(child, outer)

    visit(tree, module_names)
    return found


def write_only_names(code: str) -> list[str]:
    """Local variables of a function that are assigned (or counted up) but never read."""
    found: list[str] = []
    for func in ast.walk(ast.parse(code)):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        stored = {n.id for n in _own_nodes(func)
                  if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        read = {n.id for n in ast.walk(func) if isinstance(n, ast.Name)
                and isinstance(n.ctx, ast.Load)}
        found.extend(f"{func.name}: {name!r} is written but never read"
                     for name in sorted(stored - read))
    return found


# -- the tests ------------------------------------------------------------------------------------
def test_every_switch_of_the_template_is_covered() -> None:
    assert len(VARIANTS) >= 70
    specs = list(VARIANTS.values())
    assert any(s.allocation.alternative and not s.is_weights for s in specs)
    assert any(s.exit is None and not s.is_weights for s in specs)
    assert any(s.allocation.kind.value == "momentum_rotation" and s.risk.any for s in specs)
    assert any(s.allocation.kind.value == "target_weights" and s.risk.any for s in specs)


@pytest.mark.parametrize("key", VARIANTS)
def test_rendered_code_has_no_dead_or_shadowed_names(key: str) -> None:
    code = rendered(key)
    assert shadowed_names(code) == []
    assert write_only_names(code) == []


def test_rendered_code_passes_ruff() -> None:
    findings = {}
    for key in VARIANTS:
        said = ruff_findings(rendered(key))
        if said:
            findings[key] = said
    assert findings == {}


def test_the_checks_catch_what_they_are_for() -> None:
    """Each check fails on the defect it is for, in real rendered code (a regressed template)."""
    code = rendered("golden_cross-as_written")
    anchor = "        history = self.load_history()\n"  # in on_trading_iteration, by `for symbol`
    assert anchor in code and ruff_findings(code) == "" and shadowed_names(code) == []

    def with_lines(*lines: str) -> str:
        return code.replace(anchor, anchor + "".join(f"        {line}\n" for line in lines), 1)

    assert "F841" in ruff_findings(with_lines("unused = 0"))
    counted = with_lines("counted = 0", "counted += 1")
    assert any("'counted'" in p for p in write_only_names(counted))
    shadowing = with_lines("seen = [symbol for symbol in history]", "self.vars.seen = seen")
    assert any("'symbol'" in p for p in shadowed_names(shadowing))
