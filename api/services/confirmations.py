"""Confirmation tokens: a person's yes before a trading action an assistant asked for.

An AI assistant may *ask* to deploy, stop or trip the kill switch; it may not do it on its own.
`issue(user, action, arguments)` returns a random single-use token bound to that user, that
action and exactly those arguments, valid for `STRATFORGE_MCP_CONFIRMATION_TTL_S` seconds; the
assistant shows the request to its human, who passes the token back. `redeem(...)` accepts it
once, only for the same user, action and arguments, before it expires; anything else is refused
(`Forbidden`, code `confirmation_invalid` or `confirmation_expired`). There is no standing
permission ("always allow"): every trading action needs its own token.

Tokens live in this process's memory, as digests only: they belong to the MCP session that asked
for them, and a restart simply makes the person confirm again.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from api.services.context import AppContext
from core.errors import Forbidden

PREFIX = "confirm_"


@dataclass(frozen=True)
class Confirmation:
    token: str
    action: str
    expires_in_s: int


@dataclass(frozen=True)
class _Pending:
    user_id: int
    action: str
    arguments: str  # digest of the canonical JSON of the arguments
    expires_at: float


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def canonical(arguments: dict[str, Any]) -> str:
    """The arguments as one stable text: key order and spacing never change the binding."""
    return json.dumps(arguments, sort_keys=True, separators=(",", ":"), default=str)


class ConfirmationService:
    def __init__(self, ctx: AppContext, clock: Callable[[], float] = time.monotonic) -> None:
        self.ctx = ctx
        self._clock = clock
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()

    def issue(self, user_id: int, action: str, arguments: dict[str, Any]) -> Confirmation:
        ttl = self.ctx.settings.mcp_confirmation_ttl_s
        token = PREFIX + secrets.token_urlsafe(16)
        now = self._clock()
        with self._lock:
            # forget what expired, so unconfirmed requests never pile up
            for key in [k for k, p in self._pending.items() if p.expires_at <= now]:
                del self._pending[key]
            self._pending[_digest(token)] = _Pending(
                user_id, action, _digest(canonical(arguments)), now + ttl)
        return Confirmation(token=token, action=action, expires_in_s=ttl)

    def redeem(self, user_id: int, action: str, arguments: dict[str, Any], token: str) -> None:
        """Use `token` up (whatever the outcome: a token is never tried twice) or refuse."""
        with self._lock:
            pending = self._pending.pop(_digest(token), None)
        if (pending is None or pending.user_id != user_id or pending.action != action
                or pending.arguments != _digest(canonical(arguments))):
            raise Forbidden(
                f"this confirmation token is not valid for this {action}: tokens are single-use "
                "and bound to the user, the action and its exact arguments; call without a "
                "token to get a new one and ask the person to confirm",
                code="confirmation_invalid")
        if pending.expires_at <= self._clock():
            raise Forbidden(f"this confirmation token has expired; call {action} without a "
                            "token to get a new one", code="confirmation_expired")
