"""Version routes: list, diff, restore, clone, delete, regenerate, scan, export."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import PlainTextResponse

from api.deps import AppDep, UserDep
from api.routes import segments  # noqa: F401  (registers the `strategy_id` segment)
from api.services.views import (
    CloneBody,
    DbId,
    RegenerateBody,
    RestoreBody,
    StrategyView,
    VersionNumber,
    VersionRow,
)

router = APIRouter(tags=["versions"])


@router.get("/strategies/{strategy_id}/versions", response_model=list[VersionRow])
def list_versions(strategy_id: DbId, app: AppDep, user: UserDep) -> list[VersionRow]:
    return app.versions.list_versions(user, strategy_id)


@router.get("/strategies/{strategy_id}/diff", response_class=PlainTextResponse)
def diff(strategy_id: DbId, a: VersionNumber, b: VersionNumber, app: AppDep, user: UserDep) -> str:
    return app.versions.diff_versions(user, strategy_id, a, b)


@router.post("/strategies/{strategy_id}/restore", response_model=StrategyView, status_code=201)
def restore(strategy_id: DbId, body: RestoreBody, app: AppDep, user: UserDep) -> StrategyView:
    return app.versions.restore_version(user, strategy_id, body.version)


@router.post("/strategies/{strategy_id}/clone", response_model=StrategyView, status_code=201)
def clone(strategy_id: DbId, body: CloneBody, app: AppDep, user: UserDep) -> StrategyView:
    return app.versions.clone_strategy(user, strategy_id, body.name)


@router.delete("/strategies/{strategy_id:strategy_id}", status_code=204)  # see api.routes.segments
def delete(strategy_id: DbId, app: AppDep, user: UserDep) -> Response:
    app.versions.delete_strategy(user, strategy_id)
    return Response(status_code=204)


@router.post("/strategies/{strategy_id}/regenerate", status_code=201)
def regenerate(
    strategy_id: DbId, body: RegenerateBody, app: AppDep, user: UserDep
) -> dict[str, Any]:
    view, conflict = app.versions.regenerate(user, strategy_id, body.provider)
    return {"strategy": view.model_dump(mode="json"), "conflict": conflict}


@router.post("/versions/scan")
def scan(app: AppDep, user: UserDep) -> list[dict[str, Any]]:
    return [asdict(r) for r in app.versions.scan_versions(user)]


@router.get("/strategies/{strategy_id}/export", response_class=PlainTextResponse)
def export(
    strategy_id: DbId, app: AppDep, user: UserDep, version: VersionNumber | None = None
) -> str:
    return app.versions.export_version(user, strategy_id, version)
