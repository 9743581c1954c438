"""Paper against backtest: lining up what a deployed bot traded with what a backtest of the same
version, over the same days, from the same starting book, traded.

What it owns: the typed report (`DriftReport`: one `DriftLine` per order pair, the
`Difference`s found, `DriftTotals`), the matching rule and the tolerance alarm. It computes;
it runs nothing (the replay is a backtest on the executor, `api.services.reconciliation`).

Matching: orders of the same symbol and side are paired in date order, a paper order with the
first unpaired backtest order no more than `Tolerance.max_lag_days` away. What stays unpaired is
`missed` (the backtest traded, paper did not) or `extra` (paper traded, the backtest did not).
A pair differs in `quantity` (decided sizes), `partial` (paper filled less than it asked),
`timing` (filled on another day), `slippage` (fill price, in basis points against the trader)
and `fee`. Differences smaller than numerical noise are none; the alarm (`DriftReport.drift`)
rings when a difference is beyond the tolerance: any missed, extra, quantity or partial order,
a fill more than `max_timing_days` late, or slippage beyond `price_bps` on any order or on
the whole notional.

Refusals: a backtest order paper missed because the bot's risk gate refused it is linked to
that refusal (`DriftLine.refusal`, and the difference's detail says "refused by the risk gate:
<reason>"): the first unlinked refusal of the same symbol and side, nearest in days and no more
than `max_lag_days` away. The order is still missed (paper and backtest differ), but the report
says why.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

DifferenceKind = Literal["missed", "extra", "quantity", "partial", "timing", "slippage", "fee"]

_PRICE_NOISE_BPS = 0.01  # float noise, not a difference
_QTY_NOISE = 1e-6
_FEE_NOISE = 0.005


class Tolerance(BaseModel):
    """How far paper may drift from its backtest before the alarm rings."""

    price_bps: float = Field(default=25.0, ge=0)
    max_timing_days: int = Field(default=0, ge=0)
    max_lag_days: int = Field(default=5, ge=0, description="Farthest apart two orders pair up")


class Trade(BaseModel):
    """One order as one side saw it: what was asked and what was filled."""

    symbol: str
    side: str
    qty: float
    filled_qty: float
    price: float | None = None  # average fill price
    fee: float | None = None  # None: the broker does not say
    day: date  # the fill's trading day (else the submission's)
    at: datetime | None = None
    client_order_id: str | None = None
    status: str = "filled"


class Refusal(BaseModel):
    """An order the bot's risk gate refused (it never reached the broker)."""

    symbol: str
    side: str
    qty: float
    day: date  # the broker's trading day of the refusal
    code: str = ""
    reason: str = ""
    client_order_id: str | None = None


class Difference(BaseModel):
    kind: DifferenceKind
    symbol: str
    side: str
    detail: str
    value: float = 0.0  # shares, days, basis points or money, as `kind` says
    beyond_tolerance: bool = False


class DriftLine(BaseModel):
    paper: Trade | None = None
    backtest: Trade | None = None
    refusal: Refusal | None = None  # why paper missed this backtest order, when the gate said
    differences: list[Difference] = Field(default_factory=list)


class DriftTotals(BaseModel):
    paper_orders: int = 0
    backtest_orders: int = 0
    matched: int = 0
    missed: int = 0
    refused: int = 0  # missed orders the risk gate refused
    extra: int = 0
    partial: int = 0
    late: int = 0
    paper_notional: float = 0.0
    backtest_notional: float = 0.0
    slippage_cost: float = 0.0  # money lost to worse paper prices (negative: paper did better)
    slippage_bps: float = 0.0  # slippage_cost over the matched backtest notional
    paper_fees: float | None = None
    backtest_fees: float = 0.0


class DriftReport(BaseModel):
    deployment_id: int
    start: date
    end: date
    cash: float
    positions: dict[str, float] = Field(default_factory=dict)
    tolerance: Tolerance
    lines: list[DriftLine] = Field(default_factory=list)
    differences: list[Difference] = Field(default_factory=list)
    totals: DriftTotals = Field(default_factory=DriftTotals)
    drift: bool = False
    backtest_run_id: int | None = None


def _notional(trade: Trade) -> float:
    return trade.filled_qty * (trade.price or 0.0)


def _compare(paper: Trade, backtest: Trade, tolerance: Tolerance) -> list[Difference]:
    out: list[Difference] = []
    symbol, side = paper.symbol, paper.side

    def add(kind: DifferenceKind, detail: str, value: float, beyond: bool) -> None:
        out.append(Difference(kind=kind, symbol=symbol, side=side, detail=detail, value=value,
                              beyond_tolerance=beyond))

    if abs(paper.qty - backtest.qty) > _QTY_NOISE:
        add("quantity", f"paper asked for {paper.qty:g}, the backtest for {backtest.qty:g}",
            paper.qty - backtest.qty, True)
    if paper.filled_qty + _QTY_NOISE < paper.qty:
        add("partial", f"paper filled {paper.filled_qty:g} of {paper.qty:g} ({paper.status})",
            paper.qty - paper.filled_qty, True)
    lag = (paper.day - backtest.day).days
    if lag:
        add("timing", f"paper filled on {paper.day}, the backtest on {backtest.day}", lag,
            abs(lag) > tolerance.max_timing_days)
    if paper.price and backtest.price and paper.filled_qty > 0:
        against = 1.0 if side == "buy" else -1.0
        bps = against * (paper.price - backtest.price) / backtest.price * 10_000
        if abs(bps) > _PRICE_NOISE_BPS:
            add("slippage", f"paper filled at {paper.price:.4f}, the backtest at "
                f"{backtest.price:.4f} ({bps:+.2f} bps against the trader)", bps,
                bps > tolerance.price_bps)
    if paper.fee is not None and abs(paper.fee - (backtest.fee or 0.0)) > _FEE_NOISE:
        add("fee", f"paper paid {paper.fee:.2f} in fees, the backtest {backtest.fee or 0.0:.2f}",
            paper.fee - (backtest.fee or 0.0), False)
    return out


