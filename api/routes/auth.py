"""Sign-in routes: register, login, refresh, logout, status, personal API tokens; the
signed-in user's profile, password and settings; admin's user list and audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.deps import AdminDep, AppDep, PrincipalDep, client_address
from api.services.accounts import user_view
from api.services.views import (
    AuditView,
    AuthStatus,
    CreateUserIn,
    DbId,
    LoginIn,
    LogoutIn,
    PasswordChange,
    ProfileUpdate,
    RefreshIn,
    RegisterIn,
    TokenCreated,
    TokenIn,
    TokenPair,
    TokenView,
    UserSettings,
    UserView,
)

router = APIRouter(tags=["auth"])


@router.post("/auth/register", status_code=201)
def register(body: RegisterIn, request: Request, app: AppDep) -> TokenPair:
    return app.sessions.register(body, client_address(request))


@router.post("/auth/login")
def login(body: LoginIn, request: Request, app: AppDep) -> TokenPair:
    return app.sessions.login(body.email, body.password, client_address(request))


@router.post("/auth/refresh")
def refresh(body: RefreshIn, request: Request, app: AppDep) -> TokenPair:
    return app.sessions.refresh(body.refresh_token, client_address(request))


@router.post("/auth/logout", status_code=204)
def logout(body: LogoutIn, app: AppDep, who: PrincipalDep) -> Response:
    app.sessions.logout(who.user_id, body.refresh_token, body.everywhere)
    return Response(status_code=204)


@router.get("/auth/status")
async def status(app: AppDep, who: PrincipalDep) -> AuthStatus:
    user = await run_in_threadpool(app.accounts.get_user, who.user_id)
    return AuthStatus(authenticated=who.via != "local", via=who.via, user=user_view(user),
                      auth_required=await run_in_threadpool(app.sessions.auth_required),
                      open_registration=app.settings.open_registration)


@router.post("/auth/tokens", status_code=201)
def create_token(body: TokenIn, app: AppDep, who: PrincipalDep) -> TokenCreated:
    return app.sessions.create_token(who.user_id, body.name, body.expires_in_days)


@router.get("/auth/tokens")
def list_tokens(app: AppDep, who: PrincipalDep) -> list[TokenView]:
    return app.sessions.list_tokens(who.user_id)


@router.delete("/auth/tokens/{token_id}")
def revoke_token(token_id: DbId, app: AppDep, who: PrincipalDep) -> TokenView:
    return app.sessions.revoke_token(who.user_id, token_id)


@router.get("/users/profile")
def get_profile(app: AppDep, who: PrincipalDep) -> UserView:
    return user_view(app.accounts.get_user(who.user_id))


@router.put("/users/profile")
def put_profile(body: ProfileUpdate, app: AppDep, who: PrincipalDep) -> UserView:
    return app.accounts.update_profile(who.user_id, display_name=body.display_name,
                                       email=body.email)


@router.put("/users/password", status_code=204)
def put_password(body: PasswordChange, app: AppDep, who: PrincipalDep) -> Response:
    """Needs the current password; every session of the account ends (sign in again)."""
    app.accounts.change_password(who.user_id, body.current_password, body.new_password)
    app.sessions.end_all_sessions(who.user_id)
    return Response(status_code=204)


@router.get("/users/settings")
def get_settings(app: AppDep, who: PrincipalDep) -> UserSettings:
    return app.accounts.get_settings(who.user_id)


@router.put("/users/settings")
def put_settings(body: UserSettings, app: AppDep, who: PrincipalDep) -> UserSettings:
    return app.accounts.put_settings(who.user_id, body)


@router.get("/users")
def list_users(app: AppDep, _admin: AdminDep) -> list[UserView]:
    return app.accounts.list_users()


@router.post("/users", status_code=201)
def create_user(body: CreateUserIn, app: AppDep, _admin: AdminDep) -> UserView:
    return app.accounts.create_user(body.name, role=body.role, email=body.email,
                                    password=body.password)


@router.get("/audit")
def audit(
    app: AppDep, _admin: AdminDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    actor_id: DbId | None = None,
    action: Annotated[str | None, Query(max_length=80)] = None,
    before_id: DbId | None = None,
) -> list[AuditView]:
    return app.audit.list_events(limit=limit, actor_id=actor_id, action=action,
                                 before_id=before_id)
