"""Notification channels through the HTTP API and the CLI, and the events that reach them:
fills, refusals, halts, broker lost/back (the supervisor's ingest), crashes (the supervisor),
failed backtests (the run recorder) — each queued in the outbox, delivered to a local
receiver, secrets never shown."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import make_settings
from deploy_support import wait_for
from fastapi.testclient import TestClient
from notify_support import http_receiver
from sqlmodel import select

from api.app import create_app
from core.db import dispose_engines
from core.models import (
    BacktestRun,
    Deployment,
    NotificationChannel,
    NotificationDelivery,
    Strategy,
    StrategyVersion,
    User,
)
from runtime.bots.ingest import ingest_journal
from runtime.bots.journal import (
    EVENTS_FILE,
    HEARTBEAT_FILE,
    Halted,
    Heartbeat,
    Intent,
    Journal,
    OrderUpdate,
    Refused,
    write_heartbeat,
)

SECRET = "hmac-secret-for-tests-0001"


@pytest.fixture
def client(tmp_path: Path, sample_market_dir: Path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, sample_market_dir, notify_poll_s=0.05,
                             notify_backoff_s=0.05, notify_timeout_s=10.0)
    with TestClient(create_app(settings)) as test_client:
        yield test_client
    dispose_engines()


def _services(client: TestClient) -> Any:
    return client.app.state.services  # type: ignore[attr-defined]


def _webhook(client: TestClient, url: str, **body: Any) -> dict[str, Any]:
    payload = {"name": "hook", "kind": "webhook", "settings": {"url": url, "secret": SECRET},
               **body}
    response = client.post("/notifications/channels", json=payload)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_channel_is_added_tested_changed_and_removed(client: TestClient) -> None:
    with http_receiver() as rx:
        channel = _webhook(client, rx.url + "/in", events=["fill", "halt"],
                           quiet_hours="22:00-07:00", timezone="Europe/Paris")
        assert SECRET not in json.dumps(channel)
        assert channel["target"] == rx.url + "/in"
        assert channel["events"] == ["fill", "halt"]
        assert channel["quiet_hours"] == "22:00-07:00"
        listed = client.get("/notifications/channels").json()
        assert [c["id"] for c in listed] == [channel["id"]]
        assert SECRET not in json.dumps(listed)

        # a test goes out at once, whatever the quiet hours and events
        tested = client.post(f"/notifications/channels/{channel['id']}/test").json()
        assert tested["status"] == "sent" and tested["event"] == "test"
        assert rx.requests[0].json()["event"] == "test"

        changed = client.patch(f"/notifications/channels/{channel['id']}",
                               json={"events": [], "quiet_hours": "", "enabled": False}).json()
        assert changed["events"] == [] and changed["quiet_hours"] is None
        assert changed["enabled"] is False

        log = client.get("/notifications/deliveries",
                         params={"channel_id": channel["id"]}).json()
        assert [d["id"] for d in log] == [tested["id"]]

        removed = client.delete(f"/notifications/channels/{channel['id']}")
        assert removed.status_code == 200
        assert client.get("/notifications/channels").json() == []
        assert client.get("/notifications/deliveries").json() == []


@pytest.mark.parametrize(("body", "code"), [
    # the body's schema states each kind's settings: these are refused before the service
    ({"kind": "webhook", "settings": {"url": "gopher://x", "secret": SECRET}},
     "invalid_request"),
    ({"kind": "slack", "settings": {"bot_token": "xoxb-do-not-echo"}}, "invalid_request"),
    ({"kind": "email", "settings": {}}, "invalid_request"),
    ({"kind": "webhook", "settings": {"url": "http://x", "secret": SECRET},
      "events": ["fills"]}, "unknown_event"),
    ({"kind": "webhook", "settings": {"url": "http://x", "secret": SECRET},
      "timezone": "Mars/Olympus"}, "bad_timezone"),
    ({"kind": "webhook", "settings": {"url": "http://x", "secret": SECRET},
      "quiet_hours": "25:00-07:00"}, "invalid_request"),
    ({"kind": "pager", "settings": {}}, "invalid_request"),
    # a host character that NFKC-normalises to "@": refused by the schema, as urlsplit does
    ({"kind": "slack", "settings": {"webhook_url": "https://\ufe6bx/hook"}}, "invalid_request"),
    ({"kind": "discord", "settings": {"webhook_url": "https://h\u00e9.example/x"}},
     "invalid_request"),
])
def test_bad_channels_are_refused_without_echoing_secrets(client: TestClient, body: dict,
                                                          code: str) -> None:
    response = client.post("/notifications/channels", json={"name": "x", **body})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code
    assert "xoxb-do-not-echo" not in response.text
    assert client.get("/notifications/channels").json() == []


def test_the_url_pattern_and_the_channel_check_agree() -> None:
    """What the schema's URL pattern allows, the runtime's check accepts, and the other way
    round on these: a schema-valid request is never refused for its URL."""
    import re

    from api.services.views import HTTP_URL
    from runtime.notifications.channels import parse_config

    urls = ["https://hooks.slack.com/services/T/B/x", "http://127.0.0.1:8080", "http://x",
            "https://xn--bcher-kva.example/path?q=1#f", "https://example.com?x", "http://a.b:65535/",
            "http://llm_server:11434/v1",
            "https://\ufe6bx/hook", "https://h\u00e9.example/", "https://user@host/",
            "https://[::1]/", "https://exa mple.com/", "ftp://x", "https://", "https:///path",
            "https://example.com\ufe6b/"]
    for url in urls:
        allowed = re.search(HTTP_URL, url) is not None
        try:
            parse_config({"kind": "discord", "webhook_url": url})
            accepted = True
        except ValueError:
            accepted = False
        assert not allowed or accepted, url  # allowed by the schema: never refused
    assert re.search(HTTP_URL, "https://\ufe6bx/hook") is None


def test_another_users_channel_is_not_found(client: TestClient) -> None:
    services = _services(client)
    with services.ctx.session() as db:
        other = User(name="other")
        db.add(other)
        db.flush()
        row = NotificationChannel(owner_id=other.id, name="theirs", kind="webhook",
                                  target="http://x", config_enc="x")
        db.add(row)
        db.commit()
        cid = row.id
    assert client.get("/notifications/channels").json() == []
    for method, path in (("PATCH", f"/notifications/channels/{cid}"),
                         ("POST", f"/notifications/channels/{cid}/test"),
                         ("DELETE", f"/notifications/channels/{cid}")):
        response = client.request(method, path, json={} if method == "PATCH" else None)
        assert response.status_code == 404 and response.json()["code"] == "channel_not_found"


def _deployment(client: TestClient) -> Deployment:
    services = _services(client)
    user = services.user_id
    with services.ctx.session() as db:
        strategy = Strategy(owner_id=user, name="s", slug="s", text="buy and hold SPY")
        db.add(strategy)
        db.flush()
        version = StrategyVersion(strategy_id=strategy.id, owner_id=user, number=1,
                                  code_path="s/v1.py", sha256="0" * 64, class_name="S")
        db.add(version)
        db.flush()
        dep = Deployment(owner_id=user, strategy_id=strategy.id, version_id=version.id,
                         key="k1", mode="venue", state="RUNNING")
        db.add(dep)
        db.commit()
        return dep


def test_bot_events_become_notifications(client: TestClient, tmp_path: Path) -> None:
    services = _services(client)
    with http_receiver() as rx:
        _webhook(client, rx.url)
        dep = _deployment(client)
        folder = tmp_path / "bot"
        folder.mkdir()
        journal = Journal(folder / EVENTS_FILE)
        journal.write(Intent(client_order_id="k1-1", seq=1, symbol="SPY", side="buy", qty=10,
                             price=400.0, order_type="market"))
        journal.write(OrderUpdate(client_order_id="k1-1", seq=1, symbol="SPY", side="buy",
                                  qty=10, broker_id="b1", status="partially_filled",
                                  filled_qty=4, filled_avg_price=400.5))
        journal.write(OrderUpdate(client_order_id="k1-1", seq=1, symbol="SPY", side="buy",
                                  qty=10, broker_id="b1", status="filled", filled_qty=10,
                                  filled_avg_price=400.7))
        journal.write(OrderUpdate(client_order_id="k1-1", seq=1, symbol="SPY", side="buy",
                                  qty=10, broker_id="b1", status="filled", filled_qty=10,
                                  filled_avg_price=400.7))  # repeated: no second message
        journal.write(Refused(client_order_id="k1-2", seq=2, symbol="QQQ", side="buy", qty=500,
                              price=300.0, code="max_order_notional", reason="150000 > 10000"))
        journal.write(Halted(code="max_daily_loss", reason="daily loss 3% > 2%"))
        write_heartbeat(folder / HEARTBEAT_FILE, Heartbeat(ts=time.time(),
                                                           broker_error="HTTP 500"))
        with services.ctx.session() as db:
            row = db.get(Deployment, dep.id)
            ingest_journal(db, row, folder)
            db.commit()
            write_heartbeat(folder / HEARTBEAT_FILE, Heartbeat(ts=time.time(), equity=1e5))
            ingest_journal(db, row, folder)
            ingest_journal(db, row, folder)  # nothing new: nothing told
            db.commit()
        expected = ["fill", "fill", "refusal", "halt", "broker_lost", "reconnect"]
        wait_for(lambda: len(rx.requests) >= len(expected), timeout=20, what="deliveries")
        got = sorted((r.json() for r in rx.requests), key=lambda p: p["id"])
        assert [p["event"] for p in got] == expected
        assert got[0]["title"].endswith("partly filled buy 4 SPY @ 400.50")
        assert got[1]["title"].endswith("filled buy 10 SPY @ 400.70")
        assert got[1]["data"]["client_order_id"] == "k1-1"
        assert "max_order_notional" in got[2]["body"]
        assert got[3]["body"] == "daily loss 3% > 2%"


def test_a_crash_and_fatal_are_told_by_the_supervisor(client: TestClient) -> None:
    from runtime.bots.supervisor import Supervisor

    services = _services(client)
    with http_receiver() as rx:
        _webhook(client, rx.url, events=["crash", "fatal"])
        dep = _deployment(client)
        supervisor = Supervisor(services.settings)
        with services.ctx.session() as db:
            row = db.get(Deployment, dep.id)
            for _ in range(services.settings.bot_max_quick_crashes):
                supervisor._exited(db, row, 1)
            db.commit()
        events = wait_for(lambda: len(rx.requests) >= services.settings.bot_max_quick_crashes
                          and [r.json()["event"] for r in rx.requests], timeout=20,
                          what="deliveries")
        assert sorted(events) == sorted(["crash"] * (services.settings.bot_max_quick_crashes - 1)
                                        + ["fatal"])


def test_a_failed_single_backtest_is_told_and_a_batch_run_is_not(client: TestClient) -> None:
    services = _services(client)
    with http_receiver() as rx:
        _webhook(client, rx.url, events=["backtest_failed"])
        dep = _deployment(client)
        with services.ctx.session() as db:
            run = BacktestRun(owner_id=dep.owner_id, strategy_id=dep.strategy_id,
                              version_id=dep.version_id, status="running")
            db.add(run)
            db.commit()
            run_id = run.id
        services.recorder.fail(run_id, "worker died: killed by signal 9")
        [payload] = wait_for(lambda: rx.requests, timeout=20, what="delivery")[:1]
        body = payload.json()
        assert body["event"] == "backtest_failed" and body["data"]["run"] == run_id
        assert "killed by signal 9" in body["body"]
    with services.ctx.session() as db:
        assert len(db.exec(select(NotificationDelivery)).all()) == 1


@pytest.mark.slow
def test_the_cli_manages_channels_and_never_takes_a_secret_as_an_argument(
    tmp_path: Path, sample_market_dir: Path
) -> None:
    exe = shutil.which("stratforge", path=str(Path(sys.executable).parent))
    cli = [exe] if exe else [sys.executable, "-m", "api.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRATFORGE_")}
    env.update(STRATFORGE_HOME=str(tmp_path / "home"),
               STRATFORGE_GENERATED_DIR=str(tmp_path / "generated"),
               STRATFORGE_MARKET_DIR=str(sample_market_dir))

    def run(*args: str, secret: str | None = None, check: bool = True) -> Any:
        extra = {"STRATFORGE_NOTIFY_SECRET": secret} if secret else {}
        done = subprocess.run([*cli, *args], env={**env, **extra}, capture_output=True,
                              text=True, timeout=300)
        if check and done.returncode != 0:
            raise AssertionError(f"{args}: {done.returncode}\n{done.stdout}\n{done.stderr}")
        return done

    with http_receiver() as rx:
        added = json.loads(run("notify", "add", "webhook", "ops", "--url", rx.url,
                               "--events", "halt,fatal", "--quiet", "23:00-06:00", "--json",
                               secret=SECRET).stdout)
        assert SECRET not in json.dumps(added)
        cid = str(added[0]["id"])
        listed = json.loads(run("notify", "list", "--json").stdout)
        assert listed[0]["events"] == ["fatal", "halt"]
        tested = json.loads(run("notify", "test", cid, "--json").stdout)
        assert tested[0]["status"] == "sent" and len(rx.requests) == 1
        log = json.loads(run("notify", "log", "--json").stdout)
        assert log[0]["id"] == tested[0]["id"]
        bad = run("notify", "add", "webhook", "x", "--url", "ftp://x", "--json",
                  secret=SECRET, check=False)
        assert bad.returncode == 1
        assert json.loads(bad.stdout)["error"]["code"] == "bad_channel_settings"
        # prompted when not in the environment (hidden input on stdin here)
        prompted = subprocess.run([*cli, "notify", "add", "discord", "d", "--json"], env=env,
                                  input=rx.url + "/api/webhooks/1/t\n", capture_output=True,
                                  text=True, timeout=300)
        assert prompted.returncode == 0, prompted.stderr
        assert json.loads(prompted.stdout)[0]["target"] == "discord webhook"
        assert "/api/webhooks" not in prompted.stdout + prompted.stderr
        run("notify", "remove", cid, "--json")


@pytest.mark.slow
def test_a_real_bot_fills_and_is_told_while_another_endpoint_hangs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_market_dir: Path
) -> None:
    """A deployed bot on the local venue: its fill reaches a working webhook while a second
    channel's endpoint hangs; the bot keeps beating and iterating meanwhile."""
    from deploy_support import harness

    with http_receiver(hang=True) as stuck, http_receiver() as fine, \
            harness(monkeypatch, tmp_path, sample_market_dir,
                    STRATFORGE_NOTIFY_TIMEOUT_S="30", STRATFORGE_NOTIFY_POLL_S="0.2") as h:
        for rx in (stuck, fine):
            _webhook(h.client, rx.url, events=["fill"])
        dep = h.deploy(h.strategy())
        h.wait_state(dep["id"], "RUNNING")
        wait_for(lambda: h.orders(deployment_id=dep["id"]), what="first order")
        h.advance(600)
        wait_for(lambda: stuck.requests, what="the hanging endpoint was called")
        told = wait_for(lambda: fine.requests, what="the fill told")[0].json()
        assert told["event"] == "fill" and told["data"]["deployment"] == dep["id"]
        # the hanging delivery is still in flight; the bot goes on regardless
        log = h.settings.home / "deployments" / str(dep["id"]) / "worker.log"
        seen = log.read_text(errors="replace").count("Trading iteration ended")
        wait_for(lambda: log.read_text(errors="replace").count("Trading iteration ended")
                 >= seen + 2, what="iterations while the endpoint hangs")
        view = h.deployment(dep["id"])
        assert view["state"] == "RUNNING" and view["heartbeat_age_s"] < 10
        pending = h.client.get("/notifications/deliveries",
                               params={"status": "sending"}).json()
        assert len(pending) == 1


