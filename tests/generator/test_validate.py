"""The static validation gate: generated code passes, hostile code is refused with lines."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from generator.validate import check_source

DATA = Path(__file__).resolve().parents[1] / "data" / "hostile_snippets.txt"

SHELL = '''"""A strategy."""

from __future__ import annotations

import numpy as np
import pandas as pd
from lumibot.strategies import Strategy


class Shell(Strategy):
    def initialize(self) -> None:
        self.sleeptime = "1D"

    def on_trading_iteration(self) -> None:
{body}
'''
BODY_LINE = 15  # line number of the first body line inside SHELL


def _snippets() -> list[str]:
    text = DATA.read_text()
    parts = [p.strip("\n") for p in text.split("# ---")]
    out = []
    for part in parts:
        lines = [ln for ln in part.splitlines() if not ln.startswith("# ") and ln.strip()]
        if lines:
            out.append("\n".join(lines))
    return out


def _shell(body: str) -> str:
    return SHELL.format(body=textwrap.indent(body, " " * 8))


def test_corpus_is_large_enough() -> None:
    assert len(_snippets()) >= 30


def test_shell_itself_passes() -> None:
    report = check_source(_shell("self.log_message('ok')"))
    assert report.ok, report.problems
    assert report.class_name == "Shell"


@pytest.mark.parametrize("snippet", _snippets(), ids=lambda s: s.splitlines()[0][:40])
def test_hostile_snippet_is_refused_with_its_line(snippet: str) -> None:
    report = check_source(_shell(snippet))
    assert not report.ok
    assert any(p.line == BODY_LINE for p in report.problems), [str(p) for p in report.problems]


def test_syntax_error_reports_line_number() -> None:
    report = check_source(_shell("if True\n    pass"))
    assert not report.ok
    assert report.problems[0].stage == "syntax"
    assert report.problems[0].line == BODY_LINE
    assert "line 15" in str(report.problems[0])


def test_file_without_strategy_class_is_refused() -> None:
    report = check_source("from lumibot.strategies import Strategy\nx = 1\n")
    assert not report.ok
    assert "exactly one Strategy subclass" in str(report.problems[-1])


def test_two_strategy_classes_are_refused() -> None:
    source = _shell("pass") + "\n\nclass Other(Strategy):\n    pass\n"
    assert not check_source(source).ok
