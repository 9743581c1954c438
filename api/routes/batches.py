"""Batch, schedule, comparison and export routes (thin: parse, call `api.batches`, render)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from api.deps import AppDep, UserDep
from api.services.views import MAX_ID, BatchSpec, BatchView, DbId, ScheduleIn, ScheduleView
from core.errors import InvalidInput

router = APIRouter(tags=["batches"])

# 1 to 100 comma-separated ids of up to 18 digits (below the 64-bit bound)
RUN_IDS = r"^[1-9][0-9]{0,17}(,[1-9][0-9]{0,17}){0,99}$"

Format = Literal["csv", "json", "html"]


def _download(content: str, media_type: str, name: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/batches", status_code=202, response_model=BatchView)
def create_batch(body: BatchSpec, app: AppDep, user: UserDep) -> BatchView:
    batch = app.planner.create_batch(user, body)
    app.batches.submit_batch(batch.id)
    return batch


@router.get("/batches", response_model=list[BatchView])
def list_batches(app: AppDep, user: UserDep) -> list[BatchView]:
    return app.batches.list_batches(user)


@router.get("/batches/{batch_id}", response_model=BatchView)
def get_batch(batch_id: DbId, app: AppDep, user: UserDep) -> BatchView:
    return app.batches.get_batch(user, batch_id)


@router.delete("/batches/{batch_id}", response_model=BatchView)
def cancel_batch(batch_id: DbId, app: AppDep, user: UserDep) -> BatchView:
    return app.batches.cancel_batch(user, batch_id)


@router.get("/batches/{batch_id}/results")
def batch_results(
    batch_id: DbId, app: AppDep, user: UserDep, metric: str | None = None, top: int = 5
) -> dict[str, Any]:
    return app.results.batch_results(user, batch_id, metric, top)


@router.get("/batches/{batch_id}/export")
def export_batch(
    batch_id: DbId, app: AppDep, user: UserDep, format: Format = "json", metric: str | None = None
) -> Response:
    content, media = app.results.export_batch(user, batch_id, format, metric)
    return _download(content, media, f"batch_{batch_id}.{format}")


@router.get("/backtests/compare")
def compare_backtests(
    app: AppDep,
    user: UserDep,
    ids: Annotated[str, Query(description="1 to 100 run ids, e.g. 3,4,7", pattern=RUN_IDS)],
) -> dict[str, Any]:
    try:
        run_ids = [int(part) for part in ids.split(",") if part.strip()]
    except ValueError as exc:
        raise InvalidInput("ids must be comma-separated run ids", code="bad_ids") from exc
    if len(run_ids) > 100 or any(not 1 <= i <= MAX_ID for i in run_ids):
        raise InvalidInput(f"ids: 1 to 100 run ids, each 1..{MAX_ID}", code="bad_ids")
    return app.results.compare_backtests(user, run_ids)


@router.get("/backtests/{run_id}/export")
def export_run(run_id: DbId, app: AppDep, user: UserDep, format: Format = "json") -> Response:
    content, media = app.results.export_run(user, run_id, format)
    return _download(content, media, f"run_{run_id}.{format}")


@router.post("/schedules", status_code=201, response_model=ScheduleView)
def create_schedule(body: ScheduleIn, app: AppDep, user: UserDep) -> ScheduleView:
    return app.schedules.create_schedule(user, body)


@router.get("/schedules", response_model=list[ScheduleView])
def list_schedules(app: AppDep, user: UserDep) -> list[ScheduleView]:
    return app.schedules.list_schedules(user)


@router.delete("/schedules/{schedule_id}", status_code=204)
def delete_schedule(schedule_id: DbId, app: AppDep, user: UserDep) -> Response:
    app.schedules.delete_schedule(user, schedule_id)
    return Response(status_code=204)
