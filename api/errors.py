"""How an error shows on each face: the one table from error class to HTTP status and CLI
exit code.

`core.errors` says what went wrong; this module says how the API, the CLI and MCP report it. The
most specific entry wins: an error's `code` first (`CODE_OVERRIDES`), then its class, walking up
its bases (`TABLE`). Exit codes: 1 the request was refused (bad input, not found, conflict,
failed validation), 3 a service we depend on failed or a quota is used up (try again later),
4 something on this server is broken; Typer's own usage errors exit 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.errors import (
    BrokerUnavailable,
    Conflict,
    DataQualityError,
    DateRangeError,
    Forbidden,
    InternalError,
    InvalidInput,
    MarketDataError,
    NotFound,
    QuotaExceeded,
    RequestTooLarge,
    ServerBusy,
    StratforgeError,
    Unauthorized,
    UnknownSymbolError,
    UpstreamFailed,
    ValidationFailed,
)

REFUSED, UNAVAILABLE, BROKEN = 1, 3, 4


@dataclass(frozen=True)
class Face:
    http: int
    exit: int


TABLE: dict[type[StratforgeError], Face] = {
    StratforgeError: Face(400, REFUSED),
    InvalidInput: Face(422, REFUSED),
    ValidationFailed: Face(422, REFUSED),
    NotFound: Face(404, REFUSED),
    Conflict: Face(409, REFUSED),
    Unauthorized: Face(401, REFUSED),
    QuotaExceeded: Face(429, UNAVAILABLE),
    UpstreamFailed: Face(502, UNAVAILABLE),
    BrokerUnavailable: Face(503, UNAVAILABLE),
    InternalError: Face(500, BROKEN),
    MarketDataError: Face(422, REFUSED),
    UnknownSymbolError: Face(404, REFUSED),
    DateRangeError: Face(422, REFUSED),
    DataQualityError: Face(422, REFUSED),
    ServerBusy: Face(429, UNAVAILABLE),
    Forbidden: Face(403, REFUSED),
    RequestTooLarge: Face(413, REFUSED),
}

# codes whose meaning differs from their class's usual face
CODE_OVERRIDES: dict[str, Face] = {
    "llm_invalid_answer": Face(422, REFUSED),  # the model answered, but never a valid spec
}

INTERNAL = Face(500, BROKEN)


def face_of(exc: BaseException) -> Face:
    if not isinstance(exc, StratforgeError):
        return INTERNAL
    if exc.code in CODE_OVERRIDES:
        return CODE_OVERRIDES[exc.code]
    for cls in type(exc).__mro__:
        if cls in TABLE:
            return TABLE[cls]
    return TABLE[StratforgeError]


def http_status(exc: BaseException) -> int:
    return face_of(exc).http


def exit_code(exc: BaseException) -> int:
    return face_of(exc).exit


def error_body(exc: StratforgeError) -> dict[str, Any]:
    """The JSON every face uses for an error (`StratforgeError.as_dict`)."""
    return exc.as_dict()


def tool_error(exc: StratforgeError) -> dict[str, Any]:
    """An MCP tool error: the error body plus the HTTP status the API answers it with."""
    return {**error_body(exc), "status": http_status(exc)}
