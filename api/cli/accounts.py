"""CLI commands for accounts: `stratforge users create|list|role`, `login`, `logout`,
`whoami`, `audit`, `keys rotate`. Registered on the main `stratforge` app by `api.cli`."""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli.console import JsonFlag, emit_json, err, fail, guard, out, services
from core.changes import describe
from core.errors import InvalidInput

users_app = typer.Typer(help="Accounts and their roles (admin, trader, viewer).",
                        no_args_is_help=True)
keys_app = typer.Typer(help="The key that seals stored secrets.", no_args_is_help=True)


def _password(stdin: bool, confirm: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=confirm))


@users_app.command("create")
def users_create(
    name: Annotated[str, typer.Argument(help="A short user name")],
    role: Annotated[str, typer.Option(help="admin | trader | viewer")] = "trader",
    email: Annotated[str | None, typer.Option(help="Sign-in email (needed to log in)")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                 help="Read the password from stdin")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Make an account (the first admin too). With --email, asks for its password."""
    service = services()
    with guard(as_json):
        password = _password(password_stdin, confirm=True) if email else None
        if password is not None and len(password) < 10:
            raise InvalidInput("a password needs at least 10 characters", code="weak_password")
        view = service.accounts.create_user(name, role=role, email=email, password=password)
    if as_json:
        emit_json(view.model_dump(mode="json"))
    else:
        out.print(f"user {view.id} [bold]{view.name}[/] ({view.role})")


@users_app.command("list")
def users_list(as_json: JsonFlag = False) -> None:
    views = services().accounts.list_users()
    if as_json:
        emit_json([v.model_dump(mode="json") for v in views])
        return
    table = Table()
    for column in ("id", "name", "email", "role", "disabled"):
        table.add_column(column)
    for v in views:
        table.add_row(str(v.id), v.name, v.email or "—", v.role, "yes" if v.disabled else "")
    out.print(table)


@users_app.command("role")
def users_role(
    who: Annotated[str, typer.Argument(help="User name or email")],
    role: Annotated[str, typer.Argument(help="admin | trader | viewer")],
    disable: Annotated[bool | None, typer.Option("--disable/--enable")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Change a user's role (or disable the account: its sessions end)."""
    service = services()
    with guard(as_json):
        user = service.accounts.find_by_name_or_email(who)
        view = service.accounts.set_role(user.id or 0, role, disabled=disable)
    if as_json:
        emit_json(view.model_dump(mode="json"))
    else:
        out.print(f"{view.name}: {view.role}{' (disabled)' if view.disabled else ''}")


def login(
    email: Annotated[str, typer.Option(prompt=True, help="Your account's email")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
    days: Annotated[int, typer.Option(help="The token expires after this many days")] = 90,
    as_json: JsonFlag = False,
) -> None:
    """Sign in: makes a personal API token and keeps it in the CLI config file (0600); every
    later command acts as you."""
    service = services()
    with guard(as_json):
        password = _password(password_stdin, confirm=False)
        service.sessions.login(email, password, address="cli")
        user = service.accounts.find_by_name_or_email(email)
        created = service.sessions.create_token(user.id or 0, f"cli@{socket.gethostname()}",
                                                days)
    path = Path(service.settings.cli_config)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"token": created.token, "token_id": created.id, "user": user.name}, handle)
    os.replace(tmp, path)
    if as_json:
        emit_json({"user": user.name, "token_id": created.id, "config": str(path)})
    else:
        out.print(f"signed in as [bold]{user.name}[/]; token kept in {path}")


def logout(as_json: JsonFlag = False) -> None:
    """Revoke the stored token and forget it."""
    service = services()
    path = Path(service.settings.cli_config)
    revoked = False
    if path.exists():
        try:
            token_id = int(json.loads(path.read_text()).get("token_id") or 0)
        except (OSError, ValueError):
            token_id = 0
        from api.services.sessions import stored_token

        if token_id and stored_token(service.settings):
            with guard(as_json):
                service.sessions.revoke_token(service.user_id, token_id)
                revoked = True
        path.unlink()
    if as_json:
        emit_json({"signed_out": True, "revoked": revoked})
    else:
        out.print("signed out" + (" (token revoked)" if revoked else ""))


def whoami(as_json: JsonFlag = False) -> None:
    """Who the CLI acts as."""
    from api.services.accounts import user_view

    service = services()
    view = user_view(service.accounts.get_user(service.user_id))
    if as_json:
        emit_json(view.model_dump(mode="json"))
    else:
        out.print(f"{view.name} ({view.role})")


def audit(
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    action: Annotated[str | None, typer.Option(help="Actions starting with this")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The audit log, newest first (admins)."""
    service = services()
    if service.accounts.get_user(service.user_id).role != "admin":
        fail(InvalidInput("only an admin may read the audit log", code="admin_only"), as_json)
    events = service.audit.list_events(limit=limit, action=action)
    if as_json:
        emit_json([e.model_dump(mode="json") for e in events])
        return
    table = Table()
    for column in ("id", "when", "who", "action", "object", "from", "changed (before → after)"):
        table.add_column(column)
    for e in events:
        table.add_row(str(e.id), e.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                      str(e.actor_id or "—"), e.action,
                      f"{e.object_type or ''} {e.object_id or ''}".strip(), e.address or "",
                      describe((e.summary or {}).get("changes") or []))
    out.print(table)


@keys_app.command("rotate")
def keys_rotate(as_json: JsonFlag = False) -> None:
    """A new key for stored secrets; every secret is resealed under it, the old key dropped."""
    service = services()
    if service.accounts.get_user(service.user_id).role != "admin":
        fail(InvalidInput("only an admin may rotate the key", code="admin_only"), as_json)
    from api.services.integrations import rotate_keys

    with guard(as_json):
        count = rotate_keys(service.settings, service.ctx)
    if as_json:
        emit_json({"resealed": count})
    else:
        err.print(f"resealed {count} secrets under a new key")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.add_typer(keys_app, name="keys")
    app.command()(login)
    app.command()(logout)
    app.command()(whoami)
    app.command()(audit)
