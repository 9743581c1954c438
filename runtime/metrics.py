"""Performance metrics of an equity curve and a list of fills (pure functions, no IO).

Conventions: daily returns of the equity curve, 252 trading days a year, `risk_free_rate` an
annual rate; drawdowns and returns are fractions (0.25 = 25 %). Round trips are matched FIFO
per symbol so `win_rate` counts closed trades, not fills.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

TRADING_DAYS = 252


@dataclass
class Fill:
    time: str
    symbol: str
    side: str
    quantity: float
    price: float
    fee: float = 0.0


def _finite(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def equity_metrics(equity: pd.Series, risk_free_rate: float = 0.0) -> dict[str, Any]:
    equity = equity.dropna()
    if len(equity) < 2 or equity.iloc[0] <= 0:
        return {
            "total_return": None,
            "cagr": None,
            "volatility": None,
            "sharpe": None,
            "sortino": None,
            "max_drawdown": None,
            "calmar": None,
            "days": len(equity),
        }
    returns = equity.pct_change().dropna()
    total_return = equity.iloc[-1] / equity.iloc[0] - 1.0
    days = (equity.index[-1] - equity.index[0]).days
    years = days / 365.25 if days > 0 else 0.0
    cagr = (equity.iloc[-1] / equity.iloc[0]) ** (1 / years) - 1.0 if years > 0 else math.nan
    daily_rf = (1 + risk_free_rate) ** (1 / TRADING_DAYS) - 1.0
    excess = returns - daily_rf
    std = returns.std(ddof=1)
    volatility = std * math.sqrt(TRADING_DAYS)
    sharpe = excess.mean() / std * math.sqrt(TRADING_DAYS) if std > 0 else math.nan
    downside = np.sqrt((np.minimum(excess, 0.0) ** 2).mean())
    sortino = excess.mean() / downside * math.sqrt(TRADING_DAYS) if downside > 0 else math.nan
    drawdown = equity / equity.cummax() - 1.0
    max_dd = -float(drawdown.min())
    trough = drawdown.idxmin()
    calmar = cagr / max_dd if max_dd > 0 else math.nan
    return {
        "total_return": _finite(total_return),
        "cagr": _finite(cagr),
        "volatility": _finite(volatility),
        "sharpe": _finite(sharpe),
        "sortino": _finite(sortino),
        "max_drawdown": _finite(max_dd),
        "max_drawdown_date": str(pd.Timestamp(trough).date()) if max_dd > 0 else None,
        "calmar": _finite(calmar),
        "start_value": float(equity.iloc[0]),
        "end_value": float(equity.iloc[-1]),
        "days": len(equity),
    }


def round_trips(fills: list[Fill]) -> list[dict[str, Any]]:
    """Closed trades, FIFO per symbol: entry/exit time and price, quantity, P&L."""
    open_lots: dict[str, deque[list[Any]]] = defaultdict(deque)
    trades: list[dict[str, Any]] = []
    for fill in fills:
        lots = open_lots[fill.symbol]
        if fill.side.startswith("buy"):
            lots.append([fill.time, fill.price, fill.quantity, fill.fee])
            continue
        remaining = fill.quantity
        while remaining > 1e-9 and lots:
            lot = lots[0]
            qty = min(remaining, lot[2])
            entry_fee = lot[3] * qty / lot[2] if lot[2] else 0.0
            exit_fee = fill.fee * qty / fill.quantity if fill.quantity else 0.0
            pnl = (fill.price - lot[1]) * qty - entry_fee - exit_fee
            trades.append(
                {
                    "symbol": fill.symbol,
                    "entry_time": lot[0],
                    "entry_price": lot[1],
                    "exit_time": fill.time,
                    "exit_price": fill.price,
                    "quantity": qty,
                    "pnl": pnl,
                    "return": fill.price / lot[1] - 1.0 if lot[1] else None,
                }
            )
            lot[2] -= qty
            lot[3] -= entry_fee
            remaining -= qty
            if lot[2] <= 1e-9:
                lots.popleft()
    return trades


def trade_metrics(fills: list[Fill]) -> dict[str, Any]:
    trips = round_trips(fills)
    wins = [t for t in trips if t["pnl"] > 0]
    return {
        "fills": len(fills),
        "trades": len(trips),
        "win_rate": len(wins) / len(trips) if trips else None,
        "fees": float(sum(f.fee for f in fills)),
    }
