"""Overfitting statistics of a search over strategy variants (pure functions, no IO).

* `deflated_sharpe` — the deflated Sharpe ratio of the best variant (Bailey & López de Prado,
  "The Deflated Sharpe Ratio", 2014): the probability that its true Sharpe ratio is above the
  best one expected from `trials` variants with no skill, given the variance of the variants'
  Sharpe ratios and the skew and kurtosis of the best one's returns.
* `probability_of_backtest_overfitting` — PBO by combinatorially symmetric cross-validation
  (Bailey, Borwein, López de Prado & Zhu, 2015): the share of in-sample/out-of-sample splits of
  the days in which the variant best in-sample ranks in the bottom half out of sample.

Sharpe ratios here are per period (daily), not annualised, as in the papers.
"""

from __future__ import annotations

import itertools
import math
from statistics import NormalDist

import numpy as np

EULER_GAMMA = 0.5772156649015329
_N = NormalDist()


def expected_max_sharpe(trials: int, sharpe_variance: float) -> float:
    """The best per-period Sharpe ratio expected among `trials` skill-less variants."""
    if trials < 2 or sharpe_variance <= 0:
        return 0.0
    return math.sqrt(sharpe_variance) * (
        (1 - EULER_GAMMA) * _N.inv_cdf(1 - 1 / trials)
        + EULER_GAMMA * _N.inv_cdf(1 - 1 / (trials * math.e))
    )


def deflated_sharpe(best_returns: np.ndarray, trials: int, sharpe_variance: float) -> float:
    """Probability (0..1) that the best variant's true Sharpe ratio beats the expected maximum
    of `trials` skill-less ones; `sharpe_variance` is the variance of the trials' per-period
    Sharpe ratios."""
    r = np.asarray(best_returns, dtype="float64")
    r = r[np.isfinite(r)]
    n = len(r)
    std = r.std(ddof=1) if n > 1 else 0.0
    if n < 3 or not std > 0:
        return math.nan
    sr = r.mean() / std
    z = (r - r.mean()) / r.std(ddof=0)
    skew = float((z ** 3).mean())
    kurt = float((z ** 4).mean())  # not excess
    sr0 = expected_max_sharpe(trials, sharpe_variance)
    denominator = 1 - skew * sr + (kurt - 1) / 4 * sr ** 2
    if denominator <= 0:
        return math.nan
    return _N.cdf((sr - sr0) * math.sqrt(n - 1) / math.sqrt(denominator))


def _sharpe_columns(block: np.ndarray) -> np.ndarray:
    std = block.std(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(std > 0, block.mean(axis=0) / std, -np.inf)


def probability_of_backtest_overfitting(returns: np.ndarray, blocks: int = 16) -> float:
    """PBO of a (days × variants) matrix of per-period returns, split into `blocks` (even)
    groups of consecutive days; every half of the groups is in-sample once."""
    m = np.asarray(returns, dtype="float64")
    days, variants = m.shape
    if blocks % 2 or blocks < 2:
        raise ValueError("blocks must be an even number of at least 2")
    if variants < 2 or days < 2 * blocks:
        return math.nan
    groups = np.array_split(np.arange(days), blocks)
    logits = []
    for chosen in itertools.combinations(range(blocks), blocks // 2):
        inside = np.concatenate([groups[i] for i in chosen])
        outside = np.concatenate([groups[i] for i in range(blocks) if i not in chosen])
        best = int(np.argmax(_sharpe_columns(m[inside])))
        oos = _sharpe_columns(m[outside])
        # relative rank of the in-sample best out of sample, in (0, 1)
        rank = float((oos < oos[best]).sum() + 1)  # 1 = worst
        omega = rank / (variants + 1)
        logits.append(math.log(omega / (1 - omega)))
    return float(np.mean(np.array(logits) <= 0))
