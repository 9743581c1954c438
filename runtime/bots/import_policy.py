"""Libraries a bot process refuses to load, and the error it gives instead.

A bot trades through Lumibot's Alpaca broker and data source (`runtime.alpaca_clients`),
which never need pyarrow. pandas and polars import pyarrow whenever it is installed, though,
and it is the largest library a bot would carry: measured with `bench/bots.py` (10 bots on
the local venue), a bot's resident memory is 146 MB with it and 113 MB without, its PSS 45
and 35 MB. So the supervisor names pyarrow in `BLOCKED_IMPORTS_ENV` of the bot launcher's
environment and of every bot's (unless `STRATFORGE_BOT_PYARROW=true`), and both install
`ImportBlocker` before anything imports pandas: pandas and polars then run as they do where
pyarrow is not installed (pandas' Arrow-backed dtypes and parquet, polars' `to_pandas`,
are unavailable), and a strategy that imports pyarrow itself gets an error that says why
and which setting allows it. Backtest workers are not bots: they keep pyarrow (the market
store is parquet).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType

BLOCKED_IMPORTS_ENV = "STRATFORGE_BOT_BLOCKED_IMPORTS"  # comma-separated top-level modules
# what a bot that needs a blocked library sets (core.config.Settings.bot_pyarrow)
ALLOW_SETTING = {"pyarrow": "STRATFORGE_BOT_PYARROW=true"}


class ImportBlocker(MetaPathFinder):
    """Ahead of every other finder: a blocked module (or any of its submodules) is not
    found, with a message naming the reason, as if it were not installed."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = frozenset(names)

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        top = fullname.partition(".")[0]
        if top not in self.names:
            return None
        allow = ALLOW_SETTING.get(top, f"{BLOCKED_IMPORTS_ENV} without {top}")
        raise ModuleNotFoundError(
            f"{top} is not loaded in bot processes (it would cost every bot tens of MB of "
            f"memory); set {allow} and restart the supervisor for strategies that need it",
            name=fullname)


def blocked_names(environ: Mapping[str, str]) -> list[str]:
    return sorted({name.strip() for name in environ.get(BLOCKED_IMPORTS_ENV, "").split(",")
                   if name.strip()})


def block_imports(names: Sequence[str]) -> ImportBlocker | None:
    """Install a blocker for `names` (once per process: a second call adds nothing); raises
    if one of them is imported already, since blocking it then would change nothing."""
    if not names or any(isinstance(f, ImportBlocker) for f in sys.meta_path):
        return None
    loaded = [n for n in names if sys.modules.get(n) is not None]
    if loaded:
        raise RuntimeError(f"cannot block imports already loaded: {', '.join(loaded)}")
    blocker = ImportBlocker(names)
    sys.meta_path.insert(0, blocker)
    return blocker


def block_imports_from_env(environ: Mapping[str, str] = os.environ) -> list[str]:
    """Apply `BLOCKED_IMPORTS_ENV` of this process's environment; returns the names."""
    names = blocked_names(environ)
    block_imports(names)
    return names
