"""The dispatcher: a thread that delivers due outbox rows, each attempt in a small pool of
worker threads so a slow or hanging endpoint holds one worker for at most its timeout and
never the caller.

Any number of dispatchers may run (the supervisor has one, the API server another): a row is
claimed with a conditional UPDATE (pending → sending), so each attempt is made once. A row left
`sending` by a dispatcher that died is claimed again after `stale_after`. Retryable failures
(timeouts, refused connections, 429, 5xx, SMTP 4xx) back off exponentially with jitter up to
`notify_max_attempts`; other refusals fail at once. Quiet hours postpone a row without spending
an attempt. Every attempt's outcome is written on the row (the delivery log).
"""

from __future__ import annotations

import json
import os
import random
import socket
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.config import Settings
from core.credentials import CredentialBox
from core.logging import get_logger
from core.models import (
    DeliveryStatus,
    NotificationChannel,
    NotificationDelivery,
    as_utc,
    utcnow,
)
from runtime.notifications.channels import (
    DeliveryError,
    Message,
    parse_config,
    secrets_of,
    send,
)
from runtime.notifications.outbox import quiet_until

log = get_logger(__name__)


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text[:500]


class NotificationDispatcher:
    def __init__(self, engine: Engine, settings: Settings, name: str | None = None) -> None:
        self.engine = engine
        self.settings = settings
        self.name = (name or f"{socket.gethostname()}:{os.getpid()}")[:80]
        self.stale_after = timedelta(seconds=settings.notify_timeout_s * 3 + 60)
        self._pool = ThreadPoolExecutor(max_workers=max(1, settings.notify_workers),
                                        thread_name_prefix="notify")
        self._inflight: set[Future[None]] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._box: CredentialBox | None = None

    # -- life --------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="notify-dispatcher",
                                            daemon=True)
            self._thread.start()

    def stop(self, wait: bool = False) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.settings.notify_poll_s + 5)
            self._thread = None
        self._pool.shutdown(wait=wait, cancel_futures=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.dispatch_due()
            except Exception:
                log.exception("notification dispatch failed")
            self._stop.wait(self.settings.notify_poll_s)

    # -- one pass --------
    def dispatch_due(self) -> int:
        """Claim what is due (as many as there are free workers) and start sending it."""
        with self._lock:
            self._inflight = {f for f in self._inflight if not f.done()}
            free = max(1, self.settings.notify_workers) - len(self._inflight)
        if free <= 0:
            return 0
        now = utcnow()
        with Session(self.engine) as db:
            candidates = db.exec(
                select(NotificationDelivery.id, NotificationDelivery.status)
                .where(or_(
                    (col(NotificationDelivery.status) == DeliveryStatus.pending.value)
                    & (col(NotificationDelivery.next_attempt_at) <= now),
                    (col(NotificationDelivery.status) == DeliveryStatus.sending.value)
                    & (col(NotificationDelivery.claimed_at) < now - self.stale_after),
                ))
                .order_by(col(NotificationDelivery.next_attempt_at))
                .limit(free * 2)
            ).all()
            claimed: list[int] = []
            for delivery_id, status in candidates:
                if len(claimed) >= free:
                    break
                assert delivery_id is not None
                if self._claim(db, delivery_id, status):
                    claimed.append(delivery_id)
            db.commit()
        for delivery_id in claimed:
            future = self._pool.submit(self.deliver, delivery_id)
            with self._lock:
                self._inflight.add(future)
        return len(claimed)

    def _claim(self, db: Session, delivery_id: int, status: str) -> bool:
        """pending (or stale sending) → sending, unless another dispatcher was first."""
        result = db.connection().execute(
            update(NotificationDelivery)
            .where(col(NotificationDelivery.id) == delivery_id,
                   col(NotificationDelivery.status) == status)
            .values(status=DeliveryStatus.sending.value, claimed_at=utcnow(),
                    claimed_by=self.name)
        )
        return bool(result.rowcount == 1)

    def hold(self, row: NotificationDelivery) -> None:
        """Mark a row not yet committed as claimed by this dispatcher, so that the row is
        written already `sending` and no dispatcher's loop (this one's included) can take it
        before the caller's `deliver` (a channel test answers with its own attempt)."""
        row.status = DeliveryStatus.sending.value
        row.claimed_at = utcnow()
        row.claimed_by = self.name

    def deliver(self, delivery_id: int) -> None:
        """One attempt at a claimed row, its outcome written on the row."""
        with Session(self.engine, expire_on_commit=False) as db:
            row = db.get(NotificationDelivery, delivery_id)
            if row is None:
                return
            channel = db.get(NotificationChannel, row.channel_id)
            if channel is None or (not channel.enabled and row.event != "test"):
                self._finish(db, row, DeliveryStatus.failed, error="channel removed or disabled")
                return
            if row.event != "test":
                until = quiet_until(channel.quiet_start, channel.quiet_end, channel.timezone,
                                    utcnow())
                if until is not None:
                    row.status = DeliveryStatus.pending.value
                    row.next_attempt_at = until
                    row.last_error = "quiet hours"
                    db.add(row)
                    db.commit()
                    return
            try:
                config = parse_config(json.loads(self._credentials().open(channel.config_enc)))
            except Exception as exc:
                self._finish(db, row, DeliveryStatus.failed,
                             error=f"channel settings unreadable ({type(exc).__name__})")
                return
            message = Message(delivery_id=delivery_id, event=row.event, title=row.title,
                              body=row.body, data=row.data or {},
                              created_at=as_utc(row.created_at))
            row.attempts += 1
            try:
                status = send(config, message, self.settings)
            except DeliveryError as exc:
                error = _scrub(str(exc), secrets_of(config))
                row.response_status = exc.status
                if exc.retryable and row.attempts < self.settings.notify_max_attempts:
                    delay = min(self.settings.notify_backoff_max_s,
                                self.settings.notify_backoff_s * 2 ** (row.attempts - 1))
                    delay *= random.uniform(0.8, 1.2)
                    row.status = DeliveryStatus.pending.value
                    row.next_attempt_at = utcnow() + timedelta(seconds=delay)
                    row.last_error = error
                    db.add(row)
                    db.commit()
                    log.warning("notification will be retried",
                                extra={"delivery": delivery_id, "channel": channel.id,
                                       "attempt": row.attempts, "retry_in_s": round(delay, 1),
                                       "error": error})
                    return
                self._finish(db, row, DeliveryStatus.failed, error=error)
                return
            except Exception as exc:  # a bug in a sender must not kill the worker
                log.exception("notification sender failed", extra={"delivery": delivery_id})
                self._finish(db, row, DeliveryStatus.failed,
                             error=_scrub(f"{type(exc).__name__}: {exc}", secrets_of(config)))
                return
            row.response_status = status
            self._finish(db, row, DeliveryStatus.sent)

    def _finish(self, db: Session, row: NotificationDelivery, status: DeliveryStatus,
                error: str | None = None) -> None:
        row.status = status.value
        row.claimed_at = None
        if status == DeliveryStatus.sent:
            row.sent_at = utcnow()
            row.last_error = None
        else:
            row.last_error = error
        db.add(row)
        db.commit()
        log.info("notification %s", status.value,
                 extra={"delivery": row.id, "channel": row.channel_id, "event": row.event,
                        "attempts": row.attempts, "error": error})

    def _credentials(self) -> CredentialBox:
        if self._box is None:
            self._box = CredentialBox(self.settings)
        return self._box
