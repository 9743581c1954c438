"""The market snapshot an agent decides on: typed, built from completed bars only.

`build_snapshot` takes each symbol's daily bars and the decision day and keeps only rows dated
strictly before that day (whatever the caller passed: Lumibot hands a strategy the current
day's bar, close included). From those it computes the closes shown (`lookback` of them), the
5/21/63-day returns, the indicators the agent asked for plus the 200-day average (the offline
baseline's rule), and the current weights valued at the last completed closes — the
portfolio's value is recomputed here rather than read from the broker, whose mark uses the
current day's price. Nothing dated on or after the decision day can reach it.

Anonymised snapshots replace tickers by neutral names (`ASSET_1`, …), rebase every price series
to 100 at the first close shown and leave out every date; the model's answer comes back keyed by
the neutral names and `Snapshot.aliases` maps them back.

`snapshot_json` is the canonical text (sorted keys, fixed float rounding) that is hashed for the
decision cache and sent to the model, so one snapshot is always the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

SNAPSHOT_VERSION = 1
BASELINE_SMA = 200
RETURN_WINDOWS = (5, 21, 63)


class IndicatorRequest(BaseModel):
    """What the agent asked to see (the rendered strategy passes these as plain dicts)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: str
    period: int = Field(ge=2, le=300)


class SymbolView(BaseModel):
    model_config = ConfigDict(extra="forbid")
    symbol: str
    closes: list[float]
    last_close: float
    returns_pct: dict[str, float | None]
    indicators: dict[str, float | None]
    weight: float  # fraction of equity held now, at the last completed close


class Snapshot(BaseModel):
    model_config = ConfigDict(extra="forbid")
    snapshot_version: int = SNAPSHOT_VERSION
    as_of: str | None  # date of the last completed bar (None when anonymised)
    decision_day: str | None
    cash_weight: float
    symbols: list[SymbolView]
    aliases: dict[str, str] = Field(default_factory=dict, exclude=True)  # shown name → ticker


def _round(value: float | None, digits: int = 4) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(round(value, digits))


def completed_only(frame: pd.DataFrame, day: date) -> pd.DataFrame:
    """Rows dated strictly before `day` (in the index's own time zone)."""
    cutoff = pd.Timestamp(day)
    index = pd.DatetimeIndex(frame.index)
    if index.tz is not None:
        cutoff = cutoff.tz_localize(index.tz)
    if index.is_monotonic_increasing:
        return frame.iloc[: index.searchsorted(cutoff, side="left")]
    return frame[index < cutoff]


def _ema_last(values: np.ndarray, span: int | None = None, alpha: float | None = None)\
        -> float:
    """Last value of an exponential average seeded on the first value (pandas' adjust=False)."""
    a = alpha if alpha is not None else 2.0 / ((span or 1) + 1.0)
    out = float(values[0])
    for value in values[1:]:
        out = a * float(value) + (1 - a) * out
    return out


def _ema_series(values: np.ndarray, span: int) -> np.ndarray:
    a = 2.0 / (span + 1.0)
    out = np.empty(len(values))
    acc = float(values[0])
    for i, value in enumerate(values):
        acc = float(value) if i == 0 else a * float(value) + (1 - a) * acc
        out[i] = acc
    return out


def _indicator(close: np.ndarray, kind: str, period: int) -> float | None:
    """The indicator's value on the last completed bar (None while warming up). Plain numpy:
    it runs at every decision, and the same definitions as runtime.strategy_base."""
    n = len(close)
    if kind == "sma":
        return _round(float(close[-period:].mean())) if n >= period else None
    if kind == "ema":
        return _round(_ema_last(close, span=period)) if n >= period else None
    if kind == "rsi":
        if n <= period:
            return None
        change = np.diff(close)
        gain = _ema_last(np.clip(change, 0, None), alpha=1 / period)
        loss = _ema_last(np.clip(-change, 0, None), alpha=1 / period)
        return 100.0 if loss == 0 else _round(100 - 100 / (1 + gain / loss))
    if kind == "roc":
        return _round((float(close[-1]) / float(close[-1 - period]) - 1) * 100) if n > period \
            else None
    if kind == "macd_hist":
        if n < 26 + 9:
            return None
        line = _ema_series(close, 12) - _ema_series(close, 26)
        return _round(float(line[-1]) - _ema_last(line, span=9))
    if kind == "volatility":
        if n <= period:
            return None
        returns = close[-period:] / close[-period - 1:-1] - 1
        return _round(float(returns.std()) * math.sqrt(252) * 100)
    raise ValueError(f"unknown indicator kind {kind!r}")


