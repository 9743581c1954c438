"""The overfitting statistics against independent computations on known inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from runtime.overfitting import (
    deflated_sharpe,
    expected_max_sharpe,
    probability_of_backtest_overfitting,
)


def test_expected_max_sharpe_matches_a_simulation_of_skill_less_trials() -> None:
    rng = np.random.default_rng(7)
    trials, sd = 100, 0.05
    maxima = rng.normal(0.0, sd, size=(20_000, trials)).max(axis=1)
    assert expected_max_sharpe(trials, sd ** 2) == pytest.approx(maxima.mean(), rel=0.02)


def test_deflated_sharpe_matches_the_papers_formula_computed_with_scipy() -> None:
    rng = np.random.default_rng(3)
    r = rng.standard_t(5, size=1250) * 0.01 + 0.0007
    trials, variance = 250, 0.0004
    sr = r.mean() / r.std(ddof=1)
    skew, kurt = stats.skew(r), stats.kurtosis(r, fisher=False)
    sr0 = math.sqrt(variance) * ((1 - np.euler_gamma) * stats.norm.ppf(1 - 1 / trials)
                                 + np.euler_gamma * stats.norm.ppf(1 - 1 / (trials * np.e)))
    expected = stats.norm.cdf((sr - sr0) * math.sqrt(len(r) - 1)
                              / math.sqrt(1 - skew * sr + (kurt - 1) / 4 * sr ** 2))
    assert deflated_sharpe(r, trials, variance) == pytest.approx(expected, rel=1e-9)


def test_more_trials_deflate_more() -> None:
    r = np.random.default_rng(1).normal(0.0008, 0.01, size=2000)
    few, many = deflated_sharpe(r, 2, 0.0004), deflated_sharpe(r, 10_000, 0.0004)
    assert few > many


def _pbo_by_hand(m: np.ndarray, blocks: int) -> float:
    """CSCV written out plainly, one split at a time (an independent computation)."""
    import itertools

    size = len(m) // blocks
    parts = [m[i * size:(i + 1) * size] for i in range(blocks)]
    below = total = 0
    for chosen in itertools.combinations(range(blocks), blocks // 2):
        ins = np.vstack([parts[i] for i in chosen])
        outs = np.vstack([parts[i] for i in range(blocks) if i not in chosen])
        sr_in = [ins[:, j].mean() / ins[:, j].std(ddof=1) for j in range(m.shape[1])]
        sr_out = [outs[:, j].mean() / outs[:, j].std(ddof=1) for j in range(m.shape[1])]
        best = int(np.argmax(sr_in))
        rank = sorted(sr_out).index(sr_out[best]) + 1
        omega = rank / (m.shape[1] + 1)
        below += math.log(omega / (1 - omega)) <= 0
        total += 1
    return below / total


def test_pbo_matches_a_plain_computation() -> None:
    m = np.random.default_rng(11).normal(0.0, 0.01, size=(800, 12))
    assert probability_of_backtest_overfitting(m, 8) == pytest.approx(_pbo_by_hand(m, 8))


def test_pbo_is_zero_for_real_skill_and_high_for_noise() -> None:
    rng = np.random.default_rng(5)
    noise = rng.normal(0.0, 0.01, size=(1600, 40))
    skilled = noise.copy()
    skilled[:, 0] += 0.01  # one variant with a strong edge in every block
    assert probability_of_backtest_overfitting(skilled, 8) == 0.0
    assert 0.2 < probability_of_backtest_overfitting(noise, 8) < 0.8
