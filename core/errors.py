"""stratforge's own exceptions: one small hierarchy, mapped to HTTP status codes in `api/`.

Each error carries a stable machine `code` and a human message; `details` holds structured
extras (what was understood, which symbols exist, the traceback of a failed run...).
"""

from __future__ import annotations

from typing import Any


class StratforgeError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class NotFound(StratforgeError):
    code = "not_found"
    status = 404


class Conflict(StratforgeError):
    code = "conflict"
    status = 409


class InvalidInput(StratforgeError):
    code = "invalid_input"
    status = 422


class ValidationFailed(StratforgeError):
    """Generated or edited code failed the validation gate."""

    code = "validation_failed"
    status = 422


class Unauthorized(StratforgeError):
    code = "unauthorized"
    status = 401
