"""The seeded synthetic sample market: daily bars for a demo that needs no files.

This module owns :func:`generate_sample_market` and :data:`SAMPLE_SOURCE`, the ``source`` the
store records for sample data (so real imports can replace it and ``load_sample`` keeps real
data). The tickers are real so demo sentences read naturally, the paths are synthetic; trading
days come from :mod:`runtime.market_data.calendar`. Same seed -> identical frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from core.errors import MarketDataError
from runtime.market_data.calendar import trading_days

__all__ = ["SAMPLE_SOURCE", "generate_sample_market"]

SAMPLE_SOURCE = "sample"


@dataclass(frozen=True)
class _SampleSpec:
    symbol: str
    price: float  # first close
    beta_bull: float  # exposure to the equity factor in calm markets
    beta_bear: float  # ... and in stress (negative = flight to safety)
    alpha: float  # annual drift on top of the factors
    idio_vol: float  # annual idiosyncratic volatility
    bond: float  # exposure to the rates factor
    gold: float  # exposure to the gold factor
    dividend_yield: float  # annual, drives adj_close
    volume: float  # typical daily shares


# Annualised parameters; prices start near the real funds' January-2010 levels so the demo looks
# familiar, but the paths are synthetic and stored with source="sample".
_SAMPLE_SPECS: tuple[_SampleSpec, ...] = (
    _SampleSpec("SPY", 113.0, 1.00, 1.00, 0.00, 0.02, 0.0, 0.0, 0.018, 120e6),
    _SampleSpec("QQQ", 46.0, 1.15, 1.20, 0.05, 0.09, 0.0, 0.0, 0.007, 60e6),
    _SampleSpec("IWM", 63.0, 1.15, 1.25, -0.01, 0.11, 0.0, 0.0, 0.013, 35e6),
    _SampleSpec("EFA", 55.0, 0.85, 0.95, -0.04, 0.09, 0.0, 0.0, 0.028, 25e6),
    _SampleSpec("TLT", 92.0, 0.05, -0.35, 0.00, 0.02, 1.0, 0.0, 0.025, 10e6),
    _SampleSpec("AGG", 104.0, 0.01, -0.08, 0.00, 0.01, 0.28, 0.0, 0.025, 5e6),
    _SampleSpec("GLD", 110.0, 0.05, -0.10, 0.00, 0.03, 0.0, 1.0, 0.0, 9e6),
    _SampleSpec("BIL", 45.8, 0.0, 0.0, 0.00, 0.002, 0.0, 0.0, 0.012, 3e6),
)

_BULL_DRIFT, _BULL_VOL = 0.16, 0.13
_BEAR_VOL = 0.30
_BOND_DRIFT, _BOND_VOL = 0.005, 0.14
_GOLD_DRIFT, _GOLD_VOL = 0.04, 0.16
_DAYS_PER_YEAR = 252


def _regimes(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Alternate bull and bear phases; returns (is_bear flags, daily equity drift).

    Phases alternate (bull 350-1100 days, bear 30-180 days losing 10-30 %), so with any seed a
    range longer than about 4.5 years contains a bear phase, and the default 15 years contain
    several: a 50/200-day golden/death cross strategy has something to trade (seeds 1-14 all
    give 5-11 crosses each way).
    """
    bear = np.zeros(n, dtype=bool)
    drift = np.full(n, _BULL_DRIFT / _DAYS_PER_YEAR)
    pos = 0
    in_bear = False
    while pos < n:
        if in_bear:
            length = int(rng.integers(30, 181))
            loss = float(rng.uniform(0.10, 0.30))
            stop = min(n, pos + length)
            bear[pos:stop] = True
            drift[pos:stop] = np.log(1.0 - loss) / length
        else:
            length = int(rng.integers(350, 1101))
            stop = min(n, pos + length)
        pos = stop
        in_bear = not in_bear
    return bear, drift


def _student_t(rng: np.random.Generator, n: int, dof: float = 5.0) -> np.ndarray:
    """Unit-variance fat-tailed shocks: daily returns are not normal and crashes happen."""
    return rng.standard_t(dof, size=n) / np.sqrt(dof / (dof - 2.0))


