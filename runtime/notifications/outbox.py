"""The outbox: an event becomes one `NotificationDelivery` row per channel of its owner that
wants it, written in the caller's transaction (so a journal line and the notification it
causes are stored together, or neither). `quiet_until` says when a channel's quiet hours end.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, select

from core.logging import get_logger
from core.models import NotificationChannel, NotificationDelivery, NotifyEvent

log = get_logger(__name__)

TITLE_MAX = 200


def notify(db: Session, owner_id: int, event: NotifyEvent, title: str, body: str = "",
           data: dict[str, Any] | None = None, channel_id: int | None = None) -> int:
    """Queue a message for each enabled channel of `owner_id` that wants `event` (or for
    `channel_id` alone, whatever its events: a test). Returns how many were queued; the
    caller commits."""
    query = select(NotificationChannel).where(NotificationChannel.owner_id == owner_id)
    if channel_id is not None:
        query = query.where(NotificationChannel.id == channel_id)
    queued = 0
    for channel in db.exec(query).all():
        if channel_id is None and (not channel.enabled
                                   or (channel.events and event.value not in channel.events)):
            continue
        assert channel.id is not None
        db.add(NotificationDelivery(owner_id=owner_id, channel_id=channel.id, event=event.value,
                                    title=title[:TITLE_MAX], body=body, data=data or {}))
        queued += 1
    if queued:
        log.info("notification queued", extra={"user": owner_id, "event": event.value,
                                               "channels": queued})
    return queued


def parse_clock(value: str) -> time:
    """"HH:MM" as a time; raises ValueError."""
    hours, _, minutes = value.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"{value!r} is not HH:MM")
    return time(int(hours), int(minutes))


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def quiet_until(start: str | None, end: str | None, tz: str, now: datetime) -> datetime | None:
    """When the quiet hours [start, end) that contain `now` end (UTC), or None when `now` is
    not quiet. A window whose start is after its end spans midnight (22:00–07:00)."""
    if not start or not end:
        return None
    local = now.astimezone(zone(tz))
    begin, finish = parse_clock(start), parse_clock(end)
    clock = local.time().replace(second=0, microsecond=0)
    if begin == finish:
        return None
    # a window whose start is after its end spans midnight
    quiet = begin <= clock < finish if begin < finish else (clock >= begin or clock < finish)
    if not quiet:
        return None
    end_local = local.replace(hour=finish.hour, minute=finish.minute, second=0, microsecond=0)
    if end_local <= local:
        end_local = end_local + timedelta(days=1)
        # the wall clock of the next day, in case a DST change lies between
        end_local = end_local.replace(tzinfo=None).replace(tzinfo=zone(tz))
    return end_local.astimezone(UTC)
