"""Schemathesis' command line, run with CPython's `ast.parse` serialised across threads.

With `--workers 2` Schemathesis tests two operations at once, and Hypothesis parses source
with `ast.parse` while it describes a strategy. CPython 3.11 keeps the AST converter's
recursion depth in state shared by all threads (python/cpython#106905), so two parses at the
same moment can raise "AST constructor recursion depth mismatch" and Schemathesis reports a
Runtime Error for the operation: the tool crashed, no request was judged. One lock around
`ast.parse` removes that race; nothing else of Schemathesis or of the server changes.

Run as `python tests/api/st_serial_ast.py <st arguments>`."""

from __future__ import annotations

import ast
import sys
import threading
from typing import Any

_LOCK = threading.Lock()
_PARSE = ast.parse


def _serial_parse(*args: Any, **kwargs: Any) -> Any:
    with _LOCK:
        return _PARSE(*args, **kwargs)


if __name__ == "__main__":
    ast.parse = _serial_parse  # type: ignore[assignment]
    from schemathesis.cli import schemathesis

    sys.argv[0] = "st"
    sys.exit(schemathesis())
