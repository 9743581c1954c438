"""Daily bars and corporate actions from Yahoo Finance through yfinance (no key needed).

This module owns :class:`YahooSource`. Decisions:

* ``Ticker.history(auto_adjust=False, actions=True)``: ``Close`` is as traded (split-adjusted),
  ``Adj Close`` back-adjusted for dividends, and the ``Dividends`` / ``Stock Splits`` columns
  are Yahoo's own corporate actions, stored as they come (not derived).
* yfinance has no base-URL setting; it does accept a requests session. :class:`YahooSession`
  is a plain ``requests.Session`` (yfinance's documented hook) that, when a base URL is given
  (``STRATFORGE_YAHOO_URL``: a mirror, a caching proxy, or the local server the tests run),
  sends every ``*.yahoo.com`` request there, path and query unchanged. It also keeps the last
  429's ``Retry-After``, which yfinance drops when it raises its rate-limit error.
* yfinance keeps one global session and lru-caches past-range chart answers per process: calls
  are serialised by a lock, the session is set on each call and the cache cleared, so a
  re-fetch really asks again (that is how restatements are seen). Its timezone and cookie
  caches live under ``STRATFORGE_HOME/cache/yfinance``, not ``~/.cache``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pandas as pd
import requests

from runtime.market_data.actions import CorporateAction
from runtime.market_data.sources.base import (
    RateLimited,
    SourceBars,
    SourceFailure,
    parse_retry_after,
    with_rate_limit,
)

__all__ = ["YahooSession", "YahooSource"]

DEFAULT_TIMEOUT_S = 30.0
_LOCK = threading.Lock()
_configured_cache: list[str] = []


class YahooSession(requests.Session):
    """A requests session for yfinance: optional base-URL rewrite, a default timeout, and the
    last 429's Retry-After (seconds) in :attr:`retry_after`."""

    def __init__(self, base_url: str | None = None, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        super().__init__()
        self.base = urlsplit(base_url.rstrip("/")) if base_url else None
        self.timeout_s = timeout_s
        self.retry_after: float | None = None
        self.headers["User-Agent"] = "Mozilla/5.0 (stratforge market data)"

    def _target(self, url: str) -> str:
        if self.base is None:
            return url
        parts = urlsplit(url)
        if not (parts.hostname or "").endswith("yahoo.com"):
            return url
        path = self.base.path + (parts.path or "/")
        return urlunsplit((self.base.scheme, self.base.netloc, path, parts.query, parts.fragment))

    def request(self, method: str, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", self.timeout_s)
        target = self._target(url.decode() if isinstance(url, bytes) else url)
        response = super().request(method, target, *args, **kwargs)
        if response.status_code == 429:
            self.retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return response


class YahooSource:
    """Yahoo Finance daily bars and actions through yfinance."""

    name = "yahoo"

    def __init__(
        self,
        *,
        base_url: str | None = None,
        cache_dir: Path | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._base_url = base_url
        self._cache_dir = cache_dir
        self._timeout_s = timeout_s
        self._sleep = sleep

    def _history(self, symbol: str, start: date, end: date) -> pd.DataFrame:
        import yfinance as yf
        from yfinance.data import YfData
        from yfinance.exceptions import YFRateLimitError

        session = YahooSession(self._base_url, self._timeout_s)
        with _LOCK:
            if self._cache_dir is not None and str(self._cache_dir) not in _configured_cache:
                self._cache_dir.mkdir(parents=True, exist_ok=True)
                yf.set_tz_cache_location(str(self._cache_dir))
                _configured_cache.append(str(self._cache_dir))
            YfData(session=session)
            YfData.cache_get.cache_clear()
            try:
                ticker = yf.Ticker(symbol, session=session)
                return ticker.history(
                    start=start.isoformat(),
                    end=(end + timedelta(days=1)).isoformat(),
                    interval="1d",
                    auto_adjust=False,
                    actions=True,
                    raise_errors=True,
                    timeout=self._timeout_s,
                )
            except YFRateLimitError:
                raise RateLimited(self.name, session.retry_after) from None
            except requests.Timeout:
                raise SourceFailure(self.name, "timed out", retryable=True) from None
            except requests.JSONDecodeError:
                raise SourceFailure(self.name, "answer is not JSON") from None
            except requests.RequestException as exc:
                raise SourceFailure(
                    self.name, f"unreachable ({type(exc).__name__})", retryable=True
                ) from None
            except Exception as exc:  # yfinance raises many kinds, all meaning "no usable data"
                reason = f"{type(exc).__name__}: {exc}".strip()
                raise SourceFailure(self.name, reason[:300]) from None

    def fetch(self, symbol: str, start: date, end: date) -> SourceBars:
        history = with_rate_limit(lambda: self._history(symbol, start, end), sleep=self._sleep)
        if history is None or history.empty:
            return SourceBars(symbol, self.name, pd.DataFrame())
        needed = ["Open", "High", "Low", "Close", "Volume"]
        missing = [c for c in needed if c not in history.columns]
        if missing:
            raise SourceFailure(self.name, f"answer lacks column(s) {', '.join(missing)}")
        stamps = pd.DatetimeIndex(history.index)
        if stamps.tz is not None:
            stamps = stamps.tz_convert("America/New_York").tz_localize(None)
        dates = stamps.normalize()
        frame = pd.DataFrame(
            {
                "date": dates,
                "open": history["Open"].to_numpy(dtype="float64"),
                "high": history["High"].to_numpy(dtype="float64"),
                "low": history["Low"].to_numpy(dtype="float64"),
                "close": history["Close"].to_numpy(dtype="float64"),
                "adj_close": history.get("Adj Close", history["Close"]).to_numpy(dtype="float64"),
                "volume": history["Volume"].to_numpy(dtype="float64"),
            }
        )
        actions: list[CorporateAction] = []
        for column, kind in (("Dividends", "dividend"), ("Stock Splits", "split")):
            if column not in history.columns:
                continue
            values = history[column].to_numpy(dtype="float64")
            for day, value in zip(dates, values, strict=True):
                if value and value > 0:
                    actions.append(
                        CorporateAction(day.date(), kind, round(float(value), 6), self.name)  # type: ignore[arg-type]
                    )
        notes = []
        dropped = frame[["open", "high", "low", "close"]].isna().any(axis=1)
        if dropped.any():
            notes.append(f"{symbol}: dropped {int(dropped.sum())} Yahoo row(s) without prices")
            frame = frame[~dropped]
        return SourceBars(symbol, self.name, frame.reset_index(drop=True), actions, notes)
