"""Short positions, per-symbol legs and nested groups end to end on real bars: sentence →
offline parse → spec → render → validation gate (the look-ahead probe included) → a recorded
backtest on `../shared/data` that succeeds and trades the way the sentence says."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from backtest_support import wait_run
from conftest import make_settings
from fastapi.testclient import TestClient

from api.app import create_app
from core.db import dispose_engines

SHORT = ("Short QQQ when its price drops below the 50-day SMA and cover when it closes back above "
         "the 50-day SMA.")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, real_market_dir: Path) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("shorts")
    settings = make_settings(tmp, real_market_dir, allow_short=True)
    with TestClient(create_app(settings)) as test_client:
        yield test_client
    dispose_engines()


def _create_and_backtest(client: TestClient, sentence: str) -> tuple[dict[str, Any], list[Any]]:
    created = client.post("/strategies", json={"text": sentence})
    assert created.status_code == 201, created.text
    body = created.json()
    version = body["version"]
    assert version["validation_status"] == "passed", version["validation"]
    assert "lookahead_probe" in version["validation"]["checks"]
    run = client.post("/backtests", json={"strategy_id": body["id"], "start": "2018-01-02",
                                          "end": "2020-12-31", "cash": 100_000})
    assert run.status_code == 202, run.text
    done = wait_run(client, run.json()["id"])
    assert done["status"] == "succeeded", done
    fills = client.get(f"/backtests/{done['id']}/trades").json()["fills"]
    return version["spec"], fills


@pytest.mark.slow
def test_short_parses_validates_and_backtests_selling_first(client: TestClient) -> None:
    spec, fills = _create_and_backtest(client, SHORT)
    assert spec["side"] == "short" and spec["spec_version"] == 2
    assert fills, "the short strategy never traded"
    assert fills[0]["side"].startswith("sell"), fills[0]  # sells to open, from a flat book
    assert any(f["side"].startswith("buy") for f in fills), "never covered"


@pytest.mark.slow
def test_per_symbol_legs_parse_validate_and_backtest_each_on_its_own_rule(
    client: TestClient,
) -> None:
    spec, fills = _create_and_backtest(
        client, "50% on SPY when its 50-day SMA is above its 200-day, and 50% on TLT when its "
                "RSI is below 40")
    assert [leg["symbol"] for leg in spec["legs"]] == ["SPY", "TLT"]
    traded = {f["symbol"] for f in fills}
    assert traded == {"SPY", "TLT"}, traded


@pytest.mark.slow
def test_nested_groups_parse_validate_and_backtest(client: TestClient) -> None:
    spec, fills = _create_and_backtest(
        client, "Buy SPY when either RSI(2) is below 10 or the price is below the lower Bollinger "
                "band, and the price is above the 200-day SMA; sell when RSI(2) is above 70")
    entry = spec["entry"]
    assert entry["combine"] == "all" and entry["conditions"][0]["combine"] == "any"
    assert fills, "the nested rule never traded"


def test_short_is_refused_naming_the_setting_when_off(
    tmp_path: Path, real_market_dir: Path
) -> None:
    with TestClient(create_app(make_settings(tmp_path, real_market_dir))) as off:
        answer = off.post("/strategies", json={"text": SHORT})
    dispose_engines()
    assert answer.status_code == 422, answer.text
    assert "STRATFORGE_ALLOW_SHORT" in answer.text


@pytest.mark.slow
def test_a_short_mirrors_the_long_of_the_same_rule(client: TestClient) -> None:
    """Same rule, same days: the short sells where the long buys, and its P&L has the other
    sign (the 2022 fall of QQQ is where the two differ most)."""
    rule = "QQQ when its price is below the 200-day SMA and {exit} when it is above the 200-day SMA"
    results = {}
    for side, text in (("short", "Short " + rule.format(exit="cover")),
                       ("long", "Buy " + rule.format(exit="sell"))):
        created = client.post("/strategies", json={"text": text})
        assert created.status_code == 201, created.text
        run = client.post("/backtests", json={"strategy_id": created.json()["id"],
                                              "start": "2022-01-03", "end": "2022-12-30",
                                              "cash": 100_000})
        done = wait_run(client, run.json()["id"])
        assert done["status"] == "succeeded", done
        fills = client.get(f"/backtests/{done['id']}/trades").json()["fills"]
        results[side] = (done["metrics"]["total_return"], fills)
    (short_return, short_fills), (long_return, long_fills) = results["short"], results["long"]
    assert [f["time"] for f in short_fills] == [f["time"] for f in long_fills]
    assert [f["side"] for f in short_fills] == [
        "sell" if f["side"] == "buy" else "buy" for f in long_fills]
    assert short_return * long_return < 0, (short_return, long_return)


@pytest.mark.slow
def test_a_legs_own_stop_closes_only_that_leg(client: TestClient) -> None:
    """The same two legs with and without a tight stop on SPY: SPY trades more often with it,
    TLT's fills do not change."""
    plain = ("50% on SPY when its 50-day SMA is above its 200-day, and 50% on TLT when its RSI "
             "is below 40")
    stopped = ("50% on SPY when its 50-day SMA is above its 200-day with a 2% stop loss, and 50% "
               "on TLT when its RSI is below 40")
    _, plain_fills = _create_and_backtest(client, plain)
    spec, stopped_fills = _create_and_backtest(client, stopped)
    assert spec["legs"][0]["risk"]["stop_loss_pct"] == 2 and spec["legs"][1].get("risk") is None

    def of(fills: list[Any], symbol: str) -> list[tuple[str, str]]:
        return [(f["time"], f["side"]) for f in fills if f["symbol"] == symbol]

    assert len(of(stopped_fills, "SPY")) > len(of(plain_fills, "SPY"))
    assert of(stopped_fills, "TLT") == of(plain_fills, "TLT")
