"""The quantstats HTML tearsheet of a finished run, made from its `equity.csv` (strategy and
buy-and-hold benchmark equity by day) with local series only: no benchmark download.

It is rendered after the run's numbers are recorded (on first request), so a backtest never
waits for its report.
"""

from __future__ import annotations

import contextlib
import io
import logging
from pathlib import Path

import pandas as pd

from core.logging import get_logger

log = get_logger(__name__)

TEARSHEET_FILE = "tearsheet.html"


def write_tearsheet(run_dir: Path, *, title: str, rf: float, benchmark: str | None) -> str | None:
    """Write `run_dir/tearsheet.html`; returns its file name, or None when quantstats failed
    (a report is a nice-to-have; the run's metrics stand without it)."""
    logging.getLogger("matplotlib").setLevel(logging.ERROR)
    import matplotlib

    matplotlib.use("Agg")
    import quantstats_lumi.reports as reports

    frame = pd.read_csv(run_dir / "equity.csv", index_col="date", parse_dates=["date"])
    returns = frame["equity"].astype(float).pct_change().fillna(0.0)
    returns.index = pd.DatetimeIndex(returns.index)
    bench_returns = None
    if "benchmark" in frame.columns:
        bench_returns = frame["benchmark"].astype(float).pct_change().fillna(0.0)
        bench_returns.index = pd.DatetimeIndex(bench_returns.index)
        bench_returns = bench_returns.rename(benchmark or "benchmark")
    target = run_dir / TEARSHEET_FILE
    printed = io.StringIO()
    try:
        # quantstats prints notes ("HTML report saved to …") on stdout, where a CLI keeps
        # only its results: keep them for the debug log instead
        with contextlib.redirect_stdout(printed):
            reports.html(
                returns,
                benchmark=bench_returns,
                output=str(target),
                title=title,
                rf=rf,
                periods_per_year=252,  # trading days, like runtime.metrics (the library: 365)
                download_filename=str(target),
            )
    except Exception as exc:
        log.warning("tearsheet failed", extra={"run_dir": str(run_dir), "error": str(exc)})
        target.unlink(missing_ok=True)
        return None
    finally:
        if printed.getvalue().strip():
            log.debug("quantstats said", extra={"output": printed.getvalue().strip()})
    return target.name
