"""The `stratforge` command line: the Typer app and its command groups. Thin: each command
parses arguments, calls a service (`api.services`), prints.

Results go to stdout (one JSON document with `--json`); logs, progress bars and hints go to
stderr, so `stratforge ... --json | jq` always works. One module per command group; they share
only `api.cli.console` and never import this module.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from api.cli import (
    accounts,
    agents,
    backtests,
    batches,
    builder,
    deploy,
    generations,
    strategies,
    teams,
    versions,
)
from api.cli.console import record_command
from api.cli.data import data_app
from api.cli.demo import demo
from api.cli.mcp import mcp
from api.cli.notify import notify_app
from api.cli.server import serve, venue
from core.changes import collect_changes
from core.logging import configure_logging

app = typer.Typer(
    help="stratforge: plain-English strategies → Lumibot code → backtests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _setup(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    configure_logging("INFO" if verbose else "WARNING")


app.add_typer(data_app, name="data")
strategies.register(app)
backtests.register(app)
app.command()(demo)
app.command()(serve)
app.command()(venue)
app.command()(mcp)
versions.register(app)
generations.register(app)
batches.register(app)
deploy.register(app)
agents.register(app)
app.add_typer(notify_app, name="notify")
builder.register(app)
accounts.register(app)
teams.register(app)


# commands that run until stopped: what their requests, tools and jobs change is audited there
RUN_UNTIL_STOPPED = frozenset({"serve", "venue", "mcp", "supervisor"})


def command_path(argv: list[str]) -> list[str]:
    """The command's names in `argv` (`["strategies", "delete"]`), without its arguments."""
    commands = getattr(typer.main.get_command(app), "commands", {})  # a click Group's
    path: list[str] = []
    for word in argv:
        if word.startswith("-"):
            continue
        child = commands.get(word)
        if child is None:
            break
        path.append(word)
        commands = getattr(child, "commands", {})
    return path


def main() -> None:
    """Run one command; a command that changed rows leaves an audit entry (`record_command`).
    The command's name is looked up in the command tree only then: building the tree costs
    ~75 ms, which a reading command should not pay twice."""
    first = next((word for word in sys.argv[1:] if not word.startswith("-")), None)
    if first is None or first in RUN_UNTIL_STOPPED:
        app()
        return
    with collect_changes() as changes:
        try:
            app()
        except SystemExit as stop:
            if changes.rows:
                code = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
                record_command(command_path(sys.argv[1:]), changes, code)
            raise
