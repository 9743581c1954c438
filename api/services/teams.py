"""Teams: who shares results with whom. An admin makes teams and fills them; a member's
team-mates may read the member's strategies, versions, backtests and batches — read-only, and
nothing else (the rule itself is `core.scope`'s, and `core.rls`'s on PostgreSQL). A user sees
the teams they belong to; an admin sees every team.
"""

from __future__ import annotations

from sqlalchemy import String, bindparam, cast, func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from api.services.accounts import Accounts
from api.services.context import AppContext
from api.services.views import TeamMemberView, TeamView
from core.errors import Conflict, NotFound
from core.logging import get_logger
from core.models import Team, TeamMember, User
from core.scope import owner_scope

log = get_logger(__name__)


_me, _mate = aliased(TeamMember), aliased(TeamMember)
# built once: every signed-in request asks it
_TEAM_MATES = (
    select(_mate.user_id).join(_me, col(_me.team_id) == col(_mate.team_id))
    .where(_me.user_id == bindparam("user"), _mate.user_id != bindparam("user"))
)


# the team-mates of the user of the enclosing query's `users` row, as one string of ids joined
# by commas (None: no team-mates): lets sign-in read the account and its team in one query
TEAM_MATE_IDS = (
    select(func.aggregate_strings(cast(col(_mate.user_id), String), ","))
    .join(_me, col(_me.team_id) == col(_mate.team_id))
    .where(col(_me.user_id) == col(User.id), col(_mate.user_id) != col(User.id))
    .correlate(User)
    .scalar_subquery()
)


def team_from_ids(ids: str | None) -> frozenset[int]:
    """The team-mates `TEAM_MATE_IDS` read."""
    return frozenset(int(i) for i in ids.split(",")) if ids else frozenset()


def team_mates(db: Session, user_id: int) -> frozenset[int]:
    """Everyone who shares a team with `user_id` (without `user_id`): one query."""
    return frozenset(int(r) for r in db.exec(_TEAM_MATES.params(user=user_id)).all())


class TeamService:
    def __init__(self, ctx: AppContext, accounts: Accounts) -> None:
        self.ctx = ctx
        self.accounts = accounts

    def create_team(self, name: str) -> TeamView:
        with owner_scope(None), self.ctx.session() as db:
            team = Team(name=name.strip())
            db.add(team)
            try:
                db.commit()
            except IntegrityError as exc:
                raise Conflict(f"a team called {name!r} exists", code="team_exists") from exc
            db.refresh(team)
            log.info("team created", extra={"team": team.id})
        return self.get_team(team.id or 0)

    def add_member(self, team: str | int, who: str) -> TeamView:
        """`team`: its id or name; `who`: a user's name or email."""
        team_id = self._team_id(team)
        user = self.accounts.find_by_name_or_email(who)
        with owner_scope(None), self.ctx.session() as db:
            if db.get(TeamMember, (team_id, user.id)) is None:
                db.add(TeamMember(team_id=team_id, user_id=user.id or 0))
                try:
                    db.commit()
                except IntegrityError:  # added by another request at the same moment
                    db.rollback()
        log.info("team member added", extra={"team": team_id, "user": user.id})
        return self.get_team(team_id)

    def remove_member(self, team: str | int, who: str | int) -> TeamView:
        """`who`: a user's id, name or email."""
        team_id = self._team_id(team)
        user = (self.accounts.get_user(who) if isinstance(who, int)
                else self.accounts.find_by_name_or_email(who))
        with owner_scope(None), self.ctx.session() as db:
            row = db.get(TeamMember, (team_id, user.id))
            if row is None:
                raise NotFound(f"{user.name} is not in team {team_id}", code="not_a_member")
            db.delete(row)
            db.commit()
        log.info("team member removed", extra={"team": team_id, "user": user.id})
        return self.get_team(team_id)

    def get_team(self, team_id: int) -> TeamView:
        found = self._views([team_id])
        if not found:
            raise NotFound(f"no team {team_id}", code="team_not_found")
        return found[0]

    def list_teams(self, user_id: int | None) -> list[TeamView]:
        """Every team (`user_id` None: an admin), else the teams `user_id` belongs to."""
        with owner_scope(None), self.ctx.session() as db:
            query = select(Team.id).order_by(col(Team.id))
            if user_id is not None:
                query = query.join(TeamMember, col(TeamMember.team_id) == col(Team.id)).where(
                    TeamMember.user_id == user_id)
            ids = [int(i) for i in db.exec(query).all() if i is not None]
        return self._views(ids)

    def team_mates(self, user_id: int) -> frozenset[int]:
        with owner_scope(None), self.ctx.session() as db:
            return team_mates(db, user_id)

    def _team_id(self, team: str | int) -> int:
        with owner_scope(None), self.ctx.session() as db:
            if isinstance(team, int) or str(team).isdigit():
                row = db.get(Team, int(team))
            else:
                row = db.exec(select(Team).where(Team.name == team)).first()
            if row is None:
                raise NotFound(f"no team {team!r}", code="team_not_found")
            return row.id or 0

    def _views(self, ids: list[int]) -> list[TeamView]:
        if not ids:
            return []
        with owner_scope(None), self.ctx.session() as db:
            teams = db.exec(select(Team).where(col(Team.id).in_(ids))
                            .order_by(col(Team.id))).all()
            members = db.exec(
                select(TeamMember.team_id, User.id, User.name, User.role)
                .join(User, col(User.id) == col(TeamMember.user_id))
                .where(col(TeamMember.team_id).in_(ids)).order_by(col(User.id))
            ).all()
        by_team: dict[int, list[TeamMemberView]] = {}
        for team_id, uid, name, role in members:
            by_team.setdefault(team_id, []).append(
                TeamMemberView(user_id=uid or 0, name=name, role=role))
        return [TeamView(id=t.id or 0, name=t.name, created_at=t.created_at,
                         members=by_team.get(t.id or 0, [])) for t in teams]
