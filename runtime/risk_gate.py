"""The risk gate: the one check every live order passes before it reaches the broker.

This module owns the rules (`RiskLimits`), the trading state of one deployment (ACTIVE or
HALTED) and the decision for one order (`RiskGate.check`): max position as a % of equity, max
order notional, max open orders, order rate, market hours, and the max daily loss, whose
crossing HALTs the deployment. It is pure: it sees numbers (`AccountView`, `OrderIntent`) and
a clock, never a broker or a database, so the live worker, the API's manual orders and the
tests all use the same rules. It also owns the deterministic client order id
(`client_order_id`) that makes a retried submit impossible to double.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel, Field, StrictBool


class TradingState(StrEnum):
    active = "ACTIVE"
    halted = "HALTED"


class RiskLimits(BaseModel):
    """Per-deployment limits; every one can be overridden when deploying."""

    max_position_pct: float = Field(default=100.0, gt=0, le=1000)  # of equity, per symbol
    max_order_notional: float = Field(default=250_000.0, gt=0, le=1e12)
    max_open_orders: int = Field(default=20, ge=1, le=100_000)
    max_orders_per_minute: int = Field(default=30, ge=1, le=100_000)
    market_hours_only: StrictBool = True
    max_daily_loss_pct: float = Field(default=5.0, gt=0, le=100)  # of start-of-day equity
    max_daily_loss_usd: float | None = Field(default=None, gt=0, le=1e12)


@dataclass(frozen=True)
class OrderIntent:
    symbol: str
    side: str  # "buy" | "sell"
    quantity: float
    price: float  # a reference price: the limit price, else the last price
    limit: bool = False  # a limit order (its limit price is `price`)
    extended_hours: bool = False  # the strategy asked for extended hours on this order

    @property
    def notional(self) -> float:
        return abs(self.quantity) * self.price

    @property
    def signed_quantity(self) -> float:
        return self.quantity if self.side.startswith("buy") else -self.quantity


@dataclass(frozen=True)
class AccountView:
    """What the gate needs to know about the account, read from the broker just before."""

    equity: float
    start_of_day_equity: float
    positions: dict[str, float] = field(default_factory=dict)  # symbol -> signed quantity
    open_orders: int = 0
    market_open: bool = True

    @property
    def daily_loss(self) -> float:
        return max(0.0, self.start_of_day_equity - self.equity)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    code: str = "ok"
    reason: str = ""
    halt: bool = False  # the deployment must stop trading until a person clears it

    def as_dict(self) -> dict[str, object]:
        return {"allowed": self.allowed, "code": self.code, "reason": self.reason,
                "halt": self.halt}


ALLOW = Decision(True)


def client_order_id(deployment_key: str, seq: int) -> str:
    """`<deployment>-<seq>`: the same intent always gets the same id, so a broker that already
    has it answers with the existing order instead of opening a second one. The deployment key
    is the deployment's stable random key (`Deployment.key`), unique across data directories
    that share one broker account."""
    return f"{deployment_key}-{seq}"


def parse_client_order_id(value: str | None) -> tuple[str, int] | None:
    """(deployment key, seq) of one of our ids; None for anybody else's order."""
    if not value or "-" not in value:
        return None
    head, _, tail = value.rpartition("-")
    if not head or not tail.isdigit():
        return None
    return head, int(tail)


class RiskGate:
    """One per deployment. `check` decides one order; `check_daily_loss` may HALT."""

    def __init__(
        self,
        limits: RiskLimits,
        *,
        state: TradingState = TradingState.active,
        halt_reason: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits
        self.state = state
        self.halt_reason = halt_reason
        self._clock = clock
        self._recent: deque[float] = deque()

    @property
    def halted(self) -> bool:
        return self.state is TradingState.halted

    def halt(self, reason: str) -> None:
        self.state = TradingState.halted
        self.halt_reason = reason

    def check_daily_loss(self, account: AccountView) -> Decision:
        limit = self.limits.max_daily_loss_pct / 100.0 * account.start_of_day_equity
        if self.limits.max_daily_loss_usd is not None:
            limit = min(limit, self.limits.max_daily_loss_usd)
        if account.start_of_day_equity > 0 and account.daily_loss >= limit:
            reason = (
                f"daily loss {account.daily_loss:,.2f} reached the limit {limit:,.2f} "
                f"(start-of-day equity {account.start_of_day_equity:,.2f})"
            )
            self.halt(reason)
            return Decision(False, "daily_loss", reason, halt=True)
        return ALLOW

    def check(self, intent: OrderIntent, account: AccountView) -> Decision:
        """Decide one order. An allowed order counts towards the rate limit."""
        if self.halted:
            return Decision(False, "halted", f"deployment is halted: {self.halt_reason}")
        loss = self.check_daily_loss(account)
        if not loss.allowed:
            return loss
        limits = self.limits
        if intent.quantity <= 0:
            return Decision(False, "bad_quantity", f"quantity must be positive, not "
                            f"{intent.quantity}")
        if limits.market_hours_only and not account.market_open and not (
            intent.extended_hours and intent.limit
        ):
            # outside the session only a strategy's explicit extended-hours limit order passes
            return Decision(False, "market_closed",
                            "the market is closed (outside its hours only limit orders with "
                            "extended_hours are sent)")
        if account.open_orders >= limits.max_open_orders:
            return Decision(False, "max_open_orders",
                            f"{account.open_orders} open orders; the limit is "
                            f"{limits.max_open_orders}")
        held = account.positions.get(intent.symbol, 0.0)
        after = held + intent.signed_quantity
        reducing = abs(after) < abs(held) and held * after >= 0
        if not reducing:
            if intent.price <= 0:
                return Decision(False, "no_price", f"no price known for {intent.symbol}")
            if intent.notional > limits.max_order_notional:
                return Decision(False, "max_order_notional",
                                f"order notional {intent.notional:,.2f} exceeds the limit "
                                f"{limits.max_order_notional:,.2f}")
            exposure = abs(after) * intent.price
            cap = limits.max_position_pct / 100.0 * max(account.equity, 0.0)
            if exposure > cap:
                return Decision(False, "max_position_pct",
                                f"position in {intent.symbol} would be {exposure:,.2f} "
                                f"({exposure / max(account.equity, 1e-9):.1%} of equity); the "
                                f"limit is {limits.max_position_pct:g}%")
        now = self._clock()
        while self._recent and now - self._recent[0] >= 60.0:
            self._recent.popleft()
        if len(self._recent) >= limits.max_orders_per_minute:
            return Decision(False, "order_rate",
                            f"{len(self._recent)} orders in the last minute; the limit is "
                            f"{limits.max_orders_per_minute}")
        self._recent.append(now)
        return ALLOW
