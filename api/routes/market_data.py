"""Market-data routes: what the store holds, its bars, and indicators computed on them;
quotes, adjusted history, symbol search and background fetches from the providers."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query

from api.deps import AppDep, UserDep
from api.routes import segments  # noqa: F401  (registers the `symbol` segment)
from api.services.views import Day, FetchJobView, MarketFetchBody, QuoteView, SymbolDetail

router = APIRouter(prefix="/market-data", tags=["market data"])


@router.get("/symbols")
def list_symbols(app: AppDep, _user: UserDep, query: str | None = None) -> list[dict[str, Any]]:
    return app.market.symbols(query)


@router.get("/{symbol}/bars")
def get_bars(
    symbol: str,
    app: AppDep,
    _user: UserDep,
    start: Day | None = None,
    end: Day | None = None,
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
    start: Day | None = None,
    end: Day | None = None,
) -> dict[str, Any]:
    return app.market.indicator(symbol.upper(), kind, period, start, end)


@router.get("/quote/{symbol}", response_model=QuoteView)
def get_quote(symbol: str, app: AppDep, user: UserDep) -> QuoteView:
    """The live quote through Alpaca when the user has keys, else the last stored close."""
    return app.market.quote(user, symbol)


@router.get("/search")
def search_symbols(
    app: AppDep, user: UserDep, query: str = Query(min_length=1, max_length=40)
) -> list[dict[str, Any]]:
    """Stored symbols, then the broker's asset list (with Alpaca keys), matching ``query``."""
    return app.market.search(user, query)


@router.get("/{symbol}/history")
def get_history(
    symbol: str,
    app: AppDep,
    _user: UserDep,
    start: Day | None = None,
    end: Day | None = None,
    adjusted: bool = False,
    limit: int = Query(default=5000, ge=1, le=20000),
) -> dict[str, Any]:
    """Daily bars as traded, or dividend-adjusted with ``adjusted=true``."""
    return app.market.history(symbol, start, end, adjusted, limit)


@router.get("/{symbol:symbol}")
def show_symbol(symbol: str, app: AppDep, _user: UserDep) -> SymbolDetail:
    """Range, source, last update, gaps and corporate actions of a stored symbol."""
    return app.market.show(symbol)


@router.post("/fetch", status_code=202, response_model=FetchJobView)
def start_fetch(body: MarketFetchBody, app: AppDep, user: UserDep) -> FetchJobView:
    """Fetch symbols from the providers (or ``update`` them) in the background."""
    return app.market.start_fetch(user, body)


@router.get("/fetch/{job_id}", response_model=FetchJobView)
def get_fetch(job_id: str, app: AppDep, user: UserDep) -> FetchJobView:
    return app.market.fetch_job(user, job_id)
