"""CLI commands for teams: `stratforge teams create|add|remove|list`. Making and filling teams
is for admins; anyone lists their own teams. Registered on the main app by `api.cli`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from api.cli.console import JsonFlag, emit_json, fail, guard, out, services
from core.errors import Forbidden

if TYPE_CHECKING:  # (imported where used: `--help` loads no service)
    from api.services.container import Services
    from api.services.views import TeamView

teams_app = typer.Typer(help="Teams: members read each other's strategies, versions, "
                             "backtests and batches (read-only).", no_args_is_help=True)


def _admin(as_json: bool) -> Services:
    service = services()
    if service.accounts.get_user(service.user_id).role != "admin":
        fail(Forbidden("only an admin may change teams", code="admin_only"), as_json)
    return service


def _show(view: TeamView, as_json: bool) -> None:
    if as_json:
        emit_json(view.model_dump(mode="json"))
    else:
        names = ", ".join(f"{m.name} ({m.role})" for m in view.members) or "no members"
        out.print(f"team {view.id} [bold]{view.name}[/]: {names}")


@teams_app.command("create")
def teams_create(name: Annotated[str, typer.Argument(help="The team's name")],
                 as_json: JsonFlag = False) -> None:
    service = _admin(as_json)
    with guard(as_json):
        _show(service.teams.create_team(name), as_json)


@teams_app.command("add")
def teams_add(team: Annotated[str, typer.Argument(help="The team's name or id")],
              user: Annotated[str, typer.Argument(help="A user's name or email")],
              as_json: JsonFlag = False) -> None:
    """Add USER to TEAM: its members may then read USER's results, and USER theirs."""
    service = _admin(as_json)
    with guard(as_json):
        _show(service.teams.add_member(team, user), as_json)


@teams_app.command("remove")
def teams_remove(team: Annotated[str, typer.Argument(help="The team's name or id")],
                 user: Annotated[str, typer.Argument(help="A user's name or email")],
                 as_json: JsonFlag = False) -> None:
    """Take USER out of TEAM: its reads of the team's results end at the next request."""
    service = _admin(as_json)
    with guard(as_json):
        _show(service.teams.remove_member(team, user), as_json)


@teams_app.command("list")
def teams_list(as_json: JsonFlag = False) -> None:
    """Your teams (an admin: every team) and their members."""
    service = services()
    with guard(as_json):
        role = service.accounts.get_user(service.user_id).role
        views = service.teams.list_teams(None if role == "admin" else service.user_id)
    if as_json:
        emit_json([v.model_dump(mode="json") for v in views])
        return
    table = Table()
    for column in ("id", "team", "members"):
        table.add_column(column)
    for v in views:
        table.add_row(str(v.id), v.name, ", ".join(m.name for m in v.members))
    out.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(teams_app, name="teams")
