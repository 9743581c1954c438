"""Prices inside the venue: daily bars replayed as an intraday path.

This module owns :class:`PriceBook`, which turns the market-data store's daily bars into a
price at any simulated moment and answers "when, between two moments, did the price first
reach a level?" for the matching engine.

The intraday path (one decision, used by fills, quotes and intraday bars alike): during the
regular session of a day with a bar, the price moves linearly through four points spread evenly
over the session — open at 9:30, then the low and the high (low first on an up day, high first
on a down day: the usual OHLC convention), and the close at 16:00. So the path touches the
bar's open, high, low and close exactly, a limit order fills only if the day's range reached its
price, and the path is continuous within a day while overnight gaps stay gaps. Outside the
session the price is the last close; before a symbol's first bar there is no price.

Bars are only ever served once complete (a daily bar after its 16:00 close, an intraday bar
after its end), so nothing from the simulated future leaks; ``adjustment=all`` scales history by
the store's ``adj_close/close`` ratio relative to the last complete bar, a point-in-time
dividend adjustment.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from itertools import pairwise
from typing import Any

from runtime.market_data import MarketDataStore
from runtime.venue.market_clock import NEW_YORK, Session, ny_date

__all__ = ["BarRow", "PriceBook", "Touch", "TouchRule"]


class TouchRule(StrEnum):
    """What the matching engine waits for: any price, or the price at/below or at/above."""

    ANY = "any"
    AT_OR_BELOW = "le"
    AT_OR_ABOVE = "ge"


@dataclass(frozen=True)
class Touch:
    time: datetime
    price: float


@dataclass(frozen=True)
class BarRow:
    """One bar in Alpaca's short field names (``t o h l c v n vw``)."""

    symbol: str
    t: datetime
    o: float
    h: float
    low: float
    c: float
    v: float

    def to_alpaca(self) -> dict[str, Any]:
        return {
            "t": self.t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "o": round(self.o, 4),
            "h": round(self.h, 4),
            "l": round(self.low, 4),
            "c": round(self.c, 4),
            "v": round(self.v),
            "n": max(1, round(self.v / 100.0)),
            "vw": round((self.h + self.low + self.c) / 3.0, 4),
        }


@dataclass
class _Series:
    days: list[date]
    open: list[float]
    high: list[float]
    low: list[float]
    close: list[float]
    adj: list[float]
    volume: list[float]


def _satisfies(price: float, rule: TouchRule, level: float) -> bool:
    if rule is TouchRule.ANY:
        return True
    if rule is TouchRule.AT_OR_BELOW:
        return price <= level
    return price >= level


