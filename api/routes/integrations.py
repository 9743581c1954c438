"""A user's own outside-service keys: Alpaca paper/live, LLMs. Secrets go in, never out."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import AppDep, UserDep
from api.services.views import (
    DbId,
    IntegrationIn,
    IntegrationTest,
    IntegrationUpdate,
    IntegrationView,
)

router = APIRouter(tags=["integrations"])


@router.get("/integrations")
def list_integrations(app: AppDep, user: UserDep) -> list[IntegrationView]:
    return app.integrations.list_integrations(user)


@router.post("/integrations", status_code=201)
def create_integration(body: IntegrationIn, app: AppDep, user: UserDep) -> IntegrationView:
    return app.integrations.create(user, body)


@router.put("/integrations/{integration_id}")
def update_integration(integration_id: DbId, body: IntegrationUpdate, app: AppDep,
                       user: UserDep) -> IntegrationView:
    return app.integrations.update(user, integration_id, body)


@router.delete("/integrations/{integration_id}", status_code=204)
def delete_integration(integration_id: DbId, app: AppDep, user: UserDep) -> Response:
    app.integrations.delete(user, integration_id)
    return Response(status_code=204)


@router.get("/integrations/{integration_id}/test")
def test_integration(integration_id: DbId, app: AppDep, user: UserDep) -> IntegrationTest:
    return app.integrations.test_integration(user, integration_id)
