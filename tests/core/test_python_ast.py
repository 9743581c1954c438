"""`core.python_ast`: Python text becomes an AST one thread at a time (CPython 3.11's AST
conversion shares its recursion depth between threads: concurrent parses failed with a
SystemError in CI), and its answers are `ast.parse`'s and `compile`'s."""

from __future__ import annotations

import ast
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from core import python_ast

SOURCE = "def f(x):\n    return [y * 2 for y in range(x) if y % 3]\n"


def test_it_answers_as_ast_parse_and_compile_do() -> None:
    tree = python_ast.parse(SOURCE, "<s>")
    assert ast.dump(tree) == ast.dump(ast.parse(SOURCE, filename="<s>"))
    namespace: dict[str, Any] = {}
    exec(python_ast.compile_tree(tree, "<s>"), namespace)
    assert namespace["f"](5) == [2, 4, 8]
    with pytest.raises(SyntaxError):
        python_ast.parse("def (:")
    bad = ast.parse("x = 1")
    bad.body[0].targets[0].ctx = ast.Load()  # type: ignore[attr-defined]
    with pytest.raises(ValueError):  # what only compiling checks
        python_ast.compile_tree(bad)


def test_threads_take_turns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Twelve threads parse at once: inside the conversion there is never more than one."""
    inside = 0
    most = 0
    guard = threading.Lock()
    window = threading.Event()  # never set: each parse holds the door open for 2 ms
    real_parse = ast.parse

    def watched(source: str, filename: str = "<unknown>") -> ast.Module:
        nonlocal inside, most
        with guard:
            inside += 1
            most = max(most, inside)
        window.wait(0.002)  # room for another thread to come in, were it let
        try:
            return real_parse(source, filename=filename)
        finally:
            with guard:
                inside -= 1

    monkeypatch.setattr(python_ast.ast, "parse", watched)
    with ThreadPoolExecutor(max_workers=12) as pool:
        trees = list(pool.map(lambda _: python_ast.parse(SOURCE), range(48)))
    assert len(trees) == 48 and all(isinstance(t, ast.Module) for t in trees)
    assert most == 1
