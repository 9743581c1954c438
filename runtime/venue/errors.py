"""The venue's errors, each carrying the HTTP status and the Alpaca error code it maps to.

Alpaca answers errors as ``{"code": <8-digit code>, "message": "..."}``; alpaca-py turns any
non-2xx answer into ``APIError`` and reads ``code``/``message`` from that body. The app maps a
:class:`VenueError` to that body in one exception handler.
"""

from __future__ import annotations

__all__ = [
    "Forbidden",
    "InvalidRequest",
    "NotAuthorized",
    "NotFound",
    "Unprocessable",
    "VenueError",
]


class VenueError(Exception):
    status: int = 500
    code: int = 50010000

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message}


class NotAuthorized(VenueError):
    status = 401
    code = 40110000

    def __init__(self, message: str = "request is not authorized") -> None:
        super().__init__(message)


class Forbidden(VenueError):
    """Refused for the account's state: buying power, quantity available."""

    status = 403
    code = 40310000


class NotFound(VenueError):
    status = 404
    code = 40410000


class InvalidRequest(VenueError):
    """A request Alpaca would refuse as malformed (422 with code 40010001, as Alpaca does)."""

    status = 422
    code = 40010001


class Unprocessable(VenueError):
    """Well-formed but not possible now, e.g. cancelling a filled order."""

    status = 422
    code = 42210000
