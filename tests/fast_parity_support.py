"""The parity harness: one spec run on both engines from the same `BacktestRequest`, and the
seeded generator of random specs the long parity run uses."""

from __future__ import annotations

import os
import random
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from api.services.fast_backtests import run_fast
from generator.render import plan_strategy, render_strategy
from generator.spec import StrategySpec
from runtime.backtest import BacktestRequest
from runtime.executors import BacktestJob, JobResult, LocalPoolExecutor

ETFS = ["AGG", "BIL", "DBC", "EEM", "EFA", "EWJ", "GLD", "HYG", "IEF", "IEV", "IWM", "IYR",
        "LQD", "MDY", "QQQ", "SHY", "SPY", "TIP", "TLT", "VNQ", "VTI"]


@dataclass
class Case:
    name: str
    spec: dict[str, Any]
    start: date
    end: date
    fee_pct: float = 0.0
    dividends: str | None = "off"
    parameters: dict[str, Any] | None = None  # run-time overrides, as a sweep sets them


def request_for(case: Case, tmp: Path, market: Path, index: int) -> BacktestRequest:
    import hashlib

    spec = StrategySpec.model_validate(case.spec)
    path = tmp / f"case_{index}.py"
    path.write_text(render_strategy(spec), encoding="utf-8")
    return BacktestRequest(
        code_path=str(path), sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        class_name=plan_strategy(spec, summary="-").class_name,
        data_symbols=spec.all_symbols(), start=case.start, end=case.end, cash=100_000,
        warmup_bars=spec.lookback(), market_data_dir=str(market), fee_pct=case.fee_pct,
        dividends=case.dividends,  # type: ignore[arg-type]
        parameters=case.parameters or {},
    )


class _Collect:
    def __init__(self) -> None:
        self.results: dict[int, JobResult] = {}
        self.lock = threading.Lock()

    def started(self, job: BacktestJob, worker_pid: int | None, attempt: int) -> None:
        pass

    def progress(self, job: BacktestJob, fraction: float) -> None:
        pass

    def finished(self, job: BacktestJob, result: JobResult) -> None:
        with self.lock:
            self.results[job.run_id] = result

    def cancelled(self) -> bool:
        return False


def run_both(cases: list[Case], tmp: Path, market: Path) -> list[tuple[Case, dict[str, Any],
                                                                       dict[str, Any]]]:
    """Each case on Lumibot (a warm worker per core, up to two) and the fast engine."""
    requests = [request_for(case, tmp, market, i) for i, case in enumerate(cases)]
    jobs = [BacktestJob(i, r, tmp / "runs" / str(i), 600, max_attempts=1)
            for i, r in enumerate(requests)]
    pool = LocalPoolExecutor(tmp / "pool", tmp / "cache", workers=min(2, os.cpu_count() or 1))
    events = _Collect()
    try:
        pool.execute(jobs, events)
    finally:
        pool.close()
    out = []
    for i, case in enumerate(cases):
        outcome = events.results[i].outcome
        assert outcome.ok, f"{case.name}: Lumibot failed: {outcome.error}\n{outcome.traceback}"
        fast = run_fast(StrategySpec.model_validate(case.spec), requests[i], None)
        assert fast.ok, f"{case.name}: fast engine failed: {fast.error}"
        out.append((case, outcome.result, fast.result))
    return out


def fills_of(result: dict[str, Any]) -> list[tuple[str, str, str, float, float]]:
    return [(f["time"], f["symbol"], f["side"], float(f["quantity"]), float(f["price"]))
            for f in result["fills"]]


def assert_parity(case: Case, lumibot: dict[str, Any], fast: dict[str, Any]) -> None:
    lf, ff = fills_of(lumibot), fills_of(fast)
    if lf != ff:
        first = next((i for i, (a, b) in enumerate(zip(lf, ff, strict=False)) if a != b),
                     min(len(lf), len(ff)))
        raise AssertionError(
            f"{case.name}: fills differ at #{first} of {len(lf)} (Lumibot) / {len(ff)} (fast): "
            f"Lumibot {lf[first:first + 2]} fast {ff[first:first + 2]}\nspec {case.spec}")
    lr, fr = lumibot["metrics"]["total_return"], fast["metrics"]["total_return"]
    assert lr is not None and fr is not None
    assert abs(lr - fr) <= 1e-9, f"{case.name}: total return {lr} (Lumibot) vs {fr} (fast)"
    assert lumibot["first_day"] == fast["first_day"] and lumibot["last_day"] == fast["last_day"]


# -- random specs ----------------------------------------------------------------------------------
_PRICE_LIKE = ["price", "sma", "ema", "bb_upper", "bb_middle", "bb_lower", "highest_high",
               "lowest_low"]
