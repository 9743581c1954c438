"""Simulate a StrategySpec over daily arrays with the semantics of its generated Lumibot code.

The rendered strategy (`templates/strategy.py.j2`, `runtime.strategy_base`) and Lumibot 4.6
fix every rule this module follows; each is checked fill for fill by the parity suite
(`tests/api/test_fast_parity.py`):

* the iterations are the trading days after the run's start up to its end; a day decides only
  once every data symbol has `history_bars` completed bars (bars dated before the day);
* rules read the completed bars only: their value on day D is the indicator on the bar before D
  (and, for a cross, the bar before that);
* market orders fill at day D's open, sells first, in whole shares sized as
  floor(portfolio value x weight / last completed close); the percent fee is charged on each
  fill. A short (`side: short`) has a negative weight: sold to open, bought to cover, orders
  going sells, then covers, then buys (`strategy_base.trade_to_signed_weights`); per-symbol
  legs give each symbol its own rules, share and stop/target levels. Lumibot 4.6 applies
  `slippage_per_share` to SMART_LIMIT orders only, never to the market orders generated code
  submits, so neither does this engine;
* Lumibot values the portfolio at day D's close during D's iteration (`get_last_price` of a
  daily bar is its close); sizing uses that value, as the generated code does;
* the equity curve has one row per iteration: the holdings before that day's orders, valued
  at its close;
* dividends in `cash` mode are credited on the ex-date for the shares held the day before,
  before the day's iteration (a short pays them: Lumibot debits dividend x negative
  quantity); in `reinvest` mode (`runtime.dividend_policy`) each symbol's dividend cash of a
  long then buys `cash / previous close` (fractional) shares of it, after the
  strategy's own orders of that day, unless the strategy sells that symbol that day.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from runtime.fast_engine.indicators import (
    RECURSIVE,
    Indicator,
    bars_needed,
    indicator_pair,
    is_windowed,
    recursive_pair,
    timeframe_pair,
    unsupported_features,
)
from runtime.metrics import Fill, equity_metrics, round_trips, trade_metrics
from runtime.strategy_base import period_key, plan_orders


class FastEngineRefused(ValueError):
    """The fast engine will not run this strategy; the message says why."""


@dataclass
class FastResult:
    fills: list[Fill]
    equity: pd.Series
    dividends: str = "off"
    extra: dict[str, Any] = field(default_factory=dict)


class _Market:
    """Every data symbol's bars aligned on the run's iteration days."""

    def __init__(self, data_symbols: list[str], frames: dict[str, pd.DataFrame], start: date,
                 end: date, history_bars: int) -> None:
        self.frames = {s: frames[s] for s in data_symbols}
        days: pd.DatetimeIndex | None = None
        for frame in self.frames.values():
            idx = pd.DatetimeIndex(frame.index)
            days = idx if days is None else days.union(idx)
        assert days is not None
        days = days[(days > pd.Timestamp(start)) & (days <= pd.Timestamp(end))]
        self.days = days
        self.n = len(days)
        self.window = history_bars
        self.pos: dict[str, np.ndarray] = {}  # last completed row of each symbol, per day
        self.today: dict[str, np.ndarray] = {}  # the row dated on the day (-1 when none)
        warm = np.ones(self.n, dtype=bool)
        for symbol, frame in self.frames.items():
            idx = pd.DatetimeIndex(frame.index)
            pos = idx.searchsorted(days, side="left") - 1
            self.pos[symbol] = pos
            at = idx.searchsorted(days, side="left")
            exact = (at < len(idx)) & (idx[np.minimum(at, len(idx) - 1)] == days)
            self.today[symbol] = np.where(exact, at, -1)
            warm &= pos + 1 >= history_bars
        self.warm = warm
        self.open = {s: f["open"].to_numpy(dtype="float64") for s, f in self.frames.items()}
        self.close = {s: f["close"].to_numpy(dtype="float64") for s, f in self.frames.items()}
        self.labels = list(np.datetime_as_string(days.to_numpy(), unit="D"))
        self.last_close = {s: self.at_pos(s, self.close[s]) for s in self.frames}
        self.today_close = {s: self.close_today(s) for s in self.frames}
        self.opens = {s: np.where(self.today[s] >= 0, self.open[s][np.maximum(self.today[s], 0)],
                                  np.nan) for s in self.frames}
        self.paid: dict[int, dict[str, np.ndarray]] = {}  # id(dividends) -> per symbol

    def at_pos(self, symbol: str, values: np.ndarray) -> np.ndarray:
        """`values` (one per row of the symbol's bars) on each day's last completed row."""
        pos = self.pos[symbol]
        out = np.full(self.n, np.nan)
        ok = pos >= 0
        out[ok] = values[pos[ok]]
        return out

    def close_today(self, symbol: str) -> np.ndarray:
        """Each day's close (Lumibot's last price); the last close before it when no bar."""
        row = np.where(self.today[symbol] >= 0, self.today[symbol], self.pos[symbol])
        return np.where(row >= 0, self.close[symbol][np.maximum(row, 0)], np.nan)


def _side(ind: Indicator, market: _Market, symbol: str,
          cache: dict[Any, Any]) -> tuple[np.ndarray, np.ndarray]:
    source = ind.get("symbol") or symbol
    windowed = is_windowed(ind)  # depends on where each day's window starts
    key = (id(market.frames[source]), market.days[0], market.n, source,
           json.dumps(ind, sort_keys=True), market.window if windowed else None)
    if key not in cache:
        frame = market.frames[source]
        if ind.get("timeframe") not in (None, "daily"):
            now, before = timeframe_pair(ind, frame, market.window, market.pos[source])
        elif ind["kind"] in RECURSIVE:
            now, before = recursive_pair(ind, frame, market.window)
        else:
            now, before = indicator_pair(ind, frame, market.window if windowed else 10**9)
        cache[key] = (market.at_pos(source, now), market.at_pos(source, before))
    now, before = cache[key]
    if not windowed:  # a window too short for a value: NaN, as in the generated code
        need = bars_needed(ind)
        if market.window < need:
            now = np.full(market.n, np.nan)
        if market.window < need + 1:
            before = np.full(market.n, np.nan)
    return now, before


def _condition(cond: dict[str, Any], market: _Market, symbol: str, cache: dict[Any, Any]
               ) -> np.ndarray:
    now_l, before_l = _side(cond["left"], market, symbol, cache)
    right = cond["right"]
    if "kind" not in right:  # a constant
        now_r = before_r = np.full(market.n, float(right["value"]))
    else:
        now_r, before_r = _side(right, market, symbol, cache)
    if cond.get("offset_pct") is not None:
        factor = 1.0 + cond["offset_pct"] / 100.0
        now_r, before_r = now_r * factor, before_r * factor
    op = cond["op"]
    with np.errstate(invalid="ignore"):
        if op == "crosses_above":
            return (before_l <= before_r) & (now_l > now_r)
        if op == "crosses_below":
            return (before_l >= before_r) & (now_l < now_r)
        if op == "gt":
            return now_l > now_r
        if op == "lt":
            return now_l < now_r
        if op == "ge":
            return now_l >= now_r
        if op == "le":
            return now_l <= now_r
    raise FastEngineRefused(f"the fast engine does not know the operator {op!r}")


def rule_signal(rule: dict[str, Any], market: _Market, symbol: str, cache: dict[Any, Any]
                ) -> np.ndarray:
    """The rule's truth on every iteration day for `symbol`."""
    parts = [
        rule_signal(c, market, symbol, cache) if "conditions" in c
        else _condition(c, market, symbol, cache)
        for c in rule["conditions"]
    ]
    combine = rule.get("combine", "all")
    if combine == "all":
        return np.logical_and.reduce(parts)
    anyof = np.logical_or.reduce(parts)
    return ~anyof if combine == "none" else anyof


