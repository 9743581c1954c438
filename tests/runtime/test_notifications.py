"""Notification delivery against local far ends: a scripted HTTP receiver (signed webhooks,
Slack, Discord, Telegram) and an SMTP server (aiosmtpd). Retries with backoff, refusals that
are final, a hanging endpoint that holds up nobody else, quiet hours, event filters, and
secrets kept out of the delivery log."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import make_settings
from deploy_support import wait_for
from notify_support import http_receiver, smtp_server
from sqlmodel import Session

from core.credentials import CredentialBox
from core.db import dispose_engines, ensure_user, get_engine, migrate
from core.models import NotificationChannel, NotificationDelivery, NotifyEvent, utcnow
from runtime.notifications.channels import display_target, parse_config
from runtime.notifications.dispatcher import NotificationDispatcher
from runtime.notifications.outbox import notify, quiet_until

SECRET = "s3cret-hmac-key-0123456789"


class World:
    def __init__(self, tmp_path: Path, sample_market_dir: Path, **settings: Any) -> None:
        values: dict[str, Any] = {"notify_poll_s": 0.05, "notify_backoff_s": 0.05,
                                  "notify_timeout_s": 2.0, "notify_max_attempts": 4}
        values.update(settings)
        self.settings = make_settings(tmp_path, sample_market_dir, **values)
        self.settings.ensure_dirs()
        migrate(self.settings)
        self.engine = get_engine(self.settings)
        with Session(self.engine) as db:
            self.user = ensure_user(db, "local").id or 0
        self.box = CredentialBox(self.settings)
        self.dispatcher = NotificationDispatcher(self.engine, self.settings, name="test")

    def channel(self, config: dict[str, Any], events: list[str] | None = None,
                quiet: tuple[str, str] | None = None, tz: str = "UTC") -> int:
        typed = parse_config(config)
        with Session(self.engine) as db:
            row = NotificationChannel(
                owner_id=self.user, name=config["kind"], kind=config["kind"],
                target=display_target(typed), config_enc=self.box.seal(json.dumps(config)),
                events=events or [], quiet_start=quiet[0] if quiet else None,
                quiet_end=quiet[1] if quiet else None, timezone=tz)
            db.add(row)
            db.commit()
            return row.id or 0

    def notify(self, event: NotifyEvent = NotifyEvent.fill, title: str = "Filled BUY 10 SPY",
               body: str = "at 401.20", **data: Any) -> int:
        with Session(self.engine) as db:
            count = notify(db, self.user, event, title, body, data)
            db.commit()
            return count

    def deliveries(self) -> list[NotificationDelivery]:
        with Session(self.engine) as db:
            return list(db.query(NotificationDelivery).order_by(NotificationDelivery.id).all())

    def delivery(self, channel_id: int) -> NotificationDelivery:
        return next(d for d in self.deliveries() if d.channel_id == channel_id)

    def settled(self, channel_id: int, *states: str) -> NotificationDelivery | None:
        row = self.delivery(channel_id)
        return row if row.status in states else None


@pytest.fixture
def world(tmp_path: Path, sample_market_dir: Path) -> Iterator[World]:
    w = World(tmp_path, sample_market_dir)
    w.dispatcher.start()
    yield w
    w.dispatcher.stop()
    dispose_engines()


def test_a_signed_webhook_carries_a_signature_the_receiver_can_check(world: World) -> None:
    with http_receiver() as rx:
        cid = world.channel({"kind": "webhook", "url": rx.url + "/hook", "secret": SECRET})
        assert world.notify(deployment=7) == 1
        row = wait_for(lambda: world.settled(cid, "sent"), timeout=20, what="sent")
        assert row.attempts == 1 and row.response_status == 200 and row.sent_at is not None
        [got] = rx.requests
        body, headers = got.body, got.headers
        expected = hmac.new(SECRET.encode(), headers["X-Stratforge-Timestamp"].encode() + b"."
                            + body, hashlib.sha256).hexdigest()
        assert headers["X-Stratforge-Signature"] == "sha256=" + expected
        assert headers["X-Stratforge-Event"] == "fill"
        assert headers["X-Stratforge-Delivery"] == str(row.id)
        payload = got.json()
        assert payload["title"] == "Filled BUY 10 SPY" and payload["data"] == {"deployment": 7}


def test_server_errors_are_retried_with_backoff_until_delivered(world: World) -> None:
    with http_receiver(statuses=[503, 500]) as rx:
        cid = world.channel({"kind": "webhook", "url": rx.url, "secret": SECRET})
        world.notify()
        row = wait_for(lambda: world.settled(cid, "sent"), timeout=20, what="sent")
        assert row.attempts == 3
        ids = {r.headers["X-Stratforge-Delivery"] for r in rx.requests}
        assert len(rx.requests) == 3 and ids == {str(row.id)}  # receivers dedupe on it


def test_attempts_run_out_and_a_client_error_is_final(world: World) -> None:
    with http_receiver(default=500) as down, http_receiver(default=404) as gone:
        c_down = world.channel({"kind": "webhook", "url": down.url, "secret": SECRET})
        c_gone = world.channel({"kind": "discord", "webhook_url": gone.url + "/api/webhooks/1"})
        world.notify()
        failed = wait_for(lambda: world.settled(c_down, "failed"), timeout=30, what="gave up")
        assert failed.attempts == world.settings.notify_max_attempts
        assert failed.response_status == 500 and "HTTP 500" in (failed.last_error or "")
        final = wait_for(lambda: world.settled(c_gone, "failed"), timeout=20, what="refused")
        assert final.attempts == 1 and final.response_status == 404


def test_a_hanging_endpoint_holds_up_no_other_channel(world: World) -> None:
    with http_receiver(hang=True) as stuck, http_receiver() as fine:
        c_stuck = world.channel({"kind": "webhook", "url": stuck.url, "secret": SECRET})
        c_fine = world.channel({"kind": "slack", "webhook_url": fine.url + "/services/T/B/X"})
        world.notify()
        wait_for(lambda: stuck.requests, timeout=20, what="the hanging request")
        # the other channel is delivered while the first still hangs
        sent = wait_for(lambda: world.settled(c_fine, "sent"), timeout=20, what="sent")
        assert world.delivery(c_stuck).status == "sending"
        assert fine.requests[0].json()["text"].startswith("*Filled BUY 10 SPY*")
        assert sent.sent_at is not None
        # the hanging attempt gives up at its timeout and is retried later
        retried = wait_for(lambda: (r := world.delivery(c_stuck)).attempts >= 1
                           and r.status in ("pending", "sending") and r.last_error and r,
                           timeout=20, what="timeout recorded")
        assert "timed out" in (retried.last_error or "")


def test_email_reaches_the_smtp_server(tmp_path: Path, sample_market_dir: Path) -> None:
    with smtp_server() as mailbox:
        w = World(tmp_path, sample_market_dir, smtp_host=mailbox.host, smtp_port=mailbox.port,
                  smtp_from="bots@example.test")
        w.dispatcher.start()
        try:
            cid = w.channel({"kind": "email", "to": "trader@example.test"})
            w.notify(NotifyEvent.halt, "Deployment 3 HALTED", "daily loss 2.1% > 2%")
            wait_for(lambda: w.settled(cid, "sent"), timeout=20, what="mail sent")
            [mail] = mailbox.messages
            assert mail["Subject"] == "[stratforge] Deployment 3 HALTED"
            assert mail["X-Envelope-To"] == "trader@example.test"
            assert mail["From"] == "bots@example.test"
            assert "daily loss 2.1% > 2%" in mail.get_payload()
        finally:
            w.dispatcher.stop()
            dispose_engines()


def test_email_without_a_server_fails_with_the_reason(world: World) -> None:
    cid = world.channel({"kind": "email", "to": "trader@example.test"})
    world.notify()
    row = wait_for(lambda: world.settled(cid, "failed"), timeout=20, what="failed")
    assert "STRATFORGE_SMTP_HOST" in (row.last_error or "") and row.attempts == 1


def test_telegram_and_slack_api_speak_their_protocols(world: World) -> None:
    token = "123456:ABC-secret-token"
    with http_receiver(answer={"ok": True, "result": {}}) as rx:
        c_tg = world.channel({"kind": "telegram", "bot_token": token, "chat_id": "-1001",
                              "api_url": rx.url})
        c_slack = world.channel({"kind": "slack", "bot_token": "xoxb-secret", "channel": "C1",
                                 "api_url": rx.url + "/api"})
        world.notify(NotifyEvent.crash, "Deployment 2 crashed", "restarting in 2 s")
        wait_for(lambda: world.settled(c_tg, "sent"), timeout=20, what="telegram")
        wait_for(lambda: world.settled(c_slack, "sent"), timeout=30, what="slack")
        by_path = {r.path: r for r in rx.requests}
        tg = by_path[f"/bot{token}/sendMessage"].json()
        assert tg["chat_id"] == "-1001" and tg["text"].startswith("Deployment 2 crashed")
        slack = by_path["/api/chat.postMessage"]
        assert slack.headers["Authorization"] == "Bearer xoxb-secret"
        assert slack.json()["channel"] == "C1" and "Deployment 2 crashed" in slack.json()["text"]


def test_secrets_never_reach_the_delivery_log(world: World) -> None:
    token = "999999:very-secret-token"
    with http_receiver(default=502) as rx:
        cid = world.channel({"kind": "telegram", "bot_token": token, "chat_id": "42",
                             "api_url": rx.url})
        world.notify()
        row = wait_for(lambda: world.settled(cid, "failed"), timeout=30, what="failed")
    assert token not in (row.last_error or "")
    with Session(world.engine) as db:
        channel = db.get(NotificationChannel, cid)
        assert channel is not None and token not in channel.config_enc
        assert token not in channel.target


def test_events_a_channel_did_not_ask_for_are_not_sent(world: World) -> None:
    with http_receiver() as rx:
        fills = world.channel({"kind": "webhook", "url": rx.url, "secret": SECRET},
                              events=["fill"])
        assert world.notify(NotifyEvent.halt, "halted") == 0
        assert world.notify(NotifyEvent.fill, "filled") == 1
        wait_for(lambda: world.settled(fills, "sent"), timeout=20, what="fill sent")
        assert [r.json()["event"] for r in rx.requests] == ["fill"]


def test_quiet_hours_postpone_without_spending_an_attempt(world: World) -> None:
    now = datetime.now(UTC)
    start = (now - timedelta(hours=1)).strftime("%H:%M")
    end = (now + timedelta(hours=2)).strftime("%H:%M")
    with http_receiver() as rx:
        cid = world.channel({"kind": "webhook", "url": rx.url, "secret": SECRET},
                            quiet=(start, end))
        world.notify()
        row = wait_for(lambda: (r := world.delivery(cid)).last_error == "quiet hours" and r,
                       timeout=20, what="postponed")
        assert row.status == "pending" and row.attempts == 0 and rx.requests == []
        wake = row.next_attempt_at.replace(tzinfo=UTC)
        assert timedelta(hours=1, minutes=58) <= wake - now <= timedelta(hours=2, minutes=1)


@pytest.mark.parametrize(("start", "end", "at", "until"), [
    ("22:00", "07:00", "23:30", "07:00+1"),   # spans midnight, evening side
    ("22:00", "07:00", "03:00", "07:00"),     # spans midnight, morning side
    ("22:00", "07:00", "12:00", None),
    ("12:00", "13:00", "12:59", "13:00"),
    ("12:00", "13:00", "13:00", None),        # the end is not quiet
])
def test_quiet_until(start: str, end: str, at: str, until: str | None) -> None:
    day = datetime(2026, 3, 10, tzinfo=UTC)
    hh, mm = map(int, at.split(":"))
    now = day.replace(hour=hh, minute=mm)
    got = quiet_until(start, end, "UTC", now)
    if until is None:
        assert got is None
    else:
        clock, _, plus = until.partition("+")
        h2, m2 = map(int, clock.split(":"))
        assert got == day.replace(hour=h2, minute=m2) + timedelta(days=int(plus or 0))


def test_quiet_hours_follow_the_channel_time_zone() -> None:
    # 23:30 UTC is 18:30 in New York (EST): not quiet for 22:00–07:00 there
    now = datetime(2026, 1, 15, 23, 30, tzinfo=UTC)
    assert quiet_until("22:00", "07:00", "America/New_York", now) is None
    assert quiet_until("22:00", "07:00", "UTC", now) is not None


def test_a_delivery_left_sending_by_a_dead_dispatcher_is_claimed_again(
    tmp_path: Path, sample_market_dir: Path
) -> None:
    w = World(tmp_path, sample_market_dir)
    try:
        with http_receiver() as rx:
            cid = w.channel({"kind": "webhook", "url": rx.url, "secret": SECRET})
            w.notify()
            with Session(w.engine) as db:
                row = db.get(NotificationDelivery, w.delivery(cid).id)
                assert row is not None
                row.status, row.claimed_by = "sending", "dead:1"
                row.claimed_at = utcnow() - w.dispatcher.stale_after - timedelta(seconds=1)
                db.add(row)
                db.commit()
            assert w.dispatcher.dispatch_due() == 1
            wait_for(lambda: w.settled(cid, "sent"), timeout=20, what="sent")
            assert w.dispatcher.dispatch_due() == 0  # and only once
            assert len(rx.requests) == 1
    finally:
        w.dispatcher.stop(wait=True)
        dispose_engines()


def test_a_held_row_is_not_claimed_by_any_loop(tmp_path: Path, sample_market_dir: Path) -> None:
    """A channel test writes its row already claimed, so a polling dispatcher (another
    process's, or this one's own loop) cannot take it between the insert and the caller's own
    attempt — the answer the caller returns is the attempt's outcome, never `sending`."""
    w = World(tmp_path, sample_market_dir)
    other = NotificationDispatcher(w.engine, w.settings, name="other")
    try:
        with http_receiver() as rx:
            cid = w.channel({"kind": "webhook", "url": rx.url, "secret": SECRET})
            with Session(w.engine) as db:
                notify(db, w.user, NotifyEvent.test, "test", channel_id=cid)
                db.flush()
                row = db.query(NotificationDelivery).one()
                w.dispatcher.hold(row)
                db.add(row)
                db.commit()
                held = row.id or 0
            assert other.dispatch_due() == 0 and w.dispatcher.dispatch_due() == 0
            w.dispatcher.deliver(held)
            assert w.delivery(cid).status == "sent" and len(rx.requests) == 1
    finally:
        other.stop(wait=True)
        w.dispatcher.stop(wait=True)
        dispose_engines()


