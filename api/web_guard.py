"""What every HTTP response and every state-changing request goes through, before any route:

* a Host allow-list (`STRATFORGE_ALLOWED_HOSTS`; by default the loopback names when no API key
  is set, so a DNS-rebound name cannot reach the API) — 400 `bad_host` otherwise;
* an Origin check on POST/PUT/PATCH/DELETE: a browser's request from another site (its
  `Origin`, or else `Referer`, differs from the Host it was sent to) is 403 `cross_site`;
  requests without either header (curl, scripts, the CLI) are not browsers' and pass;
* security headers on every response: a Content-Security-Policy (a page may set its own),
  `frame-ancestors 'none'` and `X-Frame-Options: DENY`, `X-Content-Type-Options: nosniff`,
  `Referrer-Policy: same-origin`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_body, http_status
from api.services.roles import SAFE_METHODS
from core.errors import Forbidden, StratforgeError

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
# the dashboard and every other page: no script at all, our own styles and inline SVG charts
DEFAULT_CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
)


def host_name(netloc: str) -> str:
    """The host of a `Host` header or URL netloc, without port or brackets, lower case."""
    netloc = netloc.strip().lower()
    if netloc.startswith("["):
        return netloc[1:netloc.find("]")] if "]" in netloc else netloc[1:]
    if netloc.count(":") == 1:
        netloc = netloc.split(":", 1)[0]
    return netloc.rstrip(".")


def default_port(scheme: str) -> str:
    return "443" if scheme in ("https", "wss") else "80"


def netloc_key(netloc: str, scheme: str) -> tuple[str, str]:
    """(host, port) of a netloc, with the scheme's default port made explicit."""
    host = host_name(netloc)
    rest = netloc.strip().lower()
    rest = rest[rest.find("]") + 1:] if rest.startswith("[") else rest
    port = rest.rsplit(":", 1)[1] if rest.count(":") == 1 else ""
    return host, port or default_port(scheme)


class WebGuard:
    """ASGI middleware: the Host allow-list, the Origin check and the security headers."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str]) -> None:
        self.app = app
        names = [host_name(h) if h != "*" else "*" for h in allowed_hosts]
        self.any_host = "*" in names
        self.allowed = frozenset(n for n in names if n != "*")

    def _host_allowed(self, host: str) -> bool:
        if self.any_host:
            return True
        name = host_name(host)
        return name in self.allowed or any(
            a.startswith("*.") and name.endswith(a[1:]) for a in self.allowed
        )

    @staticmethod
    def _cross_site(headers: Headers, scheme: str) -> bool:
        source = headers.get("origin") or headers.get("referer")
        if source is None:
            return False
        parts = urlsplit(source)
        if not parts.scheme or not parts.netloc:  # "null" (sandboxed, file:) or garbage
            return True
        return netloc_key(parts.netloc, parts.scheme) != netloc_key(headers.get("host", ""),
                                                                    scheme)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal: StratforgeError | None = None
        if not self._host_allowed(headers.get("host", "")):
            refusal = StratforgeError(
                "this server does not answer to that host name (STRATFORGE_ALLOWED_HOSTS)",
                code="bad_host",
            )
        elif scope["method"] not in SAFE_METHODS and self._cross_site(headers,
                                                                       scope.get("scheme", "http")):
            refusal = Forbidden("a request from another site may not change anything here",
                                code="cross_site")
        if refusal is not None:
            response = JSONResponse(error_body(refusal), status_code=http_status(refusal))
            await response(scope, receive, self._secured(send))
            return
        await self.app(scope, receive, self._secured(send))

    @staticmethod
    def _secured(send: Send) -> Any:
        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    out.setdefault(name.decode(), value.decode())
                out.setdefault("content-security-policy", DEFAULT_CSP)
            await send(message)

        return send_secured
