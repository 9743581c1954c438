"""stratforge's own exceptions: one hierarchy, meaning only.

Each error carries a stable machine `code` and a human message; `details` holds structured
extras (what was understood, which symbols exist, the traceback of a failed run...). What an
error *means* lives here; how each face shows it (HTTP status, CLI exit code) is one table in
`api/errors.py`, so nothing below knows about HTTP.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

NAME_LIMIT = 5


class StratforgeError(Exception):
    code = "error"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        """What every face shows of an error: a stable code, a message, structured details."""
        return {"code": self.code, "message": self.message, "details": self.details}


class NotFound(StratforgeError):
    code = "not_found"


class Conflict(StratforgeError):
    code = "conflict"


class InvalidInput(StratforgeError):
    code = "invalid_input"


class ValidationFailed(StratforgeError):
    """Generated or edited code failed the validation gate."""

    code = "validation_failed"


class Unauthorized(StratforgeError):
    code = "unauthorized"


class Forbidden(StratforgeError):
    """The request is understood but not allowed: from where it came (another site), or for
    the caller's role (a viewer placing an order)."""

    code = "forbidden"


class QuotaExceeded(StratforgeError):
    """A per-user budget or rate is used up; retrying later may work."""

    code = "quota_exceeded"


class BudgetExceeded(QuotaExceeded):
    """The user's daily LLM token or cost budget is spent."""

    code = "budget_exceeded"


class UpstreamFailed(StratforgeError):
    """A service we call (an LLM, a broker) answered badly or not at all."""

    code = "upstream_failed"


class BrokerUnavailable(UpstreamFailed):
    """The broker (Alpaca or the local venue) could not be reached or refused to answer."""

    code = "broker_unavailable"


class ServerBusy(StratforgeError):
    """This server has taken on all the work it will queue; `retry_after_s` says when to try
    again. Nothing of the request was done."""

    code = "busy"

    @property
    def retry_after_s(self) -> int:
        return int(self.details.get("retry_after_s", 1))


class InternalError(StratforgeError):
    """Something on this server is broken (unreadable key file, corrupt store...)."""

    code = "internal_error"


# -- market data ---------------------------------------------------------------------------------
def name_list(items: Sequence[object], limit: int = NAME_LIMIT) -> str:
    """`a, b, c and 12 more`: a bounded list of names for a message."""
    shown = ", ".join(str(i) for i in items[:limit])
    if len(items) > limit:
        shown += f" and {len(items) - limit} more"
    return shown


class MarketDataError(StratforgeError):
    """A market-data problem; ``code`` is a stable machine-readable reason for the API."""

    code = "market_data"


class UnknownSymbolError(MarketDataError):
    """One or more symbols are not in the store. ``symbols`` holds every missing one."""

    code = "unknown_symbol"

    def __init__(self, symbol: str | Sequence[str], available: list[str]) -> None:
        missing = [symbol] if isinstance(symbol, str) else list(symbol)
        self.symbols: list[str] = missing
        self.symbol: str = missing[0] if missing else ""
        self.available: list[str] = list(available)
        what = ", ".join(missing)
        if not self.available:
            message = (
                f"No data for {what}. The market-data store is empty: import CSV files "
                "or load the sample market first."
            )
        else:
            message = f"No data for {what}. Available: {name_list(self.available, limit=60)}."
            hints = []
            for sym in missing:
                close = difflib.get_close_matches(sym, self.available, n=1, cutoff=0.6)
                if close:
                    hints.append(f"{sym} -> {close[0]}?")
            if hints:
                message += " Did you mean: " + ", ".join(hints)
        super().__init__(message, available=self.available)


class DateRangeError(MarketDataError):
    """The requested range is not (fully enough) covered by a symbol's data."""

    code = "out_of_range"

    def __init__(
        self,
        symbol: str,
        start: date | None,
        end: date | None,
        have_start: date,
        have_end: date,
        detail: str | None = None,
    ) -> None:
        self.symbol = symbol
        self.start = start
        self.end = end
        self.have_start = have_start
        self.have_end = have_end
        asked = f"{start or 'first bar'}..{end or 'last bar'}"
        message = f"{symbol}: requested {asked}; we have data for {have_start}..{have_end}."
        if detail:
            message += " " + detail
        super().__init__(message)


class DataQualityError(MarketDataError):
    """A file (or set of files) could not be imported; ``problems`` lists every reason."""

    code = "bad_csv"

    def __init__(self, path_or_symbol: str | Path, problems: list[str]) -> None:
        self.source = str(path_or_symbol)
        self.problems = list(problems)
        if len(self.problems) == 1:
            message = f"{self.source}: {self.problems[0]}"
        else:
            lines = "\n".join(f"  - {p}" for p in self.problems)
            message = f"{self.source}: {len(self.problems)} problems:\n{lines}"
        super().__init__(message)


class DataSourceFailed(UpstreamFailed):
    """Every market-data source asked (Alpaca, Yahoo...) failed; ``attempts`` holds each
    source's reason, in the order they were tried."""

    code = "data_source_failed"


class RequestTooLarge(InvalidInput):
    """A request body past the server's size limit, refused before it is read or parsed."""

    code = "request_too_large"
