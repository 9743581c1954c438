"""`stratforge export`: one version as a single file that runs with plain Lumibot — the helpers
of `runtime.strategy_base` and the metrics of `runtime.metrics` inlined, and a `__main__` that
backtests on CSV files (the stratforge import format) or trades on Alpaca paper; and the way
back (`strategy_source`): such a file read as stratforge code again, for `stratforge import`.
"""

from __future__ import annotations

import ast
import inspect
import re

import black

from core import python_ast
from core.errors import InvalidInput
from runtime import metrics as metrics_module
from runtime import strategy_base

_IMPORT_RE = re.compile(r"^from runtime\.strategy_base import \((?P<names>[^)]*)\)\n", re.M)

_IMPORT_ONE_RE = re.compile(r"^from runtime\.strategy_base import (?P<names>[^(\n]+)\n", re.M)

# the sections of an exported file, in this order after its docstring
HELPERS_MARK = (
    "\n\n# ---- stratforge helpers (runtime/strategy_base.py), inlined by `stratforge export`"
    " ----\n"
)
STRATEGY_MARK = "\n\n# ---- the strategy ----\n"
METRICS_MARK = "\n\n# ---- metrics (runtime/metrics.py) ----\n"


def standalone_source(source: str, class_name: str) -> str:
    """One file that runs with plain Lumibot: the helpers inlined, a `__main__` that backtests
    on CSV files (the stratforge import format) or trades on Alpaca paper."""
    helpers = inspect.getsource(strategy_base)
    helpers = helpers.split('"""', 2)[2]  # drop the module docstring
    helpers = re.sub(r"^from __future__ import annotations\n", "", helpers, flags=re.M)
    helpers = re.sub(r"^__all__ = \[[^\]]*\]\n", "", helpers, flags=re.M | re.S)
    metric_src = inspect.getsource(metrics_module.equity_metrics)
    finite_src = inspect.getsource(metrics_module._finite)
    body = _IMPORT_RE.sub("", source)
    body = _IMPORT_ONE_RE.sub("", body)
    if "runtime." in body:
        raise InvalidInput(
            "this version imports stratforge modules other than runtime.strategy_base",
            code="not_exportable",
        )
    docstring_end = body.index('"""', 3) + 3 if body.startswith('"""') else 0
    head, rest = body[:docstring_end], body[docstring_end:]
    inlined = HELPERS_MARK + "import numpy as np\n" + helpers + STRATEGY_MARK
    rest = rest.replace("from __future__ import annotations\n", "", 1)
    main = _MAIN.replace("__CLASS__", class_name)
    return (
        head
        + "\n\nfrom __future__ import annotations\n"
        + inlined
        + rest
        + METRICS_MARK
        + "TRADING_DAYS = 252\n\n\n"
        + finite_src
        + "\n\n"
        + metric_src
        + main
    )


def strategy_source(exported: str) -> str | None:
    """The stratforge form of a file `standalone_source` wrote: its docstring and strategy with
    the inlined helpers imported from `runtime.strategy_base` again (the metrics and the
    `__main__` dropped), black-formatted. None when `exported` is not such a file."""
    if not all(mark in exported for mark in (HELPERS_MARK, STRATEGY_MARK, METRICS_MARK)):
        return None
    head, _, after = exported.partition(HELPERS_MARK)
    body = after.partition(STRATEGY_MARK)[2].partition(METRICS_MARK)[0]
    try:
        used = {node.id for node in ast.walk(python_ast.parse(body)) if isinstance(node, ast.Name)}
    except SyntaxError:
        return None  # the validation gate names the problem in the file as it was sent
    helpers = sorted(used & set(strategy_base.__all__))
    lines = body.lstrip("\n").split("\n")
    # after the strategy's own imports, before its class
    at = max((i for i, line in enumerate(lines)
              if line.startswith(("import ", "from ")) and not any(
                  later.startswith("class ") for later in lines[:i])), default=-1) + 1
    if helpers:
        lines[at:at] = ["", "from runtime.strategy_base import (",
                        *(f"    {name}," for name in helpers), ")"]
    source = head + "\n" + "\n".join(lines)
    try:
        return black.format_str(source, mode=black.Mode(line_length=100))
    except black.InvalidInput:
        return source


_MAIN = """

# ---- run it: python THIS_FILE backtest --csv-dir DIR --start D --end D  |  ... live
if __name__ == "__main__":
    import argparse
    import json
    import os
    from pathlib import Path

    parser = argparse.ArgumentParser(description="Standalone export of a stratforge strategy.")
    sub = parser.add_subparsers(dest="mode", required=True)
    bt = sub.add_parser("backtest", help="backtest on daily CSVs: date,open,...,volume")
    bt.add_argument("--csv-dir", type=Path, required=True)
    bt.add_argument("--start", required=True)
    bt.add_argument("--end", required=True)
    bt.add_argument("--cash", type=float, default=100_000.0)
    sub.add_parser("live", help="trade on Alpaca paper (ALPACA_API_KEY / ALPACA_API_SECRET)")
    args = parser.parse_args()

    if args.mode == "backtest":
        os.environ.setdefault("IS_BACKTESTING", "true")
        from lumibot.backtesting import PandasDataBacktesting
        from lumibot.entities import Asset, Data

        data = {}
        for symbol in __CLASS__.parameters["data_symbols"]:
            frame = pd.read_csv(args.csv_dir / f"{symbol}.csv", parse_dates=["date"])
            frame = frame.set_index("date")[["open", "high", "low", "close", "volume"]]
            frame.index = frame.index.tz_localize("America/New_York")
            asset = Asset(symbol, Asset.AssetType.STOCK)
            data[asset] = Data(asset, frame, timestep="day")
        _, strategy = __CLASS__.run_backtest(
            PandasDataBacktesting,
            datetime.fromisoformat(args.start),
            datetime.fromisoformat(args.end),
            pandas_data=data,
            budget=args.cash,
            risk_free_rate=0.0,
            benchmark_asset=None,
            show_plot=False,
            show_tearsheet=False,
            save_tearsheet=False,
            show_indicators=False,
            show_progress_bar=False,
            quiet_logs=True,
        )
        stats = strategy.stats
        if "datetime" in stats.columns:
            stats = stats.set_index("datetime")
        equity = stats["portfolio_value"].astype(float)
        index = pd.DatetimeIndex(pd.to_datetime(equity.index, utc=True))
        equity.index = pd.DatetimeIndex(index.tz_convert("America/New_York").date)
        equity = equity.groupby(level=0).last()
        print(json.dumps(equity_metrics(equity), default=str))
    else:
        from lumibot.brokers import Alpaca
        from lumibot.traders import Trader

        broker = Alpaca({"API_KEY": os.environ["ALPACA_API_KEY"],
                         "API_SECRET": os.environ["ALPACA_API_SECRET"], "PAPER": True})
        trader = Trader()
        trader.add_strategy(__CLASS__(broker=broker))
        trader.run_all()
"""
