"""Running the venue: uvicorn on loopback, in a background thread or in the foreground.

This module owns :class:`VenueServer`. It binds its own socket on 127.0.0.1 (port 0 = a free
port chosen by the OS, so tests never collide) before uvicorn starts, which is how it knows
``base_url`` up front; ``start()`` serves from a daemon thread and returns once uvicorn is
accepting connections, ``stop()`` shuts it down (the app's lifespan saves the clock), and
``run()`` serves in the calling thread until Ctrl-C (the CLI). The venue only ever listens on
loopback: it has no TLS and its keys are for a local simulator.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import uvicorn

from core.logging import get_logger
from runtime.venue.app import create_venue_app
from runtime.venue.config import VenueConfig, VenueCredentials
from runtime.venue.paper_broker import PaperBroker

log = get_logger(__name__)

__all__ = ["VenueServer"]

LOOPBACK = "127.0.0.1"


class VenueServer:
    """One venue on ``http://127.0.0.1:<port>``; usable as a context manager."""

    def __init__(self, config: VenueConfig, port: int = 0, log_level: str = "warning") -> None:
        self.config = config
        self.app = create_venue_app(config)
        self.broker: PaperBroker = self.app.state.broker
        self.credentials: VenueCredentials = self.app.state.credentials
        self._requested_port = port
        self._log_level = log_level
        self._socket: socket.socket | None = None
        self._port: int | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # ---- addresses and keys ------------------------------------------------------------

    @classmethod
    def bound(cls, config: VenueConfig, port: int) -> VenueServer:
        """A server bound to `port`, or to any free port when that one is taken (a venue
        started again on the port it saved, which someone took meanwhile)."""
        try:
            server = cls(config, port=port)
            server.bind()
        except OSError:
            server = cls(config, port=0)
            server.bind()
        return server

    def bind(self) -> int:
        """Bind the listening socket now (idempotent); returns the port."""
        if self._socket is None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((LOOPBACK, self._requested_port))
            # Listening now (not when uvicorn starts) means a client that read base_url early
            # waits in the backlog instead of being refused.
            sock.listen(128)
            self._socket = sock
            self._port = int(sock.getsockname()[1])
        assert self._port is not None
        return self._port

    @property
    def port(self) -> int:
        """The bound port (binding on first use; uvicorn closes the socket when it stops)."""
        return self._port if self._port is not None else self.bind()

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def key_id(self) -> str:
        return self.credentials.key_id

    @property
    def secret_key(self) -> str:
        return self.credentials.secret_key

    # ---- lifecycle ---------------------------------------------------------------------

    def _make_server(self) -> uvicorn.Server:
        config = uvicorn.Config(
            self.app, log_level=self._log_level, lifespan="on", access_log=False
        )
        self._server = uvicorn.Server(config)
        return self._server

    def start(self, timeout: float = 15.0) -> VenueServer:
        """Serve from a background thread; returns once the server accepts connections."""
        if self._thread is not None:
            return self
        sock = self._socket_or_bind()
        server = self._make_server()
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="venue-server", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive():
                raise RuntimeError("venue server exited during startup")
            if time.monotonic() > deadline:
                raise TimeoutError("venue server did not start in time")
            time.sleep(0.01)
        log.info("venue serving", extra={"url": self.base_url, "root": str(self.config.root)})
        return self

    def _socket_or_bind(self) -> socket.socket:
        self.bind()
        assert self._socket is not None
        return self._socket

    def run(self, on_ready: Callable[[], None] | None = None) -> None:
        """Serve in this thread until interrupted (Ctrl-C stops uvicorn cleanly).

        ``on_ready`` is called once the app has started, after uvicorn took over SIGINT, so
        whoever is told the URL can also stop the server at once."""
        self.app.state.on_ready = on_ready
        server = self._make_server()
        try:
            server.run(sockets=[self._socket_or_bind()])
        except KeyboardInterrupt:
            # uvicorn shuts down gracefully (lifespan saves the clock), then re-raises the
            # signal it captured; after a clean stop, Ctrl-C is not an error.
            log.info("venue stopped by interrupt", extra={"url": self.base_url})
        finally:
            self._close_socket()

    def stop(self, timeout: float = 15.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._server = None
        self._close_socket()
        self.broker.engine.dispose()

    def _close_socket(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def __enter__(self) -> VenueServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- venue-only helpers (HTTP, like any other client) ------------------------------

    def _admin(self, method: str, path: str, json: dict[str, Any] | None = None) -> Any:
        headers = {"APCA-API-KEY-ID": self.key_id, "APCA-API-SECRET-KEY": self.secret_key}
        with httpx.Client(base_url=self.base_url, headers=headers, timeout=30.0) as client:
            response = client.request(method, path, json=json)
            response.raise_for_status()
            return response.json()

    def advance(
        self, seconds: float | None = None, to: datetime | None = None, until: str | None = None
    ) -> dict[str, Any]:
        """``POST /venue/clock/advance``; returns the clock after the move."""
        body: dict[str, Any] = {}
        if seconds is not None:
            body["seconds"] = seconds
        if to is not None:
            body["to"] = to.isoformat()
        if until is not None:
            body["until"] = until
        result: dict[str, Any] = self._admin("POST", "/venue/clock/advance", body)
        return result

    def status(self) -> dict[str, Any]:
        result: dict[str, Any] = self._admin("GET", "/venue/status")
        return result

    def inject_fault(self, status: int = 500, delay_s: float = 0.0,
                     for_s: float = 300.0) -> dict[str, Any]:
        """``POST /venue/faults``: an outage of the Alpaca routes (see `runtime.venue.app`)."""
        result: dict[str, Any] = self._admin(
            "POST", "/venue/faults", {"status": status, "delay_s": delay_s, "for_s": for_s})
        return result

    def clear_fault(self) -> dict[str, Any]:
        result: dict[str, Any] = self._admin("DELETE", "/venue/faults")
        return result

    def announcement(self) -> dict[str, Any]:
        """What a user (or a supervisor reading stdout) needs to connect: URL and keys."""
        return {
            "base_url": self.base_url,
            "key_id": self.key_id,
            "secret_key": self.secret_key,
            "speed": self.config.speed,
            "simulated_now": self.broker.now().isoformat(),
            "root": str(self.config.root),
        }
