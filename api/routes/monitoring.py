"""Monitoring routes: `GET /metrics` (Prometheus text format) and `GET /health`.

`/health` answers without an API key (load balancers and container health checks have none):
it names components, deployment ids and states, never a secret. `/metrics` needs the key when
one is configured (Prometheus sends it as `authorization: {credentials: ...}`).
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import AppDep, UserDep
from api.services.monitoring import CONTENT_TYPE
from api.services.views import HealthReport

router = APIRouter(tags=["meta"])


@router.get("/metrics", response_class=Response)
def metrics(app: AppDep, _: UserDep) -> Response:
    return Response(content=app.monitoring.exposition(), media_type=CONTENT_TYPE)


@router.get("/health", response_model=HealthReport)
def health(app: AppDep, response: Response) -> HealthReport:
    report = app.monitoring.health()
    if report.status == "down":
        response.status_code = 503
    return report