class PriceBook:
    """Prices of every symbol in a market-data store, loaded once (the store is read-only here)."""

    def __init__(self, store: MarketDataStore) -> None:
        self._series: dict[str, _Series] = {}
        self._dividends: dict[str, dict[date, float]] = {}
        for coverage in store.symbols():
            frame = store.bars(coverage.symbol)
            if frame.empty:
                continue
            self._dividends[coverage.symbol] = {
                a.date: a.value for a in store.actions(coverage.symbol) if a.kind == "dividend"
            }
            self._series[coverage.symbol] = _Series(
                days=[ts.date() for ts in frame.index],
                open=[float(x) for x in frame["open"]],
                high=[float(x) for x in frame["high"]],
                low=[float(x) for x in frame["low"]],
                close=[float(x) for x in frame["close"]],
                adj=[float(x) for x in frame["adj_close"]],
                volume=[float(x) for x in frame["volume"]],
            )

    # ---- what there is -----------------------------------------------------------------

    def symbols(self) -> list[str]:
        return sorted(self._series)

    def has(self, symbol: str) -> bool:
        return symbol in self._series

    def dividend(self, symbol: str, day: date) -> float:
        """Cash per share ``symbol`` pays to holders at the open of ``day`` (its ex-date)."""
        return self._dividends.get(symbol, {}).get(day, 0.0)

    def all_days(self) -> set[date]:
        days: set[date] = set()
        for series in self._series.values():
            days.update(series.days)
        return days

    def _last_bar(self, symbol: str, day: date) -> tuple[_Series, int] | None:
        """``symbol``'s series and the index of its last bar dated on or before ``day``."""
        series = self._series.get(symbol)
        if series is None:
            return None
        i = bisect.bisect_right(series.days, day) - 1
        return (series, i) if i >= 0 else None

    # ---- the intraday path -------------------------------------------------------------

    def _vertices(self, series: _Series, i: int) -> list[tuple[datetime, float]]:
        session = Session.of(series.days[i])
        third = (session.close - session.open) / 3
        o, h, lo, c = series.open[i], series.high[i], series.low[i], series.close[i]
        middle = (lo, h) if c >= o else (h, lo)
        return [
            (session.open, o),
            (session.open + third, middle[0]),
            (session.open + 2 * third, middle[1]),
            (session.close, c),
        ]

    @staticmethod
    def _interpolate(points: list[tuple[datetime, float]], moment: datetime) -> float:
        if moment <= points[0][0]:
            return points[0][1]
        for (t0, p0), (t1, p1) in pairwise(points):
            if moment <= t1:
                span = (t1 - t0).total_seconds()
                frac = (moment - t0).total_seconds() / span if span > 0 else 1.0
                return p0 + (p1 - p0) * frac
        return points[-1][1]

    def price_at(self, symbol: str, moment: datetime) -> float | None:
        """The path's price at ``moment``; the last close outside sessions; None before data."""
        day = ny_date(moment)
        found = self._last_bar(symbol, day)
        if found is None:
            return None
        series, i = found
        if series.days[i] < day:
            return series.close[i]
        points = self._vertices(series, i)
        if moment < points[0][0]:
            return series.close[i - 1] if i > 0 else None
        return self._interpolate(points, moment)

    def last_trade(self, symbol: str, moment: datetime) -> Touch | None:
        """Price and time of the last "trade" at or before ``moment``."""
        day = ny_date(moment)
        found = self._last_bar(symbol, day)
        if found is None:
            return None
        series, i = found
        session = Session.of(series.days[i])
        if series.days[i] == day and moment < session.close:
            if moment >= session.open:
                return Touch(moment, self._interpolate(self._vertices(series, i), moment))
            if i == 0:
                return None
            i -= 1
            session = Session.of(series.days[i])
        return Touch(session.close, series.close[i])

    def previous_close(self, symbol: str, day: date) -> float | None:
        """Close of the last bar dated before ``day``."""
        series = self._series.get(symbol)
        if series is None:
            return None
        i = bisect.bisect_left(series.days, day) - 1
        return series.close[i] if i >= 0 else None

    def close_on(self, symbol: str, day: date) -> float | None:
        """Close of the last bar dated on or before ``day``."""
        found = self._last_bar(symbol, day)
        if found is None:
            return None
        series, i = found
        return series.close[i]

    def first_touch(
        self, symbol: str, start: datetime, end: datetime, rule: TouchRule, level: float = 0.0
    ) -> Touch | None:
        """The first moment in ``[start, end]`` (sessions only) at which the price satisfies
        ``rule`` against ``level``, and the price then: the level itself when the path crosses
        it, or the (better) price at the start of the window or at a gapped open."""
        series = self._series.get(symbol)
        if series is None or end < start:
            return None
        lo = bisect.bisect_left(series.days, ny_date(start))
        hi = bisect.bisect_right(series.days, ny_date(end))
        for i in range(lo, hi):
            vertices = self._vertices(series, i)
            a = max(start, vertices[0][0])
            b = min(end, vertices[-1][0])
            # A window starting at the close has nothing left of that session (the market is
            # closed at the close itself, as /v2/clock says).
            if a > b or start >= vertices[-1][0]:
                continue
            points = [(a, self._interpolate(vertices, a))]
            points += [(t, p) for t, p in vertices if a < t < b]
            if b > a:
                points.append((b, self._interpolate(vertices, b)))
            if _satisfies(points[0][1], rule, level):
                return Touch(points[0][0], points[0][1])
            for (t0, p0), (t1, p1) in pairwise(points):
                if _satisfies(p1, rule, level):
                    # p0 does not satisfy and p1 does: the path crosses ``level`` in between.
                    frac = (level - p0) / (p1 - p0) if p1 != p0 else 1.0
                    return Touch(t0 + (t1 - t0) * frac, level)
        return None

    # ---- bars --------------------------------------------------------------------------

    def _adjust_factors(self, series: _Series, last: int, adjustment: str) -> list[float] | None:
        if adjustment not in ("all", "dividend") or last < 0:
            return None
        ref = series.adj[last] / series.close[last] if series.close[last] else 1.0
        return [
            (a / c) / ref if c and ref else 1.0
            for a, c in zip(series.adj[: last + 1], series.close[: last + 1], strict=False)
        ]

    def daily_bars(
        self,
        symbol: str,
        start: datetime,
        end: datetime,
        now: datetime,
        adjustment: str = "raw",
    ) -> list[BarRow]:
        """Complete daily bars stamped midnight New York (Alpaca's convention) in
        ``[start, end]``; a day's bar exists only once its session has closed at ``now``."""
        series = self._series.get(symbol)
        if series is None:
            return []
        today = ny_date(now)
        last = bisect.bisect_right(series.days, today) - 1
        if last >= 0 and series.days[last] == today and now < Session.of(today).close:
            last -= 1
        factors = self._adjust_factors(series, last, adjustment)
        rows: list[BarRow] = []
        for i in range(last + 1):
            stamp = datetime.combine(series.days[i], time(0, 0), tzinfo=NEW_YORK)
            if stamp < start or stamp > end:
                continue
            f = factors[i] if factors is not None else 1.0
            rows.append(
                BarRow(
                    symbol,
                    stamp.astimezone(UTC),
                    series.open[i] * f,
                    series.high[i] * f,
                    series.low[i] * f,
                    series.close[i] * f,
                    series.volume[i],
                )
            )
        return rows

    def intraday_bars(
        self, symbol: str, step: timedelta, start: datetime, end: datetime, now: datetime
    ) -> Iterator[BarRow]:
        """Complete intraday bars of ``step`` built from the path, stamped at their start, in
        ``[start, end]``; volume is the day's spread evenly over the session."""
        series = self._series.get(symbol)
        if series is None:
            return
        end = min(end, now)
        lo = bisect.bisect_left(series.days, ny_date(start))
        hi = bisect.bisect_right(series.days, ny_date(end))
        for i in range(lo, hi):
            vertices = self._vertices(series, i)
            s_open, s_close = vertices[0][0], vertices[-1][0]
            per_second = series.volume[i] / (s_close - s_open).total_seconds()
            bar_start = s_open
            while bar_start < s_close:
                bar_end = min(bar_start + step, s_close)
                if bar_end > now or bar_start > end:
                    return
                if bar_start >= start:
                    inside = [p for t, p in vertices if bar_start < t < bar_end]
                    o = self._interpolate(vertices, bar_start)
                    c = self._interpolate(vertices, bar_end)
                    yield BarRow(
                        symbol,
                        bar_start,
                        o,
                        max([o, c, *inside]),
                        min([o, c, *inside]),
                        c,
                        per_second * (bar_end - bar_start).total_seconds(),
                    )
                bar_start = bar_end