def _refusal_of(missed: Trade, refusals: list[Refusal], linked: list[bool],
                tolerance: Tolerance) -> Refusal | None:
    """The unlinked refusal nearest in days to a missed order of the same symbol and side."""
    best: int | None = None
    best_gap = tolerance.max_lag_days + 1
    for i, r in enumerate(refusals):
        gap = abs((r.day - missed.day).days)
        if (not linked[i] and r.symbol == missed.symbol and r.side == missed.side
                and gap < best_gap):
            best, best_gap = i, gap
    if best is None:
        return None
    linked[best] = True
    return refusals[best]


def line_up(paper: list[Trade], backtest: list[Trade], tolerance: Tolerance,
            refusals: list[Refusal] | None = None) -> tuple[list[DriftLine], DriftTotals]:
    """Pair the two sides' orders and find their differences; link a missed order to the risk
    gate's refusal of it (see the module docstring)."""
    def order(t: Trade) -> tuple[date, str, str]:
        return (t.day, t.symbol, t.side)

    waiting = sorted(backtest, key=order)
    used = [False] * len(waiting)
    lines: list[DriftLine] = []
    for p in sorted(paper, key=order):
        match = None
        for i, b in enumerate(waiting):
            if (not used[i] and b.symbol == p.symbol and b.side == p.side
                    and abs((b.day - p.day).days) <= tolerance.max_lag_days):
                match = i
                break
        if match is None:
            lines.append(DriftLine(paper=p, differences=[Difference(
                kind="extra", symbol=p.symbol, side=p.side, value=p.qty, beyond_tolerance=True,
                detail=f"paper {p.side} {p.qty:g} {p.symbol} on {p.day}: the backtest "
                       "placed no such order")]))
            continue
        used[match] = True
        b = waiting[match]
        lines.append(DriftLine(paper=p, backtest=b, differences=_compare(p, b, tolerance)))
    gate = sorted(refusals or [], key=lambda r: (r.day, r.symbol, r.side))
    linked = [False] * len(gate)
    for i, b in enumerate(waiting):
        if not used[i]:
            refusal = _refusal_of(b, gate, linked, tolerance)
            why = (f"refused by the risk gate: {refusal.reason or refusal.code}"
                   f"{'' if refusal.day == b.day else f' (on {refusal.day})'}"
                   if refusal else "paper placed no such order")
            lines.append(DriftLine(backtest=b, refusal=refusal, differences=[Difference(
                kind="missed", symbol=b.symbol, side=b.side, value=b.qty, beyond_tolerance=True,
                detail=f"the backtest {b.side} {b.qty:g} {b.symbol} on {b.day}: {why}")]))
    lines.sort(key=lambda line: order(line.paper or line.backtest))  # type: ignore[arg-type]
    return lines, _totals(lines, paper, backtest)


def _totals(lines: list[DriftLine], paper: list[Trade], backtest: list[Trade]) -> DriftTotals:
    totals = DriftTotals(paper_orders=len(paper), backtest_orders=len(backtest))
    matched_notional = 0.0
    for line in lines:
        kinds = {d.kind for d in line.differences}
        totals.missed += "missed" in kinds
        totals.refused += line.refusal is not None
        totals.extra += "extra" in kinds
        totals.partial += "partial" in kinds
        totals.late += "timing" in kinds
        if line.paper is not None and line.backtest is not None:
            totals.matched += 1
            p, b = line.paper, line.backtest
            if p.price and b.price:
                against = 1.0 if p.side == "buy" else -1.0
                totals.slippage_cost += against * (p.price - b.price) * p.filled_qty
                matched_notional += b.price * p.filled_qty
    totals.paper_notional = sum(_notional(t) for t in paper)
    totals.backtest_notional = sum(_notional(t) for t in backtest)
    if matched_notional > 0:
        totals.slippage_bps = totals.slippage_cost / matched_notional * 10_000
    fees = [t.fee for t in paper]
    totals.paper_fees = None if any(f is None for f in fees) else sum(f or 0.0 for f in fees)
    totals.backtest_fees = sum(t.fee or 0.0 for t in backtest)
    return totals


def report(deployment_id: int, start: date, end: date, cash: float,
           positions: dict[str, float], paper: list[Trade], backtest: list[Trade],
           tolerance: Tolerance, backtest_run_id: int | None = None,
           refusals: list[Refusal] | None = None) -> DriftReport:
    """The whole report: lines, every difference, totals and whether the alarm rings."""
    lines, totals = line_up(paper, backtest, tolerance, refusals)
    differences = [d for line in lines for d in line.differences]
    drift = any(d.beyond_tolerance for d in differences) or totals.slippage_bps > \
        tolerance.price_bps
    return DriftReport(deployment_id=deployment_id, start=start, end=end, cash=cash,
                       positions=positions, tolerance=tolerance, lines=lines,
                       differences=differences, totals=totals, drift=drift,
                       backtest_run_id=backtest_run_id)
