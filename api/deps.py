"""FastAPI dependencies, declared once: the application services and who is asking.

`current_principal` authenticates every API request (`api.services.sessions`), applies the
role rules (`api.services.roles`, shared with MCP), and sets the request's owner
(`core.scope`), so every database session the request opens sees only that user's rows.
Admin-only routes depend on `require_admin`. The dependencies that only read what the request
already holds are `async` on purpose: FastAPI runs a plain `def` dependency on the thread pool,
a hop that costs more than the dependency itself.

Teams: a read (GET/HEAD) also sees the results of the caller's team-mates (`core.scope`); a
write never does, so nothing of a team-mate can be changed, run or deployed. A write whose path
names a team-mate's result (`TEAM_PATH_PARAMS`) is answered 403 `team_read_only` rather than
the 404 a stranger's object gets; a team-mate's id inside a write's body is unknown to it (404).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from sqlmodel import SQLModel
from starlette.concurrency import run_in_threadpool

from api.services.container import Services
from api.services.roles import SAFE_METHODS, check_role
from api.services.sessions import Principal
from core.errors import Forbidden
from core.models import BacktestRun, Batch, Strategy
from core.scope import enter_owner, owner_scope

# path parameters naming a result team-mates may read, and its table
TEAM_PATH_PARAMS: dict[str, type[SQLModel]] = {
    "strategy_id": Strategy, "run_id": BacktestRun, "batch_id": Batch}


async def get_services(request: Request) -> Services:
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
    """Async on purpose: the owner it sets is then seen by the (threadpool) endpoint. A
    credential this process verified moments ago is answered here; only a check that needs
    the database goes to the thread pool (the hop cost more than the cache lookup)."""
    credential = presented_credential(x_api_key, authorization)
    principal = app.sessions.remembered(credential)
    if principal is None:
        principal = await run_in_threadpool(app.sessions.authenticate, credential)
    check_role(principal, request.method, request.url.path)
    team = principal.team
    if request.method in SAFE_METHODS:
        enter_owner(principal.user_id, team)
    else:
        if team:
            await run_in_threadpool(refuse_team_write, app, team, request.path_params)
        enter_owner(principal.user_id)
    request.state.principal = principal
    return principal


def refuse_team_write(app: Services, team: frozenset[int], params: dict[str, str]) -> None:
    """403 when a write's path names a result that belongs to a team-mate."""
    for name, table in TEAM_PATH_PARAMS.items():
        value = params.get(name)
        if value is None or not value.isdigit():
            continue
        with owner_scope(None), app.ctx.session() as db:
            row = db.get(table, int(value))
        if getattr(row, "owner_id", None) in team:
            raise Forbidden(f"this {table.__name__} belongs to a team-mate: you may read it, "
                            "not change it", code="team_read_only")


PrincipalDep = Annotated[Principal, Depends(current_principal)]


async def current_user_id(principal: PrincipalDep) -> int:
    return principal.user_id


UserDep = Annotated[int, Depends(current_user_id)]


async def require_admin(principal: PrincipalDep) -> Principal:
    if principal.role != "admin":
        raise Forbidden("only an admin may do this", code="admin_only")
    return principal


AdminDep = Annotated[Principal, Depends(require_admin)]


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None
