"""Market Data v2 answers of the venue: bars, latest trades, quotes and bars.

This module owns the data side (no account state): :class:`MarketFeed` serves what the
:class:`~runtime.venue.price_path.PriceBook` knows *as of the simulated now*. Bars are complete
bars only (see price_path), ``end`` is capped at now, quotes and trades are the path's price at
now (bid/ask ``spread_bps`` apart around it; Lumibot takes the midpoint as the last price).

Timeframes: ``1Day`` (also ``1D``), and ``<n>Min``/``<n>T``, ``<n>Hour``/``<n>H`` built from the
intraday path; weeks and months are refused. Multi-symbol pages are ordered by symbol, then by
time (Alpaca's order); ``page_token`` is an opaque offset into that order, so the same request
with the same token gives the next page.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, time, timedelta
from itertools import islice
from typing import Any

from runtime.venue.alpaca_json import ts
from runtime.venue.errors import InvalidRequest
from runtime.venue.market_clock import NEW_YORK, ny_date
from runtime.venue.price_path import BarRow, PriceBook

__all__ = ["DEFAULT_BAR_LIMIT", "MAX_BAR_LIMIT", "MarketFeed", "parse_timeframe"]

DEFAULT_BAR_LIMIT = 1000
MAX_BAR_LIMIT = 10_000
_TIMEFRAME_RE = re.compile(r"^(\d+)\s*(min|t|hour|h|day|d)$", re.IGNORECASE)
_QUOTE_SIZE = 100
_EXCHANGE = "V"  # IEX, the feed a free Alpaca account gets


def parse_timeframe(text: str) -> timedelta | None:
    """``None`` for daily bars, else the intraday step; raises InvalidRequest."""
    match = _TIMEFRAME_RE.match(text.strip())
    if not match:
        raise InvalidRequest(f"invalid or unsupported timeframe {text!r}")
    amount, unit = int(match.group(1)), match.group(2).lower()
    if amount < 1:
        raise InvalidRequest("timeframe amount must be >= 1")
    if unit in ("day", "d"):
        if amount != 1:
            raise InvalidRequest("only 1Day daily bars are supported")
        return None
    if unit in ("min", "t"):
        if amount > 59:
            raise InvalidRequest("minute timeframes go up to 59Min")
        return timedelta(minutes=amount)
    if amount > 23:
        raise InvalidRequest("hour timeframes go up to 23Hour")
    return timedelta(hours=amount)


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def _decode_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        if not raw.startswith("o:"):
            raise ValueError(raw)
        offset = int(raw[2:])
    except ValueError as exc:
        raise InvalidRequest("invalid page_token") from exc
    if offset < 0:
        raise InvalidRequest("invalid page_token")
    return offset


class MarketFeed:
    """Historical and latest market data as of ``now()``."""

    def __init__(
        self, book: PriceBook, now: Callable[[], datetime], spread_bps: float = 0.0
    ) -> None:
        self.book = book
        self._now = now
        self.spread_bps = spread_bps

    def _symbols(self, symbols: Iterable[str]) -> list[str]:
        wanted = sorted({s.strip().upper() for s in symbols if s.strip()})
        if not wanted:
            raise InvalidRequest("symbols is required")
        return wanted

    def _rows(
        self,
        symbol: str,
        step: timedelta | None,
        start: datetime,
        end: datetime,
        now: datetime,
        adjustment: str,
        descending: bool,
    ) -> Iterator[BarRow]:
        if step is None:
            rows: Iterable[BarRow] = self.book.daily_bars(symbol, start, end, now, adjustment)
        else:
            rows = self.book.intraday_bars(symbol, step, start, end, now)
        if descending:
            return iter(list(rows)[::-1])
        return iter(rows)

    def bars(
        self,
        symbols: Iterable[str],
        timeframe: str,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = None,
        page_token: str | None = None,
        sort: str | None = None,
        adjustment: str | None = None,
    ) -> tuple[dict[str, list[dict[str, Any]]], str | None]:
        """Bars keyed by symbol and the next page's token (None on the last page)."""
        step = parse_timeframe(timeframe)
        now = self._now()
        wanted = self._symbols(symbols)
        if start is None:
            start = datetime.combine(ny_date(now), time(0, 0), tzinfo=NEW_YORK)
        end = now if end is None else min(end, now)
        page = DEFAULT_BAR_LIMIT if not limit else max(1, min(int(limit), MAX_BAR_LIMIT))
        if sort not in (None, "", "asc", "desc"):
            raise InvalidRequest("sort must be asc or desc")
        adjust = (adjustment or "raw").lower()
        if adjust not in ("raw", "split", "dividend", "all"):
            raise InvalidRequest(f"invalid adjustment {adjustment!r}")
        offset = _decode_token(page_token)

        def stream() -> Iterator[BarRow]:
            for symbol in wanted:
                yield from self._rows(symbol, step, start, end, now, adjust, sort == "desc")

        taken = list(islice(stream(), offset, offset + page + 1))
        next_token = _encode_token(offset + page) if len(taken) > page else None
        out: dict[str, list[dict[str, Any]]] = {}
        for row in taken[:page]:
            out.setdefault(row.symbol, []).append(row.to_alpaca())
        return out, next_token

    def _quote(self, symbol: str, now: datetime) -> dict[str, Any] | None:
        trade = self.book.last_trade(symbol, now)
        if trade is None:
            return None
        half = trade.price * self.spread_bps / 20_000.0
        return {
            "t": ts(trade.time),
            "ax": _EXCHANGE,
            "ap": round(trade.price + half, 4),
            "as": _QUOTE_SIZE,
            "bx": _EXCHANGE,
            "bp": round(trade.price - half, 4),
            "bs": _QUOTE_SIZE,
            "c": ["R"],
            "z": "B",
        }

    def _trade(self, symbol: str, now: datetime) -> dict[str, Any] | None:
        trade = self.book.last_trade(symbol, now)
        if trade is None:
            return None
        return {
            "t": ts(trade.time),
            "x": _EXCHANGE,
            "p": round(trade.price, 4),
            "s": _QUOTE_SIZE,
            "c": ["@"],
            "i": int(trade.time.timestamp() * 1000) % 1_000_000_000,
            "z": "B",
        }

    def _latest_bar(self, symbol: str, now: datetime) -> dict[str, Any] | None:
        rows = list(
            self.book.intraday_bars(
                symbol, timedelta(minutes=1), now - timedelta(days=10), now, now
            )
        )
        return rows[-1].to_alpaca() if rows else None

    def latest(self, kind: str, symbols: Iterable[str]) -> dict[str, dict[str, Any]]:
        """``kind`` is quotes, trades or bars; symbols without data are left out (Alpaca)."""
        now = self._now()
        pick = {"quotes": self._quote, "trades": self._trade, "bars": self._latest_bar}[kind]
        out: dict[str, dict[str, Any]] = {}
        for symbol in self._symbols(symbols):
            item = pick(symbol, now)
            if item is not None:
                out[symbol] = item
        return out
