"""Every spec v2 construct, and every worked template, end to end on real bars: sentence →
offline parse → spec → render → validation gate (static, import, smoke backtest and the
look-ahead probe) → a recorded backtest on `../shared/data` that succeeds and trades.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backtest_support import wait_run
from conftest import make_settings
from fastapi.testclient import TestClient

from api.app import create_app
from core.db import dispose_engines
from generator.catalog import TEMPLATES

# (label, sentence, a v2 fact the spec must show)
CONSTRUCTS: list[tuple[str, str, str]] = [
    ("offset", "Buy SPY when price is 2% above its 50-day SMA, sell when it is below the 50-day "
     "SMA", "offset_pct"),
    ("atr", "Buy SPY when the 14-day ATR is below 4, sell when it is above 6", "atr"),
    ("volume", "Buy QQQ when the volume is above the 20-day average volume and the price is "
     "above the 50-day SMA, sell when the price is below the 50-day SMA", "volume_sma"),
    ("drawdown", "Buy GLD when the 60-day drawdown is above 6, sell when it is below 1",
     "drawdown"),
    ("semiannual", "60/40 SPY/AGG, rebalance every 6 months", "semiannual"),
    ("weekly-streak", "Buy SPY after it closes up 2 weeks in a row, sell after holding for 10 "
     "days", "up_streak"),
    ("drift-or-schedule", "60% SPY and 40% TLT, rebalanced every quarter or sooner if a weight "
     "drifts more than 5 points from its target", "drift_or_schedule"),
    ("pullback", "Buy EFA when it is more than 10% below its highest close of the past year and "
     "sell when it is within 2% of that high", "drawdown"),
    ("weekly-chart-breakout", "On the weekly chart, buy GLD when it closes above the highest high "
     "of the last 20 weeks, sell when it closes below the lowest low of the last 10 weeks",
     "weekly"),
]
CASES = [(f"template-{t.key}", t.sentence, "") for t in TEMPLATES] + CONSTRUCTS


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, real_market_dir: Path) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("v2")
    with TestClient(create_app(make_settings(tmp, real_market_dir))) as test_client:
        yield test_client
    dispose_engines()


@pytest.mark.slow
@pytest.mark.parametrize(("label", "sentence", "fact"), CASES, ids=[c[0] for c in CASES])
def test_construct_parses_validates_and_backtests(
    client: TestClient, label: str, sentence: str, fact: str
) -> None:
    created = client.post("/strategies", json={"text": sentence})
    assert created.status_code == 201, created.text
    body = created.json()
    version = body["version"]
    assert version["validation_status"] == "passed", version["validation"]
    assert "lookahead_probe" in version["validation"]["checks"]
    if fact:
        assert version["spec"]["spec_version"] == 2
        assert fact in str(version["spec"]), version["spec"]
    run = client.post("/backtests", json={"strategy_id": body["id"], "start": "2014-01-02",
                                          "end": "2019-12-31", "cash": 100_000})
    assert run.status_code == 202, run.text
    done = wait_run(client, run.json()["id"])
    assert done["status"] == "succeeded", done
    fills = client.get(f"/backtests/{done['id']}/trades").json()["fills"]
    assert fills, f"{label} never traded"
