"""The local paper venue the bots of one data directory trade on: finding it, or serving it.

What it owns: the venue's folder (`HOME/venue`) and credentials, `endpoint.json` there (the
port of the venue the supervisor serves, kept so bots survive a supervisor restart),
`known_venue` (the venue that is answering: `STRATFORGE_VENUE_URL`, else the supervisor's,
else `stratforge venue`'s default port) for the service and the tests, and `VenueHost`, which
the supervisor uses to find a running venue or start one embedded in its own process.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from core.config import Settings
from core.logging import get_logger

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


def _venue_answers(url: str, key_id: str, secret: str, timeout_s: float = PROBE_S) -> bool:
    import httpx

    try:
        response = httpx.get(
            url.rstrip("/") + "/v2/clock",
            headers={"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret},
            timeout=timeout_s,
        )
        return response.status_code == 200
    except httpx.HTTPError:
        return False


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


class VenueHost:
    """Finds a running venue, or serves one from this process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.server: Any = None
        self.endpoint: VenueEndpoint | None = None

    def ensure(self) -> VenueEndpoint:
        if self.endpoint is not None and (
            self.server is not None
            or _venue_answers(self.endpoint.url, self.endpoint.key_id, self.endpoint.secret)
        ):
            return self.endpoint
        found = known_venue(self.settings)
        if found is not None:
            self.endpoint = found
            return found
        from runtime.venue import VenueConfig, VenueServer

        root = venue_root(self.settings)
        port = 0
        with contextlib.suppress(KeyError, TypeError, ValueError):
            port = int(_saved_endpoint(self.settings)["port"])
        config = VenueConfig(root=root, market_dir=self.settings.market_data_dir,
                             speed=self.settings.venue_speed,
                             slippage_bps=self.settings.venue_slippage_bps)
        try:
            server = VenueServer(config, port=port)
            server.bind()
        except OSError:  # the port is taken since: any free one
            server = VenueServer(config, port=0)
        server.start()
        self.server = server
        root.mkdir(parents=True, exist_ok=True)
        (root / ENDPOINT_FILE).write_text(json.dumps({"url": server.base_url,
                                                      "port": server.port}))
        self.endpoint = VenueEndpoint(server.base_url, server.key_id, server.secret_key)
        log.info("venue started", extra={"url": server.base_url})
        return self.endpoint

    def clock_day(self) -> date | None:
        """The New York day on the clock of the venue this process serves (its bots' day:
        the bot launcher warms its schedules); None for a venue served elsewhere."""
        if self.server is None:
            return None
        from runtime.venue.market_clock import ny_date

        return ny_date(self.server.broker.now())

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