def check_supported(spec: dict[str, Any]) -> None:
    missing = unsupported_features(spec)
    if missing:
        raise FastEngineRefused(
            "the fast engine does not implement " + ", ".join(missing)
            + " yet; run this strategy on the Lumibot engine"
        )


class _Book:
    """Cash, positions and fills, with Lumibot's market-order fills at the day's open.

    With `exact`, positions add up as Lumibot's do (`Position.add_order`): each order's
    quantity as `Decimal(str(quantity))`, summed in decimal, read back as a float, a position
    under 1e-6 shares closed. Whole shares add up the same in floats; fractional ones (bought
    back dividends) do not."""

    def __init__(self, cash: float, fee_pct: float, exact: bool = False) -> None:
        self.cash = cash
        self.fee_pct = fee_pct
        self.qty: dict[str, float] = {}
        self.avg: dict[str, float] = {}
        self.fills: list[Fill] = []
        self.exact: dict[str, Decimal] | None = {} if exact else None

    def value(self, closes: dict[str, float]) -> float:
        return self.cash + sum(q * closes[s] for s, q in self.qty.items())

    def fill(self, day: str, symbol: str, quantity: float, side: str, price: float) -> None:
        fee = price * quantity * self.fee_pct if self.fee_pct else 0.0
        held = self.qty.get(symbol, 0.0)
        total = self._position_after(symbol, quantity, side, held)
        if side == "buy":
            self.cash -= price * quantity + fee
        else:
            self.cash += price * quantity - fee
        if total == 0:  # closed (a long sold, a short covered)
            self.qty.pop(symbol, None)
            self.avg.pop(symbol, None)
        else:
            if side == "buy" and held >= 0:  # a long bought or added to
                self.avg[symbol] = (self.avg.get(symbol, 0.0) * held + price * quantity) / total
            elif side == "sell" and held <= 0:  # a short opened or added to
                self.avg[symbol] = (self.avg.get(symbol, 0.0) * -held + price * quantity) / -total
            self.qty[symbol] = total
        self.fills.append(Fill(time=day, symbol=symbol, side=side, quantity=float(quantity),
                               price=float(price), fee=float(fee)))

    def _position_after(self, symbol: str, quantity: float, side: str, held: float) -> float:
        """The position after the fill (negative: short): in floats, or with Lumibot's decimal
        arithmetic (see the class) when `exact`."""
        if self.exact is None:
            return held + quantity if side == "buy" else held - quantity
        step = Decimal(str(quantity))
        total = self.exact.get(symbol, Decimal(0)) + (step if side == "buy" else -step)
        self.exact[symbol] = total
        if side == "sell" and abs(float(total)) < 1e-6:
            self.exact.pop(symbol, None)  # Lumibot reads a position under 1e-6 shares as closed
            return 0.0
        if total == 0:
            self.exact.pop(symbol, None)
        return float(total)

    def trade_to_weights(self, day: str, weights: dict[str, float], prices: dict[str, float],
                         equity: float, opens: dict[str, float]) -> None:
        """`strategy_base.trade_to_weights`, filled at the day's open (`plan_orders`)."""
        self._fill_all(day, plan_orders(weights, prices, self._held, equity), opens)

    def trade_to_signed_weights(self, day: str, weights: dict[str, float],
                                prices: dict[str, float], equity: float,
                                opens: dict[str, float]) -> None:
        """`strategy_base.trade_to_signed_weights` (a negative weight is a short), filled at the
        day's open: sells (closing longs, opening shorts), then covers, then buys."""
        self._fill_all(day, plan_orders(weights, prices, self._held, equity, signed=True),
                       opens)

    def _held(self, symbol: str) -> float:
        return self.qty.get(symbol, 0.0)

    def _fill_all(self, day: str, orders: list[tuple[str, float, str]],
                  opens: dict[str, float]) -> None:
        for symbol, quantity, side in orders:
            self.fill(day, symbol, quantity, side, opens[symbol])


