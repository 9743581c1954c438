"""Who a request is: sign-in, access JWTs, rotating refresh tokens, personal API tokens.

* `login` checks the password (throttled per account and per address) and starts a session:
  a short-lived access JWT (HS256, `sub`, `role`, `ep` = the user's session epoch) and a refresh
  token of a new family. Secrets are stored only as sha256.
* `refresh` works once per token: it marks the token used and hands out the next one of the
  family. A used or revoked token presented again is a theft signal: the whole family is
  revoked and a `security.refresh_reuse` event is logged and audited.
* Personal API tokens (`sf_…`) are named, expirable, revocable, shown once.
* `authenticate(credential)` turns whatever a request carries — access JWT, personal token, the
  shared `STRATFORGE_API_KEY` (= the local default user, admin), or nothing (the default user,
  only in single-user mode) — into a `Principal`, or refuses with 401. A verified token or
  JWT is remembered for a few seconds (`api.services.credential_cache`: a revocation made
  through stratforge, in any process, still applies at the next request).
* `process_principal()` is who a local process (the CLI, `stratforge mcp` over stdio) acts as:
  the user of its stored token (`stored_token`), else the local default user.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
from sqlalchemy import bindparam, update
from sqlmodel import col, select

from api.services.accounts import Accounts
from api.services.audit import AuditLog
from api.services.context import AppContext
from api.services.credential_cache import STAMP_FILE, CredentialCache, watch
from api.services.teams import TEAM_MATE_IDS, team_from_ids
from api.services.throttle import SignInThrottle
from api.services.views import (
    RegisterIn,
    TokenCreated,
    TokenPair,
    TokenView,
)
from core.credentials import key_from_file
from core.errors import Forbidden, NotFound, Unauthorized
from core.logging import get_logger
from core.models import ApiToken, RefreshToken, User, as_utc, utcnow
from core.scope import owner_scope

log = get_logger(__name__)

JWT_KEY_FILE = "jwt.key"
TOKEN_PREFIX = "sf_"
ALGORITHM = "HS256"
TOUCH_EVERY = timedelta(minutes=1)  # how stale a personal token's last_used_at may get


# who a credential names, each in one query (built once): the account's state and its
# team-mates, and for a personal token the token's own state
_ACCOUNT = (col(User.id), col(User.role), col(User.disabled), col(User.session_epoch),
            TEAM_MATE_IDS)
_USER_BY_ID = select(*_ACCOUNT).where(  # type: ignore[call-overload]  # sqlmodel: up to 4 columns
    col(User.id) == bindparam("user"))
_TOKEN_BY_HASH = (
    select(col(ApiToken.id), col(ApiToken.revoked_at),  # type: ignore[call-overload]
           col(ApiToken.expires_at), col(ApiToken.last_used_at), *_ACCOUNT)
    .join(User, col(User.id) == col(ApiToken.owner_id))
    .where(col(ApiToken.token_hash) == bindparam("digest"))
)


@dataclass(frozen=True)
class Principal:
    user_id: int
    role: str
    via: str  # jwt | token | api_key | local
    team: frozenset[int] = frozenset()  # who shares a team with the user (api.services.teams)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


class SessionService:
    def __init__(self, ctx: AppContext, accounts: Accounts, audit: AuditLog) -> None:
        self.ctx = ctx
        self.accounts = accounts
        self.audit = audit
        self.throttle = SignInThrottle(ctx)
        settings = ctx.settings
        if settings.jwt_secret is not None:
            self._key = settings.jwt_secret.get_secret_value().encode()
        else:
            self._key = key_from_file(Path(settings.home) / JWT_KEY_FILE,
                                      lambda: secrets.token_urlsafe(48).encode())
        stamp = Path(settings.home) / STAMP_FILE
        watch(ctx.engine, stamp)  # this process's changes to accounts and tokens empty caches
        self._verified = CredentialCache(stamp, settings.auth_cache_s)

    # -- sign-in ------------------------------------------------------------------------------
    def register(self, body: RegisterIn, address: str | None) -> TokenPair:
        settings = self.ctx.settings
        if not settings.open_registration:
            raise Forbidden("registration is closed on this server (an admin creates accounts)",
                            code="registration_closed")
        key = f"register:{address or '?'}"
        self.throttle.check(key)
        self.throttle.fail(key, settings.registrations_per_address)  # every attempt counts
        user = self.accounts.create_user(body.name, role="trader", email=body.email,
                                         password=body.password)
        self.audit.record("auth.register", actor_id=user.id, object_type="user",
                          object_id=user.id, address=address)
        return self._start_session(user.id, user.role, address)

    def login(self, email: str, password: str, address: str | None) -> TokenPair:
        settings = self.ctx.settings
        account_key, address_key = f"account:{email.strip().lower()}", f"address:{address or '?'}"
        self.throttle.check(account_key, address_key)
        try:
            user = self.accounts.verify_password(email, password)
        except Unauthorized:
            self.throttle.fail(account_key, settings.auth_max_failures)
            self.throttle.fail(address_key, settings.auth_max_failures_per_address)
            self.audit.record("auth.login_failed", actor_id=None,
                              summary={"email_sha256": digest(email.strip().lower())[:16]},
                              address=address)
            raise
        self.throttle.clear(account_key)
        self.audit.record("auth.login", actor_id=user.id, object_type="user",
                          object_id=user.id, address=address)
        return self._start_session(user.id or 0, user.role, address)

    def _start_session(self, user_id: int, role: str, address: str | None) -> TokenPair:
        return self._issue(user_id, role, family=secrets.token_hex(16), address=address)

    def _issue(self, user_id: int, role: str, *, family: str, address: str | None) -> TokenPair:
        settings = self.ctx.settings
        user = self.accounts.get_user(user_id)
        now = utcnow()
        access = jwt.encode(
            {"sub": str(user_id), "role": role, "ep": user.session_epoch, "typ": "access",
             "iat": now, "exp": now + timedelta(seconds=settings.access_token_ttl_s),
             "jti": secrets.token_hex(8)},
            self._key, algorithm=ALGORITHM,
        )
        refresh = secrets.token_urlsafe(32)
        with owner_scope(None), self.ctx.session() as db:
            db.add(RefreshToken(
                user_id=user_id, family=family, token_hash=digest(refresh),
                expires_at=now + timedelta(seconds=settings.refresh_token_ttl_s),
                created_from=address,
            ))
            db.commit()
        return TokenPair(access_token=access, refresh_token=refresh,
                         expires_in=settings.access_token_ttl_s)

    def refresh(self, token: str, address: str | None) -> TokenPair:
        now = utcnow()
        with owner_scope(None), self.ctx.session() as db:
            row = db.exec(
                select(RefreshToken).where(RefreshToken.token_hash == digest(token))
            ).first()
            if row is None:
                raise Unauthorized("unknown refresh token", code="bad_refresh_token")
            # the conditional update is the claim: of two concurrent refreshes one wins
            claimed = db.exec(
                update(RefreshToken)
                .where(col(RefreshToken.id) == row.id, col(RefreshToken.used_at).is_(None),
                       col(RefreshToken.revoked_at).is_(None))
                .values(used_at=now)
            ).rowcount
            db.commit()
            user_id, family, expires = row.user_id, row.family, as_utc(row.expires_at)
        if claimed != 1:
            self.revoke_family(family)
            log.warning("security.refresh_reuse: a used refresh token was presented again; "
                        "its session is revoked", extra={"user": user_id, "address": address})
            self.audit.record("security.refresh_reuse", actor_id=user_id,
                              object_type="session", object_id=family[:12], address=address)
            raise Unauthorized("this refresh token was already used; the session is revoked",
                               code="refresh_token_reused")
        if expires <= now:
            raise Unauthorized("the refresh token has expired; sign in again",
                               code="refresh_token_expired")
        user = self.accounts.get_user(user_id)
        if user.disabled:
            raise Unauthorized("the account is disabled", code="account_disabled")
        return self._issue(user_id, user.role, family=family, address=address)

    def revoke_family(self, family: str) -> None:
        with owner_scope(None), self.ctx.session() as db:
            db.exec(
                update(RefreshToken).where(col(RefreshToken.family) == family,
                                           col(RefreshToken.revoked_at).is_(None))
                .values(revoked_at=utcnow())
            )
            db.commit()

    def logout(self, user_id: int, refresh_token: str | None, everywhere: bool) -> None:
        """Ends the session of `refresh_token` (when it is this user's), or every session."""
        if refresh_token is not None:
            with owner_scope(None), self.ctx.session() as db:
                row = db.exec(select(RefreshToken).where(
                    RefreshToken.token_hash == digest(refresh_token))).first()
            if row is not None and row.user_id == user_id:
                self.revoke_family(row.family)
        if everywhere:
            self.end_all_sessions(user_id)

    def end_all_sessions(self, user_id: int) -> None:
        with owner_scope(None), self.ctx.session() as db:
            user = db.get(User, user_id)
            if user is not None:
                user.session_epoch += 1
                db.add(user)
            db.exec(
                update(RefreshToken).where(col(RefreshToken.user_id) == user_id,
                                           col(RefreshToken.revoked_at).is_(None))
                .values(revoked_at=utcnow())
            )
            db.commit()

    # -- personal API tokens -------------------------------------------------------------------
    def create_token(self, user_id: int, name: str, expires_in_days: int | None) -> TokenCreated:
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        expires = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
        with owner_scope(user_id), self.ctx.session() as db:
            row = ApiToken(owner_id=user_id, name=name, prefix=token[:10],
                           token_hash=digest(token), expires_at=expires)
            db.add(row)
            db.commit()
            db.refresh(row)
            return TokenCreated(token=token, **_token_view(row).model_dump())

    def list_tokens(self, user_id: int) -> list[TokenView]:
        with owner_scope(user_id), self.ctx.session() as db:
            rows = db.exec(select(ApiToken).where(ApiToken.owner_id == user_id)
                           .order_by(col(ApiToken.id))).all()
            return [_token_view(r) for r in rows]

    def revoke_token(self, user_id: int, token_id: int) -> TokenView:
        with owner_scope(user_id), self.ctx.session() as db:
            row = db.get(ApiToken, token_id)
            if row is None or row.owner_id != user_id:
                raise NotFound(f"no token {token_id}", code="token_not_found")
            if row.revoked_at is None:
                row.revoked_at = utcnow()
                db.add(row)
                db.commit()
            return _token_view(row)

    # -- who is asking -------------------------------------------------------------------------
    def auth_required(self) -> bool:
        settings = self.ctx.settings
        if settings.auth_required is not None:
            return settings.auth_required
        return settings.api_key is not None or self.accounts.has_accounts()

    def authenticate(self, credential: str | None) -> Principal:
        settings = self.ctx.settings
        if not credential:
            if self.auth_required():
                raise Unauthorized("sign in first: send Authorization: Bearer <token>",
                                   code="unauthorized")
            return Principal(self.ctx.default_user_id, "admin", "local")
        if _names_a_user(credential):
            return self._verified_credential(credential)
        if settings.api_key is not None and _same(credential, settings.api_key.get_secret_value()):
            return Principal(self.ctx.default_user_id, "admin", "api_key")
        raise Unauthorized("missing or wrong credentials", code="unauthorized")

    def process_principal(self) -> Principal:
        """Who a local process acts as: with a stored token (STRATFORGE_TOKEN or the CLI config
        file) its user — a revoked or expired one is refused —, else the local default user
        (who can run a process on this HOME holds the database anyway)."""
        token = stored_token(self.ctx.settings)
        if token is None:
            return Principal(self.ctx.default_user_id, "admin", "local")
        return self.authenticate(token)

    def remembered(self, credential: str | None) -> Principal | None:
        """Who a personal token or access JWT is, when this process verified it moments ago
        (`api.services.credential_cache`, the same entry `authenticate` uses); None when it
        must be checked (`authenticate`). No database: a stat of the stamp file and a lookup,
        cheap enough for the event loop."""
        if not credential or not _names_a_user(credential):
            return None
        return self._cached(digest(credential))

    def _cached(self, key: str) -> Principal | None:
        cached = self._verified.get(key)
        return cached if isinstance(cached, Principal) else None

    def _verified_credential(self, credential: str) -> Principal:
        """A personal token or an access JWT, from this process's cache of verified
        credentials when it is there (`api.services.credential_cache`: revocations made
        through stratforge apply at once, its expiry is checked on every use)."""
        key = digest(credential)
        cached = self._cached(key)
        if cached is not None:
            return cached
        version = self._verified.version()
        if credential.startswith(TOKEN_PREFIX):
            principal, expires = self._personal_token(key)
        else:
            principal, expires = self._access_token(credential)
        self._verified.put(key, principal, expires, version)
        return principal

    def _access_token(self, token: str) -> tuple[Principal, float]:
        try:
            claims = jwt.decode(token, self._key, algorithms=[ALGORITHM],
                                options={"require": ["exp", "iat", "sub"]})
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("the access token has expired; refresh it",
                               code="token_expired") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("invalid access token", code="bad_token") from exc
        if claims.get("typ") != "access":
            raise Unauthorized("invalid access token", code="bad_token")
        try:
            user_id = int(claims["sub"])
        except ValueError as exc:
            raise Unauthorized("invalid access token", code="bad_token") from exc
        with owner_scope(None), self.ctx.session() as db:  # one query: the user, the team
            found = db.exec(_USER_BY_ID.params(user=user_id)).first()
        if found is None:
            raise Unauthorized("invalid access token", code="bad_token")
        _, role, disabled, epoch, team = found
        if disabled or claims.get("ep") != epoch:
            raise Unauthorized("this session has ended; sign in again", code="session_ended")
        return Principal(user_id, role, "jwt", team_from_ids(team)), float(claims["exp"])

    def _personal_token(self, token_hash: str) -> tuple[Principal, float | None]:
        """The personal token whose sha256 is `token_hash` (the key it is cached under)."""
        now = utcnow()
        with owner_scope(None), self.ctx.session() as db:  # one query: token, user, team
            found = db.exec(_TOKEN_BY_HASH.params(digest=token_hash)).first()
            if found is None:
                raise Unauthorized("unknown or revoked API token", code="bad_token")
            token_id, revoked, expires, last_used, user_id, role, disabled, _, team = found
            if revoked is not None:
                raise Unauthorized("unknown or revoked API token", code="bad_token")
            if expires is not None and as_utc(expires) <= now:
                raise Unauthorized("the API token has expired", code="token_expired")
            if disabled:
                raise Unauthorized("the account is disabled", code="account_disabled")
            last = as_utc(last_used)
            if last is None or now - last > TOUCH_EVERY:
                db.exec(update(ApiToken).where(col(ApiToken.id) == token_id)
                        .values(last_used_at=now))
                db.commit()
        expiry = as_utc(expires)
        return (Principal(user_id, role, "token", team_from_ids(team)),
                expiry.timestamp() if expiry is not None else None)


def stored_token(settings: Any) -> str | None:
    """STRATFORGE_TOKEN, else the token `stratforge login` kept in the CLI config file."""
    if settings.token is not None:
        return str(settings.token.get_secret_value())
    path = Path(settings.cli_config)
    if not path.exists():
        return None
    try:
        token = json.loads(path.read_text()).get("token")
    except (OSError, ValueError):
        return None
    return str(token) if token else None


def _token_view(row: ApiToken) -> TokenView:
    return TokenView(id=row.id or 0, name=row.name, prefix=row.prefix,
                     expires_at=as_utc(row.expires_at), revoked_at=as_utc(row.revoked_at),
                     last_used_at=as_utc(row.last_used_at), created_at=as_utc(row.created_at))


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison as bytes: a key with characters the configured one lacks
    (non-ASCII included) is simply wrong."""
    return secrets.compare_digest(given.encode("utf-8", "replace"),
                                  expected.encode("utf-8", "replace"))


def _names_a_user(credential: str) -> bool:
    """A personal token or an access JWT (three dot-separated parts), not the shared key."""
    return credential.startswith(TOKEN_PREFIX) or credential.count(".") == 2
