"""The validation gate every version passes before it may be backtested or deployed.

Static part (this module, no code is run): parse, compile, and walk the AST against an
allow-list — imports only from `ALLOWED_MODULES`, no dangerous builtins, no dunder or private
attribute access, no file/pickle IO, no reaching into the broker, exactly one `Strategy`
subclass. Every problem carries a line number.

Dynamic part (`runtime.backtest`): import the module in a worker subprocess and run a short
smoke backtest; `generator.pipeline` combines both into a `ValidationReport`.
"""

from __future__ import annotations

import ast
from dataclasses import asdict, dataclass, field
from typing import Any

from core import python_ast

ALLOWED_MODULES = {
    "__future__",
    "lumibot",
    "lumibot.strategies",
    "lumibot.strategies.strategy",
    "lumibot.entities",
    "pandas",
    "numpy",
    "math",
    "datetime",
    "typing",
    "runtime.strategy_base",
    "runtime.agents.strategy_api",  # agent strategies (templates/agent_strategy.py.j2)
}

FORBIDDEN_NAMES = {
    "eval",
    "exec",
    "compile",
    "open",
    "getattr",
    "setattr",
    "delattr",
    "hasattr",
    "globals",
    "locals",
    "vars",
    "dir",
    "__import__",
    "__builtins__",
    "input",
    "breakpoint",
    "memoryview",
    "type",
    "object",
    "help",
    "exit",
    "quit",
    "format",
    "print",  # use self.log_message: print goes nowhere useful in a worker
}

# attribute names that reach files, code execution or the broker's internals
FORBIDDEN_ATTRIBUTES = {
    "format",
    "format_map",
    "eval",
    "query",
    "broker",
    "load",
    "loads",
    "save",
    "savez",
    "savez_compressed",
    "savetxt",
    "loadtxt",
    "genfromtxt",
    "fromfile",
    "tofile",
    "memmap",
    "ctypes",
    "ctypeslib",
    "f2py",
    "DataSource",
    "system",
    "popen",
    "environ",
    "getenv",
    "mro",
    "subclasses",
    "gi_frame",
    "f_globals",
    "f_locals",
    "f_back",
    "cr_frame",
    "tb_frame",
}
SAFE_TO_ATTRIBUTES = {
    "to_numpy",
    "to_list",
    "to_dict",
    "to_frame",
    "to_datetime",
    "to_timedelta",
    "to_period",
    "to_timestamp",
    "to_pydatetime",
    "to_series",
}


@dataclass
class Problem:
    line: int
    column: int
    message: str
    stage: str = "ast"  # syntax | ast | import | smoke | lookahead

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return f"{where}: {self.message}"


@dataclass
class StaticReport:
    problems: list[Problem] = field(default_factory=list)
    class_name: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"class_name": self.class_name, "problems": [asdict(p) for p in self.problems]}


def _attribute_problem(attr: str) -> str | None:
    if attr.startswith("_"):
        return f"access to private or dunder attribute {attr!r} is not allowed"
    if attr in FORBIDDEN_ATTRIBUTES or attr.startswith("send_"):
        return f"attribute {attr!r} is not allowed"
    if attr.startswith("read_") or (attr.startswith("to_") and attr not in SAFE_TO_ATTRIBUTES):
        return f"file or serialisation call {attr!r} is not allowed"
    return None


class _Checker(ast.NodeVisitor):
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.strategy_classes: list[str] = []
        self.imported: set[str] = set()

    def problem(self, node: ast.AST, message: str) -> None:
        self.problems.append(
            Problem(getattr(node, "lineno", 0), getattr(node, "col_offset", 0), message)
        )

    # imports ------------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name not in ALLOWED_MODULES:
                self.problem(node, f"import of {alias.name!r} is not allowed")
            self.imported.add((alias.asname or alias.name).split(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if node.level or module not in ALLOWED_MODULES:
            self.problem(node, f"import from {'.' * node.level}{module!r} is not allowed")
        for alias in node.names:
            if alias.name == "*":
                self.problem(node, "star imports are not allowed")
            elif alias.name.startswith("_") and module != "__future__":
                self.problem(node, f"importing private name {alias.name!r} is not allowed")
            elif _attribute_problem(alias.name) or alias.name in FORBIDDEN_NAMES:
                self.problem(node, f"importing {alias.name!r} is not allowed")
            self.imported.add(alias.asname or alias.name)

    # names and attributes -----------------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> None:
        if node.id in FORBIDDEN_NAMES:
            self.problem(node, f"use of {node.id!r} is not allowed")
        elif node.id.startswith("__"):
            self.problem(node, f"dunder name {node.id!r} is not allowed")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        problem = _attribute_problem(node.attr)
        if problem:
            self.problem(node, problem)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        # strings naming dunders only matter to getattr-style tricks, which are refused above;
        # refusing them as well closes doors we have not thought of
        if isinstance(node.value, str) and "__" in node.value:
            self.problem(node, "string constants containing '__' are not allowed")

    # statements ---------------------------------------------------------------------------
    def visit_Global(self, node: ast.Global) -> None:
        self.problem(node, "'global' is not allowed")

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if node.name.startswith("__"):
            self.problem(node, f"defining dunder method {node.name!r} is not allowed")
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        bases = [b.id if isinstance(b, ast.Name) else None for b in node.bases]
        if "Strategy" in bases:
            self.strategy_classes.append(node.name)
        for keyword in node.keywords:
            self.problem(keyword, "class keywords (metaclass=...) are not allowed")
        self.generic_visit(node)


def check_source(source: str, filename: str = "<strategy>") -> StaticReport:
    """Syntax, compile and AST allow-list checks, with line numbers; runs nothing."""
    report = StaticReport()
    try:
        tree = python_ast.parse(source, filename)
        python_ast.compile_tree(tree, filename)
    except SyntaxError as exc:
        message = f"syntax error: {exc.msg}"
        if exc.text:
            message += f" in {exc.text.strip()!r}"
        report.problems.append(Problem(exc.lineno or 0, exc.offset or 0, message, "syntax"))
        return report
    checker = _Checker()
    checker.visit(tree)
    report.problems.extend(checker.problems)
    if "Strategy" not in checker.imported:
        report.problems.append(
            Problem(0, 0, "the file must import Strategy from lumibot.strategies")
        )
    if len(checker.strategy_classes) != 1:
        found = ", ".join(checker.strategy_classes) or "none"
        report.problems.append(
            Problem(0, 0, f"the file must define exactly one Strategy subclass (found {found})")
        )
    else:
        report.class_name = checker.strategy_classes[0]
    report.problems.sort(key=lambda p: (p.line, p.column))
    return report
