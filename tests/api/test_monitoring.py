"""`GET /metrics` and `GET /health`: series read from the database rows other processes wrote,
the HTTP latency histogram of this server, and the health of each component and bot."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import make_settings
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine

from api.app import create_app
from api.services.monitoring import Monitoring
from core.db import dispose_engines
from core.models import (
    BacktestRun,
    Deployment,
    DeploymentOrder,
    Generation,
    NotificationChannel,
    NotificationDelivery,
    Strategy,
    StrategyVersion,
    utcnow,
)


@pytest.fixture
def client(tmp_path: Path, sample_market_dir: Path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, sample_market_dir, bot_heartbeat_timeout_s=30.0)
    with TestClient(create_app(settings)) as test_client:
        yield test_client
    dispose_engines()


def _samples(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def _seed(client: TestClient) -> dict[str, Any]:
    """Rows as the supervisor, the runner and the generation ledger write them."""
    services = client.app.state.services  # type: ignore[attr-defined]
    user = services.user_id
    now = utcnow()
    with services.ctx.session() as db:
        strategy = Strategy(owner_id=user, name="s", slug="s", text="buy and hold SPY")
        db.add(strategy)
        db.flush()
        version = StrategyVersion(strategy_id=strategy.id, owner_id=user, number=1,
                                  code_path="s/v1.py", sha256="0" * 64, class_name="S")
        db.add(version)
        db.flush()
        fresh = Deployment(owner_id=user, strategy_id=strategy.id, version_id=version.id,
                           key="d1", mode="venue", state="RUNNING", pid=1, restarts=2,
                           started_at=now - timedelta(minutes=5),
                           last_heartbeat_at=now - timedelta(seconds=3), equity=100_500.0,
                           pnl_day=500.0)
        stale = Deployment(owner_id=user, strategy_id=strategy.id, version_id=version.id,
                           key="d2", mode="venue", state="RUNNING", pid=2,
                           started_at=now - timedelta(minutes=5),
                           last_heartbeat_at=now - timedelta(seconds=300))
        halted = Deployment(owner_id=user, strategy_id=strategy.id, version_id=version.id,
                            key="d3", mode="venue", state="HALTED", desired="stopped")
        db.add_all([fresh, stale, halted])
        db.flush()
        orders = [("filled", 10.0), ("filled", 5.0), ("partially_filled", 2.0), ("new", 0.0),
                  ("refused", 0.0), ("refused", 0.0), ("refused", 0.0)]
        for i, (status, filled) in enumerate(orders, 1):
            db.add(DeploymentOrder(owner_id=user, deployment_id=fresh.id, seq=i,
                                   client_order_id=f"d1-{i}", symbol="SPY", side="buy", qty=10,
                                   filled_qty=filled, status=status))
        durations = [0.8, 3.0, 40.0]
        for d in durations:
            db.add(BacktestRun(owner_id=user, strategy_id=strategy.id, version_id=version.id,
                               status="succeeded", duration_s=d))
        db.add(BacktestRun(owner_id=user, strategy_id=strategy.id, version_id=version.id,
                           status="failed", duration_s=1.0))
        for _ in range(2):
            db.add(BacktestRun(owner_id=user, strategy_id=strategy.id, version_id=version.id,
                               status="queued"))
        db.add(Generation(owner_id=user, provider="openai", model="m", text="t", outcome="ok",
                          tokens_in=100, tokens_out=40, cost_usd=0.25))
        db.add(Generation(owner_id=user, provider="openai", model="m", text="t",
                          outcome="invalid", tokens_in=10, tokens_out=5, cost_usd=0.5))
        channel = NotificationChannel(owner_id=user, name="c", kind="webhook", target="t",
                                      config_enc="x")
        db.add(channel)
        db.flush()
        for status in ("failed", "sent", "sent"):
            db.add(NotificationDelivery(owner_id=user, channel_id=channel.id, event="fill",
                                        title="t", status=status))
        db.commit()
        return {"fresh": fresh.id, "stale": stale.id, "halted": halted.id, "orders": orders,
                "durations": durations}


def test_metrics_are_read_from_the_rows_other_processes_wrote(client: TestClient) -> None:
    seeded = _seed(client)
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    s = _samples(response.text)

    def one(name: str, **labels: str) -> float:
        return s[(name, tuple(sorted(labels.items())))]

    assert one("stratforge_bots", state="RUNNING") == 2
    assert one("stratforge_bots", state="HALTED") == 1
    assert one("stratforge_bots", state="FATAL") == 0
    assert one("stratforge_bot_restarts_total", deployment=str(seeded["fresh"])) == 2
    assert 2 <= one("stratforge_bot_heartbeat_age_seconds", deployment=str(seeded["fresh"])) < 60
    assert one("stratforge_bot_heartbeat_age_seconds", deployment=str(seeded["stale"])) >= 299
    assert one("stratforge_bot_equity_dollars", deployment=str(seeded["fresh"])) == 100_500.0
    orders = seeded["orders"]
    refused = sum(1 for status, _ in orders if status == "refused")
    assert one("stratforge_order_refusals_total") == refused
    assert one("stratforge_orders_total") == len(orders) - refused
    assert one("stratforge_order_fills_total") == sum(1 for _, f in orders if f > 0)
    assert one("stratforge_backtest_queue_length") == 2
    assert one("stratforge_backtests_total", status="failed") == 1
    durations = seeded["durations"]
    assert one("stratforge_backtest_duration_seconds_count") == len(durations)
    assert one("stratforge_backtest_duration_seconds_sum") == pytest.approx(sum(durations))
    assert one("stratforge_backtest_duration_seconds_bucket", le="5.0") == sum(
        1 for d in durations if d <= 5.0)
    assert one("stratforge_llm_tokens_total", provider="openai", direction="in") == 110
    assert one("stratforge_llm_tokens_total", provider="openai", direction="out") == 45
    assert one("stratforge_llm_cost_usd_total", provider="openai") == pytest.approx(0.75)
    assert one("stratforge_llm_generations_total", provider="openai", outcome="invalid") == 1
    assert one("stratforge_notifications", status="failed") == 1
    assert one("stratforge_notifications", status="sent") == 2
    assert one("stratforge_notifications", status="pending") == 0
    assert one("stratforge_database_up") == 1
    assert one("stratforge_supervisor_up") == 0


def test_http_latency_is_recorded_by_route_template(client: TestClient) -> None:
    for _ in range(3):
        assert client.get("/strategies/999999").status_code == 404
    s = _samples(client.get("/metrics").text)
    key = ("stratforge_http_request_duration_seconds_count",
           (("method", "GET"), ("route", "/strategies/{strategy_id}"), ("status", "4xx")))
    assert s[key] == 3
    # raw paths never become labels (unbounded series)
    assert not any("999999" in str(labels) for _, labels in s)


def test_metrics_need_the_api_key_when_one_is_set(tmp_path: Path,
                                                  sample_market_dir: Path) -> None:
    settings = make_settings(tmp_path, sample_market_dir, api_key="k" * 32)
    with TestClient(create_app(settings)) as c:
        assert c.get("/metrics").status_code == 401
        assert c.get("/metrics", headers={"Authorization": "Bearer " + "k" * 32}).status_code == 200
        assert c.get("/health").status_code == 200  # health checks carry no key
    dispose_engines()


def test_health_names_each_component_and_each_bot(client: TestClient) -> None:
    seeded = _seed(client)
    body = client.get("/health").json()
    assert body["database"]["ok"] is True
    bots = {b["deployment_id"]: b for b in body["bots"]}
    assert bots[seeded["fresh"]]["ok"] and bots[seeded["fresh"]]["alive"]
    assert not bots[seeded["stale"]]["ok"] and not bots[seeded["stale"]]["alive"]
    assert bots[seeded["halted"]]["ok"] and not bots[seeded["halted"]]["alive"]
    # live bots and no supervisor: someone must look
    assert body["supervisor"]["ok"] is False
    assert body["status"] == "degraded"


def test_health_of_an_empty_server_is_ok(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["bots"] == []
    assert body["executor"]["ok"] is True


def test_an_unreachable_database_is_down_and_metrics_still_answer(client: TestClient) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    dead = create_engine("postgresql+psycopg://nobody@127.0.0.1:9/none",
                         connect_args={"connect_timeout": 2})
    monitoring = Monitoring(dataclasses.replace(services.ctx, engine=dead))
    report = monitoring.health()
    assert report.status == "down" and not report.database.ok
    s = _samples(monitoring.exposition().decode())
    assert s[("stratforge_database_up", ())] == 0


def test_the_grafana_dashboard_only_queries_series_we_export(client: TestClient) -> None:
    import json
    import re

    _seed(client)
    client.get("/health")
    exported = {name for name, _ in _samples(client.get("/metrics").text)}
    dashboard = json.loads((Path(__file__).parents[2] / "deploy" / "grafana-dashboard.json")
                           .read_text())
    queried = {name for panel in dashboard["panels"] for target in panel["targets"]
               for name in re.findall(r"stratforge_\w+", target["expr"])}
    assert queried and queried <= exported, queried - exported