_THRESHOLDS = {"roc": (-5, 5), "stoch_k": (10, 90), "stoch_d": (10, 90), "volatility": (8, 30),
               "drawdown": (1, 15), "up_streak": (1, 4), "down_streak": (1, 4), "rsi": (20, 80),
               "atr": (1, 6), "macd_hist": (-1, 1)}
_MACD = ["macd", "macd_signal", "macd_hist"]


def _indicator(rng: random.Random, kind: str, timeframe: str | None = None) -> dict[str, Any]:
    ind: dict[str, Any] = {"kind": kind}
    longest = {None: 60, "weekly": 16, "monthly": 8}[timeframe]
    if kind in _MACD:
        fast = rng.randint(3, 15 if timeframe is None else 6)
        ind.update(fast=fast, slow=rng.randint(fast + 1, 35 if timeframe is None else 12),
                   signal=rng.randint(2, 12 if timeframe is None else 5))
    elif kind == "rsi":
        ind["period"] = rng.randint(2, min(longest, 30))
    elif kind not in ("price", "volume", "up_streak", "down_streak"):
        ind["period"] = rng.randint(2, longest)
    if kind.startswith("bb_") and rng.random() < 0.5:
        ind["num_std"] = rng.choice([1.0, 1.5, 2.5])
    if timeframe is not None:
        ind["timeframe"] = timeframe
    return ind


def _timeframe(rng: random.Random, kind: str) -> str | None:
    """Weekly or monthly bars for a fifth of the indicators (never volatility: it is daily)."""
    if kind == "volatility" or rng.random() >= 0.2:
        return None
    if kind in _MACD or kind == "atr":  # their warm-up in months would outlast the data
        return "weekly"
    return rng.choice(["weekly", "weekly", "monthly"])


def _condition(rng: random.Random) -> dict[str, Any]:
    op = rng.choice(["gt", "lt", "ge", "le", "crosses_above", "crosses_below"])
    if rng.random() < 0.45:
        left_kind, right_kind = rng.choice(_PRICE_LIKE), rng.choice(_PRICE_LIKE)
        left = _indicator(rng, left_kind, _timeframe(rng, left_kind))
        right = _indicator(rng, right_kind, _timeframe(rng, right_kind))
        cond: dict[str, Any] = {"left": left, "op": op, "right": right}
        if rng.random() < 0.2:
            cond["offset_pct"] = rng.choice([-2.0, 1.0, 3.0])
        return cond
    if rng.random() < 0.1:
        return {"left": _indicator(rng, "volume"), "op": op,
                "right": _indicator(rng, "volume_sma")}
    if rng.random() < 0.1:  # the MACD line against its signal line
        line = _indicator(rng, "macd", _timeframe(rng, "macd"))
        return {"left": line, "op": op, "right": {**line, "kind": "macd_signal"}}
    kind = rng.choice(list(_THRESHOLDS))
    low, high = _THRESHOLDS[kind]
    return {"left": _indicator(rng, kind, _timeframe(rng, kind)), "op": op,
            "right": {"value": rng.randint(low, high)}}


