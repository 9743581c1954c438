"""Black's layout of a rendered strategy's variable parts, without running black on the file.

Rendering used to pass every generated file through `black.format_str` (about 85 % of text ->
validated code). The template's fixed lines are already laid out as black lays them out, so only
the parts that vary per spec need it: the `parameters` literal, the rule expressions and the
per-symbol `if symbol == "SPY":` lines. This module owns that layout:

* `literal_lines` lays out plain data (str, int, float, bool, None, list, dict) exactly as black
  does: on one line when it fits in 100 columns, otherwise one item per line with a trailing
  comma (a single item gets none), recursively;
* `statement_lines` keeps a statement that fits and that black leaves as it is; any other
  statement (a long rule, a redundant outer parenthesis) goes through black alone, at its
  indentation, and the answer is kept (`functools.lru_cache`: a rule's code names parameters,
  not values, so different sentences share it);
* `plain_text` says whether a free text (a title, a summary, a rule's description) is one black
  leaves untouched in a docstring or comment; when one is not, `generator.render` formats the
  whole file with black as before.

`tests/generator/test_code_layout.py` checks that a file laid out here is byte for byte what
black makes of it, over every spec of the corpus and the v1 fixtures.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import black

LINE_LENGTH = 100
BLACK_MODE = black.Mode(line_length=LINE_LENGTH)
_INDENT = "    "
# a string black writes as "..." unchanged: printable ASCII without a quote or a backslash
_PLAIN_STRING = re.compile(r'[ !#-\[\]-~]*')
_PLAIN_TEXT = re.compile(r"[ -~]*")


class NotPlain(ValueError):
    """A value this module does not lay out; the caller formats the file with black."""


def _atom(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, float):
        text = repr(value)
        if not re.fullmatch(r"-?\d+\.\d+", text):  # exponents, inf, nan: leave them to black
            raise NotPlain(text)
        return text
    if isinstance(value, str):
        if not _PLAIN_STRING.fullmatch(value) or "'" in value:
            raise NotPlain(value)
        return f'"{value}"'
    raise NotPlain(type(value).__name__)


def _inline(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)}: {_inline(v)}" for k, v in value.items()) + "}"
    return _atom(value)


def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise NotPlain(repr(key))
    return _atom(key)


def literal_lines(head: str, value: Any, tail: str, depth: int) -> list[str]:
    """`head + value + tail` at `depth` indentation levels, laid out as black lays out plain
    data; raises NotPlain for a value it does not lay out."""
    indent = _INDENT * depth
    line = f"{indent}{head}{_inline(value)}{tail}"
    if len(line) <= LINE_LENGTH or not isinstance(value, list | tuple | dict) or not value:
        return [line]
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    items: list[tuple[str, Any]] = (
        [(f"{_key(k)}: ", v) for k, v in value.items()] if isinstance(value, dict)
        else [("", v) for v in value]
    )
    comma = "," if len(items) > 1 else ""
    out = [f"{indent}{head}{opening}"]
    for item_head, item in items:
        out.extend(literal_lines(item_head, item, comma, depth + 1))
    out.append(f"{indent}{closing}{tail}")
    return out


def plain_text(*texts: str) -> bool:
    """Whether black leaves these texts as they are inside a docstring or a comment."""
    return all(
        _PLAIN_TEXT.fullmatch(t) is not None and '"' not in t and "\\" not in t
        and t == t.strip() and "  " not in t
        for t in texts
    )


def statement_lines(code: str, depth: int) -> str:
    """One statement (or a block: a header line and its body) as black lays it out at `depth`,
    each line with its indentation, joined by newlines."""
    lines = code.split("\n")
    indent = _INDENT * depth
    if all(_kept_as_is(indent + line) for line in lines):
        return "\n".join(indent + line for line in lines)
    return _black_block(code, depth)


def _kept_as_is(line: str) -> bool:
    """A line black would not touch: it fits, has no single-quoted string and no redundant
    parenthesis around a returned expression (conservative: anything else goes to black)."""
    stripped = line.lstrip()
    return (
        len(line) <= LINE_LENGTH
        and "'" not in line.partition("#")[0]
        and not stripped.startswith(("return (", "return ((", "if (", "elif ("))
        and "  " not in stripped.partition("  #")[0]
    )


@functools.lru_cache(maxsize=2048)
def _black_block(code: str, depth: int) -> str:
    """`code` formatted by black at `depth` (it is nested in `if _:` blocks for black, which
    lays a statement out by its depth only)."""
    lines = [_INDENT * d + "if _:" for d in range(depth)]
    body = "\n".join(_INDENT * depth + line for line in code.split("\n"))
    formatted = black.format_str("\n".join([*lines, body]) + "\n", mode=BLACK_MODE)
    return "\n".join(formatted.rstrip("\n").split("\n")[depth:])
