"""The request body size limit at the HTTP edge: a body past `Settings.max_request_bytes` is
answered 413 (`RequestTooLarge`) before it is read whole, parsed as JSON or seen by a route.

A request that states its `Content-Length` is judged on that alone, without reading a byte of
it; a chunked one is read up to the limit and refused as soon as it passes it, otherwise
replayed to the application unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from api.errors import error_body, http_status
from core.errors import RequestTooLarge

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodySizeLimit:
    """ASGI middleware refusing request bodies larger than `max_bytes` with a JSON 413."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.max_bytes:
                await self._refuse(send, length.decode("latin-1")[:20])
                return
            await self.app(scope, receive, send)
            return
        # no length given (chunked): read up to the limit, then replay what was read
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await self._refuse(send, f"more than {self.max_bytes}")
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        whole: Message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([whole], receive), send)

    async def _refuse(self, send: Send, got: str) -> None:
        exc = RequestTooLarge(
            f"the request body is larger than this server accepts ({self.max_bytes} bytes; a "
            "strategy text is at most 4000 characters)",
            limit_bytes=self.max_bytes,
            content_length=got,
        )
        body = json.dumps(error_body(exc)).encode()
        await send({"type": "http.response.start", "status": http_status(exc),
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    """A `receive` that hands out `messages` first, then defers to `then`."""
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if then is None:
            return {"type": "http.disconnect"}
        return await then()

    return receive
