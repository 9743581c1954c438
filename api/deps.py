"""FastAPI dependencies, declared once: the application services and who is asking.

`current_principal` authenticates every API request (`api.services.sessions`), applies the
role rules (`api.services.roles`, shared with MCP), and sets the request's owner
(`core.scope`), so every database session the request opens sees only that user's rows.
Admin-only routes depend on `require_admin`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from starlette.concurrency import run_in_threadpool

from api.services.container import Services
from api.services.roles import check_role
from api.services.sessions import Principal
from core.errors import Forbidden
from core.scope import enter_owner


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


AppDep = Annotated[Services, Depends(get_services)]


def presented_credential(x_api_key: str | None, authorization: str | None) -> str | None:
    if x_api_key:
        return x_api_key.strip()
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


async def current_principal(
    request: Request,
    app: AppDep,
    x_api_key: Annotated[str | None, Header()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> Principal:
    """Async on purpose: the owner it sets is then seen by the (threadpool) endpoint."""
    credential = presented_credential(x_api_key, authorization)
    principal = await run_in_threadpool(app.sessions.authenticate, credential)
    check_role(principal, request.method, request.url.path)
    enter_owner(principal.user_id)
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def current_user_id(principal: PrincipalDep) -> int:
    return principal.user_id


UserDep = Annotated[int, Depends(current_user_id)]


def require_admin(principal: PrincipalDep) -> Principal:
    if principal.role != "admin":
        raise Forbidden("only an admin may do this", code="admin_only")
    return principal


AdminDep = Annotated[Principal, Depends(require_admin)]


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None
