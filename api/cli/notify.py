"""CLI commands for notification channels and their delivery log (`stratforge notify ...`).

A channel's secret (a Slack or Discord webhook URL, a bot token, a webhook's HMAC key) is never
an argument — arguments show in `ps` and shell history: it is read from
`STRATFORGE_NOTIFY_SECRET` or prompted for, hidden.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer
from rich.table import Table

from api.cli.console import JsonFlag, emit_json, err, guard, out, services

notify_app = typer.Typer(help="Notification channels: email, Slack, Discord, Telegram, "
                              "signed webhooks.", no_args_is_help=True)

SECRET_ENV = "STRATFORGE_NOTIFY_SECRET"
SECRET_PROMPT = {
    "slack": "Slack incoming-webhook URL, or a bot token (xoxb-…) with --channel",
    "discord": "Discord webhook URL",
    "telegram": "Telegram bot token",
    "webhook": "HMAC secret to sign with (16+ characters)",
}


def _secret(kind: str) -> str | None:
    if kind not in SECRET_PROMPT:
        return None
    value = os.environ.get(SECRET_ENV)
    if value:
        return value
    return str(typer.prompt(SECRET_PROMPT[kind], hide_input=True, err=True))  # stdout: JSON


def _settings(kind: str, secret: str | None, to: str | None, chat_id: str | None,
              channel: str | None, url: str | None, api_url: str | None) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    if kind == "email":
        settings["to"] = to
    elif kind == "slack":
        if secret and secret.startswith(("http://", "https://")):
            settings["webhook_url"] = secret
        else:
            settings.update(bot_token=secret, channel=channel)
    elif kind == "discord":
        settings["webhook_url"] = secret
    elif kind == "telegram":
        settings.update(bot_token=secret, chat_id=chat_id)
    elif kind == "webhook":
        settings.update(url=url, secret=secret)
    if api_url:
        settings["api_url"] = api_url
    return {k: v for k, v in settings.items() if v is not None}


def _csv(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _channels_table(rows: list[Any]) -> Table:
    table = Table(title="Notification channels")
    for column in ("id", "name", "kind", "target", "events", "quiet hours", "enabled"):
        table.add_column(column)
    for c in rows:
        quiet = f"{c.quiet_hours} {c.timezone}" if c.quiet_hours else "-"
        table.add_row(str(c.id), c.name, c.kind, c.target, ",".join(c.events) or "all", quiet,
                      "yes" if c.enabled else "no")
    return table


def _deliveries_table(rows: list[Any]) -> Table:
    table = Table(title="Deliveries")
    for column in ("id", "channel", "event", "title", "status", "attempts", "answer",
                   "created", "error"):
        table.add_column(column)
    for d in rows:
        table.add_row(str(d.id), str(d.channel_id), d.event, d.title[:50], d.status,
                      str(d.attempts), str(d.response_status or "-"),
                      d.created_at.strftime("%Y-%m-%d %H:%M:%S"), (d.last_error or "")[:40])
    return table


def _emit_channels(rows: list[Any], as_json: bool) -> None:
    if as_json:
        emit_json([r.model_dump(mode="json") for r in rows])
    else:
        out.print(_channels_table(rows))


def _emit_deliveries(rows: list[Any], as_json: bool) -> None:
    if as_json:
        emit_json([r.model_dump(mode="json") for r in rows])
    else:
        out.print(_deliveries_table(rows))


@notify_app.command("add")
def add(
    kind: Annotated[str, typer.Argument(help="email | slack | discord | telegram | webhook")],
    name: str,
    to: Annotated[str | None, typer.Option(help="email: the address")] = None,
    chat_id: Annotated[str | None, typer.Option(help="telegram: the chat id")] = None,
    channel: Annotated[str | None, typer.Option(help="slack with a bot token: channel id")] = None,
    url: Annotated[str | None, typer.Option(help="webhook: where to POST")] = None,
    api_url: Annotated[str | None, typer.Option(help="telegram/slack API base (a proxy)")] = None,
    events: Annotated[str | None, typer.Option(help="comma-separated; default every event: "
                      "fill,refusal,halt,crash,fatal,broker_lost,reconnect,backtest_failed,"
                      "batch_finished,agent_cost_cap,drift")] = None,
    quiet: Annotated[str | None, typer.Option(help="quiet hours, e.g. 22:00-07:00")] = None,
    tz: Annotated[str, typer.Option(help="time zone of the quiet hours")] = "UTC",
    as_json: JsonFlag = False,
) -> None:
    """Add a channel. Its secret is read from STRATFORGE_NOTIFY_SECRET or prompted (hidden)."""
    from pydantic import ValidationError

    from api.services.views import CHANNEL_CREATE
    from core.errors import InvalidInput

    service = services()
    with guard(as_json):
        settings = _settings(kind, _secret(kind), to, chat_id, channel, url, api_url)
        try:
            body = CHANNEL_CREATE.validate_python({
                "name": name, "kind": kind, "events": _csv(events), "quiet_hours": quiet,
                "timezone": tz, "settings": settings})
        except ValidationError as exc:
            errors = exc.errors(include_input=False)
            where = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
            on_settings = all("settings" in e["loc"] for e in errors)
            raise InvalidInput(where, code="bad_channel_settings" if on_settings
                               else "invalid_request") from exc
        view = service.notifications.add_channel(service.user_id, body)
    _emit_channels([view], as_json)


@notify_app.command("list")
def list_channels(as_json: JsonFlag = False) -> None:
    """Your channels (targets only: secrets are never shown)."""
    service = services()
    with guard(as_json):
        rows = service.notifications.list_channels(service.user_id)
    _emit_channels(rows, as_json)


@notify_app.command("update")
def update(
    channel_id: int,
    events: Annotated[str | None, typer.Option(help="comma-separated; '' for every event")] = None,
    quiet: Annotated[str | None, typer.Option(help="e.g. 22:00-07:00; '' for none")] = None,
    tz: Annotated[str | None, typer.Option()] = None,
    enable: Annotated[bool | None, typer.Option("--enable/--disable")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Change which events a channel gets, its quiet hours, or switch it off."""
    from api.services.views import ChannelUpdate

    service = services()
    with guard(as_json):
        body = ChannelUpdate(events=None if events is None else _csv(events),
                             quiet_hours=quiet, timezone=tz, enabled=enable)
        view = service.notifications.update_channel(service.user_id, channel_id, body)
    _emit_channels([view], as_json)


@notify_app.command("remove")
def remove(channel_id: int, as_json: JsonFlag = False) -> None:
    """Remove a channel and its delivery log."""
    service = services()
    with guard(as_json):
        view = service.notifications.remove_channel(service.user_id, channel_id)
    _emit_channels([view], as_json)


@notify_app.command("test")
def test(channel_id: int, as_json: JsonFlag = False) -> None:
    """Send a test message now and say how it went."""
    service = services()
    with guard(as_json):
        view = service.notifications.test_channel(service.user_id, channel_id)
    _emit_deliveries([view], as_json)
    if view.status != "sent":
        if not as_json:
            err.print(f"[red]not delivered[/]: {view.last_error}")
        raise typer.Exit(1)


@notify_app.command("log")
def log(
    channel: Annotated[int | None, typer.Option(help="one channel")] = None,
    status: Annotated[str | None, typer.Option(help="pending | sending | sent | failed")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    as_json: JsonFlag = False,
) -> None:
    """The delivery log, newest first."""
    service = services()
    with guard(as_json):
        rows = service.notifications.deliveries(service.user_id, channel, status, limit)
    _emit_deliveries(rows, as_json)
