"""The audit log: every state change, who made it, on which object, from where.

`AuditLog.record` appends one `AuditEvent` (the table refuses UPDATE and DELETE); the API's
middleware records every state-changing request, and services record what a request alone does
not say (a refresh-token reuse, a lock-out). Reading it is for admins (`GET /audit`,
`stratforge audit`).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from api.services.context import AppContext
from api.services.views import AuditView
from core.logging import get_logger
from core.models import AuditEvent
from core.scope import owner_scope

log = get_logger(__name__)


class AuditLog:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def record(
        self,
        action: str,
        *,
        actor_id: int | None,
        object_type: str | None = None,
        object_id: str | int | None = None,
        summary: dict[str, Any] | None = None,
        address: str | None = None,
        request_id: str | None = None,
    ) -> None:
        with owner_scope(None), self.ctx.session() as db:
            db.add(AuditEvent(
                actor_id=actor_id, action=action[:80], object_type=object_type,
                object_id=None if object_id is None else str(object_id)[:40],
                summary=summary, address=address, request_id=request_id,
            ))
            db.commit()

    def list_events(
        self, *, limit: int = 100, actor_id: int | None = None, action: str | None = None,
        before_id: int | None = None,
    ) -> list[AuditView]:
        with owner_scope(None), self.ctx.session() as db:
            query = select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(limit)
            if actor_id is not None:
                query = query.where(AuditEvent.actor_id == actor_id)
            if action is not None:
                query = query.where(col(AuditEvent.action).startswith(action))
            if before_id is not None:
                query = query.where(col(AuditEvent.id) < before_id)
            return [AuditView.model_validate(row, from_attributes=True)
                    for row in db.exec(query).all()]
