"""The bot builder over HTTP and the CLI: clarification of vague texts, the indicator reference,
the worked templates, `ignored` words, and texts that must never reach the parser or the code.

Uses the seeded sample market (no shared data needed) with the smoke backtest off, so a created
strategy is checked statically and imported only; the full gate on real bars is in
`tests/generator/test_v2_constructs.py`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO_ROOT, make_settings, ui_csrf
from fastapi.testclient import TestClient

from api.app import create_app
from core.db import dispose_engines
from generator.catalog import TEMPLATES
from generator.spec import IndicatorKind


@pytest.fixture
def client(tmp_path: Path, sample_market_dir: Path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, sample_market_dir, smoke_backtest_days=0)
    with TestClient(create_app(settings)) as test_client:
        yield test_client
    dispose_engines()


def test_clarify_asks_and_its_completions_are_understood(client: TestClient) -> None:
    text = "Buy SPY when RSI is below 30 and sell when it drops"
    body = client.post("/bot-builder/clarify", json={"text": text}).json()
    assert body["needs_clarification"] is True
    assert 1 <= len(body["questions"]) <= 2
    assert body["vague"] == "sell when it drops"
    assert len(body["suggestions"]) >= 2
    for suggestion in body["suggestions"]:
        answer = client.post("/bot-builder/clarify", json={"text": suggestion}).json()
        assert answer["needs_clarification"] is False, (suggestion, answer)
        assert answer["spec"]["symbols"] == ["SPY"]
        assert answer["spec"]["entry"]["conditions"][0]["left"]["kind"] == "rsi"


def test_clarify_answers_a_clear_text_with_its_spec_and_ignored_words(client: TestClient) -> None:
    text = "Classic 60/40: 60% SPY and 40% AGG, rebalanced monthly"
    body = client.post("/bot-builder/clarify", json={"text": text}).json()
    assert body["needs_clarification"] is False
    assert body["spec"]["allocation"]["weights"] == {"SPY": 0.6, "AGG": 0.4}
    assert body["ignored"] == ["classic"]
    refused = client.post("/bot-builder/clarify", json={"text": "buy SPY when the VWAP rises"})
    assert refused.json()["refused"] and not refused.json()["needs_clarification"]


def test_create_answers_a_vague_text_with_422_needs_clarification(client: TestClient) -> None:
    response = client.post("/strategies", json={"text": "buy the dip on SPY"})
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "needs_clarification"
    assert body["details"]["questions"] and body["details"]["suggestions"]
    assert client.get("/strategies").json() == []


def test_created_strategy_lists_ignored_words(client: TestClient) -> None:
    text = ("hey! can you make me a bot that buys SPY when its 20 day SMA crosses above the 50 "
            "day SMA and sells on the opposite cross? thanks")
    response = client.post("/strategies", json={"text": text})
    assert response.status_code == 201, response.text
    ignored = response.json()["ignored"]
    assert any("thanks" in w for w in ignored) and any("bot" in w for w in ignored)


def test_indicator_reference_covers_every_kind(client: TestClient) -> None:
    body = client.get("/bot-builder/indicators").json()
    assert {i["kind"] for i in body} == {k.value for k in IndicatorKind}
    rsi = next(i for i in body if i["kind"] == "rsi")
    assert rsi["parameters"] == {"period": 14}


def test_templates_each_come_with_their_spec(client: TestClient) -> None:
    body = client.get("/bot-builder/templates").json()
    assert len(body) == len(TEMPLATES) >= 12
    assert {"golden_cross", "rsi2", "dual_momentum", "sixty_forty", "permanent_portfolio",
            "turtle", "bollinger_reversion", "macd", "trend_safe_asset"} <= {t["key"] for t in body}
    for item in body:
        assert item["spec"]["symbols"] and item["summary"]


def test_a_megabyte_of_text_is_refused_without_parsing(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.providers.offline.parser as parser

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the parser was called")

    monkeypatch.setattr(parser, "parse_text", never)
    big = "buy SPY when RSI is below 30 " * 40_000  # ~1.1 MB
    for path in ("/strategies", "/bot-builder/clarify"):
        response = client.post(path, json={"text": big})
        assert response.status_code in (413, 422), response.text
    assert client.get("/strategies").json() == []


@pytest.mark.parametrize("text", [
    "Buy SPY when RSI is below 30 and sell above 70, and set leverage to 10x",
    "Buy SPY on a golden cross and change the max leverage limit to 5",
    "Buy SPY when the 50 day SMA crosses the 200 day SMA, import os and delete files",
    "Buy SPY on a golden cross; max_symbols = 100; __import__('os')",
])
def test_attempts_to_change_limits_or_code_never_reach_code(client: TestClient, text: str) -> None:
    response = client.post("/strategies", json={"text": text})
    assert response.status_code == 422, response.text
    assert client.get("/strategies").json() == []


def test_cli_new_prints_the_clarification(tmp_path: Path, sample_market_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("STRATFORGE_", "RAY_")) and k != "DATABASE_URL"}
    env.update(STRATFORGE_HOME=str(tmp_path / "home"),
               STRATFORGE_GENERATED_DIR=str(tmp_path / "generated"),
               STRATFORGE_MARKET_DIR=str(sample_market_dir), STRATFORGE_SMOKE_BACKTEST_DAYS="0")
    exe = Path(sys.executable).with_name("stratforge")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "api.cli"]
    done = subprocess.run([*cmd, "new", "buy the dip", "--json"], env=env, capture_output=True,
                          text=True, timeout=300, cwd=REPO_ROOT)
    assert done.returncode == 1, done.stderr
    error = json.loads(done.stdout)["error"]
    assert error["code"] == "needs_clarification" and error["details"]["questions"]
    shown = subprocess.run([*cmd, "new", "buy the dip"], env=env, capture_output=True,
                           text=True, timeout=300, cwd=REPO_ROOT)
    assert "question:" in shown.stderr and "try:" in shown.stderr
    listed = subprocess.run([*cmd, "templates", "--json"], env=env, capture_output=True,
                            text=True, timeout=300, cwd=REPO_ROOT)
    assert len(json.loads(listed.stdout)) == len(TEMPLATES)
    created = subprocess.run(
        [*cmd, "new", "Classic 60/40: 60% SPY and 40% AGG, rebalanced monthly", "--json"],
        env=env, capture_output=True, text=True, timeout=300, cwd=REPO_ROOT)
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["ignored"] == ["classic"]


def test_dashboard_offers_the_completions(client: TestClient) -> None:
    page = client.post("/ui/strategies", data={"text": "buy the dip on SPY",
                                               "csrf": ui_csrf(client, "/ui")})
    assert page.status_code == 422
    assert "Which do you mean?" in page.text and "2-day RSI drops below 10" in page.text
    home = client.get("/ui")
    assert home.status_code == 200 and "Which do you mean?" not in home.text


REMARK = ("Buy GLD when it closes above its 50-day high and sell when it closes below its 20-day "
          "low. Gold people are a strange crowd but the turtles were onto something.")


def test_a_remark_in_the_way_is_asked_about_everywhere(client: TestClient) -> None:
    created = client.post("/strategies", json={"text": REMARK})
    assert created.status_code == 422, created.text
    details = created.json()["details"]
    assert created.json()["code"] == "needs_clarification"
    assert details["set_apart"] == [REMARK.split(". ", 1)[1]]
    assert client.get("/strategies").json() == []
    asked = client.post("/bot-builder/clarify", json={"text": REMARK}).json()
    assert asked["needs_clarification"] and asked["set_apart"] == details["set_apart"]
    (completion,) = asked["suggestions"]
    answer = client.post("/bot-builder/clarify", json={"text": completion}).json()
    assert answer["needs_clarification"] is False and answer["spec"]["symbols"] == ["GLD"]
    page = client.get("/ui/builder", params={"text": REMARK})
    assert "Which do you mean?" in page.text and "only a remark" in page.text
    assert "/ui/builder?text=Buy%20GLD" in page.text
