"""Copied by tests/runtime/test_launcher.py into the launcher's folder and run in a forked
bot: says what it sees, then exits with the code it was given (or waits for a file to appear,
when told to)."""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

preloaded = "pandas" in sys.modules and "alpaca.trading.client" in sys.modules
if preloaded:  # the NYSE calendar the launcher built: one instance, its holidays computed
    import pandas_market_calendars as mcal

    nyse = mcal.get_calendar("NYSE")
    calendar_warm = "_holidays" in vars(nyse) and mcal.get_calendar("NYSE") is nyse
    # and the schedules it computed (runtime.lumibot_hooks.warm_live_schedules): this year's
    # comes without computing one here
    from datetime import UTC, datetime

    from runtime.shared_calendars import year_schedule

    # (PROBE_YEAR: another year's, which the launcher warms for a request's `clock_day`)
    year = int(os.environ.get("PROBE_YEAR") or datetime.now(UTC).year)
    computed = []
    compute = type(nyse).schedule
    type(nyse).schedule = lambda self, *a, **k: computed.append(a) or compute(self, *a, **k)
    year_schedule("NYSE", year)
    schedules_warm = not computed and len(year_schedule("NYSE", year)) > 200
else:
    calendar_warm = schedules_warm = False
try:  # the launcher was told to block it (runtime.bots.import_policy)
    import pyarrow  # noqa: F401

    pyarrow_error = ""
except ImportError as exc:
    pyarrow_error = str(exc)
pyarrow_mapped = "/pyarrow/" in Path("/proc/self/maps").read_text()
out, code = Path(sys.argv[1]), int(sys.argv[2])
print("hello from the probe", flush=True)
out.write_text(json.dumps({
    "pid": os.getpid(), "sid": os.getsid(0), "cwd": os.getcwd(), "argv": sys.argv,
    "env": dict(os.environ), "preloaded": preloaded, "calendar_warm": calendar_warm,
    "schedules_warm": schedules_warm, "pyarrow_error": pyarrow_error,
    "pyarrow_mapped": pyarrow_mapped,
    "rlimit_as": resource.getrlimit(resource.RLIMIT_AS)[0],
    "stdin": os.read(0, 10).decode(),
}))
if len(sys.argv) > 3:
    while not Path(sys.argv[3]).exists():
        time.sleep(0.05)
sys.exit(code)
