"""`stratforge mcp`: serve the MCP tools to an AI assistant, over stdio (the assistant starts
this command) or streamable HTTP on loopback (personal API token required)."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.console import err
from core.config import get_settings
from core.errors import StratforgeError


def mcp(
    http: Annotated[bool, typer.Option(
        "--http", help="Serve streamable HTTP on 127.0.0.1 (at /mcp) instead of stdio.")] = False,
    port: Annotated[int, typer.Option(help="The HTTP port on 127.0.0.1.")] = 8765,
) -> None:
    """Serve stratforge's tools over MCP. stdio acts as STRATFORGE_TOKEN's user (or the one of
    `stratforge login`, else the local default user); HTTP requires every request to carry a
    personal API token (Authorization: Bearer sf_…). Deploy, stop and the kill switch act only
    with a confirmation token a person passes back."""
    from api.mcp.server import serve_http, serve_stdio
    from api.services.container import Services

    services = Services.open(get_settings())
    try:
        if http:
            serve_http(services, port)
        else:
            serve_stdio(services)
    except StratforgeError as exc:  # a stored token that is revoked or expired
        err.print(f"[bold red]error[/] ({exc.code}): {exc.message}")
        raise typer.Exit(1) from None
    finally:
        services.close()
