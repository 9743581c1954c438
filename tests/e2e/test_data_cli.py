"""`stratforge data fetch / update / list / show` as a user types them, against local servers
speaking Yahoo's chart API and Alpaca's Market Data v2 error shapes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from market_servers import serve, yahoo_answer
from test_cli import env, run  # noqa: F401  (the CLI's environment fixture)

from runtime.market_data.actions import dividends_from_adj_close
from runtime.market_data.sources.csv_files import CsvSource

pytestmark = pytest.mark.slow  # each test starts the CLI several times

LEAKY_KEY, LEAKY_SECRET = "AKLEAKCHECK0001", "secret-that-must-not-show"


@pytest.fixture(scope="module")
def yahoo(shared_data_dir: Path) -> Iterator[str]:
    frames: dict[str, pd.DataFrame] = {}
    dividends: dict[str, dict[str, float]] = {}
    for symbol in ("SPY", "TLT"):
        got = CsvSource(shared_data_dir).fetch(symbol, date(2018, 1, 2), date(2030, 1, 1))
        frames[symbol] = got.frame.set_index("date")
        dividends[symbol] = {
            a.date.isoformat(): a.value for a in dividends_from_adj_close(frames[symbol])
        }
    with serve(yahoo_answer(frames, dividends)) as server:
        yield server.url


def _json(done: Any) -> Any:
    return json.loads(done.stdout)


def test_fetch_update_list_show(env: dict[str, str], yahoo: str) -> None:  # noqa: F811
    env = env | {"STRATFORGE_YAHOO_URL": yahoo}
    fetched = _json(run(env, "data", "fetch", "SPY", "TLT", "--source", "yahoo",
                        "--start", "2020-01-01", "--end", "2024-06-28", "--json"))
    assert [s["symbol"] for s in fetched["symbols"]] == ["SPY", "TLT"]
    assert all(s["source"] == "yahoo" and s["error"] is None for s in fetched["symbols"])
    updated = _json(run(env, "data", "update", "--source", "yahoo", "--json"))
    spy = next(s for s in updated["symbols"] if s["symbol"] == "SPY")
    assert spy["added"] > 250 and spy["restated"] == []  # only days after 2024-06-28
    listed = _json(run(env, "data", "list", "--json"))
    assert {row["symbol"]: row["source"] for row in listed} == {"SPY": "yahoo", "TLT": "yahoo"}
    assert all(row["dividends"] > 0 and row["updated_at"] for row in listed)
    shown = _json(run(env, "data", "show", "TLT", "--json"))
    assert shown["start"] == "2020-01-02" and shown["missing_sessions"] == []
    assert len([a for a in shown["actions"] if a["kind"] == "dividend"]) == shown["dividends"]


def test_failed_fetch_exits_1_names_every_reason_and_never_shows_keys(
    env: dict[str, str], yahoo: str  # noqa: F811
) -> None:
    def leaky(*_: object):  # type: ignore[no-untyped-def]
        # a hostile or buggy server echoing the credentials it was sent
        return 401, {}, {"code": 40110000, "message": f"bad key {LEAKY_KEY}:{LEAKY_SECRET}"}

    with serve(leaky) as alpaca:
        env = env | {
            "STRATFORGE_YAHOO_URL": yahoo,
            "STRATFORGE_ALPACA_DATA_URL": alpaca.url,
            "ALPACA_API_KEY": LEAKY_KEY,
            "ALPACA_API_SECRET": LEAKY_SECRET,
            "STRATFORGE_LOG_LEVEL": "DEBUG",
        }
        done = run(env, "-v", "data", "fetch", "NOPE", "SPY", "--start", "2024-01-02", "--json",
                   check=False)
    assert done.returncode == 1
    report = _json(done)
    nope, spy = report["symbols"]
    assert nope["error"] and [a["source"] for a in nope["passed_over"]] == ["alpaca", "yahoo"]
    assert "keys refused" in nope["passed_over"][0]["reason"]
    assert spy["source"] == "yahoo" and spy["passed_over"][0]["source"] == "alpaca"
    assert LEAKY_KEY not in done.stdout + done.stderr
    assert LEAKY_SECRET not in done.stdout + done.stderr
    listed = _json(run(env, "data", "list", "--json"))
    assert [row["symbol"] for row in listed] == ["SPY"]  # the failed symbol stored nothing
