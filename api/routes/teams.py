"""Team routes: an admin makes teams and adds or removes members; anyone signed in lists the
teams they belong to (an admin: every team). What membership allows is `core.scope`'s rule."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import AdminDep, AppDep, PrincipalDep
from api.services.views import DbId, TeamIn, TeamMemberIn, TeamView

router = APIRouter(prefix="/teams", tags=["teams"])


@router.get("")
def list_teams(app: AppDep, who: PrincipalDep) -> list[TeamView]:
    """Your teams and their members (an admin sees every team)."""
    return app.teams.list_teams(None if who.role == "admin" else who.user_id)


@router.post("", status_code=201)
def create_team(body: TeamIn, app: AppDep, _admin: AdminDep) -> TeamView:
    return app.teams.create_team(body.name)


@router.post("/{team_id}/members")
def add_member(team_id: DbId, body: TeamMemberIn, app: AppDep, _admin: AdminDep) -> TeamView:
    """Add a user (by name or email); their team-mates may then read their results."""
    return app.teams.add_member(team_id, body.user)


@router.delete("/{team_id}/members/{user_id}")
def remove_member(team_id: DbId, user_id: DbId, app: AppDep, _admin: AdminDep) -> TeamView:
    return app.teams.remove_member(team_id, user_id)