@pytest.mark.slow
def test_a_broker_outage_is_told_once_and_its_end_too(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_market_dir: Path
) -> None:
    """The venue answers 500 to everything: the bot keeps beating (with the broker's error),
    is not restarted in a loop, and the user hears `broker_lost` once and `reconnect` once."""
    from deploy_support import harness

    with http_receiver() as rx, harness(monkeypatch, tmp_path, sample_market_dir) as h:
        _webhook(h.client, rx.url, events=["broker_lost", "reconnect", "crash", "fatal"])
        dep = h.deploy(h.strategy())
        h.wait_state(dep["id"], "RUNNING")
        venue = h.venue()
        headers = {"APCA-API-KEY-ID": venue.key_id, "APCA-API-SECRET-KEY": venue.secret}
        import httpx

        httpx.post(venue.url + "/venue/faults", json={"status": 500, "for_s": 600},
                   headers=headers).raise_for_status()
        lost = wait_for(lambda: [r.json() for r in rx.requests], what="broker_lost told")
        assert [p["event"] for p in lost] == ["broker_lost"]
        assert "500" in lost[0]["body"]
        assert "500" in (h.deployment(dep["id"])["broker_error"] or "")
        httpx.delete(venue.url + "/venue/faults", headers=headers).raise_for_status()
        events = wait_for(lambda: len(rx.requests) >= 2 and [r.json()["event"]
                                                             for r in rx.requests],
                          what="reconnect told")
        assert events == ["broker_lost", "reconnect"]
        view = h.deployment(dep["id"])
        assert view["state"] == "RUNNING" and view["restarts"] == 0
        assert view["broker_error"] is None
