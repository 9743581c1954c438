"""The stratforge MCP server on the official `mcp` SDK (FastMCP): its tools, and its two
transports.

* stdio (`serve_stdio`): one process per assistant, acting as the process's user — the stored
  token's (STRATFORGE_TOKEN or `stratforge login`) or, without one, the local default user,
  exactly like the CLI. The real stdout is kept for the protocol alone; anything else that
  writes to it (a library, a worker process) lands on stderr.
* streamable HTTP on loopback (`serve_http`): every request must carry a personal API token as
  `Authorization: Bearer sf_…` (`api.mcp.auth`); without a valid one the answer is 401. A
  body past `STRATFORGE_MAX_REQUEST_BYTES` is a 413, as on the API (`api.body_limit`).

Argument errors the SDK finds before a tool runs come back like every other error: a tool error
with code `invalid_request` and the problems.
"""

from __future__ import annotations

import os
import sys
from io import TextIOWrapper
from typing import Any

import anyio
from mcp.server.auth.settings import AuthSettings
from mcp.server.fastmcp import FastMCP
from mcp.server.fastmcp.exceptions import ToolError
from mcp.server.stdio import stdio_server
from mcp.types import CallToolResult
from pydantic import ValidationError

from api.body_limit import BodySizeLimit
from api.mcp import research, trading
from api.mcp.auth import PersonalTokenVerifier
from api.mcp.calls import ToolCalls, failure
from api.services.container import Services
from api.services.sessions import Principal
from core.errors import InvalidInput

INSTRUCTIONS = (
    "stratforge turns plain-English trading strategies into validated Lumibot bots. Create a "
    "strategy from a sentence (create_strategy; list_templates and list_indicators show what "
    "can be said), backtest it (backtest returns a run id; backtest_results reads or waits for "
    "the results), compare runs and sweep parameters. deploy, stop_deployment and kill_switch "
    "act only with a confirmation token that the first call returns: show the request to the "
    "person and pass the token back only after they agree. Never confirm on their behalf."
)
HTTP_PATH = "/mcp"


class StratforgeMCP(FastMCP[Any]):
    async def call_tool(self, name: str, arguments: dict[str, Any]) -> Any:
        """Arguments the SDK refuses come back in our error format (`invalid_request`)."""
        try:
            return await super().call_tool(name, arguments)
        except ToolError as exc:
            cause = exc.__cause__
            if not isinstance(cause, ValidationError):
                raise
            problems = [{"where": ".".join(str(p) for p in e.get("loc", ())),
                         "message": e.get("msg")} for e in cause.errors()]
            message = "; ".join(f"{p['where']}: {p['message']}" for p in problems)
            result: CallToolResult = failure(
                InvalidInput(message, code="invalid_request", problems=problems))
            return result


def build_server(services: Services, local: Principal | None, *, port: int = 8765) -> FastMCP:
    """The server with every tool. `local`: who a stdio server acts as; None for HTTP."""
    http = local is None
    server = StratforgeMCP(
        name="stratforge",
        instructions=INSTRUCTIONS,
        log_level="WARNING",
        host="127.0.0.1",
        port=port,
        streamable_http_path=HTTP_PATH,
        token_verifier=PersonalTokenVerifier(services.sessions) if http else None,
        # the SDK's bearer check only; tokens are issued by stratforge itself (no OAuth)
        auth=AuthSettings(issuer_url=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
                          resource_server_url=None) if http else None,
    )
    calls = ToolCalls(services, local)
    research.register(server, calls)
    trading.register(server, calls)
    return server


def serve_stdio(services: Services) -> None:
    """Serve one assistant on stdin/stdout as the process's user."""
    server = build_server(services, services.sessions.process_principal())
    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "wb", buffering=0)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray output (ours, workers') → stderr
    sys.stdout = sys.stderr

    async def run() -> None:
        out = anyio.wrap_file(TextIOWrapper(protocol, encoding="utf-8", write_through=True))
        async with stdio_server(stdout=out) as (read_stream, write_stream):
            low = server._mcp_server
            await low.run(read_stream, write_stream, low.create_initialization_options())

    anyio.run(run)


def serve_http(services: Services, port: int) -> None:
    """Serve streamable HTTP on 127.0.0.1:`port` (path /mcp), personal API tokens required."""
    import uvicorn

    server = build_server(services, None, port=port)
    # the API's body limit at the edge too: a body past STRATFORGE_MAX_REQUEST_BYTES is a 413
    application = BodySizeLimit(server.streamable_http_app(), services.settings.max_request_bytes)
    uvicorn.run(application, host="127.0.0.1", port=port, log_config=None, log_level="warning")
