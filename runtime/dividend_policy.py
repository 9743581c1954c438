"""How a backtest treats dividends: ``cash``, ``reinvest`` or ``off``.

This module owns the rule every backtest and its benchmark share. Prices are as traded (a
broker fills at them); dividends come from the store's corporate actions:

* ``cash`` — on the ex-date, cash per share times the shares held when the day began (bought
  the day before or earlier). Lumibot does the crediting itself when its daily data has a
  ``dividend`` column (``Strategy._update_cash_with_dividends``: ex-date, holdings at the start
  of the day), so the worker only adds that column.
* ``reinvest`` — the same cash, then a market order for ``cash / last completed close`` shares
  (fractional) of the same symbol, placed after the strategy's own orders on the ex-date and
  filled at that day's open like every order: decided on bars before today, as the look-ahead
  rule demands. Nothing is bought back when the strategy is selling the symbol that day.
* ``off`` — as before dividends were stored: price return only.

``None`` (the default of a request) means ``cash`` when any symbol of the run has dividends in
the store, else ``off``. The benchmark (buy and hold at the first day's open) is valued under
the same mode by :func:`benchmark_equity`.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

__all__ = ["DividendMode", "benchmark_equity", "resolve_mode"]

DividendMode = Literal["cash", "reinvest", "off"]


def resolve_mode(asked: DividendMode | None, dividends: dict[str, pd.Series]) -> DividendMode:
    """The mode a run uses: what was asked, else cash when there is anything to pay."""
    if asked is not None:
        return asked
    return "cash" if any(bool((col > 0).any()) for col in dividends.values()) else "off"


def benchmark_equity(
    bars: pd.DataFrame, dividends: pd.Series | None, cash: float, mode: DividendMode
) -> pd.Series:
    """Buy and hold with all of ``cash`` at the first bar's open, valued at each close, with
    dividends treated as in a backtest under ``mode`` (``bars`` already cut to the run)."""
    shares = cash / float(bars["open"].iloc[0])
    if mode == "off" or dividends is None:
        return bars["close"].astype(float) * shares
    paid = dividends.reindex(bars.index).fillna(0.0).to_numpy(dtype="float64")
    opens = bars["open"].to_numpy(dtype="float64")
    closes = bars["close"].to_numpy(dtype="float64")
    held, spare = shares, 0.0
    values = []
    for i in range(len(bars)):
        if i > 0 and paid[i] > 0:  # the shares bought at the first open earn from day 2 on
            amount = held * paid[i]
            spare += amount
            if mode == "reinvest":
                bought = amount / closes[i - 1]
                held += bought
                spare -= bought * opens[i]
        values.append(held * closes[i] + spare)
    return pd.Series(values, index=bars.index, dtype="float64")