def indicator_name(kind: str, period: int) -> str:
    return "macd_hist" if kind == "macd_hist" else f"{kind}_{period}"


def build_snapshot(
    frames: Mapping[str, pd.DataFrame],
    day: date,
    *,
    symbols: Sequence[str],
    lookback: int,
    indicators: Sequence[IndicatorRequest | Mapping[str, Any]] = (),
    quantities: Mapping[str, float] | None = None,
    cash: float = 0.0,
    anonymize: bool = False,
) -> Snapshot | None:
    """The snapshot for a decision at the open of `day`; None while a symbol has no
    completed bar yet."""
    requests = [i if isinstance(i, IndicatorRequest) else IndicatorRequest(**i)
                for i in indicators]
    quantities = quantities or {}
    completed: dict[str, pd.DataFrame] = {}
    for symbol in symbols:
        bars = completed_only(frames[symbol], day)
        if bars.empty:
            return None
        completed[symbol] = bars
    last = {s: float(completed[s]["close"].iloc[-1]) for s in symbols}
    equity = cash + sum(quantities.get(s, 0.0) * last[s] for s in symbols)
    views: list[SymbolView] = []
    aliases: dict[str, str] = {}
    for number, symbol in enumerate(symbols, start=1):
        bars = completed[symbol]
        closes = bars["close"].to_numpy(dtype=float)
        shown = closes[-lookback:]
        scale = 100.0 / float(shown[0]) if anonymize and float(shown[0]) > 0 else 1.0
        returns = {
            f"{window}d": _round((float(closes[-1]) / float(closes[-1 - window]) - 1) * 100, 3)
            if len(closes) > window else None
            for window in RETURN_WINDOWS
        }
        values: dict[str, float | None] = {}
        for request in requests:
            value = _indicator(closes, request.kind, request.period)
            if value is not None and request.kind in ("sma", "ema"):
                value = _round(value * scale)
            values[indicator_name(request.kind, request.period)] = value
        baseline = _indicator(closes, "sma", BASELINE_SMA)
        values[f"sma_{BASELINE_SMA}"] = _round(baseline * scale) if baseline is not None else None
        name = f"ASSET_{number}" if anonymize else symbol
        aliases[name] = symbol
        views.append(
            SymbolView(
                symbol=name,
                closes=[round(float(v) * scale, 4) for v in shown],
                last_close=_round(last[symbol] * scale) or 0.0,
                returns_pct=returns,
                indicators=dict(sorted(values.items())),
                weight=_round(quantities.get(symbol, 0.0) * last[symbol] / equity
                              if equity > 0 else 0.0) or 0.0,
            )
        )
    as_of = max(completed[s].index[-1] for s in symbols)
    return Snapshot(
        as_of=None if anonymize else pd.Timestamp(as_of).date().isoformat(),
        decision_day=None if anonymize else day.isoformat(),
        cash_weight=_round(cash / equity if equity > 0 else 1.0) or 0.0,
        symbols=views,
        aliases=aliases,
    )


def snapshot_json(snapshot: Snapshot) -> str:
    """The canonical text of a snapshot: what is hashed and what the model reads."""
    return json.dumps(snapshot.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))


def snapshot_hash(snapshot: Snapshot) -> str:
    return hashlib.sha256(snapshot_json(snapshot).encode()).hexdigest()
