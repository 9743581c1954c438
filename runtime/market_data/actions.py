"""Corporate actions per symbol: cash dividends and splits, and how they relate to ``adj_close``.

This module owns :class:`CorporateAction` and the two conversions every source of bars needs:

* :func:`dividends_from_adj_close` — dividends read back from a series that carries both the
  as-traded ``close`` and a dividend-adjusted ``adj_close`` (CSV exports, the sample market,
  Alpaca's ``adjustment=all`` bars beside its split-adjusted ones). Yahoo's (and CRSP's)
  convention: on an ex-date D every earlier adjusted price is multiplied by
  ``1 - dividend / close[D-1]``, so ``ratio = adj_close / close`` steps up on D and
  ``dividend = close[D-1] * (1 - ratio[D-1] / ratio[D])``. A step counts only when it is larger
  than the rounding of the two columns could make it (both are read from text with a fixed
  number of decimals) and than :data:`MIN_DIVIDEND_STEP`, so rounding and float noise yield no
  phantom dividends.
* :func:`dividend_column` — the cash paid per share on each bar's date (0 elsewhere), which is
  what Lumibot's backtests read from a ``dividend`` column and what the paper venue pays.

Prices in the store are as traded (split-adjusted, not dividend-adjusted), so a split shows up
as a restatement of the history, not in ``adj_close / close``; splits reported by a source are
kept as records (``kind="split"``, ``value`` = new shares per old share) for ``data show``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = [
    "MIN_DIVIDEND_STEP",
    "CorporateAction",
    "dividend_column",
    "dividends_from_adj_close",
    "price_quantum",
]

ActionKind = Literal["dividend", "split"]

# Vendors compute adj_close in floating point before rounding it, which leaves steps of up to
# ~1e-5 in adj_close / close without any dividend (measured on the 21 ETFs of ../shared/data:
# the largest step *down*, which no dividend explains, is 9.7e-6). A dividend must move the
# ratio by more than twice that: 0.002 % of the price (2 cents on $1,000).
MIN_DIVIDEND_STEP = 2e-5


@dataclass(frozen=True)
class CorporateAction:
    """One action on its ex-date: ``value`` is cash per share (dividend) or the split ratio."""

    date: date
    kind: ActionKind
    value: float
    source: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "kind": self.kind,
            "value": self.value,
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> CorporateAction:
        kind = str(raw["kind"])
        if kind not in ("dividend", "split"):
            raise ValueError(f"unknown corporate action kind {kind!r}")
        return cls(
            date=date.fromisoformat(str(raw["date"])),
            kind=kind,  # type: ignore[arg-type]
            value=float(raw["value"]),
            source=str(raw.get("source", "")),
        )


def price_quantum(values: np.ndarray) -> float:
    """Half of the smallest decimal step every value is a multiple of (the rounding a column
    went through), at most 1e-8: ``[81.75, 81.9]`` → 0.005."""
    finite = values[np.isfinite(values)]
    for decimals in range(0, 9):
        scaled = finite * 10**decimals
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6 * np.maximum(1.0, np.abs(scaled))):
            return 0.5 * 10.0**-decimals
    return 1e-8


def dividends_from_adj_close(frame: pd.DataFrame, source: str = "") -> list[CorporateAction]:
    """Cash dividends implied by ``adj_close / close`` steps (see the module docstring).

    ``frame`` is canonical (a ``date`` index, ``close`` and ``adj_close`` columns). A frame
    whose ``adj_close`` equals ``close`` yields nothing."""
    if len(frame) < 2:
        return []
    close = frame["close"].to_numpy(dtype="float64")
    adj = frame["adj_close"].to_numpy(dtype="float64")
    if np.array_equal(close, adj):
        return []
    ratio = adj / close
    # The relative error rounding can put on ratio[t-1] / ratio[t]: each of the four values is
    # off by at most its column's quantum. Twice that bound keeps clear of noise; real
    # dividends are orders of magnitude above it (a 0.1 % payout vs ~1e-5 for prices ~100).
    q_close, q_adj = price_quantum(close), price_quantum(adj)
    noise = q_close / close + q_adj / adj
    bound = np.maximum(2.0 * (noise[1:] + noise[:-1]), MIN_DIVIDEND_STEP)
    step = 1.0 - ratio[:-1] / ratio[1:]
    found = np.flatnonzero(step > bound)
    actions: list[CorporateAction] = []
    for i in found:
        amount = float(close[i] * step[i])
        actions.append(
            CorporateAction(
                date=frame.index[i + 1].date(),
                kind="dividend",
                value=round(amount, 6),
                source=source,
            )
        )
    return actions


def dividend_column(index: pd.DatetimeIndex, actions: list[CorporateAction]) -> pd.Series:
    """Cash per share paid on each date of ``index`` (ex-dates), 0.0 on every other date.

    A dividend whose ex-date is not a bar date (a source's calendar quirk) is paid on the next
    bar, as a holder would see it credited."""
    out = np.zeros(len(index), dtype="float64")
    paid = [(a.date, a.value) for a in actions if a.kind == "dividend"]
    if len(index) and paid:
        days = np.array([d for d, _ in paid], dtype="datetime64[ns]")
        values = np.array([v for _, v in paid], dtype="float64")
        keep = days >= index.values[0]
        positions = index.values.searchsorted(days[keep], side="left")
        inside = positions < len(index)
        np.add.at(out, positions[inside], values[keep][inside])
    return pd.Series(out, index=index, name="dividend")