def simulate(
    spec: dict[str, Any],
    params: dict[str, Any],
    frames: dict[str, pd.DataFrame],
    start: date,
    end: date,
    cash: float = 100_000.0,
    fee_pct: float = 0.0,
    dividends: dict[str, pd.Series] | None = None,
    history_bars: int | None = None,
    day_loop: bool = False,
    cache: dict[Any, Any] | None = None,
    reinvest: bool = False,
) -> FastResult:
    """Run `spec` (a StrategySpec's JSON) with `params` (the `parameters` of the code it renders
    to, overrides applied) over `frames` (per symbol: a date index and open/high/low/close/volume,
    with the warm-up bars before `start`); `dividends` (cash per share by date) pays them in
    cash (and `reinvest` buys them back); `history_bars` is the generated code's window when a
    run overrides it; `day_loop`
    visits every day even where the event path would do (the tests compare the two)."""
    check_supported(spec)
    params = dict(params)
    if history_bars is not None:
        params["history_bars"] = int(history_bars)
    window = int(params["history_bars"])
    key = ("market", id(frames), tuple(params["data_symbols"]), start, end)
    base = cache.get(key) if cache is not None else None
    if base is None:
        market = _Market(list(params["data_symbols"]), frames, start, end, window)
        if cache is not None:
            cache[key] = market
    else:  # the same bars and days: only the window and the warm-up differ
        market = copy.copy(base)
        market.window = window
        market.warm = np.logical_and.reduce(
            [pos + 1 >= window for pos in base.pos.values()]) if base.pos else base.warm
    if market.n == 0:
        raise FastEngineRefused("no trading days between the start and the end")
    sim = _SpecRun(spec, params, market, cash, fee_pct, dividends, cache,
                   reinvest=reinvest and dividends is not None)
    equity = sim.run(day_loop)
    mode = "off" if dividends is None else "reinvest" if sim.reinvest else "cash"
    return FastResult(fills=sim.book.fills, equity=equity, dividends=mode)


