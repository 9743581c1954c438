"""One exchange calendar per market per process, its holidays computed once.

`pandas_market_calendars.get_calendar(name)` builds a new calendar at every call, and the
first schedule a calendar is asked for evaluates every holiday rule over two centuries
(~0.2 s of CPU for NYSE, more for its early closes). A starting bot asks for three: Lumibot's
year of trading days (`lumibot.tools.helpers._get_trading_schedule_for_year`) and the two
`market_hours` schedules of `runtime.lumibot_hooks.cached_market_hours` — profiled with yappi,
two thirds of a bot's CPU from launch to its first order.

`share_calendars()` makes `get_calendar(name)` without time overrides hand back one instance
per calendar (a name and its aliases: Lumibot asks for "NASDAQ", which is NYSE's), built once
(a calendar's only state after construction is its lazily computed holiday offset).
`share_calendars(warm=("NYSE",))` also builds and warms those calendars now:
the fork launcher (`runtime.bots.launcher`) does it once, and every bot it forks inherits the
computed holidays, pages shared copy-on-write.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

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
            calendar = _SHARED[name] = _SHARED.setdefault(type(built).__name__, built)
    return calendar
