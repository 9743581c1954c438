"""The risk gate's rules, one by one, and the deterministic client order id."""

from __future__ import annotations

import pytest

from runtime.risk_gate import (
    AccountView,
    OrderIntent,
    RiskGate,
    RiskLimits,
    TradingState,
    client_order_id,
    parse_client_order_id,
)


def account(**kw: object) -> AccountView:
    values: dict[str, object] = {"equity": 100_000.0, "start_of_day_equity": 100_000.0}
    values.update(kw)
    return AccountView(**values)  # type: ignore[arg-type]


def buy(qty: float, price: float = 100.0, symbol: str = "SPY") -> OrderIntent:
    return OrderIntent(symbol, "buy", qty, price)


def test_an_ordinary_order_passes() -> None:
    assert RiskGate(RiskLimits()).check(buy(10), account()).allowed


def test_oversize_order_is_refused_with_a_reason() -> None:
    gate = RiskGate(RiskLimits(max_order_notional=10_000))
    decision = gate.check(buy(200), account())  # 20,000 notional
    assert not decision.allowed and decision.code == "max_order_notional"
    assert "20,000.00" in decision.reason and "10,000.00" in decision.reason


def test_position_cap_counts_what_is_already_held() -> None:
    gate = RiskGate(RiskLimits(max_position_pct=25))
    assert gate.check(buy(200), account()).allowed  # 20 %
    decision = gate.check(buy(100), account(positions={"SPY": 200.0}))  # 30 %
    assert decision.code == "max_position_pct"


def test_reducing_orders_pass_the_size_rules() -> None:
    gate = RiskGate(RiskLimits(max_position_pct=10, max_order_notional=1_000))
    sell = OrderIntent("SPY", "sell", 500, 100.0)
    assert gate.check(sell, account(positions={"SPY": 800.0})).allowed


def test_open_orders_and_market_hours() -> None:
    gate = RiskGate(RiskLimits(max_open_orders=2))
    assert gate.check(buy(1), account(open_orders=2)).code == "max_open_orders"
    assert gate.check(buy(1), account(market_open=False)).code == "market_closed"
    relaxed = RiskGate(RiskLimits(market_hours_only=False))
    assert relaxed.check(buy(1), account(market_open=False)).allowed


def test_order_rate_is_a_sliding_minute() -> None:
    now = [0.0]
    gate = RiskGate(RiskLimits(max_orders_per_minute=3), clock=lambda: now[0])
    for _ in range(3):
        assert gate.check(buy(1), account()).allowed
    assert gate.check(buy(1), account()).code == "order_rate"
    now[0] = 61.0
    assert gate.check(buy(1), account()).allowed


def test_daily_loss_halts_and_stays_halted() -> None:
    gate = RiskGate(RiskLimits(max_daily_loss_pct=2))
    decision = gate.check(buy(1), account(equity=97_500.0))
    assert decision.halt and decision.code == "daily_loss"
    assert gate.state is TradingState.halted
    # recovered equity does not clear it: only a person does
    assert gate.check(buy(1), account()).code == "halted"
    assert RiskGate(RiskLimits(), state=TradingState.halted, halt_reason="x").halted


def test_daily_loss_absolute_limit() -> None:
    gate = RiskGate(RiskLimits(max_daily_loss_usd=500))
    assert gate.check_daily_loss(account(equity=99_400.0)).halt


@pytest.mark.parametrize("key,seq", [("d1a2b3c4", 1), ("m7", 42)])
def test_client_order_id_round_trip(key: str, seq: int) -> None:
    value = client_order_id(key, seq)
    assert value == f"{key}-{seq}"
    assert client_order_id(key, seq) == value  # deterministic
    assert parse_client_order_id(value) == (key, seq)
    assert parse_client_order_id("3f2c9a0e-uuid-like") is None


def test_outside_market_hours_only_extended_hours_limit_orders_pass() -> None:
    gate = RiskGate(RiskLimits())
    closed = account(market_open=False)
    extended_limit = OrderIntent("SPY", "buy", 1, 100.0, limit=True, extended_hours=True)
    assert gate.check(extended_limit, closed).allowed
    for intent in (OrderIntent("SPY", "buy", 1, 100.0, extended_hours=True),  # market order
                   OrderIntent("SPY", "buy", 1, 100.0, limit=True)):  # did not opt in
        decision = gate.check(intent, closed)
        assert decision.code == "market_closed" and "extended_hours" in decision.reason
    # the other limits still apply to an extended-hours order
    huge = OrderIntent("SPY", "buy", 10_000, 100.0, limit=True, extended_hours=True)
    assert gate.check(huge, closed).code == "max_order_notional"
