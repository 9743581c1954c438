"""The local paper venue the bots of one data directory trade on: finding it, or serving it.

What it owns: the venue's folder (`HOME/venue`) and credentials, `endpoint.json` there (the
port of the venue the supervisor serves, kept so bots survive a supervisor restart),
`known_venue` (the venue that is answering: `STRATFORGE_VENUE_URL`, else the supervisor's,
else `stratforge venue`'s default port) for the service and the tests, and `VenueHost`, which
the supervisor uses to find a running venue or start one: a child process
(`runtime.bots.venue_process`, ending with the supervisor), or with `venue_embedded` a server
in a thread of the supervisor's own process.
"""

from __future__ import annotations

import contextlib
import json
import select
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from core.config import Settings
from core.logging import get_logger
from runtime.processes import end_child, sandbox_environment

log = get_logger(__name__)

ENDPOINT_FILE = "endpoint.json"
DEFAULT_URL = "http://127.0.0.1:8100"  # `stratforge venue`'s default port


@dataclass(frozen=True)
class VenueEndpoint:
    url: str
    key_id: str
    secret: str

    def __repr__(self) -> str:
        return f"VenueEndpoint(url={self.url!r})"


def venue_root(settings: Settings) -> Path:
    return settings.home / "venue"


def venue_credentials(settings: Settings) -> tuple[str, str]:
    """(key id, secret) of this data directory's venue (created on first use)."""
    from runtime.venue import VenueConfig, load_or_create_credentials

    creds = load_or_create_credentials(
        VenueConfig(root=venue_root(settings), market_dir=settings.market_data_dir)
    )
    return creds.key_id, creds.secret_key


PROBE_S = 2.0  # how long `known_venue` waits for a venue's clock by default
# a service call about to use the venue waits longer: an embedded venue serving a hundred bots
# on a slow host answers late, which is not the same as not running
BUSY_VENUE_PROBE_S = 15.0