class _SpecRun:
    def __init__(self, spec: dict[str, Any], params: dict[str, Any], market: _Market,
                 cash: float, fee_pct: float, dividends: dict[str, pd.Series] | None,
                 cache: dict[Any, Any] | None = None, reinvest: bool = False) -> None:
        self.spec, self.p, self.m = spec, params, market
        self.reinvest = reinvest
        self.book = _Book(cash, fee_pct, exact=reinvest)
        alloc = spec.get("allocation") or {}
        self.symbols: list[str] = list(spec["symbols"])
        self.data_symbols: list[str] = list(params["data_symbols"])
        self.alt: str | None = alloc.get("alternative")
        self.is_weights = alloc.get("kind") in ("target_weights", "momentum_rotation")
        self.drift = alloc.get("drift_band_pct") is not None
        self.drift_or_schedule = bool(alloc.get("drift_or_schedule"))
        self.buy_once = bool(alloc.get("buy_once"))  # bought on the first warm day, then held
        self.short = spec.get("side") == "short"  # the entry sells short, the exit covers
        self.leg_weights: dict[str, float] | None = params.get("leg_weights")
        # indicator arrays, shared by the variants of a screen over the same bars and days
        cache = {} if cache is None else cache
        self.entry: dict[str, np.ndarray] = {}
        self.exit: dict[str, np.ndarray] = {}
        if spec.get("legs") is not None:  # each symbol's own rules
            for leg in spec["legs"]:
                s = leg["symbol"]
                self.entry[s] = rule_signal(leg["entry"], market, s, cache)
                if leg.get("exit"):
                    self.exit[s] = rule_signal(leg["exit"], market, s, cache)
        else:
            if spec.get("entry"):
                self.entry = {s: rule_signal(spec["entry"], market, s, cache)
                              for s in self.symbols}
            if spec.get("exit"):
                self.exit = {s: rule_signal(spec["exit"], market, s, cache)
                             for s in self.symbols}
        self.last_close = market.last_close
        self.today_close = market.today_close
        self.opens = market.opens
        self.pay: dict[str, np.ndarray] = {}
        if dividends is not None:
            if id(dividends) not in market.paid:
                market.paid[id(dividends)] = {
                    s: col.reindex(market.days).fillna(0.0).to_numpy(dtype="float64")
                    for s, col in dividends.items() if s in market.frames}
            self.pay = market.paid[id(dividends)]
        self.vol: dict[str, np.ndarray] = {}
        if alloc.get("target_volatility_pct") is not None:
            ind: Indicator = {"kind": "volatility", "period": int(params["volatility_days"])}
            for s in self.data_symbols:
                now, _ = indicator_pair(ind, market.frames[s], market.window)
                self.vol[s] = market.at_pos(s, now)
        self.mom: dict[str, np.ndarray] = {}
        if alloc.get("kind") == "momentum_rotation":
            ind = {"kind": "roc", "period": int(params["momentum_days"])}
            for s in self.symbols:
                now, _ = indicator_pair(ind, market.frames[s], market.window)
                self.mom[s] = market.at_pos(s, now)
        self.schedule = str(params.get("schedule", "daily"))  # (bought once: none)
        self.last_evaluated: str | None = None
        self.alt_weight: float | None = None
        self.peak: dict[str, float] = {}
        self.held_bars: dict[str, int] = {}
        self.has_risk = any(k in params for k in ("stop_loss_pct", "take_profit_pct",
                                                  "trailing_stop_pct", "max_hold_bars",
                                                  "leg_risk"))

    # -- shared pieces --------------------------------------------------------------------------
    def _closes_today(self, t: int) -> dict[str, float]:
        return {s: float(self.today_close[s][t]) for s in self.book.qty}

    def _equity(self, t: int) -> float:
        return self.book.value(self._closes_today(t))

    def _prices(self, t: int) -> dict[str, float]:
        return {s: float(self.last_close[s][t]) for s in self.data_symbols}

    def _opens(self, t: int) -> dict[str, float]:
        return {s: float(self.opens[s][t]) for s in self.data_symbols}

    def _risk_exit(self, symbol: str, t: int) -> bool:
        p = self.p
        if "max_hold_bars" in p and self.held_bars.get(symbol, 0) >= p["max_hold_bars"]:
            return True
        # a leg's own levels replace the strategy's for its symbol (None: no such control)
        levels = {**p, **p["leg_risk"].get(symbol, {})} if "leg_risk" in p else p
        trailing = levels.get("trailing_stop_pct")
        stop = levels.get("stop_loss_pct")
        target = levels.get("take_profit_pct")
        if trailing is None and stop is None and target is None:
            return False
        entry = self.book.avg[symbol]
        close = float(self.last_close[symbol][t])
        if trailing is not None:
            peak = max(self.peak.get(symbol, entry), close)
            self.peak[symbol] = peak
            if close <= peak * (1 - trailing / 100):
                self.peak.pop(symbol, None)
                return True
        if stop is not None and close <= entry * (1 - stop / 100):
            self.peak.pop(symbol, None)
            return True
        if target is not None and close >= entry * (1 + target / 100):
            self.peak.pop(symbol, None)
            return True
        return False

    def _plain(self) -> bool:
        """One symbol, daily rules, a fixed weight, no risk control, no alternative: the only
        days that matter are entry days while flat and exit days while held (`_run_events`)."""
        p = self.p
        return (not self.is_weights and len(self.symbols) == 1 and self.alt is None
                and self.schedule == "daily" and not self.vol and not self.has_risk
                and "position_amount" not in p and "min_hold_bars" not in p
                and self.data_symbols == self.symbols and not self.reinvest
                and self.leg_weights is None)

    def _run_events(self) -> pd.Series:
        """The day loop of `run` for a `_plain` strategy, visiting only the days it trades on
        (and ex-dates while held); the equity curve is filled in between. Same arithmetic, in
        the same order, as the day loop."""
        m, book, symbol = self.m, self.book, self.symbols[0]
        weight = float(self.p["position_weight"])
        closing = "buy" if self.short else "sell"
        entry_days = np.flatnonzero(self.entry[symbol] & m.warm)
        exit_days = (np.flatnonzero(self.exit[symbol] & m.warm) if symbol in self.exit
                     else np.zeros(0, dtype=int))
        paid = self.pay.get(symbol)
        pay_days = np.flatnonzero(paid > 0) if paid is not None else np.zeros(0, dtype=int)
        close, opens, last = self.today_close[symbol], self.opens[symbol], self.last_close[symbol]
        cash_at = np.empty(m.n)
        qty_at = np.zeros(m.n)
        t, qty = 0, 0.0
        while t < m.n:
            days = exit_days if qty else entry_days
            at = int(np.searchsorted(days, t, side="left"))
            nxt = int(days[at]) if at < len(days) else m.n
            end = min(nxt, m.n - 1)  # rows t..end hold the state before nxt's fills
            # ex-dates up to and including nxt, before its row
            if qty and paid is not None and len(pay_days):
                lo = int(np.searchsorted(pay_days, t, side="left"))
                hi = int(np.searchsorted(pay_days, end, side="right"))
                for d in pay_days[lo:hi]:
                    cash_at[t:d] = book.cash
                    qty_at[t:d] = qty
                    book.cash += qty * paid[d]
                    t = int(d)
            cash_at[t:end + 1] = book.cash
            qty_at[t:end + 1] = qty
            if nxt >= m.n:
                break
            day = m.labels[nxt]
            if qty:
                book.fill(day, symbol, abs(qty), closing, float(opens[nxt]))
            else:  # flat: the equity is the cash; the day loop's sizing rule
                self.book.trade_to_signed_weights(
                    day, {symbol: -weight if self.short else weight},
                    {symbol: float(last[nxt])}, book.cash, {symbol: float(opens[nxt])})
            qty = book.qty.get(symbol, 0.0)
            t = nxt + 1
        with np.errstate(invalid="ignore"):
            values = np.where(qty_at != 0, cash_at + qty_at * close, cash_at)
        return pd.Series(values, index=pd.DatetimeIndex(m.days))

    def run(self, day_loop: bool = False) -> pd.Series:
        if self._plain() and not day_loop:
            return self._run_events()
        m = self.m
        values = np.empty(m.n)
        weights_kind = self.is_weights
        drift = self.drift
        for t in range(m.n):
            payouts: dict[str, float] = {}  # in the order Lumibot lists the positions
            for s in list(self.book.qty):
                paid = self.pay.get(s)
                held = self.book.qty[s]
                if paid is not None and held != 0 and paid[t] > 0:
                    self.book.cash += held * paid[t]  # a short pays it
                    if held > 0:  # only a long buys it back
                        payouts[s] = paid[t] * held
            values[t] = self._equity(t)
            before = len(self.book.fills)
            if weights_kind:
                if self.buy_once:
                    self._buy_once_day(t)
                elif drift:
                    self._drift_day(t)
                else:
                    self._weights_day(t)
            elif m.warm[t]:
                self._signal_day(t)
            if payouts and self.reinvest:
                self._reinvest(t, payouts, self.book.fills[before:])
        index = pd.DatetimeIndex(m.days)
        return pd.Series(values, index=index)

    def _reinvest(self, t: int, payouts: dict[str, float], today: list[Fill]) -> None:
        """`runtime.backtest_worker`'s reinvestment: after the strategy's orders, each payout
        buys its symbol at `payout / previous close`, unless the symbol is sold today."""
        selling = {f.symbol for f in today if f.side == "sell"}
        day = self.m.labels[t]
        for symbol, amount in payouts.items():
            row = int(self.m.today[symbol][t])
            if symbol in selling or row < 1:  # no bar today or none before it: no close
                continue
            previous_close = float(self.m.close[symbol][row - 1])
            if not previous_close > 0:
                continue
            self.book.fill(day, symbol, amount / previous_close, "buy",
                           float(self.opens[symbol][t]))

    # -- signal strategies ----------------------------------------------------------------------
    def _signal_day(self, t: int) -> None:
        p = self.p
        period = period_key(self.m.days[t].date(), self.schedule)
        due = period != self.last_evaluated
        self.last_evaluated = period
        weights: dict[str, float] = {}
        invested = 0
        count_held = "max_hold_bars" in p or "min_hold_bars" in p
        for symbol in self.symbols:
            holding = symbol in self.book.qty
            if count_held and holding:
                self.held_bars[symbol] = self.held_bars.get(symbol, 0) + 1
            if self.has_risk and holding and self._risk_exit(symbol, t):
                weights[symbol] = 0.0
                continue
            long_enough = ("min_hold_bars" not in p
                           or self.held_bars.get(symbol, 0) >= p["min_hold_bars"])
            if due and holding and long_enough and symbol in self.exit and self.exit[symbol][t]:
                weights[symbol] = 0.0
            elif due and not holding and self.entry[symbol][t]:
                if self.leg_weights is not None:
                    weight = self.leg_weights[symbol]
                    weights[symbol] = -weight if self.short else weight
                elif self.vol:
                    realised = float(self.vol[symbol][t])
                    weights[symbol] = (p["position_weight"]
                                       * min(1.0, p["target_volatility_pct"] / realised)
                                       if realised > 0 else 0.0)
                elif "position_amount" in p:
                    weights[symbol] = min(p["position_amount"] / self._equity(t),
                                          p["position_weight"])
                elif self.short:
                    weights[symbol] = -p["position_weight"]  # sell short
                else:
                    weights[symbol] = p["position_weight"]
                invested += 1
                self.peak.pop(symbol, None)
                self.held_bars.pop(symbol, None)
            elif holding:
                invested += 1
        if self.alt is not None:
            wanted = (len(self.symbols) - invested) * p["position_weight"]
            if wanted != self.alt_weight:
                weights[self.alt] = wanted
                self.alt_weight = wanted
        if weights:
            trade = self.book.trade_to_signed_weights if self.short else self.book.trade_to_weights
            trade(self.m.days[t].date().isoformat(), weights, self._prices(t), self._equity(t),
                  self._opens(t))

    # -- weights strategies ---------------------------------------------------------------------
    def _targets(self, t: int) -> dict[str, float]:
        p = self.p
        if "target_weights" in p:
            return dict(p["target_weights"])
        scores = {s: float(self.mom[s][t]) for s in self.symbols}
        ranked = sorted(scores, key=lambda name: scores[name], reverse=True)
        chosen = ranked[: p["top_n"]]
        weights = {s: 0.0 for s in self.symbols}
        share = 1.0 / p["top_n"]
        if self.alt is not None:
            weights[self.alt] = 0.0
        for symbol in chosen:
            if p["require_positive_momentum"] and not scores[symbol] > 0:
                if self.alt is not None:
                    weights[self.alt] += share
                continue
            weights[symbol] = share
        return weights

    def _weights_day(self, t: int) -> None:
        p = self.p
        day = self.m.days[t].date()
        period = period_key(day, self.schedule)
        if period == self.last_evaluated:
            if self.has_risk and self.m.warm[t]:
                exits = {s: 0.0 for s in self.symbols
                         if s in self.book.qty and self._risk_exit(s, t)}
                if exits:
                    self.book.trade_to_weights(day.isoformat(), exits, {}, self._equity(t),
                                               self._opens(t))
            return
        if not self.m.warm[t]:
            return
        targets = self._targets(t)
        if self.vol:
            scaled = {}
            for name, weight in targets.items():
                realised = float(self.vol[name][t])
                share = min(1.0, p["target_volatility_pct"] / realised) if realised > 0 else 0.0
                scaled[name] = weight * share
            targets = scaled
        self.book.trade_to_weights(day.isoformat(), targets, self._prices(t), self._equity(t),
                                   self._opens(t))
        self.last_evaluated = period
        self.peak = {}

    def _buy_once_day(self, t: int) -> None:
        """The rendered buy-once strategy: on the first warm day with nothing held, trade to the
        weights; after that (or holding anything already) never trade again."""
        if self.last_evaluated is not None or not self.m.warm[t]:
            return
        if any(self.book.qty.get(s) for s in self.symbols):
            return
        day = self.m.days[t].date().isoformat()
        self.book.trade_to_weights(day, dict(self.p["target_weights"]), self._prices(t),
                                   self._equity(t), self._opens(t))
        self.last_evaluated = "bought"

    def _drift_day(self, t: int) -> None:
        if not self.m.warm[t]:
            return
        targets = dict(self.p["target_weights"])
        prices = self._prices(t)
        band = float(self.p["drift_band_pct"])
        values = {s: self.book.qty.get(s, 0.0) * prices.get(s, 0.0) for s in targets}
        equity = self._equity(t)
        drifted = (equity <= 0 or not any(values.values())
                   or any(abs(values[s] / equity - w) * 100.0 > band for s, w in targets.items()))
        period = period_key(self.m.days[t].date(), self.schedule)
        if self.drift_or_schedule and period != self.last_evaluated:
            drifted = True  # a new period: the schedule's rebalance, drifted or not
        if drifted:
            self.book.trade_to_weights(self.m.days[t].date().isoformat(), targets, prices, equity,
                                       self._opens(t))
            self.last_evaluated = period


def result_document(result: FastResult, elapsed: float, risk_free_rate: float = 0.0
                    ) -> dict[str, Any]:
    """The worker's result shape (`runtime.backtest_worker.run`) for a fast run."""
    equity = result.equity
    metrics = equity_metrics(equity, risk_free_rate)
    metrics.update(trade_metrics(result.fills))
    return {
        "metrics": metrics,
        "fills": [f.__dict__ for f in result.fills],
        "round_trips": round_trips(result.fills),
        "iterations_per_s": len(equity) / elapsed if elapsed > 0 else None,
        "backtest_seconds": elapsed,
        "first_day": str(equity.index[0].date()),
        "last_day": str(equity.index[-1].date()),
        "dividends": result.dividends,
        "engine": "fast",
    }
