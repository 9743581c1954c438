"""What every command shares: the two consoles (results on stdout, everything else on stderr),
one JSON document per `--json` run, the error output and exit code (from `api/errors.py`),
progress bars, and the process's `Services`. Imports nothing of the commands.
"""

from __future__ import annotations

import atexit
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.syntax import Syntax

from api.cli import early
from api.errors import exit_code
from core.changes import ChangeSet
from core.config import get_settings
from core.errors import Forbidden, StratforgeError

if TYPE_CHECKING:  # the services are imported when a command first needs them (`services`),
    # so that `--help` and a mistyped command answer without importing them
    from api.services.container import Services
    from api.services.views import StrategyView

out = Console()  # results
err = Console(stderr=True)  # everything else

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


@lru_cache(maxsize=1)
def services() -> Services:
    """The services of this CLI process, opened on first use (one per process) and closed
    (workers stopped) when the process exits."""
    from api.services.container import Services

    opened = Services.open(get_settings(), started_workers=early.take())
    opened.runner.wait_when_busy(_waiting)  # the CLI waits its turn instead of refusing
    atexit.register(opened.close)
    sign_in(opened)
    return opened


def record_command(command: list[str], changes: ChangeSet, exit_code: int) -> None:
    """The audit entry of a command that changed rows (`changes`), as the API's middleware
    writes one for a request: who (the signed-in user, else the local default user), the
    command's name (`cli strategies delete`; never its arguments, which may hold anything), the
    rows it changed, its exit code, `via: cli`. A command that never opened the services
    leaves no entry."""
    if services.cache_info().currsize == 0:
        return
    opened = services()
    try:
        opened.audit.record(
            " ".join(["cli", *command]), actor_id=opened.user_id,
            object_type=changes.rows[0].table, address="local",
            summary={"via": "cli", "exit_code": exit_code, "changes": changes.as_json()})
    except Exception as exc:  # the command's own work is done; say so rather than hide it
        err.print(f"[yellow]warning[/]: the audit log could not record this command: {exc}")


def _waiting(jobs_ahead: int) -> None:
    err.print(f"[dim]waiting for a free backtest worker ({jobs_ahead} job(s) ahead)…[/]")


def sign_in(opened: Services) -> None:
    """With a stored token, every command acts as its user (a revoked or expired one is
    refused); without one, as the local default user — who can run this CLI on this HOME
    holds the database anyway."""
    try:
        principal = opened.sessions.process_principal()  # the same for `stratforge mcp`
    except StratforgeError as exc:
        fail(exc, "--json" in sys.argv)
    if principal.via == "local":
        return  # no owner set: the local default user's process sees its HOME whole
    reading = viewer_may_run(sys.argv[1:])
    if principal.role == "viewer" and not reading:
        fail(Forbidden("a viewer can read, not change (no orders, deploys or keys)",
                       code="role_forbidden"), "--json" in sys.argv)
    # a reading command also sees the team-mates' results, as the API's GETs do (core.scope)
    opened.act_as(principal.user_id, principal.team if reading else ())


# the reading commands (a command, or a group and its subcommand): what a viewer may run, and
# what sees the results of the user's team-mates
VIEWER_COMMANDS = {
    "status", "positions", "generations", "whoami", "logout", "tearsheet", "export",
    "strategies list", "strategies show", "versions list", "versions diff", "batch list",
    "batch status", "batch results", "data list", "orders", "teams list",
}


def viewer_may_run(argv: list[str]) -> bool:
    if any(a.split("=")[0] in ("--place", "--cancel") for a in argv):
        return False
    words = [a for a in argv if not a.startswith("-")][:2]
    return bool(words) and (words[0] in VIEWER_COMMANDS or " ".join(words) in VIEWER_COMMANDS)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def fail(exc: Exception, as_json: bool) -> NoReturn:
    """Print an error the way every command does, and exit with its code."""
    code = getattr(exc, "code", "error")
    message = getattr(exc, "message", str(exc))
    details = getattr(exc, "details", {})
    if as_json:
        emit_json({"error": {"code": code, "message": message, "details": details}})
    else:
        err.print(f"[bold red]error[/] ({code}): {message}")
        for key in ("understood", "not_understood", "problems"):
            if details.get(key):
                err.print(f"  {key.replace('_', ' ')}: {details[key]}")
        for question in details.get("questions") or []:
            err.print(f"  question: {question}")
        for suggestion in details.get("suggestions") or []:
            err.print(f"  try: {suggestion}")
    raise typer.Exit(exit_code(exc) if isinstance(exc, StratforgeError) else 1)


@contextmanager
def guard(as_json: bool) -> Iterator[None]:
    """Turn our errors into the CLI's error output."""
    try:
        yield
    except StratforgeError as exc:
        fail(exc, as_json)


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def spinner(message: str) -> Any:
    return err.status(message)


def pct(value: Any) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def num(value: Any) -> str:
    return "—" if value is None else f"{value:.2f}"


def print_strategy(
    service: Services, view: StrategyView, as_json: bool, show_code: bool = False
) -> None:
    version = view.version
    assert version is not None, "a strategy always has a version"
    path = str(service.strategies.code_file(version))
    if as_json:
        emit_json(
            {
                "strategy_id": view.id,
                "name": view.name,
                "version": version.number,
                "spec": version.spec,
                "summary": version.summary,
                "code_path": path,
                "validation": {"status": version.validation_status, **(version.validation or {})},
                "ignored": view.ignored,
            }
        )
        return
    status = version.validation_status
    colour = "green" if status == "passed" else "red"
    out.print(
        f"[bold]Strategy {view.id}[/] · {view.name} · v{version.number} · "
        f"validation [{colour}]{status}[/]"
    )
    out.print(version.summary)
    if view.ignored:
        out.print("ignored (no trading meaning): " + "; ".join(f'"{w}"' for w in view.ignored))
    out.print(f"code: {path}")
    for problem in (version.validation or {}).get("problems", []):
        out.print(f"[red]{problem.get('stage')}[/]: {problem.get('message')}")
    if show_code:
        out.print(Syntax(Path(path).read_text(), "python", line_numbers=True))

