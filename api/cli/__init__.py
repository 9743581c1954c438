"""The `stratforge` command line (`api.cli.app`); `main` is its entry point."""

from api.cli.app import main

__all__ = ["main"]
