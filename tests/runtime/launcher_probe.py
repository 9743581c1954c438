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
else:
    calendar_warm = False
out, code = Path(sys.argv[1]), int(sys.argv[2])
print("hello from the probe", flush=True)
out.write_text(json.dumps({
    "pid": os.getpid(), "sid": os.getsid(0), "cwd": os.getcwd(), "argv": sys.argv,
    "env": dict(os.environ), "preloaded": preloaded, "calendar_warm": calendar_warm,
    "rlimit_as": resource.getrlimit(resource.RLIMIT_AS)[0],
    "stdin": os.read(0, 10).decode(),
}))
if len(sys.argv) > 3:
    while not Path(sys.argv[3]).exists():
        time.sleep(0.05)
sys.exit(code)
