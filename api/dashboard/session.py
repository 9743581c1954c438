"""Who is looking at a dashboard page, and how a page is sent back.

Signing in keeps a credential (a one-day personal token made from the email and password, a
personal token, or the server's API key) in an HttpOnly, SameSite=Strict cookie; `ui_session`
(a FastAPI dependency of every page) authenticates it through the same `SessionService` as the
API, sets the request's owner (`core.scope`) and, on a state-changing request, checks the form's
CSRF token against a second HttpOnly cookie (double submit, besides `api.web_guard`'s Origin
check). `Ui.page` renders a template with the user's theme and a Content-Security-Policy that
lets in our own scripts only (`/ui/static/...`), never an inline one.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import jinja2
import orjson
from fastapi import Cookie, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from api.deps import AppDep, check_role
from api.errors import http_status
from api.services.container import Services
from api.services.roles import SAFE_METHODS
from api.services.sessions import Principal
from core.errors import Forbidden, InvalidInput, StratforgeError
from core.scope import enter_owner

COOKIE = "stratforge_key"
CSRF_COOKIE = "stratforge_csrf"
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
TEMPLATES = Path(__file__).resolve().parent.parent / "dashboard_templates"


class SignInRequired(Exception):
    """Raised by `ui_session` when nobody (or a bad credential) is signed in."""


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def _num(value: Any, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _money(value: Any) -> str:
    if value is None:
        return "—"
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


def _sign(value: Any) -> str:
    """The CSS class of a figure: blue for a gain, red for a loss."""
    if value is None:
        return ""
    return "gain" if value > 0 else "loss" if value < 0 else ""


def _when(value: Any) -> str:
    return "—" if value is None else value.strftime("%Y-%m-%d %H:%M")


def _plain(value: Any) -> Any:
    """What orjson does not encode itself: a float or int subclass as the plain number."""
    if isinstance(value, float):
        return float(value)
    if isinstance(value, int):
        return int(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _tojson(value: Any, **kwargs: Any) -> str:
    """`|tojson`'s encoder: orjson. A chart's thousands of floats took 30 ms with the standard
    library (most of a report's or a batch's page time) and take 1–2 ms here; a NaN becomes
    null (a gap in the chart) instead of the `NaN` the browser's JSON.parse refuses."""
    option = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
    if kwargs.get("sort_keys"):
        option |= orjson.OPT_SORT_KEYS
    return orjson.dumps(value, default=_plain, option=option).decode()


env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES)),
    autoescape=True,
    undefined=jinja2.ChainableUndefined,
)
env.globals.update(pct=_pct, num=_num, money=_money, sign=_sign, when=_when)
env.policies["json.dumps_function"] = _tojson


def new_csrf() -> str:
    return secrets.token_urlsafe(24)


def set_csrf_cookie(response: HTMLResponse | RedirectResponse, value: str) -> None:
    response.set_cookie(CSRF_COOKIE, value, httponly=True, samesite="strict", path="/ui")


def render(name: str, *, status: int = 200, theme: str = "dark", csrf: str = "",
           **context: Any) -> HTMLResponse:
    context.setdefault("error", None)
    context.setdefault("refresh", None)
    context.setdefault("ui", None)
    html = env.get_template(name).render(theme=theme, csrf=csrf, **context)
    return HTMLResponse(html, status_code=status,
                        headers={"Content-Security-Policy": PAGE_CSP,
                                 "Cache-Control": "no-store"})


@dataclass
class Ui:
    """One dashboard request: the services, who signed in, their CSRF token and theme."""

    app: Services
    principal: Principal
    csrf: str
    fresh_csrf: bool
    theme: str
    path: str

    @property
    def user(self) -> int:
        return self.principal.user_id

    @property
    def can_act(self) -> bool:
        """A viewer only reads: trading, deploying and editing controls are disabled."""
        return self.principal.role != "viewer"

    @property
    def signed_in(self) -> bool:
        return self.principal.via != "local"

    @property
    def user_name(self) -> str:
        if not self.signed_in:
            return "local"
        try:
            user = self.app.accounts.get_user(self.user)
        except StratforgeError:
            return ""
        return user.display_name or user.name

    def check(self, method: str, api_path: str) -> None:
        """The API's role rule for the equivalent API call (`api.deps.check_role`)."""
        check_role(self.principal, method, api_path)

    def page(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        response = render(name, status=status, theme=self.theme, csrf=self.csrf, ui=self,
                          **context)
        if self.fresh_csrf:
            set_csrf_cookie(response, self.csrf)
        return response


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def parse(kind: Any, /, **values: Any) -> Any:
    """A pydantic model from form values; a refusal is our `InvalidInput` (a 422 page)."""
    try:
        return kind(**values)
    except ValueError as exc:  # pydantic.ValidationError is one
        raise InvalidInput(str(exc).split("\n", 1)[-1].strip() or str(exc),
                           code="invalid_request") from exc


def require_confirmation(confirmed: str) -> None:
    """Trading, deleting and cancelling ask first: the button's confirmation sets the form's
    `confirmed` field (`/ui/static/app.js`); without it the action is refused."""
    if confirmed != "yes":
        raise InvalidInput("confirm this action first (the button asks)", code="unconfirmed")


async def ui_session(
    request: Request,
    app: AppDep,
    key: Annotated[str | None, Cookie(alias=COOKIE)] = None,
    csrf: Annotated[str | None, Cookie(alias=CSRF_COOKIE)] = None,
) -> Ui:
    """Async on purpose (as `api.deps.current_principal`): the owner it sets is then seen by
    the endpoint's thread."""
    try:
        principal = await run_in_threadpool(app.sessions.authenticate, key or None)
    except StratforgeError as exc:
        raise SignInRequired() from exc
    # a page shows team-mates' results too (read-only); a form that changes something sees
    # only the user's own rows, as the API's writes do (`api.deps`)
    enter_owner(principal.user_id,
                principal.team if request.method in SAFE_METHODS else frozenset())
    if request.method not in SAFE_METHODS:
        form = await request.form()
        given = str(form.get("csrf") or "")
        if not csrf or not hmac.compare_digest(given.encode(), csrf.encode()):
            raise Forbidden("this form is stale or was not sent from this dashboard "
                            "(CSRF token); reload the page and try again", code="csrf")
    settings = await run_in_threadpool(app.accounts.get_settings, principal.user_id)
    return Ui(app=app, principal=principal, csrf=csrf or new_csrf(), fresh_csrf=not csrf,
              theme="light" if settings.theme == "light" else "dark", path=request.url.path)


UiDep = Annotated[Ui, Depends(ui_session)]


def is_dashboard(request: Request) -> bool:
    return request.url.path == "/ui" or request.url.path.startswith("/ui/")


def error_page(request: Request, exc: StratforgeError) -> HTMLResponse:
    """A refused dashboard action: its code and message, and a link back."""
    referer = request.headers.get("referer") or "/ui"
    back = referer if "/ui" in referer else "/ui"
    return render("error.html", status=http_status(exc),
                  theme="light" if request.cookies.get("stratforge_theme") == "light" else "dark",
                  error={"code": exc.code, "message": exc.message}, back=back)


def sign_in_page(request: Request, status: int = 401) -> HTMLResponse:
    """The sign-in form (401 in place of a page that needs it), with a fresh CSRF cookie when
    the browser has none."""
    csrf = request.cookies.get(CSRF_COOKIE) or new_csrf()
    response = render("login.html", status=status, csrf=csrf)
    if CSRF_COOKIE not in request.cookies:
        response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", path="/ui")
    return response
