"""Users' notification channels and their delivery log: add, list, change, remove, test.

Channel settings are validated by kind (`runtime.notifications.channels`) and stored
Fernet-encrypted; a view shows only the channel's `target`. The service also owns this
process's dispatcher (`start_dispatcher`, started by the API server) that delivers the outbox.
Every channel belongs to a user id, and every call is scoped to it.
"""

from __future__ import annotations

import json

from pydantic import ValidationError
from sqlmodel import Session, col, delete, select

from api.services.context import AppContext
from api.services.views import ChannelCreate, ChannelUpdate, ChannelView, DeliveryView
from core.credentials import CredentialBox
from core.errors import InvalidInput, NotFound
from core.models import (
    NotificationChannel,
    NotificationDelivery,
    NotifyEvent,
    as_utc,
)
from runtime.notifications.channels import display_target, parse_config
from runtime.notifications.dispatcher import NotificationDispatcher
from runtime.notifications.outbox import notify, zone

MAX_DELIVERIES = 500


def _problems(exc: ValidationError) -> list[dict[str, str]]:
    # never the input: it may be a token or a webhook URL
    return [{"where": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
            for e in exc.errors(include_input=False, include_url=False)]


def _events(events: list[str]) -> list[str]:
    known = {e.value for e in NotifyEvent}
    unknown = sorted(set(events) - known)
    if unknown:
        raise InvalidInput(f"unknown events: {', '.join(unknown)}", code="unknown_event",
                           known=sorted(known))
    return sorted(set(events))


def _quiet(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    start, end = value.split("-")
    if start == end:  # a window of no length: nothing is held back
        return None, None
    return start, end


def _timezone(name: str) -> str:
    try:
        zone(name)
    except ValueError as exc:
        raise InvalidInput(str(exc), code="bad_timezone") from exc
    return name


def channel_view(row: NotificationChannel) -> ChannelView:
    quiet = f"{row.quiet_start}-{row.quiet_end}" if row.quiet_start and row.quiet_end else None
    return ChannelView(id=row.id or 0, name=row.name, kind=row.kind, target=row.target,
                       events=list(row.events or []), quiet_hours=quiet, timezone=row.timezone,
                       enabled=row.enabled, created_at=as_utc(row.created_at))


def delivery_view(row: NotificationDelivery) -> DeliveryView:
    return DeliveryView(id=row.id or 0, channel_id=row.channel_id, event=row.event,
                        title=row.title, status=row.status, attempts=row.attempts,
                        response_status=row.response_status, last_error=row.last_error,
                        created_at=as_utc(row.created_at),
                        next_attempt_at=as_utc(row.next_attempt_at)
                        if row.status == "pending" else None,
                        sent_at=as_utc(row.sent_at))


class NotificationService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self._dispatcher: NotificationDispatcher | None = None

    # -- the dispatcher of this process --------
    @property
    def dispatcher(self) -> NotificationDispatcher:
        if self._dispatcher is None:
            self._dispatcher = NotificationDispatcher(self.ctx.engine, self.ctx.settings)
        return self._dispatcher

    def start_dispatcher(self) -> None:
        self.dispatcher.start()

    def stop_dispatcher(self) -> None:
        if self._dispatcher is not None:
            self._dispatcher.stop()
            self._dispatcher = None

    # -- channels --------
    def add_channel(self, user_id: int, body: ChannelCreate) -> ChannelView:
        try:
            config = parse_config({**body.settings.model_dump(exclude_none=True),
                                   "kind": body.kind})
        except ValidationError as exc:
            problems = _problems(exc)
            raise InvalidInput(
                f"bad {body.kind} settings: "
                + "; ".join(f"{p['where']}: {p['message']}" for p in problems),
                code="bad_channel_settings", problems=problems) from exc
        start, end = _quiet(body.quiet_hours)
        row = NotificationChannel(
            owner_id=user_id, name=body.name, kind=body.kind, target=display_target(config),
            config_enc=CredentialBox(self.ctx.settings).seal(
                json.dumps(config.model_dump(mode="json"))),
            events=_events(body.events), quiet_start=start, quiet_end=end,
            timezone=_timezone(body.timezone), enabled=body.enabled)
        with self.ctx.session() as db:
            db.add(row)
            db.commit()
            return channel_view(row)

    def list_channels(self, user_id: int) -> list[ChannelView]:
        with self.ctx.session() as db:
            rows = db.exec(select(NotificationChannel)
                           .where(NotificationChannel.owner_id == user_id)
                           .order_by(col(NotificationChannel.id))).all()
            return [channel_view(r) for r in rows]

    def _channel(self, db: Session, user_id: int, channel_id: int) -> NotificationChannel:
        row = db.get(NotificationChannel, channel_id)
        if row is None or row.owner_id != user_id:
            raise NotFound(f"notification channel {channel_id} not found",
                           code="channel_not_found")
        return row

    def update_channel(self, user_id: int, channel_id: int, body: ChannelUpdate) -> ChannelView:
        with self.ctx.session() as db:
            row = self._channel(db, user_id, channel_id)
            if body.name is not None:
                row.name = body.name
            if body.events is not None:
                row.events = _events(body.events)
            if body.quiet_hours is not None:
                row.quiet_start, row.quiet_end = _quiet(body.quiet_hours)
            if body.timezone is not None:
                row.timezone = _timezone(body.timezone)
            if body.enabled is not None:
                row.enabled = body.enabled
            db.add(row)
            db.commit()
            return channel_view(row)

    def remove_channel(self, user_id: int, channel_id: int) -> ChannelView:
        """Remove a channel and its delivery log."""
        with self.ctx.session() as db:
            row = self._channel(db, user_id, channel_id)
            view = channel_view(row)
            db.exec(delete(NotificationDelivery)
                    .where(col(NotificationDelivery.channel_id) == channel_id))
            db.delete(row)
            db.commit()
            return view

    def test_channel(self, user_id: int, channel_id: int) -> DeliveryView:
        """Send a test message now (one attempt, in this call, whatever the channel's events
        and quiet hours) and say how it went; a retryable failure stays queued."""
        with self.ctx.session() as db:
            self._channel(db, user_id, channel_id)
            notify(db, user_id, NotifyEvent.test, "stratforge test message",
                   "If you read this, the channel works.", channel_id=channel_id)
            db.flush()
            row = db.exec(select(NotificationDelivery)
                          .where(NotificationDelivery.channel_id == channel_id)
                          .order_by(col(NotificationDelivery.id).desc())).first()
            assert row is not None and row.id is not None
            delivery_id = row.id
            self.dispatcher.hold(row)  # committed as ours: no background loop takes it first
            db.add(row)
            db.commit()
        self.dispatcher.deliver(delivery_id)
        with self.ctx.session() as db:
            done = db.get(NotificationDelivery, delivery_id)
            assert done is not None
            return delivery_view(done)

    # -- the delivery log --------
    def deliveries(self, user_id: int, channel_id: int | None = None,
                   status: str | None = None, limit: int = 100) -> list[DeliveryView]:
        with self.ctx.session() as db:
            query = select(NotificationDelivery).where(NotificationDelivery.owner_id == user_id)
            if channel_id is not None:
                query = query.where(NotificationDelivery.channel_id == channel_id)
            if status is not None:
                query = query.where(NotificationDelivery.status == status)
            rows = db.exec(query.order_by(col(NotificationDelivery.id).desc())
                           .limit(max(1, min(limit, MAX_DELIVERIES)))).all()
            return [delivery_view(r) for r in rows]