def _clock(url: str, key_id: str, secret: str, timeout_s: float) -> Any:
    """A venue's answer to `GET /v2/clock` (an `httpx.Response`), or None when none came
    within `timeout_s`."""
    import httpx

    try:
        return httpx.get(
            url.rstrip("/") + "/v2/clock",
            headers={"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret},
            timeout=timeout_s,
        )
    except httpx.HTTPError:
        return None


def _venue_answers(url: str, key_id: str, secret: str, timeout_s: float = PROBE_S) -> bool:
    response = _clock(url, key_id, secret, timeout_s)
    return response is not None and response.status_code == 200


def _saved_endpoint(settings: Settings) -> dict[str, Any]:
    with contextlib.suppress(OSError, ValueError):
        saved = json.loads((venue_root(settings) / ENDPOINT_FILE).read_text())
        if isinstance(saved, dict):
            return saved
    return {}


def known_venue(settings: Settings, timeout_s: float = PROBE_S) -> VenueEndpoint | None:
    """The venue bots of this data directory use, when one answers within `timeout_s` (for
    the service; a venue that is not running refuses the connection at once)."""
    key_id, secret = venue_credentials(settings)
    candidates = [settings.venue_url] if settings.venue_url else []
    saved = _saved_endpoint(settings)
    if "url" in saved:
        candidates.append(str(saved["url"]))
    candidates.append(DEFAULT_URL)
    for url in candidates:
        if url and _venue_answers(url, key_id, secret, timeout_s):
            return VenueEndpoint(url.rstrip("/"), key_id, secret)
    return None


VENUE_MODULE = "runtime.bots.venue_process"
VENUE_READY_S = 60.0  # how long a starting venue process may take to answer
VENUE_STOP_S = 10.0  # how long it may take to save its clock and end
# how long the venue process's day is kept: every bot start asks it (the launcher warms that
# day's schedules), and asking a venue busy with starting bots each time made the starts wait
# on one another; a day read late costs a bot only the schedules it then computes itself
CLOCK_DAY_TTL_S = 30.0


class VenueHost:
    """Finds a running venue, or starts one: a child process (`runtime.bots.venue_process`),
    or with `venue_embedded` a server in a thread of this process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.server: Any = None  # the embedded one
        self.process: subprocess.Popen[bytes] | None = None  # the child one
        self._clock_day: tuple[float, date] | None = None  # (monotonic read at, its day)
        self.endpoint: VenueEndpoint | None = None

    def _ours_running(self) -> bool:
        return self.server is not None or (self.process is not None
                                           and self.process.poll() is None)

    def ensure(self) -> VenueEndpoint:
        if self.endpoint is not None and (
            self._ours_running()
            or _venue_answers(self.endpoint.url, self.endpoint.key_id, self.endpoint.secret)
        ):
            return self.endpoint
        self._end_process()  # a child that died: gone for good
        found = known_venue(self.settings)
        if found is not None:
            self.endpoint = found
            return found
        root = venue_root(self.settings)
        root.mkdir(parents=True, exist_ok=True)
        port = 0
        with contextlib.suppress(KeyError, TypeError, ValueError):
            port = int(_saved_endpoint(self.settings)["port"])
        url, port = (self._serve_here(port) if self.settings.venue_embedded
                     else self._start_process(port))
        (root / ENDPOINT_FILE).write_text(json.dumps({"url": url, "port": port}))
        key_id, secret = venue_credentials(self.settings)
        self.endpoint = VenueEndpoint(url, key_id, secret)
        log.info("venue started", extra={"url": url, "embedded": self.settings.venue_embedded,
                                         "pid": self.process.pid if self.process else None})
        return self.endpoint

    def _config(self) -> Any:
        from runtime.venue import VenueConfig

        return VenueConfig(root=venue_root(self.settings),
                           market_dir=self.settings.market_data_dir,
                           speed=self.settings.venue_speed,
                           slippage_bps=self.settings.venue_slippage_bps)

    def _serve_here(self, port: int) -> tuple[str, int]:
        from runtime.venue import VenueServer

        server = VenueServer.bound(self._config(), port)
        server.start()
        self.server = server
        return server.base_url, server.port

    def _start_process(self, port: int) -> tuple[str, int]:
        """Start the venue's process and wait for its ready line. Its stdin is ours: it ends
        when we do. Its environment is the workers' sandbox (no keys of anyone's: its own are
        in its folder)."""
        root = venue_root(self.settings)
        venue_credentials(self.settings)  # created here, read there: one writer
        env = sandbox_environment(root, root / ".cache")
        with open(self.settings.home / "venue.log", "ab") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", VENUE_MODULE, str(root),
                 str(self.settings.market_data_dir), str(self.settings.venue_speed),
                 str(self.settings.venue_slippage_bps), str(port)],
                cwd=root, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                start_new_session=True,
            )
        self.process = proc
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], VENUE_READY_S)
        line = proc.stdout.readline() if ready else b""
        try:
            answer = json.loads(line)
            return str(answer["url"]), int(answer["port"])
        except (ValueError, KeyError, TypeError):
            self._end_process()
            log_path = self.settings.home / "venue.log"
            last = ""
            with contextlib.suppress(OSError):
                lines = [ln for ln in log_path.read_text(errors="replace").splitlines()
                         if ln.strip()]
                last = f": {lines[-1].strip()[:300]}" if lines else ""
            raise RuntimeError(f"the local paper venue did not start{last} (see {log_path})"
                               ) from None

    def clock_day(self) -> date | None:
        """The New York day on the clock of the venue this supervisor runs (its bots' day: the
        bot launcher warms its schedules); None for a venue run by someone else."""
        from runtime.venue.market_clock import ny_date

        if self.server is not None:
            return ny_date(self.server.broker.now())
        if self.process is None or self.endpoint is None or self.process.poll() is not None:
            return None
        now = time.monotonic()
        if self._clock_day is not None and now - self._clock_day[0] < CLOCK_DAY_TTL_S:
            return self._clock_day[1]
        import httpx

        # no answer: the launcher then warms the machine's day
        response = _clock(self.endpoint.url, self.endpoint.key_id, self.endpoint.secret,
                          BUSY_VENUE_PROBE_S)
        if response is None:
            return None
        try:
            response.raise_for_status()
            day = ny_date(datetime.fromisoformat(response.json()["timestamp"]))
        except (httpx.HTTPError, ValueError, KeyError):
            return None
        self._clock_day = (now, day)
        return day

    def _end_process(self) -> None:
        proc, self.process = self.process, None
        self._clock_day = None
        if proc is None:
            return
        end_child(proc, VENUE_STOP_S)  # a closed stdin: the venue saves its clock and ends
        if proc.stdout is not None:
            proc.stdout.close()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
        self._end_process()
