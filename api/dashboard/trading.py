"""Dashboard pages for trading: live deployments (state, heartbeat, restarts, P&L, positions,
orders, fills, risk-gate refusals) with their controls — deploy, stop, resume, clear a halt, the
kill switch and manual orders, each confirmed in the browser and refused to viewers — one
deployment's page (its orders, an agent's decisions and LLM spend, and the paper-vs-backtest
reconciliation, made only when asked since it runs a backtest) and LLM agents (decisions
timeline with rationales, model comparison)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.dashboard.session import UiDep, parse, require_confirmation, see_other
from api.dashboard.strategies import default_dates
from api.services.views import CompareAgent, DbId, DeployRequest, ManualOrder
from core.errors import StratforgeError
from generator.agent_spec import is_agent_spec
from runtime.bots.drift import DriftReport

router = APIRouter()
ORDERS_SHOWN = 200


@router.get("/ui/live")
def live(ui: UiDep) -> Response:
    app = ui.app
    deployments = app.deployments.list_deployments(ui.user)
    orders = app.deployments.list_orders(ui.user)[-ORDERS_SHOWN:][::-1]
    positions: list[dict[str, Any]] = []
    broker_error = None
    if deployments:
        try:
            positions = app.deployments.positions(ui.user)
        except StratforgeError as exc:
            broker_error = exc.message
    names = {}
    for d in deployments:
        if d.strategy_id not in names:
            try:
                names[d.strategy_id] = app.strategies.get_strategy(ui.user, d.strategy_id).name
            except StratforgeError:
                names[d.strategy_id] = f"strategy {d.strategy_id}"
    return ui.page(
        "live.html", nav="live", deployments=deployments, names=names, positions=positions,
        broker_error=broker_error, orders=[o for o in orders if o.status != "refused"],
        fills=[o for o in orders if o.filled_qty > 0],
        refusals=[o for o in orders if o.status == "refused"], live=10,
    )


@router.get("/ui/live/{deployment_id}")
def deployment_page(deployment_id: DbId, ui: UiDep, reconcile: str = "", since: str = ""
                    ) -> Response:
    """One deployment; with `reconcile`, its paper-vs-backtest report (`since`: a day)."""
    app = ui.app
    view = app.deployments.get_deployment(ui.user, deployment_id)  # another user's: a 404
    orders = app.deployments.list_orders(ui.user, deployment_id=deployment_id)
    try:
        strategy = app.strategies.get_strategy(ui.user, view.strategy_id)
        name, spec = strategy.name, strategy.version.spec if strategy.version else None
    except StratforgeError:
        name, spec = f"strategy {view.strategy_id}", None
    usage = (app.agents.deployment_usage(ui.user, deployment_id)
             if spec is not None and is_agent_spec(spec) else None)
    report: DriftReport | None = None
    problem: dict[str, str] | None = None
    if reconcile:
        try:
            first = date.fromisoformat(since) if since.strip() else None
        except ValueError:
            problem = {"code": "bad_date", "message": f"not a date (YYYY-MM-DD): {since!r}"}
        else:
            try:
                report = app.reconciliation.reconcile(ui.user, deployment_id, first)
            except StratforgeError as exc:  # not started, the broker silent, over the quota…
                problem = {"code": exc.code, "message": exc.message}
    return ui.page(
        "deployment.html", nav="live", d=view, names={view.strategy_id: name}, page_of=True,
        orders=orders[-ORDERS_SHOWN:][::-1], usage=usage, report=report,
        reconcile_error=problem, since=since.strip(),
        live=None if reconcile else 10,  # reloading a report would run its backtest again
    )


@router.post("/ui/strategies/{strategy_id}/deploy")
def deploy(strategy_id: DbId, ui: UiDep, mode: Annotated[str, Form()] = "paper",
           sleeptime: Annotated[str, Form()] = "", confirmed: Annotated[str, Form()] = ""
           ) -> Response:
    ui.check("POST", "/deployments")
    require_confirmation(confirmed)
    request = parse(DeployRequest, strategy_id=strategy_id, mode=mode,
                    sleeptime=sleeptime.strip() or None)
    view = ui.app.deployments.deploy(ui.user, request)
    return see_other(f"/ui/live#d{view.id}")


@router.post("/ui/live/{deployment_id}/{action}")
def control(deployment_id: DbId, action: str, ui: UiDep,
            confirmed: Annotated[str, Form()] = "", back: Annotated[str, Form()] = "") -> Response:
    """stop, resume or clear-halt one deployment; then back to the list, or to the deployment's
    own page when the form was there (`back=page`)."""
    ui.check("POST", "/deployments")
    require_confirmation(confirmed)
    service = ui.app.deployments
    actions = {"stop": service.stop_deployment, "resume": service.start_deployment,
               "clear-halt": service.clear_halt}
    if action not in actions:
        return Response(status_code=404)
    actions[action](ui.user, deployment_id)
    if back == "page":
        return see_other(f"/ui/live/{deployment_id}")
    return see_other(f"/ui/live#d{deployment_id}")


@router.post("/ui/live/kill")
def kill(ui: UiDep, flatten: Annotated[str, Form()] = "",
         confirmed: Annotated[str, Form()] = "") -> Response:
    """Halt every bot of the user and cancel its open orders (and close positions if asked)."""
    ui.check("POST", "/kill-switch")
    require_confirmation(confirmed)
    report = ui.app.deployments.kill_switch(ui.user, flatten=flatten == "yes")
    return see_other(f"/ui/live?halted={len(report.halted)}")


@router.post("/ui/live/orders")
def manual_order(ui: UiDep, symbol: Annotated[str, Form()], qty: Annotated[float, Form()],
                 side: Annotated[str, Form()], mode: Annotated[str, Form()] = "paper",
                 confirmed: Annotated[str, Form()] = "") -> Response:
    """A manual order through the same risk gate as the bots'."""
    ui.check("POST", "/orders")
    require_confirmation(confirmed)
    order = parse(ManualOrder, symbol=symbol.strip().upper(), qty=qty, side=side, mode=mode)
    ui.app.deployments.place_order(ui.user, order)
    return see_other("/ui/live#orders-h")


