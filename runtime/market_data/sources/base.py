"""The interface every market-data provider implements, and what all of them share.

This module owns :class:`BarSource` (one method: the daily bars and corporate actions of one
symbol over a date range), :class:`SourceBars` (what a source hands back), the failure a source
raises (:class:`SourceFailure`, with :class:`RateLimited` for a 429 and its retry-after),
:func:`with_rate_limit` (the one retry loop: honours retry-after up to a cap) and
:func:`redact` (no key ever reaches a message). A new provider (Polygon, Tiingo...) is one
module with one class implementing :class:`BarSource`; :mod:`.chain` tries sources in order and
runs :mod:`runtime.market_data.quality` on whatever comes back.

Frames from a source are *raw*: a ``date`` column (naive exchange dates) and the bar columns
``open, high, low, close, adj_close, volume`` as numbers, prices as traded (split-adjusted,
not dividend-adjusted), ``adj_close`` back-adjusted for dividends when the source has it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, TypeVar

import pandas as pd

from core.logging import get_logger
from runtime.market_data.actions import CorporateAction

__all__ = [
    "MAX_RETRY_AFTER_S",
    "BarSource",
    "RateLimited",
    "SourceBars",
    "SourceFailure",
    "redact",
    "with_rate_limit",
]

log = get_logger(__name__)

# A source that asks us to wait longer than this is treated as failed (the next one is tried).
MAX_RETRY_AFTER_S = 60.0
_RATE_LIMIT_RETRIES = 3

T = TypeVar("T")


@dataclass
class SourceBars:
    """Raw bars of one symbol from one source (see the module docstring for the frame)."""

    symbol: str
    source: str
    frame: pd.DataFrame
    actions: list[CorporateAction] | None = None  # None: derive from adj_close
    notes: list[str] = field(default_factory=list)


class SourceFailure(Exception):
    """A source could not give the bars: unreachable, timed out, refused the keys, answered
    garbage. ``reason`` is safe to show (keys redacted)."""

    def __init__(self, source: str, reason: str, *, retryable: bool = False) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
        self.retryable = retryable


class RateLimited(SourceFailure):
    """HTTP 429; ``retry_after`` seconds as the server asked (None: it did not say)."""

    def __init__(self, source: str, retry_after: float | None) -> None:
        wait = f"; retry after {retry_after:g} s" if retry_after is not None else ""
        super().__init__(source, f"rate limited (HTTP 429{wait})", retryable=True)
        self.retry_after = retry_after


class BarSource(Protocol):
    """A provider of daily bars. ``name`` is what the store records as the bars' source."""

    name: str

    def fetch(self, symbol: str, start: date, end: date) -> SourceBars:
        """Daily bars of ``symbol`` dated ``start..end`` inclusive; raises SourceFailure."""
        ...


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds; an HTTP date is not used here)."""
    if value is None:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        return None


def with_rate_limit(
    call: Callable[[], T],
    *,
    sleep: Callable[[float], None] = time.sleep,
    retries: int = _RATE_LIMIT_RETRIES,
    default_wait_s: float = 1.0,
) -> T:
    """``call()``, retried after a :class:`RateLimited` for as long as the server asked
    (``default_wait_s`` when it did not say), at most ``retries`` times; a wait beyond
    :data:`MAX_RETRY_AFTER_S` is not waited for (the failure goes up, the next source is tried)."""
    attempt = 0
    while True:
        try:
            return call()
        except RateLimited as exc:
            wait = exc.retry_after if exc.retry_after is not None else default_wait_s
            if attempt >= retries or wait > MAX_RETRY_AFTER_S:
                raise
            attempt += 1
            log.info(
                "rate limited; waiting as asked",
                extra={"source": exc.source, "wait_s": wait, "attempt": attempt},
            )
            sleep(wait)


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every non-empty secret replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
