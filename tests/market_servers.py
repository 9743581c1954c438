"""Local HTTP servers that speak market-data providers' protocols, for the source tests:
Yahoo's chart API (``/v8/finance/chart/SYMBOL`` with dividends and splits events, the crumb
and cookie endpoints yfinance calls first) and a scripted Alpaca Market Data v2 endpoint that
answers with Alpaca's error shapes (401, 429 with Retry-After, 500, paginated bars)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pandas as pd

NY = ZoneInfo("America/New_York")

Reply = tuple[int, dict[str, str], Any]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.server.requests.append((parts.path, query, dict(self.headers)))
        status, headers, body = self.server.answer(parts.path, query, dict(self.headers))
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", headers.pop("Content-Type", "application/json"))
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, answer: Callable[[str, dict[str, str], dict[str, str]], Reply]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answer = answer
        self.requests: list[tuple[str, dict[str, str], dict[str, str]]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def serve(answer: Callable[[str, dict[str, str], dict[str, str]], Reply]) -> Iterator[_Server]:
    server = _Server(answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


# ---- Yahoo chart API --------------------------------------------------------------------------


def _open_epoch(day: pd.Timestamp) -> int:
    """Yahoo stamps a daily bar with the session's 9:30 New York open."""
    return int(datetime.combine(day.date(), time(9, 30), tzinfo=NY).timestamp())


def chart_body(
    symbol: str,
    bars: pd.DataFrame,
    dividends: dict[str, float] | None = None,
    splits: dict[str, tuple[int, int]] | None = None,
) -> dict[str, Any]:
    """A ``/v8/finance/chart`` answer as Yahoo gives it for ``interval=1d``."""
    stamps = [_open_epoch(d) for d in bars.index]
    events: dict[str, Any] = {}
    if dividends:
        events["dividends"] = {
            str(_open_epoch(pd.Timestamp(d))): {"amount": v, "date": _open_epoch(pd.Timestamp(d))}
            for d, v in dividends.items()
        }
    if splits:
        events["splits"] = {
            str(_open_epoch(pd.Timestamp(d))): {
                "date": _open_epoch(pd.Timestamp(d)),
                "numerator": n,
                "denominator": m,
                "splitRatio": f"{n}:{m}",
            }
            for d, (n, m) in splits.items()
        }
    last = bars.iloc[-1] if len(bars) else None
    meta = {
        "currency": "USD",
        "symbol": symbol,
        "exchangeName": "PCX",
        "fullExchangeName": "NYSEArca",
        "instrumentType": "ETF",
        "firstTradeDate": stamps[0] if stamps else None,
        "regularMarketTime": stamps[-1] if stamps else None,
        "hasPrePostMarketData": True,
        "gmtoffset": -18000,
        "timezone": "EST",
        "exchangeTimezoneName": "America/New_York",
        "regularMarketPrice": float(last["close"]) if last is not None else None,
        "chartPreviousClose": float(bars["close"].iloc[0]) if len(bars) else None,
        "priceHint": 2,
        "currentTradingPeriod": {
            "pre": {"timezone": "EST", "start": 0, "end": 0, "gmtoffset": -18000},
            "regular": {"timezone": "EST", "start": 0, "end": 0, "gmtoffset": -18000},
            "post": {"timezone": "EST", "start": 0, "end": 0, "gmtoffset": -18000},
        },
        "dataGranularity": "1d",
        "range": "",
        "validRanges": ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"],
    }
    result: dict[str, Any] = {
        "meta": meta,
        "timestamp": stamps,
        "indicators": {
            "quote": [
                {
                    column: [float(x) for x in bars[column]]
                    for column in ("open", "high", "low", "close", "volume")
                }
            ],
            "adjclose": [{"adjclose": [float(x) for x in bars["adj_close"]]}],
        },
    }
    if events:
        result["events"] = events
    return {"chart": {"result": [result], "error": None}}


def yahoo_answer(
    frames: dict[str, pd.DataFrame],
    dividends: dict[str, dict[str, float]] | None = None,
    splits: dict[str, dict[str, tuple[int, int]]] | None = None,
) -> Callable[[str, dict[str, str], dict[str, str]], Reply]:
    """Answers for yfinance: cookie, crumb, and chart ranges cut from ``frames``."""

    def answer(path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        if path.endswith("/v1/test/getcrumb"):
            return 200, {"Content-Type": "text/plain"}, b"test-crumb"
        if path.startswith("/v8/finance/chart/"):
            symbol = path.rsplit("/", 1)[-1].upper()
            if symbol not in frames:
                error = {
                    "code": "Not Found",
                    "description": "No data found, symbol may be delisted",
                }
                return 404, {}, {"chart": {"result": None, "error": error}}
            bars = frames[symbol]
            if "period1" in query:
                lo = datetime.fromtimestamp(int(query["period1"]), UTC).astimezone(NY).date()
                hi = datetime.fromtimestamp(int(query["period2"]), UTC).astimezone(NY).date()
                bars = bars[(bars.index.date >= lo) & (bars.index.date < hi)]
            else:
                bars = bars.iloc[-1:]
            divs = {
                d: v
                for d, v in ((dividends or {}).get(symbol) or {}).items()
                if pd.Timestamp(d) in bars.index
            }
            spl = {
                d: v
                for d, v in ((splits or {}).get(symbol) or {}).items()
                if pd.Timestamp(d) in bars.index
            }
            return 200, {}, chart_body(symbol, bars, divs, spl)
        return (
            200,
            {"Content-Type": "text/html", "Set-Cookie": "A3=d=test; Path=/"},
            b"<html></html>",
        )

    return answer


# ---- Alpaca Market Data v2 -----------------------------------------------------------------


def alpaca_bar(day: pd.Timestamp, row: pd.Series) -> dict[str, Any]:
    stamp = datetime.combine(day.date(), time(0, 0), tzinfo=NY).astimezone(UTC)
    return {
        "t": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "o": float(row["open"]),
        "h": float(row["high"]),
        "l": float(row["low"]),
        "c": float(row["close"]),
        "v": float(row["volume"]),
        "n": 100,
        "vw": float(row["close"]),
    }
