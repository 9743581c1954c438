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

from fastapi import APIRouter

from api.dashboard import account, home, reports, strategies, trading
from api.dashboard.session import (
    COOKIE,
    SignInRequired,
    error_page,
    is_dashboard,
    sign_in_page,
)

router = APIRouter(include_in_schema=False)
for _module in (home, strategies, reports, trading, account):
    router.include_router(_module.router)

__all__ = ["COOKIE", "SignInRequired", "error_page", "is_dashboard", "router", "sign_in_page"]
