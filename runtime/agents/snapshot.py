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

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from runtime.strategy_base import ema, macd_hist, rate_of_change, rsi, sma

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
    return frame[index < cutoff]


def _indicator(bars: pd.DataFrame, kind: str, period: int) -> float | None:
    series: pd.Series
    if kind == "sma":
        series = sma(bars, period)
    elif kind == "ema":
        series = ema(bars, period)
    elif kind == "rsi":
        series = rsi(bars, period)
    elif kind == "roc":
        series = rate_of_change(bars, period)
    elif kind == "macd_hist":
        series = macd_hist(bars, 12, 26, 9)
    elif kind == "volatility":
        returns = bars["close"].pct_change()
        series = returns.rolling(period, min_periods=period).std(ddof=0) * math.sqrt(252) * 100
    else:
        raise ValueError(f"unknown indicator kind {kind!r}")
    if series.empty:
        return None
    return _round(float(series.iloc[-1]))


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
        closes = bars["close"].astype(float)
        shown = closes.tail(lookback)
        scale = 100.0 / float(shown.iloc[0]) if anonymize and float(shown.iloc[0]) > 0 else 1.0
        returns = {
            f"{window}d": _round(
                (float(closes.iloc[-1]) / float(closes.iloc[-1 - window]) - 1) * 100, 3
            ) if len(closes) > window else None
            for window in RETURN_WINDOWS
        }
        values: dict[str, float | None] = {}
        for request in requests:
            value = _indicator(bars, request.kind, request.period)
            if value is not None and request.kind in ("sma", "ema"):
                value = _round(value * scale)
            values[indicator_name(request.kind, request.period)] = value
        baseline = _indicator(bars, "sma", BASELINE_SMA)
        values[f"sma_{BASELINE_SMA}"] = _round(baseline * scale) if baseline is not None else None
        name = f"ASSET_{number}" if anonymize else symbol
        aliases[name] = symbol
        views.append(
            SymbolView(
                symbol=name,
                closes=[_round(v * scale) or 0.0 for v in shown.tolist()],
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
