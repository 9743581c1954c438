"""The `stratforge` command line (`api.cli.app`); `main` is its entry point."""

from __future__ import annotations

import sys


def main() -> None:
    """Launch the pool workers the command will need, then import and run the CLI."""
    from api.cli.early import launch_for

    launch_for(sys.argv[1:])
    from api.cli.app import main as run

    run()
