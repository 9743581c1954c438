"""The verified-credential cache of one process, and the stamp file that empties it.

Checking a credential costs a database round trip per request (the token or the JWT's user,
the account's state, its team-mates) and, for a JWT, an HMAC: about a fifth of an
authenticated `GET /strategies`. `CredentialCache` keeps what `SessionService.authenticate`
found for a credential (keyed by its sha256, never the credential itself) for
`auth_cache_s` seconds (`STRATFORGE_AUTH_CACHE_S`, default 5; 0 turns it off).

How revocation is still honoured:

* The credential's own expiry (a personal token's `expires_at`, a JWT's `exp`) is checked on
  every hit, so an expired credential is refused at once.
* Every committed ORM change to the tables a principal is made of — `users` (role, disabled,
  session epoch, password), `api_tokens` (revocation), `teams`, `team_members` — rewrites the
  stamp file `HOME/auth.stamp` (a session event, so a new code path is covered without being
  listed). Every lookup compares the stamp with the one the cache was filled under and empties
  the cache when it changed. So a revocation made through stratforge — the API in any worker
  process, the CLI, the dashboard — takes effect at the next request that starts after its
  commit, in every process serving this HOME.
* A change made around the ORM (a hand-written SQL UPDATE, or another host sharing the
  PostgreSQL database with a HOME of its own) is seen within `auth_cache_s` at most.

Failures are never cached: a refused credential is checked again on every request.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession

from core.logging import get_logger
from core.models import ApiToken, Team, TeamMember, User

log = get_logger(__name__)

STAMP_FILE = "auth.stamp"
MAX_ENTRIES = 10_000  # a bound on memory, not a policy
# the tables a `Principal` is made of: a committed change to one of them empties every cache
PRINCIPAL_TABLES: tuple[type[Any], ...] = (User, ApiToken, Team, TeamMember)

_FLAG = "stratforge_principal_changed"
# the stamp file of each engine whose sessions must report principal changes
_stamps: WeakKeyDictionary[Engine, Path] = WeakKeyDictionary()


def watch(engine: Engine, stamp: Path) -> None:
    """Rewrite `stamp` whenever a session on `engine` commits a change to a principal's
    tables."""
    _stamps[engine] = stamp


def stamp_of(path: Path) -> tuple[int, int]:
    """What identifies the stamp's current version (inode, mtime); (0, 0) while it is
    missing."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return (0, 0)
    return (found.st_ino, found.st_mtime_ns)


def touch(path: Path) -> None:
    """A new version of the stamp: a new file renamed over the old one (a new inode, so two
    rewrites within the file system's clock tick still differ)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    temporary.write_text(f"{time.time_ns()}\n")
    os.replace(temporary, path)


@event.listens_for(OrmSession, "after_flush")
def _note_principal_change(session: OrmSession, _ctx: Any) -> None:
    if session.info.get(_FLAG):
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, PRINCIPAL_TABLES):
            session.info[_FLAG] = True
            return


@event.listens_for(OrmSession, "after_commit")
def _announce_principal_change(session: OrmSession) -> None:
    if not session.info.pop(_FLAG, False):
        return
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else getattr(bind, "engine", None)
    stamp = _stamps.get(engine) if engine is not None else None
    if stamp is not None:
        try:
            touch(stamp)
        except OSError as exc:  # the change is committed; caches then see it within the TTL
            log.warning("the credential caches could not be told of a change",
                        extra={"stamp": str(stamp), "error": str(exc)})


@event.listens_for(OrmSession, "after_rollback")
def _forget_principal_change(session: OrmSession) -> None:
    session.info.pop(_FLAG, None)


@dataclass(frozen=True)
class _Entry:
    value: Any
    expires_at: float | None  # the credential's own expiry (epoch seconds)
    fresh_until: float  # monotonic


class CredentialCache:
    """What a credential was found to be, per sha256 of the credential, for `ttl_s`."""

    def __init__(self, stamp: Path, ttl_s: float) -> None:
        self.stamp = stamp
        self.ttl_s = ttl_s
        self._entries: dict[str, _Entry] = {}
        self._filled_under = stamp_of(stamp)

    def version(self) -> tuple[int, int]:
        """The stamp now: read it before checking a credential, pass it to `put`."""
        return stamp_of(self.stamp)

    def get(self, key: str) -> Any | None:
        if self.ttl_s <= 0:
            return None
        current = stamp_of(self.stamp)
        if current != self._filled_under:
            self._entries = {}
            self._filled_under = current
            return None
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.fresh_until <= time.monotonic() or (
                entry.expires_at is not None and entry.expires_at <= time.time()):
            self._entries.pop(key, None)
            return None
        return entry.value

    def put(self, key: str, value: Any, expires_at: float | None,
            version: tuple[int, int]) -> None:
        """Keep `value`, found while the stamp was `version`: not kept when the stamp has
        changed since (a revocation may have committed while it was being checked)."""
        if self.ttl_s <= 0 or version != self._filled_under:
            return
        if len(self._entries) >= MAX_ENTRIES:
            self._entries = {}
        self._entries[key] = _Entry(value, expires_at, time.monotonic() + self.ttl_s)

    def clear(self) -> None:
        self._entries = {}