@pytest.mark.parametrize("config", [
    {"kind": "webhook", "url": "ftp://x", "secret": SECRET},
    {"kind": "webhook", "url": "http://127.0.0.1:1", "secret": "short"},
    {"kind": "slack"},
    {"kind": "slack", "bot_token": "xoxb"},
    {"kind": "email", "to": "not an address"},
    {"kind": "telegram", "bot_token": "123456:abc/../x", "chat_id": "1"},
    {"kind": "pager", "url": "http://x"},
])
def test_bad_channel_settings_are_refused(config: dict[str, Any]) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        parse_config(config)


@pytest.mark.postgres
def test_competing_dispatchers_on_postgres_send_each_message_once(
    tmp_path: Path, sample_market_dir: Path, postgres_url: str
) -> None:
    w = World(tmp_path, sample_market_dir, database_url=postgres_url, notify_workers=2)
    rivals = [w.dispatcher, NotificationDispatcher(w.engine, w.settings, name="rival")]
    try:
        with http_receiver() as rx:
            cid = w.channel({"kind": "webhook", "url": rx.url, "secret": SECRET})
            for i in range(12):
                w.notify(title=f"message {i}")
            for dispatcher in rivals:
                dispatcher.start()
            wait_for(lambda: all(d.status == "sent" for d in w.deliveries()), timeout=60,
                     what="all sent")
            ids = sorted(int(r.headers["X-Stratforge-Delivery"]) for r in rx.requests)
            assert ids == sorted(d.id for d in w.deliveries())  # each once, none twice
            assert {d.channel_id for d in w.deliveries()} == {cid}
    finally:
        for dispatcher in rivals:
            dispatcher.stop(wait=True)
        dispose_engines()