def generate_sample_market(
    seed: int = 7, start: date = date(2010, 1, 4), end: date = date(2024, 12, 31)
) -> dict[str, pd.DataFrame]:
    """A deterministic synthetic market of daily bars: SPY QQQ IWM EFA TLT AGG GLD BIL.

    The tickers are real so demo sentences read naturally ("buy SPY when..."), but the data is
    synthetic; the store marks it ``source="sample"``. Trading days follow NYSE's regular
    holiday rules (weekdays minus New Year, MLK, Presidents, Good Friday, Memorial, Juneteenth
    from 2022, Independence, Labor, Thanksgiving, Christmas). Model: an equity factor with
    alternating bull/bear regimes and fat-tailed shocks; rates and gold factors; bonds rally in
    stress (TLT/AGG negatively correlated with stocks in bear phases); BIL is cash (flat price,
    its return comes through adj_close). Same seed -> identical frames.
    """
    dates = trading_days(start, end)
    n = len(dates)
    if n < 2:
        raise MarketDataError(
            f"Sample range {start}..{end} has fewer than 2 trading days.", code="bad_range"
        )
    rng = np.random.default_rng(seed)
    day = 1.0 / _DAYS_PER_YEAR
    bear, eq_drift = _regimes(n, rng)
    eq_vol = np.where(bear, _BEAR_VOL, _BULL_VOL) * np.sqrt(day)
    equity = eq_drift + eq_vol * _student_t(rng, n)
    # Rates rally when stocks sell off hard: that is what makes bonds a hedge in the sample.
    rates = _BOND_DRIFT * day + _BOND_VOL * np.sqrt(day) * _student_t(rng, n)
    gold = _GOLD_DRIFT * day + _GOLD_VOL * np.sqrt(day) * _student_t(rng, n)

    out: dict[str, pd.DataFrame] = {}
    for spec in _SAMPLE_SPECS:
        beta = np.where(bear, spec.beta_bear, spec.beta_bull)
        idio = spec.idio_vol * np.sqrt(day) * _student_t(rng, n)
        ret = spec.alpha * day + beta * equity + spec.bond * rates + spec.gold * gold + idio
        # Close-to-close volatility estimate, used to scale gaps and intraday ranges.
        sigma = np.sqrt(
            (beta * eq_vol) ** 2
            + (spec.bond * _BOND_VOL) ** 2 * day
            + (spec.gold * _GOLD_VOL) ** 2 * day
            + spec.idio_vol**2 * day
        )
        ret[0] = 0.0
        close = spec.price * np.exp(np.cumsum(ret))
        prev_close = np.concatenate(([spec.price], close[:-1]))
        # Part of each day's move happens overnight, as in real markets.
        gap = 0.3 * ret + 0.25 * sigma * rng.standard_normal(n)
        open_ = prev_close * np.exp(gap)
        high = np.maximum(open_, close) * np.exp(np.abs(0.5 * sigma * rng.standard_normal(n)))
        low = np.minimum(open_, close) * np.exp(-np.abs(0.5 * sigma * rng.standard_normal(n)))
        # Volume rises on big moves and in bear markets.
        shock = np.abs(ret) / np.maximum(sigma, 1e-9)
        volume = spec.volume * np.exp(0.25 * rng.standard_normal(n)) * (0.7 + 0.3 * shock)
        volume *= np.where(bear, 1.5, 1.0)
        # Dividends reinvested: adj_close equals close on the last day, like Yahoo's.
        steps = np.arange(n) - (n - 1)
        adj = close * np.exp(spec.dividend_yield * day * steps)
        # Rounding is monotone, so high >= max(open, close) >= min(open, close) >= low survives.
        frame = pd.DataFrame(
            {
                "open": np.round(open_, 2),
                "high": np.round(high, 2),
                "low": np.round(low, 2),
                "close": np.round(close, 2),
                "adj_close": np.round(adj, 4),
                "volume": np.round(volume).astype(np.float64),
            },
            index=dates.copy(),
        )
        out[spec.symbol] = frame
    return out
