"""What every HTTP request leaves behind: its id, its latency in the metrics, and for a state
change that succeeded, its audit entry.

* Every response names its request (`X-Request-ID`); an unexpected exception becomes a JSON
  500 carrying that id, logged with its traceback, and never reaches the server (which would
  close the connection and drop the requests queued behind it).
* The latency of every request goes to the metrics, by route template (never the raw path).
* Every state change that succeeded is audited: who, which route, which object, from where,
  and a before/after summary of the rows it changed (`core.changes`: no secrets), written
  before the response leaves, so a client reading `/audit` next finds it.

A plain ASGI middleware: Starlette's `BaseHTTPMiddleware` runs the application in a task of
its own behind memory streams, which cost more CPU than a short request's route.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.changes import ChangeSet, collect_changes
from core.logging import get_logger

log = get_logger(__name__)

READS = frozenset({"GET", "HEAD", "OPTIONS"})
# the session service audits these itself, with what they did
SELF_AUDITED = frozenset({"/auth/login", "/auth/register", "/auth/refresh"})


class RequestRecord:
    """ASGI middleware: request id, 500 on an unhandled exception, metrics, audit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:16]
        started = time.perf_counter()
        method = scope["method"]
        changes: ChangeSet | None = None
        response_started = False

        async def send_recorded(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
                self._observe(scope, status, started)
                if changes is not None and status < 400:
                    await self._audit(scope, status, request_id, changes)
            await send(message)

        try:
            if method in READS:
                await self.app(scope, receive, send_recorded)
            else:
                with collect_changes() as changes:  # the audit entry's before/after
                    await self.app(scope, receive, send_recorded)
        except Exception:
            log.exception("unhandled error",
                          extra={"request": request_id, "path": scope.get("path")})
            if response_started:  # too late for a 500: end the answer that was begun
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            response = JSONResponse(status_code=500, content={
                "code": "internal_error",
                "message": f"internal error; see the server log for request {request_id}",
                "details": {"request_id": request_id}})
            await response(scope, receive, send_recorded)

    @staticmethod
    def _observe(scope: Scope, status: int, started: float) -> None:
        services = getattr(scope["app"].state, "services", None) if "app" in scope else None
        if services is not None:
            route = scope.get("route")  # the template, never the raw path
            template = getattr(route, "path_format", None) or getattr(route, "path", "other")
            services.monitoring.http.observe(scope["method"], template, status,
                                             time.perf_counter() - started)

    @staticmethod
    async def _audit(scope: Scope, status: int, request_id: str, changes: ChangeSet) -> None:
        route = scope.get("route")
        path: str = (getattr(route, "path_format", None) or getattr(route, "path", None)
                     or scope.get("path", ""))
        if path in SELF_AUDITED:
            return
        request = Request(scope)
        principal = getattr(request.state, "principal", None)
        params: dict[str, Any] = dict(scope.get("path_params") or {})
        object_id = next(iter(params.values()), None)
        parts = [p for p in path.split("/") if p and not p.startswith("{")]
        await run_in_threadpool(
            scope["app"].state.services.audit.record,
            f"{scope['method']} {path}",
            actor_id=getattr(principal, "user_id", None),
            object_type=parts[0] if parts else None, object_id=object_id,
            summary={"status": status, **({"params": params} if params else {}),
                     **({"changes": changes.as_json()} if changes.rows else {})},
            address=request.client.host if request.client else None,
            request_id=request_id,
        )
