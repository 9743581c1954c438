"""One exchange calendar per market per process, its holidays and its schedules computed once.

`pandas_market_calendars.get_calendar(name)` builds a new calendar at every call, and the
first schedule a calendar is asked for evaluates every holiday rule over two centuries
(~0.2 s of CPU for NYSE); every later schedule evaluates the special (early close) rules of
its range again (~0.1 s each, more for a year). A starting bot asks for three:
Lumibot's year of trading days (`lumibot.tools.helpers._get_trading_schedule_for_year`),
Lumibot's continuous-market probe (`StrategyExecutor._is_continuous_market`) and the
`market_hours` of `runtime.lumibot_hooks.cached_market_hours` — profiled with yappi, three
quarters of a bot's CPU from launch to its first order.

`share_calendars()` makes `get_calendar(name)` without time overrides hand back one instance
per calendar (a name and its aliases: Lumibot asks for "NASDAQ", which is NYSE's), built once
(a calendar's only state after construction is its lazily computed holiday offset), whose
`schedule(...)` keeps its answers: a schedule depends only on its arguments (the dates with
time and zone stripped, as the calendar itself strips them), so a repeated call gets a copy of
the kept frame (`SCHEDULES_KEPT` per calendar, oldest dropped first).
`share_calendars(warm=("NYSE",))` also builds those calendars and their holidays now, and
`year_schedule` gives a calendar year's schedule (what `cached_market_hours` reads its days
from). The fork launcher (`runtime.bots.launcher`) does this once, and computes the schedules
a bot asks for (`runtime.lumibot_hooks.warm_live_schedules`): every bot it forks inherits
them, pages shared copy-on-write.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

SCHEDULES_KEPT = 32

_LOCK = threading.Lock()
_SHARED: dict[str, Any] = {}
_ORIGINAL: dict[str, Any] = {}


def share_calendars(warm: Iterable[str] = ()) -> None:
    """Route `pandas_market_calendars.get_calendar` through the shared instances (once per
    process; a fork inherits it), and build the calendars named in `warm` now."""
    import pandas_market_calendars as mcal

    with _LOCK:
        if "get_calendar" not in _ORIGINAL:
            _ORIGINAL["get_calendar"] = mcal.get_calendar
            mcal.get_calendar = shared_calendar
    for name in warm:
        shared_calendar(name).holidays()


def shared_calendar(name: str, open_time: Any = None, close_time: Any = None) -> Any:
    """`pandas_market_calendars.get_calendar`, kept per name when no time is overridden."""
    original = _ORIGINAL.get("get_calendar")
    if original is None:
        import pandas_market_calendars as mcal

        original = mcal.get_calendar
    if open_time is not None or close_time is not None:
        return original(name, open_time=open_time, close_time=close_time)
    with _LOCK:
        calendar = _SHARED.get(name)
        if calendar is None:  # aliases ("NASDAQ", Lumibot's default, is NYSE's) share one
            built = original(name)
            calendar = _SHARED.setdefault(type(built).__name__, built)
            if "schedule" not in vars(calendar):
                _keep_schedules(calendar)
            _SHARED[name] = calendar
    return calendar


def year_schedule(name: str, year: int) -> Any:
    """The calendar's schedule of one calendar year (UTC columns, Jan 1 to Dec 31), kept."""
    import pandas as pd

    return shared_calendar(name).schedule(start_date=pd.Timestamp(year=year, month=1, day=1),
                                          end_date=pd.Timestamp(year=year, month=12, day=31))


def _keep_schedules(calendar: Any) -> None:
    """Give this calendar instance a `schedule` that keeps its answers (hands out copies:
    callers such as Lumibot re-index the frame they get)."""
    def compute(*arguments: Any) -> Any:  # the class's own method, looked up at each call
        return type(calendar).schedule(calendar, *arguments)

    kept: dict[tuple[Any, ...], Any] = {}
    lock = threading.Lock()

    def schedule(start_date: Any, end_date: Any, tz: Any = "UTC", start: Any = "market_open",
                 end: Any = "market_close", force_special_times: Any = True,
                 market_times: Any = None, interruptions: Any = False) -> Any:
        arguments = (start_date, end_date, tz, start, end, force_special_times, market_times,
                     interruptions)
        try:
            key = (*calendar.clean_dates(start_date, end_date), str(tz), start, end,
                   force_special_times,
                   tuple(market_times) if isinstance(market_times, list) else market_times,
                   interruptions)
            hash(key)
        except (TypeError, ValueError):  # let the calendar say what is wrong with them
            return compute(*arguments)
        with lock:
            frame = kept.get(key)
        if frame is None:
            frame = compute(*arguments)
            with lock:
                while len(kept) >= SCHEDULES_KEPT:
                    kept.pop(next(iter(kept)))
                kept[key] = frame
        return frame.copy()

    calendar.schedule = schedule
