"""Corporate actions read back from adj_close, and the dividend column backtests pay from."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from runtime.market_data.actions import (
    CorporateAction,
    dividend_column,
    dividends_from_adj_close,
    price_quantum,
)


def _frame(closes: list[float], adj: list[float]) -> pd.DataFrame:
    index = pd.DatetimeIndex(pd.bdate_range("2024-01-02", periods=len(closes)), name="date")
    return pd.DataFrame({"close": closes, "adj_close": adj}, index=index)


def test_a_dividend_is_read_back_from_the_adjusted_series() -> None:
    closes = [100.0, 101.0, 99.5, 100.25, 100.5]
    # a 0.80 dividend going ex on day 3: every adjusted price before it scaled by 1 - 0.8/101
    factor = 1 - 0.80 / 101.0
    adj = [round(c * factor, 4) for c in closes[:2]] + closes[2:]
    (found,) = dividends_from_adj_close(_frame(closes, adj), source="test")
    assert found.date == date(2024, 1, 4) and found.kind == "dividend"
    assert found.value == pytest.approx(0.80, abs=1e-3)


def test_rounding_and_float_noise_are_no_dividends() -> None:
    rng = np.random.default_rng(3)
    closes = np.round(100 + rng.normal(0, 1, 300).cumsum(), 2)
    adj = np.round(closes * 0.9731 * (1 + rng.uniform(-4e-6, 4e-6, 300)), 4)
    assert dividends_from_adj_close(_frame(list(closes), list(adj))) == []
    assert dividends_from_adj_close(_frame(list(closes), list(closes))) == []
    assert price_quantum(np.array([81.75, 81.9])) == 0.005


def test_the_dividend_column_pays_on_the_ex_date_or_the_next_bar() -> None:
    index = pd.DatetimeIndex(["2024-01-02", "2024-01-03", "2024-01-05"], name="date")
    actions = [
        CorporateAction(date(2023, 12, 29), "dividend", 9.0),  # before the bars: not paid
        CorporateAction(date(2024, 1, 3), "dividend", 0.5),
        CorporateAction(date(2024, 1, 4), "dividend", 0.25),  # no bar that day: the next one
        CorporateAction(date(2024, 1, 5), "split", 2.0),  # not cash
        CorporateAction(date(2024, 1, 8), "dividend", 1.0),  # after the bars
    ]
    assert list(dividend_column(index, actions)) == [0.0, 0.5, 0.25]
    assert list(dividend_column(index, [])) == [0.0, 0.0, 0.0]


def test_actions_round_trip_and_unknown_kinds_are_refused() -> None:
    action = CorporateAction(date(2024, 1, 3), "split", 4.0, "yahoo")
    assert CorporateAction.from_dict(action.as_dict()) == action
    with pytest.raises(ValueError, match="unknown corporate action"):
        CorporateAction.from_dict({"date": "2024-01-03", "kind": "merger", "value": 1})


def test_the_synthetic_sample_has_no_corporate_actions(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from runtime.market_data import MarketDataStore

    store = MarketDataStore(tmp_path / "store")
    store.load_sample()
    assert store.actions("AGG") == [] and store.coverage("AGG").dividends == 0
    # a lost index and actions files: rebuilt from the Parquet files, still without actions
    (store.root / "index.json").unlink()
    for path in store.root.glob("*.actions.json"):
        path.unlink()
    assert store.coverage("AGG").source == "sample"
    assert store.actions("AGG") == []
