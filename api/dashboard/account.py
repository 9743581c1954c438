"""The dashboard's account page: profile, password, personal API tokens, integrations (keys,
with a "test" button), notification preferences and theme — the same services as
`/users/*`, `/auth/tokens` and `/integrations`. A viewer manages its own profile, password,
tokens and settings, never keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api.dashboard.session import UiDep, parse, see_other
from api.services.views import IntegrationIn, PasswordChange, ProfileUpdate, UserSettings
from core.errors import StratforgeError
from core.models import NotifyEvent

router = APIRouter()
EVENTS = [e.value for e in NotifyEvent if e is not NotifyEvent.test]


def _account_page(ui: UiDep, notice: str | None = None, new_token: str | None = None
                  ) -> Response:
    app = ui.app
    try:
        profile = app.accounts.get_user(ui.user)
    except StratforgeError:
        profile = None
    try:
        ui.check("GET", "/integrations")
        integrations = app.integrations.list_integrations(ui.user)
        keys_allowed = True
    except StratforgeError:
        integrations, keys_allowed = [], False
    settings = app.accounts.get_settings(ui.user)
    return ui.page("account.html", nav="account", profile=profile, settings=settings,
                   tokens=app.sessions.list_tokens(ui.user), integrations=integrations,
                   keys_allowed=keys_allowed, events=EVENTS, notice=notice,
                   new_token=new_token)


@router.get("/ui/account")
def account(ui: UiDep, notice: str = "") -> Response:
    return _account_page(ui, notice=notice[:200] or None)


@router.post("/ui/account/profile")
def profile(ui: UiDep, display_name: Annotated[str, Form()] = "",
            email: Annotated[str, Form()] = "") -> Response:
    body = parse(ProfileUpdate, display_name=display_name, email=email.strip() or None)
    ui.app.accounts.update_profile(ui.user, display_name=body.display_name, email=body.email)
    return see_other("/ui/account?notice=profile+saved")


@router.post("/ui/account/password")
def password(ui: UiDep, current_password: Annotated[str, Form()],
             new_password: Annotated[str, Form()]) -> Response:
    """A new password ends every other session, this one's token included: sign in again."""
    body = parse(PasswordChange, current_password=current_password, new_password=new_password)
    ui.app.accounts.change_password(ui.user, body.current_password, body.new_password)
    return see_other("/ui/login")


@router.post("/ui/account/tokens")
def create_token(ui: UiDep, name: Annotated[str, Form(min_length=1, max_length=80)],
                 days: Annotated[int | None, Form(ge=1, le=3650)] = None) -> Response:
    created = ui.app.sessions.create_token(ui.user, name, days)
    return _account_page(ui, notice="token created: copy it now, it is not shown again",
                         new_token=created.token)


@router.post("/ui/account/tokens/{token_id}/revoke")
def revoke_token(token_id: int, ui: UiDep) -> Response:
    ui.app.sessions.revoke_token(ui.user, token_id)
    return see_other("/ui/account?notice=token+revoked")


@router.post("/ui/account/settings")
async def settings(ui: UiDep, request: Request) -> Response:
    """Theme and notification preferences (one checkbox per event)."""
    form = await request.form()
    current = ui.app.accounts.get_settings(ui.user)
    chosen = parse(UserSettings, theme="light" if form.get("theme") == "light" else "dark",
                   default_symbols=current.default_symbols,
                   notifications={e: form.get(f"notify.{e}") == "on" for e in EVENTS})
    ui.app.accounts.put_settings(ui.user, chosen)
    return see_other("/ui/account?notice=preferences+saved")


@router.post("/ui/account/integrations")
def add_integration(
    ui: UiDep, kind: Annotated[str, Form()], secret: Annotated[str, Form()],
    name: Annotated[str, Form()] = "", key_id: Annotated[str, Form()] = "",
    base_url: Annotated[str, Form()] = "", model: Annotated[str, Form()] = "",
) -> Response:
    ui.check("POST", "/integrations")
    body = parse(IntegrationIn, kind=kind, secret=secret, name=name, key_id=key_id or None,
                 base_url=base_url or None, model=model or None)
    ui.app.integrations.create(ui.user, body)
    return see_other("/ui/account?notice=integration+saved#integrations-h")


@router.post("/ui/account/integrations/{integration_id}/test")
def test_integration(integration_id: int, ui: UiDep) -> Response:
    """Try the key against its service now; the result is stored and shown."""
    ui.check("POST", "/integrations")
    result = ui.app.integrations.test_integration(ui.user, integration_id)
    outcome = "works" if result.ok else "failed"
    return _account_page(ui, notice=f"integration {integration_id} {outcome}: {result.detail}")


@router.post("/ui/account/integrations/{integration_id}/delete")
def delete_integration(integration_id: int, ui: UiDep) -> Response:
    ui.check("DELETE", "/integrations")
    ui.app.integrations.delete(ui.user, integration_id)
    return see_other("/ui/account?notice=integration+deleted")
