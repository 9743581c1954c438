"""`stratforge agents …` and `stratforge backtest` of an agent, as a user types them: the
offline agent on the sample market, a cached rerun, a comparison exported to CSV, and the
error document of a description that cannot be mapped."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from test_cli import as_json, env, run  # noqa: F401

pytestmark = pytest.mark.slow

TEXT = ("Each week, decide how to split between SPY, TLT and GLD given the last 3 months of "
        "prices, RSI and 50/200-day trends; stay in cash when unsure")


def test_agents_new_backtest_compare_and_decisions(
    env: dict[str, str], tmp_path: Path  # noqa: F811 (the fixture imported above)
) -> None:
    run(env, "data", "sample")
    agent = as_json(run(env, "agents", "new", TEXT, "--json"))
    assert agent["version"]["spec"]["symbols"] == ["SPY", "TLT", "GLD"]
    assert agent["version"]["validation_status"] == "passed"
    agent_id = str(agent["id"])
    first = as_json(run(env, "backtest", agent_id, "--start", "2023-01-03", "--end",
                        "2023-06-30", "--no-tearsheet", "--json"))
    second = as_json(run(env, "backtest", agent_id, "--start", "2023-01-03", "--end",
                         "2023-06-30", "--no-tearsheet", "--json"))
    assert first["metrics"]["decisions"] == second["metrics"]["cache_hits"] > 0
    assert first["trades"] == second["trades"]

    board_csv = tmp_path / "board.csv"
    board = as_json(run(env, "agents", "compare", agent_id, "--models", "offline", "--start",
                        "2023-01-03", "--end", "2023-06-30", "-o", str(board_csv), "--json"))
    assert {r["kind"] for r in board["rows"]} == {"baseline", "buy_and_hold"}
    rows = list(csv.DictReader(board_csv.open()))
    assert {r["label"] for r in rows} == {r["label"] for r in board["rows"]}

    decisions = as_json(run(env, "agents", "decisions", agent_id, "--json"))
    assert len(decisions) == first["metrics"]["decisions"]
    assert not any(d["live"] for d in decisions)  # backtests' decisions; no bot deployed
    assert as_json(run(env, "agents", "decisions", agent_id, "--live", "--json")) == []
    backtests = as_json(run(env, "agents", "decisions", agent_id, "--backtests", "--json"))
    assert len(backtests) == len(decisions)

    refused = run(env, "agents", "new", "Each week read the news about SPY", "--json",
                  check=False)
    assert refused.returncode == 1
    assert as_json(refused)["error"]["code"] == "agent_not_understood"
