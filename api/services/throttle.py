"""Sign-in and registration throttling, in the database so every API process shares it.

A key is `account:<email>` or `address:<ip>` (and `register:<ip>`). Failures inside
`STRATFORGE_AUTH_WINDOW_S` count up; at the limit the key is locked for
`STRATFORGE_AUTH_LOCKOUT_S`, doubling with each further failure up to
`STRATFORGE_AUTH_LOCKOUT_MAX_S`. A locked key is refused before any password is checked
(429 with `retry_after_s`), so guessing gets slower, never faster.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from api.services.context import AppContext
from core.errors import QuotaExceeded
from core.logging import get_logger
from core.models import AuthThrottle, as_utc, utcnow
from core.scope import owner_scope

log = get_logger(__name__)


class SignInThrottle:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def check(self, *keys: str) -> None:
        """Refuse when any key is locked."""
        now = utcnow()
        with owner_scope(None), self.ctx.session() as db:
            for key in keys:
                row = db.exec(select(AuthThrottle).where(AuthThrottle.key == key)).first()
                locked = as_utc(row.locked_until) if row else None
                if locked is not None and locked > now:
                    wait = max(1, int((locked - now).total_seconds()) + 1)
                    raise QuotaExceeded(
                        f"too many attempts; try again in {wait} s",
                        code="too_many_attempts", retry_after_s=wait,
                    )

    def fail(self, key: str, limit: int) -> None:
        """Count one failure of `key`; lock it once `limit` failures fall in the window."""
        settings = self.ctx.settings
        now = utcnow()
        for _ in range(3):  # a concurrent first failure may insert the row first
            with owner_scope(None), self.ctx.session() as db:
                row = db.exec(select(AuthThrottle).where(AuthThrottle.key == key)).first()
                if row is None:
                    row = AuthThrottle(key=key, failures=0, window_start=now)
                elif now - as_utc(row.window_start) > timedelta(seconds=settings.auth_window_s):
                    row.failures, row.window_start = 0, now
                row.failures += 1
                if row.failures >= limit:
                    seconds = min(settings.auth_lockout_max_s,
                                  settings.auth_lockout_s * 2 ** (row.failures - limit))
                    row.locked_until = now + timedelta(seconds=seconds)
                    log.warning("sign-in locked", extra={"key": key.split(":", 1)[0],
                                                         "seconds": seconds})
                db.add(row)
                try:
                    db.commit()
                    return
                except IntegrityError:
                    db.rollback()

    def clear(self, key: str) -> None:
        with owner_scope(None), self.ctx.session() as db:
            row = db.exec(select(AuthThrottle).where(AuthThrottle.key == key)).first()
            if row is not None:
                db.delete(row)
                db.commit()
