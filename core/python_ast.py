"""Python source to an AST (and an AST to a code object), one thread at a time.

What it owns: `parse` and `compile_tree`, the way stratforge's code reads Python text. CPython
3.11 keeps the recursion depth of its AST conversion in state its threads share, so two threads
parsing at once can fail with a spurious `SystemError: AST constructor recursion depth
mismatch` (python/cpython#106905 and the reports around it). The API server answers requests
from a thread pool: two strategies created at the same moment failed that way in CI. A lock
makes the conversions take turns; one of our files takes about a millisecond.
"""

from __future__ import annotations

import ast
import threading
from types import CodeType

_LOCK = threading.Lock()


def parse(source: str, filename: str = "<unknown>") -> ast.Module:
    """`ast.parse(source, filename)`; raises `SyntaxError` as it does."""
    with _LOCK:
        return ast.parse(source, filename=filename)


def compile_tree(tree: ast.Module, filename: str = "<unknown>") -> CodeType:
    """`compile(tree, filename, "exec")`: the checks CPython makes only when compiling."""
    with _LOCK:
        return compile(tree, filename, "exec")
