"""Daily bars from Alpaca Market Data v2 through alpaca-py's ``StockHistoricalDataClient``.

This module owns :class:`AlpacaSource`. Decisions:

* Two requests per symbol (alpaca-py follows ``next_page_token`` itself): ``adjustment=split``
  gives the as-traded, split-adjusted bars the store keeps; ``adjustment=all`` gives the
  dividend-adjusted close that becomes ``adj_close``, from which the dividends are derived
  (:func:`~runtime.market_data.actions.dividends_from_adj_close`) — one derivation for every
  source that has no dividend list of its own.
* Keys are a parameter (a user's stored integration, else ``ALPACA_API_KEY`` /
  ``ALPACA_API_SECRET``, chosen by the caller) and never appear in a message: alpaca-py puts
  the server's body in its errors, so every reason goes through :func:`redact`.
* The endpoint is ``url_override`` (``STRATFORGE_ALPACA_DATA_URL``, as for bots); ``feed``
  (``STRATFORGE_ALPACA_DATA_FEED``: iex, sip, delayed_sip) is passed when set.
* alpaca-py retries a 429 itself after a fixed 3 s, ignoring the server; its retries are
  switched off here so that :func:`~.base.with_rate_limit` honours ``Retry-After`` (or
  Alpaca's ``X-RateLimit-Reset``). Every request has a timeout (alpaca-py sets none).
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import requests
from alpaca.common.exceptions import APIError
from alpaca.data.enums import Adjustment, DataFeed
from alpaca.data.historical import StockHistoricalDataClient
from alpaca.data.requests import StockBarsRequest
from alpaca.data.timeframe import TimeFrame

from runtime.market_data.sources.base import (
    RateLimited,
    SourceBars,
    SourceFailure,
    parse_retry_after,
    redact,
    with_rate_limit,
)

__all__ = ["AlpacaSource"]

NEW_YORK = ZoneInfo("America/New_York")
DEFAULT_TIMEOUT_S = 30.0


class _TimeoutSession(requests.Session):
    """A requests session whose every request has a timeout."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__()
        self._timeout_s = timeout_s

    def request(self, method: str, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", self._timeout_s)
        return super().request(method, url, *args, **kwargs)


def _retry_after(error: APIError) -> float | None:
    response = getattr(error, "response", None)
    headers = getattr(response, "headers", None) or {}
    wait = parse_retry_after(headers.get("Retry-After"))
    if wait is None and headers.get("X-RateLimit-Reset"):
        reset = parse_retry_after(headers.get("X-RateLimit-Reset"))
        if reset is not None:
            wait = max(0.0, reset - time.time())
    return wait


class AlpacaSource:
    """Alpaca daily bars. ``data_url`` None means Alpaca's own endpoint."""

    name = "alpaca"

    def __init__(
        self,
        key_id: str | None,
        secret: str | None,
        *,
        data_url: str | None = None,
        feed: str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        sleep: Any = time.sleep,
    ) -> None:
        if not key_id or not secret:
            raise SourceFailure(
                self.name,
                "no Alpaca keys (store them with `stratforge credentials set` or set "
                "ALPACA_API_KEY / ALPACA_API_SECRET)",
            )
        self._secrets = (key_id, secret)
        self._feed = DataFeed(feed.lower()) if feed else None
        self._sleep = sleep
        # raw_data: alpaca-py still does the HTTP, auth and pagination, but hands back Alpaca's
        # JSON bars instead of one pydantic model per bar (a third of the time of a fetch).
        client = StockHistoricalDataClient(
            key_id, secret, raw_data=True, url_override=data_url or None
        )
        client._retry = 0  # 429 comes back to us: with_rate_limit honours the server's wait
        client._session = _TimeoutSession(timeout_s)
        self._client = client

    def __repr__(self) -> str:
        return "AlpacaSource(keys=***)"

    def _bars(self, symbol: str, start: date, end: date, adjustment: Adjustment) -> pd.DataFrame:
        request = StockBarsRequest(
            symbol_or_symbols=symbol,
            timeframe=TimeFrame.Day,
            start=datetime.combine(start, datetime.min.time(), tzinfo=NEW_YORK),
            end=datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=NEW_YORK),
            adjustment=adjustment,
            feed=self._feed,
        )

        def once() -> pd.DataFrame:
            try:
                raw: Any = self._client.get_stock_bars(request)
                return _raw_frame(raw.get(symbol) or [] if isinstance(raw, dict) else [])
            except APIError as exc:
                if exc.status_code == 429:
                    raise RateLimited(self.name, _retry_after(exc)) from None
                text = redact(str(exc), self._secrets)[:300]
                status = exc.status_code
                if status in (401, 403):
                    reason = f"keys refused (HTTP {status}): {text}"
                else:
                    reason = f"HTTP {status}: {text}"
                retryable = status is None or status >= 500
                raise SourceFailure(self.name, reason, retryable=retryable) from None
            except requests.Timeout:
                raise SourceFailure(self.name, "timed out", retryable=True) from None
            except requests.RequestException as exc:
                reason = redact(f"unreachable ({type(exc).__name__})", self._secrets)
                raise SourceFailure(self.name, reason, retryable=True) from None
            except (ValueError, KeyError, TypeError) as exc:
                reason = redact(f"unreadable answer ({type(exc).__name__}: {exc})", self._secrets)
                raise SourceFailure(self.name, reason[:300]) from None

        return with_rate_limit(once, sleep=self._sleep)

    def fetch(self, symbol: str, start: date, end: date) -> SourceBars:
        raw = self._bars(symbol, start, end, Adjustment.SPLIT)
        if raw.empty:
            return SourceBars(symbol, self.name, pd.DataFrame())
        adjusted = self._bars(symbol, start, end, Adjustment.ALL)
        frame = raw
        adj = adjusted["close"] if not adjusted.empty else frame["close"]
        frame["adj_close"] = adj.reindex(frame.index).to_numpy()
        frame = frame.reset_index()
        if frame["adj_close"].isna().any():
            missing = int(frame["adj_close"].isna().sum())
            raise SourceFailure(
                self.name, f"adjusted bars miss {missing} day(s) the split-adjusted bars have"
            )
        return SourceBars(symbol, self.name, frame)


def _raw_frame(bars: list[dict[str, Any]]) -> pd.DataFrame:
    """Alpaca's JSON bars (``t, o, h, l, c, v``) as a ``date``-indexed frame of the bar
    columns; the timestamp's New York date is the session's."""
    if not bars:
        return pd.DataFrame()
    raw = pd.DataFrame.from_records(bars)
    missing = [k for k in ("t", "o", "h", "l", "c", "v") if k not in raw.columns]
    if missing:
        raise ValueError(f"bars without {', '.join(missing)}")
    stamps = pd.DatetimeIndex(pd.to_datetime(raw["t"], utc=True, format="ISO8601"))
    days = stamps.tz_convert(NEW_YORK).tz_localize(None).normalize()
    out = pd.DataFrame(
        {
            "open": raw["o"].to_numpy(dtype="float64"),
            "high": raw["h"].to_numpy(dtype="float64"),
            "low": raw["l"].to_numpy(dtype="float64"),
            "close": raw["c"].to_numpy(dtype="float64"),
            "volume": raw["v"].to_numpy(dtype="float64"),
        },
        index=pd.DatetimeIndex(days, name="date"),
    )
    return out
