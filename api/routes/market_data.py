"""Market-data routes: what the store holds, its bars, and indicators computed on them."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Query

from api.deps import AppDep, UserDep

router = APIRouter(prefix="/market-data", tags=["market data"])


@router.get("/symbols")
def list_symbols(app: AppDep, _user: UserDep, query: str | None = None) -> list[dict[str, Any]]:
    return app.market.symbols(query)


@router.get("/{symbol}/bars")
def get_bars(
    symbol: str,
    app: AppDep,
    _user: UserDep,
    start: date | None = None,
    end: date | None = None,
    limit: int = Query(default=5000, ge=1, le=20000),
) -> dict[str, Any]:
    return app.market.bars(symbol.upper(), start, end, limit)


@router.get("/{symbol}/indicators")
def get_indicator(
    symbol: str,
    app: AppDep,
    _user: UserDep,
    kind: Literal[
        "sma",
        "ema",
        "rsi",
        "macd",
        "macd_signal",
        "macd_hist",
        "bb_upper",
        "bb_middle",
        "bb_lower",
        "roc",
        "highest_high",
        "lowest_low",
    ] = "sma",
    period: int | None = Query(default=None, ge=1, le=400),
    start: date | None = None,
    end: date | None = None,
) -> dict[str, Any]:
    return app.market.indicator(symbol.upper(), kind, period, start, end)
