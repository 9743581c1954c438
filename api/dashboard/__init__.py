"""The web dashboard: server-rendered pages (FastAPI + Jinja2) over the same services as the
API and the CLI; routes here only translate forms and query strings into service calls.

Modules: `session` (sign-in cookie, CSRF, theme, rendering), `charts` (plotly figures),
`home` (sign-in, overview, theme, market data, static files), `strategies` (list, detail,
versions, bot builder), `reports` (backtest report, comparison, exports, batches), `trading`
(live deployments and their controls, agents) and `account` (profile, password, tokens,
integrations, notification preferences). Forms post back here and redirect
(post/redirect/get); a refused action renders its error (`error_page`) with the status the API
would answer.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.dashboard import account, home, reports, strategies, trading
from api.dashboard.session import COOKIE, CSRF_COOKIE, SignInRequired, new_csrf, render
from api.errors import http_status
from core.errors import StratforgeError

router = APIRouter(include_in_schema=False)
for _module in (home, strategies, reports, trading, account):
    router.include_router(_module.router)

__all__ = ["COOKIE", "SignInRequired", "error_page", "is_dashboard", "router", "sign_in_page"]


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
