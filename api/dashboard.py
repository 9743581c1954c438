"""The web dashboard: server-rendered pages over the same services as the API and the CLI.

Pages: `/ui` (strategies + a form to create one from text), `/ui/strategies/{id}` (summary,
validation, versions, code, a backtest form and its runs), `/ui/backtests/{id}` (progress,
metrics vs the benchmark, an equity chart, trades), `/ui/market-data`. Forms post back here and
redirect (post/redirect/get). Once sign-in is required (accounts exist, or an API key is set),
`/ui/login` takes an email and password (and keeps a one-day personal token), a personal token
or the server's API key, in an HttpOnly, SameSite=Strict cookie; each page shows only the
signed-in user's rows — another user's strategy or backtest is a 404 here as everywhere.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import APIRouter, Cookie, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import AppDep, check_role, client_address
from api.errors import http_status
from api.services.container import Services
from api.services.views import BacktestConfig, DbId
from core.errors import StratforgeError
from core.scope import enter_owner

router = APIRouter(include_in_schema=False)
COOKIE = "stratforge_key"

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(Path(__file__).resolve().parent / "dashboard_templates")),
    autoescape=True,
    undefined=jinja2.ChainableUndefined,
)


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def _num(value: Any) -> str:
    return "—" if value is None else f"{value:.2f}"


_env.globals.update(pct=_pct, num=_num)

METRIC_ROWS = [
    ("total_return", "total return", _pct),
    ("cagr", "CAGR", _pct),
    ("volatility", "volatility", _pct),
    ("sharpe", "Sharpe", _num),
    ("sortino", "Sortino", _num),
    ("max_drawdown", "max drawdown", _pct),
]


def _page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("error", None)
    context.setdefault("refresh", None)
    return HTMLResponse(_env.get_template(name).render(**context), status_code=status)


def _authorised(app: Services, cookie: str | None, method: str = "GET") -> int | None:
    """The user the cookie (a personal token, or the server's API key) signs in, None when it
    signs in nobody; in single-user mode the local user. The page then sees only that user's
    rows (and, on pages, its team-mates' results; `core.scope`); a viewer only reads."""
    try:
        principal = app.sessions.authenticate(cookie or None)
        check_role(principal, method, "/ui")
    except StratforgeError:
        return None
    # a page shows team-mates' results too; a form that changes something sees the user's own
    enter_owner(principal.user_id,
                principal.team if method == "GET" else ())
    return principal.user_id


def _login_page(status: int = 401, error: dict[str, str] | None = None) -> HTMLResponse:
    html = (
        '<form method="post" action="/ui/login" class="card"><h1>Sign in</h1>'
        '<p><input type="email" name="email" placeholder="email" autofocus> '
        '<input type="password" name="password" placeholder="password"></p>'
        '<p class="muted">or an API token / the server\'s API key:</p>'
        '<input type="password" name="key"> <button>Sign in</button></form>'
    )
    template = _env.from_string('{% extends "base.html" %}{% block content %}' + html
                                + "{% endblock %}")
    return HTMLResponse(template.render(error=error, refresh=None), status_code=status)


CookieDep = Annotated[str | None, Cookie(alias=COOKIE)]


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse("/ui", status_code=303)


@router.post("/ui/login")
def login(
    app: AppDep, request: Request, key: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
) -> Response:
    """Email and password make a personal token for one day (the cookie holds it); a token
    or the server's API key is kept as given."""
    if email and password:
        try:
            app.sessions.login(email, password, client_address(request))
            user = app.accounts.find_by_name_or_email(email)
            key = app.sessions.create_token(user.id or 0, "dashboard", 1).token
        except StratforgeError as exc:
            return _login_page(status=http_status(exc),
                               error={"code": exc.code, "message": exc.message})
    if not key or _authorised(app, key) is None:
        return _login_page(error={"code": "unauthorized", "message": "wrong key or token"})
    response = RedirectResponse("/ui", status_code=303)
    response.set_cookie(COOKIE, key, httponly=True, samesite="strict")
    return response


@router.get("/ui")
def index(app: AppDep, cookie: CookieDep = None) -> Response:
    user = _authorised(app, cookie)
    if user is None:
        return _login_page()
    return _page("index.html", strategies=app.strategies.list_strategies(user))


@router.post("/ui/strategies")
def create(app: AppDep, text: Annotated[str, Form()], cookie: CookieDep = None) -> Response:
    user = _authorised(app, cookie, "POST")
    if user is None:
        return _login_page()
    try:
        view = app.strategies.create_strategy(user, text)
    except StratforgeError as exc:
        error = {"code": exc.code, "message": exc.message}
        return _page("index.html", status=422, error=error, text=text,
                     questions=exc.details.get("questions") or [],
                     suggestions=exc.details.get("suggestions") or [],
                     strategies=app.strategies.list_strategies(user))
    return RedirectResponse(f"/ui/strategies/{view.id}", status_code=303)


def _strategy_page(app: Services, user: int, strategy_id: DbId, status: int = 200,
                   error: dict[str, str] | None = None) -> HTMLResponse:
    view = app.strategies.get_strategy(user, strategy_id)
    assert view.version is not None
    symbols = (view.version.spec or {}).get("symbols") or []
    end = min((app.market.coverage_of(s).end for s in symbols), default=date.today())
    start = date(max(end.year - 10, 1990), 1, 2)
    runs = list(reversed(app.backtests.list_backtests(user, strategy_id)))
    return _page(
        "strategy.html", status=status, error=error, strategy=view, version=view.version,
        versions=app.versions.list_versions(user, strategy_id), runs=runs,
        code=app.strategies.version_code(user, strategy_id, view.version.number),
        code_path=str(app.strategies.code_file(view.version)),
        default_start=start.isoformat(), default_end=end.isoformat(),
    )


@router.get("/ui/strategies/{strategy_id}")
def strategy_page(strategy_id: DbId, app: AppDep, cookie: CookieDep = None) -> Response:
    user = _authorised(app, cookie)
    if user is None:
        return _login_page()
    try:
        return _strategy_page(app, user, strategy_id)
    except StratforgeError as exc:
        return _page("index.html", status=http_status(exc), error={"code": exc.code,
                                                             "message": exc.message},
                     strategies=app.strategies.list_strategies(user))


@router.post("/ui/strategies/{strategy_id}/backtests")
def start_backtest(
    strategy_id: DbId, app: AppDep, start: Annotated[date, Form()], end: Annotated[date, Form()],
    cash: Annotated[float, Form()] = 100_000.0, benchmark: Annotated[str, Form()] = "",
    cookie: CookieDep = None,
) -> Response:
    user = _authorised(app, cookie, "POST")
    if user is None:
        return _login_page()
    try:
        config = BacktestConfig(strategy_id=strategy_id, start=start, end=end, cash=cash,
                                benchmark=benchmark.strip().upper() or None)
        run = app.backtests.queue_backtest(user, config)
    except StratforgeError as exc:
        return _strategy_page(app, user, strategy_id, status=http_status(exc),
                              error={"code": exc.code, "message": exc.message})
    except ValueError as exc:
        return _strategy_page(app, user, strategy_id, status=422,
                              error={"code": "invalid_request", "message": str(exc)})
    return RedirectResponse(f"/ui/backtests/{run.id}", status_code=303)


@router.get("/ui/backtests/{run_id}")
def backtest_page(run_id: DbId, app: AppDep, cookie: CookieDep = None) -> Response:
    user = _authorised(app, cookie)
    if user is None:
        return _login_page()
    try:
        run = app.backtests.get_backtest(user, run_id)
    except StratforgeError as exc:
        return _page("index.html", status=http_status(exc),
                     error={"code": exc.code, "message": exc.message},
                     strategies=app.strategies.list_strategies(user))
    bench = (run.benchmark or {}).get("metrics") or {}
    fills: list[dict[str, Any]] = []
    chart = ""
    if run.status == "succeeded":
        fills = app.backtests.backtest_trades(user, run_id)["fills"]
        chart = equity_svg(app.backtests.backtest_equity(user, run_id))
    return _page(
        "backtest.html", run=run, bench=bench, rows=METRIC_ROWS, fills=fills, chart=chart,
        bench_symbol=(run.benchmark or {}).get("symbol", "benchmark"),
        refresh=2 if run.status in ("queued", "running") else None,
    )


@router.get("/ui/market-data")
def market_page(app: AppDep, cookie: CookieDep = None) -> Response:
    if _authorised(app, cookie) is None:
        return _login_page()
    return _page("market_data.html", symbols=app.market.coverage())


def equity_svg(points: list[dict[str, Any]], width: int = 1000, height: int = 280) -> str:
    """An inline SVG line chart of the equity curve (blue) and the benchmark (grey)."""
    if len(points) < 2:
        return '<p class="muted">Not enough points to draw.</p>'
    step = max(1, len(points) // 600)
    sampled = points[::step] + ([points[-1]] if (len(points) - 1) % step else [])
    series = {k: [p.get(k) for p in sampled] for k in ("equity", "benchmark")}
    values = [v for s in series.values() for v in s if v is not None]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    pad = 8

    def path(ys: list[Any]) -> str:
        coords = []
        for i, y in enumerate(ys):
            if y is None:
                continue
            x = pad + i * (width - 2 * pad) / (len(ys) - 1)
            coords.append(f"{x:.1f},{pad + (high - y) / span * (height - 2 * pad):.1f}")
        return " ".join(coords)

    first, last = sampled[0]["date"], sampled[-1]["date"]
    lines = [
        f'<svg viewBox="0 0 {width} {height + 24}" width="100%" role="img" '
        f'aria-label="equity curve from {first} to {last}">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fbfcfd" stroke="#e3e6ea"/>',
    ]
    if any(v is not None for v in series["benchmark"]):
        lines.append(f'<polyline fill="none" stroke="#9aa3af" stroke-width="1.5" '
                     f'points="{path(series["benchmark"])}"/>')
    lines.append(f'<polyline fill="none" stroke="#2457c5" stroke-width="2" '
                 f'points="{path(series["equity"])}"/>')
    lines.append(f'<text x="{pad}" y="{height + 18}" font-size="12" fill="#69707d">{first}</text>')
    lines.append(f'<text x="{width - pad}" y="{height + 18}" font-size="12" fill="#69707d" '
                 f'text-anchor="end">{last}</text>')
    lines.append(f'<text x="{pad + 4}" y="{pad + 14}" font-size="12" fill="#69707d">'
                 f'${high:,.0f}</text>')
    lines.append(f'<text x="{pad + 4}" y="{height - pad - 4}" font-size="12" fill="#69707d">'
                 f'${low:,.0f}</text>')
    lines.append(f'<text x="{width - pad - 4}" y="{pad + 14}" font-size="12" fill="#2457c5" '
                 'text-anchor="end">strategy</text>')
    if any(v is not None for v in series["benchmark"]):
        lines.append(f'<text x="{width - pad - 4}" y="{pad + 30}" font-size="12" '
                     'fill="#9aa3af" text-anchor="end">benchmark</text>')
    lines.append("</svg>")
    return "\n".join(lines)