def _rule(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    for _ in range(rng.randint(1, 2)):
        items.append(_rule(rng, depth + 1) if depth == 0 and rng.random() < 0.2
                     else _condition(rng))
    return {"combine": rng.choice(["all", "any", "any", "none"] if depth else ["all", "any"]),
            "conditions": items}


def random_case(seed: int) -> Case:
    """A valid random spec of the families the fast engine runs, on a short window (shorts and
    per-symbol legs included)."""
    rng = random.Random(seed)
    while True:
        symbols = rng.sample(ETFS, rng.choice([1, 1, 2, 3]))
        spec: dict[str, Any] = {"name": f"random {seed}", "symbols": symbols}
        alloc_kind = rng.choice(["all_in", "equal_weight", "fixed_fraction", "fixed_amount",
                                 "target_weights", "momentum_rotation"])
        alloc: dict[str, Any] = {"kind": alloc_kind}
        if alloc_kind == "fixed_fraction":
            alloc["fraction"] = round(rng.uniform(0.1, 1.0 / len(symbols)), 2)
        if alloc_kind == "fixed_amount":
            alloc["amount"] = rng.choice([5000, 20000, 60000])
        if alloc_kind == "target_weights":
            alloc["weights"] = {s: round(0.95 / len(symbols), 3) for s in symbols}
            if rng.random() < 0.3:
                alloc["drift_band_pct"] = rng.choice([1.0, 3.0])
        if alloc_kind == "momentum_rotation":
            alloc["top_n"] = rng.randint(1, len(symbols))
            alloc["lookback_days"] = rng.randint(5, 120)
            alloc["require_positive_momentum"] = rng.random() < 0.5
        if alloc_kind != "target_weights" and rng.random() < 0.2:
            alloc["alternative"] = rng.choice([s for s in ETFS if s not in symbols])
        if alloc_kind not in ("fixed_amount",) and "drift_band_pct" not in alloc \
                and rng.random() < 0.15:
            alloc["target_volatility_pct"] = rng.choice([5, 10, 20])
        spec["allocation"] = alloc
        weights = alloc_kind in ("target_weights", "momentum_rotation")
        if not weights:
            spec["entry"] = _rule(rng)
            if rng.random() < 0.85:
                spec["exit"] = _rule(rng)
        spec["schedule"] = rng.choice(
            ["daily", "weekly", "monthly", "quarterly", "semiannual", "yearly"]
            if weights else ["daily", "daily", "daily", "weekly", "monthly"])
        if alloc.get("drift_band_pct") == 3.0 and spec["schedule"] != "daily":
            alloc["drift_or_schedule"] = True  # no draw of its own: the stream stays as it was
        risk: dict[str, Any] = {}
        if "drift_band_pct" not in alloc:
            if rng.random() < 0.3:
                risk["stop_loss_pct"] = rng.choice([2.0, 5.0, 10.0])
            if rng.random() < 0.2:
                risk["take_profit_pct"] = rng.choice([3.0, 8.0, 20.0])
            if rng.random() < 0.2:
                risk["trailing_stop_pct"] = rng.choice([3.0, 7.0])
            if not weights and rng.random() < 0.2:
                risk["max_hold_bars"] = rng.randint(3, 30)
            if not weights and rng.random() < 0.15:
                risk["min_hold_bars"] = rng.randint(1, 3)
        spec["risk"] = risk
        _close_schedule(spec)
        try:
            StrategySpec.model_validate(spec)
        except ValueError:
            continue
        year = rng.randint(2008, 2023)
        start = date(year, rng.randint(1, 6), 1)
        end = date(year + (1 if rng.random() < 0.3 else 0), rng.randint(7, 12), 28)
        return Case(f"random {seed}", _short_or_legs(spec, seed), start, end,
                    fee_pct=rng.choice([0.0, 0.0, 0.001]),
                    dividends=rng.choice(["off", "cash", "cash", "reinvest"]))


def _short_or_legs(spec: dict[str, Any], seed: int) -> dict[str, Any]:
    """About a sixth of the signal specs made short and a sixth turned into per-symbol legs
    (some of those short too). A generator of its own, so the other specs stay as they were."""
    rng = random.Random(f"short-or-legs {seed}")
    draw = rng.random()
    if "entry" not in spec or draw >= 0.5:
        return spec
    out = dict(spec)
    risk = dict(spec.get("risk") or {})
    if draw < 0.25:  # per-symbol legs: each symbol its own share and rules
        symbols = spec["symbols"] if len(spec["symbols"]) > 1 else [
            spec["symbols"][0], rng.choice([s for s in ETFS if s not in spec["symbols"]])]
        short = rng.random() < 0.25
        legs = []
        for symbol in symbols:
            leg: dict[str, Any] = {"symbol": symbol, "entry": _rule(rng),
                                   "fraction": round(rng.uniform(0.15, 1.0 / len(symbols)), 2)}
            if rng.random() < 0.8:
                leg["exit"] = _rule(rng)
            if not short and rng.random() < 0.35:
                leg["risk"] = {rng.choice(["stop_loss_pct", "take_profit_pct",
                                           "trailing_stop_pct"]): rng.choice([2.0, 4.0, 8.0])}
            legs.append(leg)
        out.pop("entry", None)
        out.pop("exit", None)
        out.pop("allocation", None)
        out.update(symbols=symbols, legs=legs)
        _close_schedule(out)
        if not short:
            out["risk"] = risk
            return out
    else:  # a short of the same rules, sized as shorts are
        alloc = {k: v for k, v in spec["allocation"].items()
                 if k not in ("alternative", "target_volatility_pct")}
        if alloc["kind"] not in ("all_in", "equal_weight", "fixed_fraction"):
            alloc = {"kind": "equal_weight"}
        out["allocation"] = alloc
    out["side"] = "short"  # shorts take no stop, target or trailing stop (a time exit works)
    out["risk"] = {k: v for k, v in risk.items() if k in ("max_hold_bars", "min_hold_bars")}
    return out


def _close_schedule(spec: dict[str, Any]) -> None:
    """Rules reading a weekly or monthly close (`price` on those bars) are checked on that
    schedule (`StrategySpec._check_period_close`): the schedule follows the first such close,
    and any other period's close is read on the same bars."""
    prices: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("kind") == "price" and node.get("timeframe"):
                prices.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({k: v for k, v in spec.items() if k in ("entry", "exit", "legs")})
    if prices:
        spec["schedule"] = prices[0]["timeframe"]
        for price in prices:
            price["timeframe"] = spec["schedule"]
