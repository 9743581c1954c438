"""The local channel between a sandboxed strategy and the process that decides for it.

Why a channel: a backtest worker has no LLM keys and no network (DESIGN.md, "Worker
isolation"), and an agent's snapshot depends on the simulated portfolio, so decisions cannot
all be computed before the run. The process that holds the keys and the decision cache (the
API server or the CLI — `api.services.agent_decisions`) serves decisions on a Unix domain
socket in a private (0700) folder; the worker gets only the socket's path and a random per-run
token in its request. A token names one run: it is what the server charges, caps and records.

Protocol: one JSON object per line each way, one request per connection. The client never
raises for a channel failure: it returns `{"outcome": "held", "reason": ...}`, so the bot holds.
"""

from __future__ import annotations

import json
import os
import socket
import socketserver
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

MAX_MESSAGE = 1_000_000
Handler = Callable[[str, dict[str, Any]], dict[str, Any]]


class ChannelAddress(BaseModel):
    """What a worker is told: where to ask and which run it asks for (no secret of ours)."""

    socket_path: str
    token: str
    timeout_s: float = 600.0  # how long the asker waits before it holds




def ask(address: ChannelAddress, payload: dict[str, Any], timeout_s: float | None = None)\
        -> dict[str, Any]:
    """Send one request; a reply dict, or a hold naming why the channel failed."""
    wait = address.timeout_s if timeout_s is None else timeout_s
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(wait)
            sock.connect(address.socket_path)
            message = json.dumps({"token": address.token, **payload}, separators=(",", ":"))
            sock.sendall(message.encode() + b"\n")
            with sock.makefile("rb") as stream:
                line = stream.readline(MAX_MESSAGE)
        reply = json.loads(line)
        if not isinstance(reply, dict):
            raise ValueError("the reply is not an object")
        return reply
    except TimeoutError:
        return {"outcome": "held", "reason": f"no decision within {wait:g} s"}
    except (OSError, ValueError) as exc:
        return {"outcome": "held", "reason": f"decision service unreachable: {exc}"[:300]}


class _StreamHandler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        line = self.rfile.readline(MAX_MESSAGE)
        try:
            request = json.loads(line)
            if not isinstance(request, dict):
                raise ValueError("not an object")
            token = str(request.pop("token", ""))
            reply = self.server.decide(token, request)
        except Exception as exc:  # a bad request or a bug: the bot holds, we log
            reply = {"outcome": "held", "reason": f"decision service error: {type(exc).__name__}"}
            self.server.on_error(exc)
        self.wfile.write(json.dumps(reply, separators=(",", ":")).encode() + b"\n")


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def __init__(self, path: str, decide: Handler, on_error: Callable[[Exception], None]) -> None:
        self.decide = decide
        self.on_error = on_error
        super().__init__(path, _StreamHandler)


MAX_SOCKET_PATH = 100  # AF_UNIX paths are limited to ~108 bytes


class DecisionServer:
    """Serves `handler(token, request)` on a Unix socket in a private (0700) folder: `folder`
    when given and its socket path is short enough (a stable address, which bots started by
    an earlier process still know), else a fresh folder under the system temp dir."""

    def __init__(self, handler: Handler, on_error: Callable[[Exception], None],
                 folder: Path | None = None) -> None:
        if folder is not None and len(str(folder / "decide.sock")) <= MAX_SOCKET_PATH:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "decide.sock").unlink(missing_ok=True)  # left by a process now gone
            self._own_folder = False
        else:
            folder = Path(tempfile.mkdtemp(prefix="sf-agents-"))
            self._own_folder = True
        self.folder = folder
        os.chmod(self.folder, 0o700)
        self.path = str(self.folder / "decide.sock")
        self._server = _Server(self.path, handler, on_error)
        os.chmod(self.path, 0o600)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="agent-decisions", daemon=True
        )
        self._thread.start()

    def address(self, token: str, timeout_s: float = 600.0) -> ChannelAddress:
        return ChannelAddress(socket_path=self.path, token=token, timeout_s=timeout_s)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        for path in (Path(self.path), *([self.folder] if self._own_folder else [])):
            try:
                path.unlink() if path.is_socket() else path.rmdir()
            except OSError:
                pass
