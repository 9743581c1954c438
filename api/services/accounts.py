"""Accounts: users, their roles and passwords (argon2id), profiles and settings.

Roles: `admin` (users, everyone's bots in an emergency), `trader` (own strategies, backtests,
bots, keys), `viewer` (reads; no orders, deploys or keys — enforced in `api.deps`). The first
admin comes from `stratforge users create NAME --role admin` or, at first start, from
`STRATFORGE_ADMIN_EMAIL` + `STRATFORGE_ADMIN_PASSWORD`. The local default user has no password:
it cannot sign in, it is who loopback requests act as in single-user mode and who the shared
`STRATFORGE_API_KEY` stands for.
"""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from api.services.context import AppContext
from api.services.views import UserSettings, UserView
from core.errors import Conflict, InvalidInput, NotFound, Unauthorized
from core.logging import get_logger
from core.models import User, UserRole
from core.scope import owner_scope

log = get_logger(__name__)

_hasher = PasswordHasher()
# verified against when the email is unknown, so both answers take the same time
_DUMMY_HASH = _hasher.hash("stratforge: no such account")
WRONG_CREDENTIALS = "email or password is wrong"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(stored: str | None, given: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, given) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def user_view(user: User) -> UserView:
    return UserView(id=user.id or 0, name=user.name, email=user.email, role=user.role,
                    display_name=user.display_name, disabled=user.disabled,
                    created_at=user.created_at)


def normalise_email(email: str) -> str:
    return email.strip().lower()


class Accounts:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    # -- users --------------------------------------------------------------------------------
    def create_user(
        self, name: str, *, role: str = "trader", email: str | None = None,
        password: str | None = None,
    ) -> UserView:
        if role not in UserRole.__members__:
            raise InvalidInput(f"role must be one of {', '.join(UserRole.__members__)}",
                               code="bad_role")
        with owner_scope(None), self.ctx.session() as db:
            user = User(name=name, role=role,
                        email=normalise_email(email) if email else None,
                        password_hash=hash_password(password) if password else None)
            db.add(user)
            try:
                db.commit()
            except IntegrityError as exc:
                raise Conflict("a user with that name or email exists",
                               code="user_exists") from exc
            db.refresh(user)
            log.info("user created", extra={"user": user.id, "role": role})
            return user_view(user)

    def ensure_first_admin(self) -> UserView | None:
        """At start: make the admin named by STRATFORGE_ADMIN_EMAIL/_PASSWORD unless an account
        with that email exists."""
        settings = self.ctx.settings
        if not settings.admin_email or settings.admin_password is None:
            return None
        email = normalise_email(settings.admin_email)
        with owner_scope(None), self.ctx.session() as db:
            if db.exec(select(User).where(User.email == email)).first() is not None:
                return None
        try:
            return self.create_user(email.split("@", 1)[0] + "-admin", role="admin", email=email,
                                    password=settings.admin_password.get_secret_value())
        except Conflict:  # another process made it at the same moment
            return None

    def get_user(self, user_id: int) -> User:
        with owner_scope(None), self.ctx.session() as db:
            user = db.get(User, user_id)
            if user is None:
                raise NotFound(f"no user {user_id}", code="user_not_found")
            return user

    def find_by_name_or_email(self, who: str) -> User:
        with owner_scope(None), self.ctx.session() as db:
            user = db.exec(select(User).where(
                (User.name == who) | (User.email == normalise_email(who))
            )).first()
            if user is None:
                raise NotFound(f"no user {who!r}", code="user_not_found")
            return user

    def list_users(self) -> list[UserView]:
        with owner_scope(None), self.ctx.session() as db:
            return [user_view(u) for u in db.exec(select(User).order_by(col(User.id))).all()]

    def set_role(self, user_id: int, role: str, *, disabled: bool | None = None) -> UserView:
        if role not in UserRole.__members__:
            raise InvalidInput("unknown role", code="bad_role")
        with owner_scope(None), self.ctx.session() as db:
            user = db.get(User, user_id)
            if user is None:
                raise NotFound(f"no user {user_id}", code="user_not_found")
            user.role = role
            if disabled is not None:
                user.disabled = disabled
                user.session_epoch += 1
            db.add(user)
            db.commit()
            return user_view(user)

    def has_accounts(self) -> bool:
        """Whether any account can sign in (then anonymous requests are refused)."""
        with owner_scope(None), self.ctx.session() as db:
            return db.exec(
                select(User.id).where(col(User.password_hash).is_not(None)).limit(1)
            ).first() is not None

    def verify_password(self, email: str, password: str) -> User:
        """The enabled account with this email and password; the same refusal for an unknown
        email, a wrong password and a disabled account."""
        with owner_scope(None), self.ctx.session() as db:
            user = db.exec(select(User).where(User.email == normalise_email(email))).first()
        ok = password_matches(user.password_hash if user else None, password)
        if user is None or not ok or user.disabled:
            raise Unauthorized(WRONG_CREDENTIALS, code="wrong_credentials")
        if _hasher.check_needs_rehash(user.password_hash or ""):
            self._store_password(user.id or 0, password, end_sessions=False)
        return user

    # -- the signed-in user's own account ------------------------------------------------------
    def update_profile(self, user_id: int, *, display_name: str | None,
                       email: str | None) -> UserView:
        with owner_scope(None), self.ctx.session() as db:
            user = db.get(User, user_id)
            if user is None:
                raise NotFound(f"no user {user_id}", code="user_not_found")
            if display_name is not None:
                user.display_name = display_name
            if email is not None:
                user.email = normalise_email(email)
            db.add(user)
            try:
                db.commit()
            except IntegrityError as exc:
                raise Conflict("that email belongs to another account",
                               code="email_taken") from exc
            return user_view(user)

    def change_password(self, user_id: int, current: str, new: str) -> None:
        """Re-authenticates with the current password; ends every other session."""
        user = self.get_user(user_id)
        if not password_matches(user.password_hash, current):
            raise Unauthorized("the current password is wrong", code="wrong_credentials")
        self._store_password(user_id, new, end_sessions=True)

    def _store_password(self, user_id: int, password: str, *, end_sessions: bool) -> None:
        with owner_scope(None), self.ctx.session() as db:
            user = db.get(User, user_id)
            if user is None:
                raise NotFound(f"no user {user_id}", code="user_not_found")
            user.password_hash = hash_password(password)
            if end_sessions:
                user.session_epoch += 1
            db.add(user)
            db.commit()

    def get_settings(self, user_id: int) -> UserSettings:
        return UserSettings.model_validate(self.get_user(user_id).settings or {})

    def put_settings(self, user_id: int, values: UserSettings) -> UserSettings:
        with owner_scope(None), self.ctx.session() as db:
            user = db.get(User, user_id)
            if user is None:
                raise NotFound(f"no user {user_id}", code="user_not_found")
            stored: dict[str, Any] = values.model_dump(mode="json")
            user.settings = stored
            db.add(user)
            db.commit()
            return values
