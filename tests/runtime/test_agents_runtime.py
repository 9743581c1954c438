"""Agents at run time: the snapshot sees only completed bars, decisions are checked, the
baseline decides, the channel never raises, and a bot holds instead of crashing."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest

from runtime.agents import strategy_api
from runtime.agents.baseline import baseline_decision
from runtime.agents.channel import DecisionServer, ask
from runtime.agents.decision import check_decision
from runtime.agents.snapshot import build_snapshot, snapshot_json

SYMBOLS = ["SPY", "TLT"]


def _frames(days: int = 260, trend: float = 0.001) -> dict[str, pd.DataFrame]:
    index = pd.bdate_range("2023-01-02", periods=days, tz="America/New_York")
    out = {}
    for n, symbol in enumerate(SYMBOLS):
        rng = np.random.default_rng(n)
        close = 100 * np.cumprod(1 + trend * (1 - 2 * n) + rng.normal(0, 0.01, days))
        out[symbol] = pd.DataFrame(
            {"open": close, "high": close * 1.01, "low": close * 0.99, "close": close,
             "volume": 1e6}, index=index)
    return out


def _snapshot_text(frames: dict[str, pd.DataFrame], day: date, **kw: Any) -> str:
    snap = build_snapshot(frames, day, symbols=SYMBOLS, lookback=21,
                          indicators=[{"kind": "rsi", "period": 14}, {"kind": "sma", "period": 50}],
                          quantities={"SPY": 10}, cash=1000.0, **kw)
    assert snap is not None
    return snapshot_json(snap)


def test_snapshot_of_day_d_ignores_day_d_and_later() -> None:
    frames = _frames()
    day = frames["SPY"].index[-5].date()
    before = _snapshot_text(frames, day)
    for symbol in SYMBOLS:  # alter day D and everything after it
        frame = frames[symbol]
        mask = frame.index.date >= day
        frame.loc[mask, ["open", "high", "low", "close"]] *= 3.7
    assert _snapshot_text(frames, day) == before
    assert day.isoformat() not in before.replace(f'"decision_day":"{day.isoformat()}"', "")


def test_snapshot_changes_when_a_completed_bar_changes() -> None:
    frames = _frames()
    day = frames["SPY"].index[-5].date()
    before = _snapshot_text(frames, day)
    frames["SPY"].iloc[-6, frames["SPY"].columns.get_loc("close")] *= 1.1
    assert _snapshot_text(frames, day) != before


def test_anonymised_snapshot_has_neutral_names_rebased_prices_and_no_dates() -> None:
    frames = _frames()
    day = frames["SPY"].index[-1].date()
    snap = build_snapshot(frames, day, symbols=SYMBOLS, lookback=21, anonymize=True)
    assert snap is not None
    text = snapshot_json(snap)
    assert "SPY" not in text and "TLT" not in text and "2023" not in text
    assert [v.symbol for v in snap.symbols] == ["ASSET_1", "ASSET_2"]
    assert snap.symbols[0].closes[0] == 100.0
    assert snap.aliases == {"ASSET_1": "SPY", "ASSET_2": "TLT"}


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"target_weights": {"SPY": 0.7, "TLT": 0.6}, "rationale": "x"}, "sum"),
        ({"target_weights": {"QQQ": 0.5}, "rationale": "x"}, "not one of"),
        ({"target_weights": {"SPY": -0.1}, "rationale": "x"}, "between 0"),
        ({"target_weights": {"SPY": 0.5}}, "rationale"),
        ({"target_weights": {"SPY": 0.5}, "rationale": "x", "max_leverage": 3}, "extra"),
        ("buy everything", "JSON object"),
    ],
)
def test_check_decision_refuses_what_breaks_the_contract(data: Any, problem: str) -> None:
    decision, problems = check_decision(data, SYMBOLS)
    assert decision is None
    assert any(problem in p.lower() or problem in p for p in problems), problems


def test_check_decision_fills_missing_symbols_with_zero_and_caps_per_symbol() -> None:
    decision, problems = check_decision(
        {"target_weights": {"TLT": 0.4}, "rationale": "bonds", "confidence": 0.5}, SYMBOLS)
    assert problems == [] and decision is not None
    assert decision.target_weights == {"SPY": 0.0, "TLT": 0.4}
    assert check_decision({"target_weights": {"TLT": 0.6}, "rationale": "r"}, SYMBOLS, 0.5)[0] \
        is None


def test_baseline_holds_what_is_above_its_200_day_average() -> None:
    frames = _frames(days=300)  # SPY trends up, TLT down
    day = frames["SPY"].index[-1].date()
    snap = build_snapshot(frames, day, symbols=SYMBOLS, lookback=21)
    assert snap is not None
    above = [v.symbol for v in snap.symbols if v.last_close > (v.indicators["sma_200"] or 1e9)]
    decision = baseline_decision(snap)
    expected = {s: (1 / len(above) if s in above else 0.0) for s in SYMBOLS}
    assert decision.target_weights == expected
    assert check_decision(decision.model_dump(), SYMBOLS)[0] is not None


def test_channel_round_trip_and_unreachable_server_is_a_hold() -> None:
    seen: list[tuple[str, dict[str, Any]]] = []

    def handler(token: str, request: dict[str, Any]) -> dict[str, Any]:
        seen.append((token, request))
        return {"outcome": "decided", "target_weights": {"SPY": 1.0}}

    server = DecisionServer(handler, lambda exc: None)
    try:
        reply = ask(server.address("tok"), {"day": "2024-01-02"})
        assert reply["outcome"] == "decided" and seen == [("tok", {"day": "2024-01-02"})]
    finally:
        server.close()
    reply = ask(server.address("tok"), {"day": "2024-01-02"})
    assert reply["outcome"] == "held" and "unreachable" in reply["reason"]


class _FakeStrategy:
    def __init__(self, day: pd.Timestamp, cash: Any = 1000.0) -> None:
        self.day, self.cash, self.logged = day, cash, []

    def get_datetime(self) -> pd.Timestamp:
        return self.day

    def get_cash(self) -> float:
        if isinstance(self.cash, Exception):
            raise self.cash
        return float(self.cash)

    def get_position(self, symbol: str) -> None:
        return None

    def log_message(self, message: str) -> None:
        self.logged.append(message)


PARAMS = {"symbols": SYMBOLS, "lookback_days": 21, "indicators": [], "model": "openai:x",
          "max_weight": 1.0, "anonymize": False}


def test_a_bad_answer_or_a_failure_is_a_hold_never_an_exception() -> None:
    frames = _frames()
    day = frames["SPY"].index[-1]
    server = DecisionServer(
        lambda t, r: {"outcome": "decided", "target_weights": {"SPY": 0.9, "TLT": 0.9}},
        lambda exc: None)
    try:
        strategy_api.use_channel(server.address("t"))
        bot = _FakeStrategy(day)
        assert strategy_api.agent_targets(bot, frames, PARAMS) is None
        assert "sum" in bot.logged[-1]
        broken = _FakeStrategy(day, cash=RuntimeError("broker down"))
        assert strategy_api.agent_targets(broken, frames, PARAMS) is None
        assert "broker down" in broken.logged[-1]
    finally:
        strategy_api.use_channel(None)
        server.close()


def test_without_a_channel_only_the_offline_model_or_a_standin_decides() -> None:
    frames = _frames()
    bot = _FakeStrategy(frames["SPY"].index[-1])
    strategy_api.use_channel(None)
    strategy_api.use_standin(False)
    assert strategy_api.agent_targets(bot, frames, PARAMS) is None  # an LLM model: hold
    assert strategy_api.agent_targets(bot, frames, {**PARAMS, "model": "offline"}) is not None
    strategy_api.use_standin(True)
    try:
        assert strategy_api.agent_targets(bot, frames, PARAMS) is not None
    finally:
        strategy_api.use_standin(False)


class _Position:
    def __init__(self, quantity: float) -> None:
        self.quantity = quantity


def test_only_symbols_outside_the_rebalance_band_are_traded() -> None:
    frames = _frames()
    day = frames["SPY"].index[-1]
    spy_close = float(frames["SPY"]["close"].iloc[-2])  # the last completed close

    class Holding(_FakeStrategy):
        def get_position(self, symbol: str) -> _Position | None:
            return _Position(6000 / spy_close) if symbol == "SPY" else None

    bot = Holding(day, cash=4000.0)  # SPY is 60 % of equity, TLT 0 %
    server = DecisionServer(
        lambda t, r: {"outcome": "decided", "target_weights": {"SPY": 0.61, "TLT": 0.3},
                      "rationale": "r"}, lambda exc: None)
    try:
        strategy_api.use_channel(server.address("t"))
        params = {**PARAMS, "rebalance_band": 0.02}
        assert strategy_api.agent_targets(bot, frames, params) == {"TLT": 0.3}
        assert strategy_api.agent_targets(bot, frames, {**params, "rebalance_band": 0.0}) == {
            "SPY": 0.61, "TLT": 0.3}
    finally:
        strategy_api.use_channel(None)
        server.close()


def test_a_fully_invested_decision_keeps_the_cash_reserve() -> None:
    frames = _frames()
    bot = _FakeStrategy(frames["SPY"].index[-1])
    server = DecisionServer(
        lambda t, r: {"outcome": "decided", "target_weights": {"SPY": 0.5, "TLT": 0.5},
                      "rationale": "r"}, lambda exc: None)
    try:
        strategy_api.use_channel(server.address("t"))
        targets = strategy_api.agent_targets(bot, frames, {**PARAMS, "cash_reserve": 0.02})
        assert targets == pytest.approx({"SPY": 0.49, "TLT": 0.49})
    finally:
        strategy_api.use_channel(None)
        server.close()