@router.get("/ui/agents")
def agents(ui: UiDep) -> Response:
    found = ui.app.strategies.strategies_page(ui.user, agents_only=True, limit=200, sort="-id")
    return ui.page("agents.html", nav="agents", agents=found.items, total=found.total)


@router.get("/ui/agents/{strategy_id}")
def agent_page(strategy_id: DbId, ui: UiDep) -> Response:
    app = ui.app
    view = app.strategies.get_strategy(ui.user, strategy_id)
    decisions = app.agents.decisions_of(ui.user, strategy_id, limit=500)
    runs = app.backtests.backtests_page(ui.user, strategy_id=strategy_id, limit=100,
                                        newest_first=True).items
    by_model: dict[str, dict[str, Any]] = {}
    for run in runs:
        model = str((run.config.get("parameters") or {}).get("model") or "default")
        if model not in by_model and run.status == "succeeded":
            by_model[model] = {"model": model, "run": run}
    for d in decisions:
        stats = by_model.setdefault(d.model, {"model": d.model, "run": None})
        stats["decisions"] = stats.get("decisions", 0) + 1
        stats["cost"] = stats.get("cost", 0.0) + d.cost_usd
    _, end = default_dates(ui, view.version.spec if view.version else None)
    return ui.page("agent.html", nav="agents", strategy=view, decisions=decisions[::-1],
                   models=list(by_model.values()), default_start=date(end.year - 2, 1, 2),
                   default_end=end)


@router.post("/ui/agents/{strategy_id}/compare")
async def compare_models(
    strategy_id: DbId, ui: UiDep, models: Annotated[str, Form()],
    start: Annotated[date, Form()], end: Annotated[date, Form()],
) -> Response:
    """Backtest the agent with each model (the baseline always joins), then show them."""
    ui.check("POST", "/agents")
    body = parse(CompareAgent, models=[m.strip() for m in models.split(",") if m.strip()],
                 start=start, end=end)
    await run_in_threadpool(ui.app.agents.compare, ui.user, strategy_id, body)
    return see_other(f"/ui/agents/{strategy_id}#models-h")
