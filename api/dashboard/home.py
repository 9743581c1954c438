"""Dashboard pages: sign-in and sign-out, the overview, the theme switch, market data, and the
static files (our CSS and JS, and plotly.js from the installed `plotly` package)."""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Annotated

import plotly
from fastapi import APIRouter, Cookie, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from api.dashboard import charts
from api.dashboard.session import (
    COOKIE,
    CSRF_COOKIE,
    UiDep,
    new_csrf,
    render,
    see_other,
    set_csrf_cookie,
    sign_in_page,
)
from api.deps import AppDep, client_address
from api.errors import http_status
from core.errors import Forbidden, StratforgeError
from core.models import LIVE_STATES, DeploymentState, RunStatus

router = APIRouter()
STATIC = Path(__file__).resolve().parent.parent / "dashboard_static"
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
STATIC_FILES = {"app.css": "text/css", "app.js": "text/javascript"}
# bots shown as running on the overview: alive, restarting after a crash, or halted
SHOWN_STATES = (*LIVE_STATES, DeploymentState.crashed.value, DeploymentState.halted.value)
ALERT_STATES = (DeploymentState.halted.value, DeploymentState.fatal.value,
                DeploymentState.mismatch.value)


@router.get("/")
def root() -> RedirectResponse:
    return see_other("/ui")


@router.get("/ui/static/{name}")
def static(name: str) -> Response:
    """Our stylesheet and script, and plotly.js as the `plotly` package ships it (no CDN)."""
    if name == "plotly.min.js":
        return FileResponse(PLOTLY_JS, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})
    if name not in STATIC_FILES:
        return Response(status_code=404)
    return FileResponse(STATIC / name, media_type=STATIC_FILES[name],
                        headers={"Cache-Control": "no-cache"})


@router.get("/ui/login")
def login_form(request: Request) -> Response:
    return sign_in_page(request, status=200)


@router.post("/ui/login")
def login(
    app: AppDep, request: Request, key: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    csrf_cookie: Annotated[str | None, Cookie(alias=CSRF_COOKIE)] = None,
) -> Response:
    """Email and password make a personal token for one day (the cookie holds it); a token
    or the server's API key is kept as given. The form carries the CSRF cookie's value (a
    login from another site is refused); a new CSRF token starts with the session."""

    def again(status: int, code: str, message: str) -> Response:
        token = csrf_cookie or new_csrf()
        response = render("login.html", status=status, csrf=token,
                          error={"code": code, "message": message})
        set_csrf_cookie(response, token)
        return response

    if not csrf_cookie or not hmac.compare_digest(csrf.encode(), csrf_cookie.encode()):
        return again(403, "csrf", "this form is stale; sign in again from this page")
    if email and password:
        try:
            app.sessions.login(email, password, client_address(request))
            user = app.accounts.find_by_name_or_email(email)
            key = app.sessions.create_token(user.id or 0, "dashboard", 1).token
        except StratforgeError as exc:
            return again(http_status(exc), exc.code, exc.message)
    try:
        app.sessions.authenticate(key or None)
        if not key:
            raise Forbidden("give an email and password, or a token", code="unauthorized")
    except StratforgeError:
        return again(401, "unauthorized", "wrong email, password, key or token")
    response = see_other("/ui")
    response.set_cookie(COOKIE, key, httponly=True, samesite="strict")
    set_csrf_cookie(response, new_csrf())
    return response


@router.post("/ui/logout")
def logout(ui: UiDep, key: Annotated[str | None, Cookie(alias=COOKIE)] = None) -> Response:
    """End the dashboard session: its one-day token is revoked, the cookies are cleared."""
    if key and ui.principal.via == "token":
        for token in ui.app.sessions.list_tokens(ui.user):
            if token.name == "dashboard" and token.revoked_at is None and \
                    key.startswith(token.prefix):
                ui.app.sessions.revoke_token(ui.user, token.id)
    response = see_other("/ui/login")
    response.delete_cookie(COOKIE)
    response.delete_cookie(CSRF_COOKIE, path="/ui")
    return response


@router.post("/ui/theme")
def theme(ui: UiDep, theme: Annotated[str, Form()], back: Annotated[str, Form()] = "/ui"
          ) -> Response:
    current = ui.app.accounts.get_settings(ui.user)
    chosen = "light" if theme == "light" else "dark"
    ui.app.accounts.put_settings(ui.user, current.model_copy(update={"theme": chosen}))
    response = see_other(back if back.startswith("/ui") else "/ui")
    response.set_cookie("stratforge_theme", chosen, samesite="strict", path="/ui")
    return response


@router.get("/ui")
def overview(ui: UiDep) -> Response:
    """Running bots' equity and P&L, strategy status, the latest runs and batches, alerts."""
    app = ui.app
    deployments = app.deployments.list_deployments(ui.user)
    live = [d for d in deployments if d.state in SHOWN_STATES]
    halted = [d for d in deployments if d.state in ALERT_STATES]
    runs = app.backtests.backtests_page(ui.user, limit=8, newest_first=True)
    failed = app.backtests.backtests_page(ui.user, limit=5, newest_first=True,
                                          status=RunStatus.failed)
    counts = app.strategies.status_counts(ui.user)
    names = strategy_names(ui, {r.strategy_id for r in runs.items + failed.items}
                           | {d.strategy_id for d in live})
    batches = app.batches.list_batches(ui.user, latest=5)
    figure = charts.pnl_figure([f"#{d.id} {d.key}" for d in live], [d.pnl_day for d in live]) \
        if live else None
    return ui.page(
        "overview.html", nav="overview", deployments=live,
        halted=halted, runs=runs.items, run_total=runs.total, failed=failed.items,
        counts=counts, strategy_total=sum(counts.values()), batches=batches, names=names,
        equity_total=sum(d.equity or 0.0 for d in live),
        pnl_total=sum(d.pnl_day or 0.0 for d in live), figure=figure, charts=bool(figure),
        live=10,
    )


@router.get("/ui/market-data")
def market_page(ui: UiDep) -> Response:
    return ui.page("market_data.html", nav="market",
                   symbols=ui.app.market.coverage())


def strategy_names(ui: UiDep, ids: set[int]) -> dict[int, str]:
    found = ui.app.strategies.names(ui.user, ids)
    return {i: found.get(i, f"strategy {i} (deleted)") for i in ids}
