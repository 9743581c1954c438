"""The paper-vs-backtest line-up (`runtime.bots.drift`): pairing, each kind of difference,
totals and the alarm, on hand-made trades (the end-to-end replay is tests/e2e/test_reconcile.py)."""

from __future__ import annotations

from datetime import date

import pytest

from runtime.bots.drift import DriftReport, Refusal, Tolerance, Trade, report

D1, D2, D3 = date(2024, 11, 18), date(2024, 11, 19), date(2024, 11, 20)


def _t(symbol: str, side: str, qty: float, price: float, day: date, filled: float | None = None,
       fee: float | None = 0.0) -> Trade:
    return Trade(symbol=symbol, side=side, qty=qty, filled_qty=qty if filled is None else filled,
                 price=price, fee=fee, day=day)


def _kinds(r: DriftReport) -> list[tuple[str, str]]:
    return [(d.kind, d.symbol) for d in r.differences]


def test_identical_sides_have_no_difference_and_no_alarm() -> None:
    trades = [_t("SPY", "buy", 10, 500.0, D1), _t("SPY", "sell", 10, 510.0, D3)]
    r = report(1, D1, D3, 10_000.0, {}, list(trades), list(trades), Tolerance())
    assert r.differences == [] and not r.drift
    assert r.totals.matched == 2 and r.totals.slippage_cost == 0.0


def test_missed_extra_partial_quantity_and_timing_are_named() -> None:
    paper = [_t("SPY", "buy", 10, 500.0, D2),                 # a day late
             _t("QQQ", "buy", 5, 400.0, D1, filled=3),        # partly filled
             _t("IWM", "buy", 8, 200.0, D1),                  # the backtest bought 9
             _t("TLT", "sell", 4, 90.0, D1)]                  # the backtest never sold
    backtest = [_t("SPY", "buy", 10, 500.0, D1), _t("QQQ", "buy", 5, 400.0, D1),
                _t("IWM", "buy", 9, 200.0, D1), _t("GLD", "buy", 2, 180.0, D2)]
    r = report(1, D1, D3, 10_000.0, {}, paper, backtest, Tolerance())
    assert sorted(_kinds(r)) == sorted([("timing", "SPY"), ("partial", "QQQ"),
                                        ("quantity", "IWM"), ("extra", "TLT"),
                                        ("missed", "GLD")])
    assert r.drift
    assert (r.totals.missed, r.totals.extra, r.totals.partial, r.totals.late) == (1, 1, 1, 1)
    timing = next(d for d in r.differences if d.kind == "timing")
    assert timing.value == 1 and timing.beyond_tolerance
    lenient = report(1, D1, D3, 10_000.0, {}, paper[:1], backtest[:1],
                     Tolerance(max_timing_days=1))
    assert _kinds(lenient) == [("timing", "SPY")] and not lenient.drift


def test_slippage_is_signed_against_the_trader_and_alarms_beyond_the_tolerance() -> None:
    paper = [_t("SPY", "buy", 10, 500.5, D1), _t("SPY", "sell", 10, 509.0, D2)]
    backtest = [_t("SPY", "buy", 10, 500.0, D1), _t("SPY", "sell", 10, 510.0, D2)]
    r = report(1, D1, D3, 10_000.0, {}, paper, backtest, Tolerance(price_bps=25))
    buy, sell = (d.value for d in r.differences)
    assert buy == pytest.approx(10.0) and sell == pytest.approx(1.0 / 510 * 10_000)
    assert r.totals.slippage_cost == pytest.approx(5.0 + 10.0)
    assert not r.drift  # about 10 and 19.6 bps: within 25
    tight = report(1, D1, D3, 10_000.0, {}, paper, backtest, Tolerance(price_bps=15))
    assert tight.drift and [d.beyond_tolerance for d in tight.differences] == [False, True]
    better = report(1, D1, D3, 10_000.0, {}, [_t("SPY", "buy", 10, 499.0, D1)],
                    backtest[:1], Tolerance(price_bps=0))
    assert better.differences[0].value < 0 and not better.drift  # paper did better


def test_fees_are_compared_only_when_the_broker_reports_them() -> None:
    backtest = [_t("SPY", "buy", 10, 500.0, D1, fee=1.0)]
    unknown = report(1, D1, D1, 10_000.0, {}, [_t("SPY", "buy", 10, 500.0, D1, fee=None)],
                     backtest, Tolerance())
    assert unknown.differences == [] and unknown.totals.paper_fees is None
    known = report(1, D1, D1, 10_000.0, {}, [_t("SPY", "buy", 10, 500.0, D1, fee=3.0)],
                   backtest, Tolerance())
    assert _kinds(known) == [("fee", "SPY")] and known.differences[0].value == 2.0


def test_orders_too_far_apart_do_not_pair() -> None:
    far = date(2024, 12, 20)
    r = report(1, D1, far, 10_000.0, {}, [_t("SPY", "buy", 1, 500.0, far)],
               [_t("SPY", "buy", 1, 500.0, D1)], Tolerance(max_lag_days=5))
    assert sorted(k for k, _ in _kinds(r)) == ["extra", "missed"]


def test_a_missed_order_the_risk_gate_refused_names_the_refusal() -> None:
    backtest = [_t("SPY", "buy", 10, 500.0, D1), _t("QQQ", "buy", 5, 400.0, D1),
                _t("SPY", "sell", 10, 510.0, D3)]
    gate = [Refusal(symbol="SPY", side="buy", qty=10, day=D2, code="max_order_notional",
                    reason="order notional 5000 is over the limit 1000"),
            Refusal(symbol="SPY", side="sell", qty=10, day=D1, code="market_hours",
                    reason="the market is closed"),
            Refusal(symbol="SPY", side="buy", qty=10, day=date(2024, 12, 20), code="x",
                    reason="too far away to explain anything")]
    r = report(1, D1, D3, 10_000.0, {}, [], backtest, Tolerance(), refusals=gate)
    by_symbol_side = {(line.backtest.symbol, line.backtest.side): line
                      for line in r.lines if line.backtest}
    spy_buy = by_symbol_side[("SPY", "buy")]
    assert spy_buy.refusal == gate[0]
    assert spy_buy.differences[0].kind == "missed"
    assert "refused by the risk gate: order notional 5000 is over the limit 1000" in \
        spy_buy.differences[0].detail and f"(on {D2})" in spy_buy.differences[0].detail
    assert by_symbol_side[("SPY", "sell")].refusal == gate[1]
    qqq = by_symbol_side[("QQQ", "buy")]
    assert qqq.refusal is None and "paper placed no such order" in qqq.differences[0].detail
    assert (r.totals.missed, r.totals.refused) == (3, 2)
    assert r.drift  # explained, but paper still did not trade what the backtest did


def test_a_refusal_explains_one_missed_order_at_most_and_never_an_extra_one() -> None:
    gate = [Refusal(symbol="SPY", side="buy", qty=1, day=D1, reason="rate")]
    twice = report(1, D1, D3, 10_000.0, {}, [],
                   [_t("SPY", "buy", 1, 500.0, D1), _t("SPY", "buy", 1, 501.0, D2)],
                   Tolerance(), refusals=gate)
    assert [line.refusal is not None for line in twice.lines] == [True, False]
    assert twice.totals.refused == 1
    matched = report(1, D1, D1, 10_000.0, {}, [_t("SPY", "buy", 1, 500.0, D1)],
                     [_t("SPY", "buy", 1, 500.0, D1)], Tolerance(), refusals=gate)
    assert matched.differences == [] and matched.totals.refused == 0
