"""The `stratforge` command line: the Typer app and its command groups. Thin: each command
parses arguments, calls a service (`api.services`), prints.

Results go to stdout (one JSON document with `--json`); logs, progress bars and hints go to
stderr, so `stratforge ... --json | jq` always works. One module per command group; they share
only `api.cli.console` and never import this module.
"""

from __future__ import annotations

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
from api.cli.data import data_app
from api.cli.demo import demo
from api.cli.mcp import mcp
from api.cli.notify import notify_app
from api.cli.server import serve, venue
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


def main() -> None:
    app()
