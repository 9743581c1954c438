"""Deployment routes: deploy, stop, start, clear a halt, status; orders, positions; the kill
switch; broker credentials (stored encrypted, never returned)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response

from api.deps import AppDep, PrincipalDep, UserDep
from api.services.views import (
    CredentialsBody,
    Day,
    DbId,
    DeploymentView,
    DeployRequest,
    KillBody,
    KillReport,
    ManualOrder,
    OrderView,
)
from core.errors import Forbidden
from runtime.bots.drift import DriftReport

router = APIRouter(tags=["deployments"])


@router.post("/deployments", response_model=DeploymentView, status_code=201)
def deploy(body: DeployRequest, app: AppDep, user: UserDep) -> DeploymentView:
    return app.deployments.deploy(user, body)


@router.get("/deployments", response_model=list[DeploymentView])
def list_deployments(app: AppDep, user: UserDep) -> list[DeploymentView]:
    return app.deployments.list_deployments(user)


@router.get("/deployments/{deployment_id}", response_model=DeploymentView)
def get_deployment(deployment_id: DbId, app: AppDep, user: UserDep) -> DeploymentView:
    return app.deployments.get_deployment(user, deployment_id)


@router.post("/deployments/{deployment_id}/stop", response_model=DeploymentView)
def stop_deployment(deployment_id: DbId, app: AppDep, user: UserDep) -> DeploymentView:
    return app.deployments.stop_deployment(user, deployment_id)


@router.post("/deployments/{deployment_id}/start", response_model=DeploymentView)
def start_deployment(deployment_id: DbId, app: AppDep, user: UserDep) -> DeploymentView:
    return app.deployments.start_deployment(user, deployment_id)


@router.post("/deployments/{deployment_id}/clear-halt", response_model=DeploymentView)
def clear_halt(deployment_id: DbId, app: AppDep, user: UserDep) -> DeploymentView:
    return app.deployments.clear_halt(user, deployment_id)


@router.get("/deployments/{deployment_id}/reconcile", response_model=DriftReport)
def reconcile_deployment(
    deployment_id: DbId, app: AppDep, user: UserDep,
    since: Day | None = Query(default=None, description="First day; default the bot's start"),
) -> DriftReport:
    """Paper against a backtest replay of the same days from the same book: every order
    lined up, its differences, totals, and whether the drift is beyond the tolerance (then
    the owner is notified: `drift`). Runs a backtest: takes seconds."""
    return app.reconciliation.reconcile(user, deployment_id, since)


@router.get("/orders", response_model=list[OrderView])
def list_orders(app: AppDep, user: UserDep, deployment_id: DbId | None = None,
                status: str | None = None) -> list[OrderView]:
    return app.deployments.list_orders(user, deployment_id, status)


@router.post("/orders", response_model=OrderView, status_code=201)
def place_order(body: ManualOrder, app: AppDep, user: UserDep) -> OrderView:
    return app.deployments.place_order(user, body)


@router.delete("/orders/{order_id}", response_model=OrderView)
def cancel_order(order_id: DbId, app: AppDep, user: UserDep) -> OrderView:
    return app.deployments.cancel_order(user, order_id)


@router.get("/positions")
def positions(app: AppDep, user: UserDep) -> list[dict[str, Any]]:
    return app.deployments.positions(user)


@router.post("/kill-switch", response_model=KillReport)
def kill_switch(body: KillBody, app: AppDep, who: PrincipalDep) -> KillReport:
    if body.all_users:
        if who.role != "admin":
            raise Forbidden("only an admin may stop every user's bots", code="admin_only")
        return app.deployments.kill_switch_everyone(flatten=body.flatten)
    return app.deployments.kill_switch(who.user_id, flatten=body.flatten)


@router.put("/broker-credentials")
def store_credentials(body: CredentialsBody, app: AppDep, user: UserDep) -> dict[str, Any]:
    return app.deployments.store_credentials(user, body.key_id, body.secret, body.paper)


@router.get("/broker-credentials")
def credentials_status(app: AppDep, user: UserDep) -> dict[str, Any]:
    return app.deployments.credentials_status(user)


@router.delete("/broker-credentials", status_code=204)
def delete_credentials(app: AppDep, user: UserDep) -> Response:
    app.deployments.delete_credentials(user)
    return Response(status_code=204)
