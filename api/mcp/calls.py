"""One MCP tool call, the way the API handles one request: who is calling, the role rules,
the owner scope, the audit log, and errors in the one error format.

`ToolCalls.run(ctx, route, work)` is what every tool does: `route` is the API route the tool
stands for (its method and path decide the role rule, exactly as for that route, and name the
audit event); `work(principal)` calls the services (in a worker thread, with the database
scoped to the caller's rows). Successes come back as JSON text plus structured content; a
`StratforgeError` as a tool error carrying its code, message, details and the HTTP status of
`api/errors.py`; anything else as `internal_error` naming the id it was logged under.

Who is calling: over stdio, the process's user (`SessionService.process_principal`, like the
CLI); over HTTP, the user whose bearer token the SDK's auth middleware verified for this request
(`api.mcp.auth`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.fastmcp import Context
from mcp.types import CallToolResult, TextContent
from pydantic_core import to_jsonable_python

from api.errors import tool_error
from api.services.container import Services
from api.services.roles import SAFE_METHODS, check_role
from api.services.sessions import Principal
from core.errors import InternalError, StratforgeError, Unauthorized
from core.logging import get_logger
from core.scope import owner_scope

log = get_logger(__name__)


@dataclass(frozen=True)
class Route:
    """The API route a tool stands for: `POST /deployments`."""

    method: str
    path: str

    @property
    def changes(self) -> bool:
        return self.method not in SAFE_METHODS

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def success(value: Any) -> CallToolResult:
    data = to_jsonable_python(value)
    structured = data if isinstance(data, dict) else {"result": data}
    return CallToolResult(content=[TextContent(type="text", text=json.dumps(data, indent=1))],
                          structuredContent=structured)


def failure(exc: StratforgeError) -> CallToolResult:
    body = tool_error(exc)
    text = f"{body['code']}: {body['message']}"
    if body["details"]:
        text += "\n" + json.dumps(to_jsonable_python(body["details"]), indent=1)
    return CallToolResult(isError=True, content=[TextContent(type="text", text=text)],
                          structuredContent={"error": to_jsonable_python(body)})


class ToolCalls:
    def __init__(self, services: Services, local: Principal | None) -> None:
        """`local`: who a stdio server acts as; None over HTTP (each request's token says)."""
        self.services = services
        self.local = local

    def principal(self, ctx: Context[Any, Any, Any]) -> Principal:
        if self.local is not None:
            return self.local
        request = ctx.request_context.request
        user = request.scope.get("user") if request is not None else None
        if not isinstance(user, AuthenticatedUser) or user.access_token.subject is None:
            raise Unauthorized("sign in first: send Authorization: Bearer <token>",
                               code="unauthorized")
        claims = user.access_token.claims or {}
        return Principal(int(user.access_token.subject), str(claims.get("role")),
                         str(claims.get("via", "token")),
                         frozenset(int(mate) for mate in claims.get("team") or ()))

    async def run(
        self,
        ctx: Context[Any, Any, Any],
        route: Route,
        work: Callable[[Principal], Any],
        *,
        object_id: int | str | None = None,
        audit: dict[str, Any] | None = None,
    ) -> CallToolResult:
        """Check the caller's role for `route`, run `work` as the caller, audit a change."""
        request_id = uuid.uuid4().hex[:16]
        try:
            principal = self.principal(ctx)
            check_role(principal, route.method, route.path)

            # a read also sees the team-mates' results, as the API's GETs do (core.scope)
            team = principal.team if route.method == "GET" else ()

            def scoped() -> Any:
                with owner_scope(principal.user_id, team):
                    return work(principal)

            result = await anyio.to_thread.run_sync(scoped)
            if route.changes or audit is not None:
                await anyio.to_thread.run_sync(
                    lambda: self.record(principal, route, request_id, object_id, audit))
        except StratforgeError as exc:
            return failure(exc)
        except Exception:
            log.exception("unhandled error in an MCP tool",
                          extra={"request": request_id, "route": str(route)})
            return failure(InternalError(
                f"internal error; see the server log for request {request_id}",
                code="internal_error", request_id=request_id))
        return success(result)

    def record(self, principal: Principal, route: Route, request_id: str,
               object_id: int | str | None, audit: dict[str, Any] | None) -> None:
        """The audit event the API's middleware writes for the same route, marked `via: mcp`."""
        parts = [p for p in route.path.split("/") if p and not p.startswith("{")]
        self.services.audit.record(
            str(route) if audit is None else str(audit.get("action", route)),
            actor_id=principal.user_id,
            object_type=parts[0] if parts else None,
            object_id=object_id,
            summary={"via": "mcp", **{k: v for k, v in (audit or {}).items() if k != "action"}},
            request_id=request_id,
        )
