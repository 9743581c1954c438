"""The local paper venue as a process of its own, a child of the supervisor.

What it owns: `python -m runtime.bots.venue_process ROOT MARKET_DIR SPEED SLIPPAGE_BPS PORT`
serves the venue (`runtime.venue.VenueServer`) on 127.0.0.1:PORT (any free port when PORT is 0
or taken), prints one line of JSON on stdout when it answers (`{"url": ..., "port": ...}`),
and serves until its stdin reaches end-of-file or it gets SIGTERM, then stops uvicorn cleanly
(the venue's lifespan saves its clock). The supervisor holds the other end of that stdin, so
the venue ends with the supervisor however the supervisor ends, kill -9 included, as the
venue embedded in its process did; its bots wait for the next supervisor's venue on the same
port (`endpoint.json`).

Why a process: the venue answers every bot's broker calls, and in the supervisor's process it
shared one interpreter lock with the supervisor's pass over every bot (journals, heartbeats,
starts). Its keys stay in the venue's folder (`credentials.json`, 0600): nothing secret is on
its command line or in its environment.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any


def main(argv: list[str]) -> int:
    from core.logging import configure_logging
    from runtime.venue import VenueConfig, VenueServer

    root, market_dir, speed, slippage, port = argv
    configure_logging()
    config = VenueConfig(root=Path(root), market_dir=Path(market_dir), speed=float(speed),
                         slippage_bps=float(slippage))
    server = VenueServer.bound(config, int(port))
    done = threading.Event()

    def stop(*_: Any) -> None:
        done.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def watch_stdin() -> None:  # the supervisor's end closes: it is gone
        while sys.stdin.buffer.read(4096):
            pass
        done.set()

    server.start()
    try:
        sys.stdout.write(json.dumps({"url": server.base_url, "port": server.port}) + "\n")
        sys.stdout.flush()
        # nobody reads stdout after the ready line: anything printed later goes to the log,
        # never into a pipe that would fill and block the venue
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
        threading.Thread(target=watch_stdin, name="supervisor-watch", daemon=True).start()
        done.wait()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
