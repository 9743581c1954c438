"""`stratforge serve` (the HTTP API and dashboard) and `stratforge venue` (the local
Alpaca-compatible paper venue)."""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated

import typer

from api.cli.console import JsonFlag, emit_json, err
from core.config import get_settings
from core.errors import StratforgeError


def serve(
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
    workers: Annotated[int, typer.Option(
        min=1, max=64, help="HTTP worker processes; with more than one, this process owns "
        "the background work (scheduler, recovery, batches) and the workers serve HTTP.")] = 1,
) -> None:
    """Run the HTTP API (OpenAPI at /docs). Loopback only unless sign-in is enforced
    (STRATFORGE_AUTH_REQUIRED=1 with accounts, or STRATFORGE_API_KEY)."""
    from api.server_processes import serve_http

    settings = get_settings()
    host = host or settings.host
    if not settings.bind_is_loopback(host) and settings.api_key is None and (
            settings.auth_required is not True):
        err.print(
            f"[bold red]refusing to listen on {host}[/]: set STRATFORGE_AUTH_REQUIRED=1 "
            "(accounts) or STRATFORGE_API_KEY first (without it anyone on the network could "
            "run code on this machine)."
        )
        raise typer.Exit(2)
    serve_http(settings, host, port or settings.port, workers)


def venue(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free port).")] = 8100,
    key: Annotated[str | None, typer.Option(help="API key id to accept.")] = None,
    secret: Annotated[str | None, typer.Option(help="API secret to accept.")] = None,
    speed: Annotated[float, typer.Option(help="Simulated seconds per real second.")] = 1.0,
    start: Annotated[str | None, typer.Option(help="First trading day, YYYY-MM-DD.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Run the local Alpaca-compatible paper venue on the market-data store until Ctrl-C.
    Keys are generated and kept on first run unless --key/--secret are given."""
    from runtime.venue import VenueConfig, VenueServer

    settings = get_settings()
    try:
        config = VenueConfig(
            root=settings.home / "venue",
            market_dir=settings.market_data_dir,
            api_key=key,
            api_secret=secret,
            speed=speed,
            start=date.fromisoformat(start) if start else None,
        )
        server = VenueServer(config, port=port)
        server.bind()
    except (ValueError, OSError, StratforgeError) as exc:
        err.print(f"[bold red]error[/]: {exc}")
        raise typer.Exit(1) from None
    info = server.announcement()
    if as_json:
        emit_json(info)
    else:
        sys.stdout.write("".join(f"{name}: {value}\n" for name, value in info.items()))
    sys.stdout.flush()
    err.print("venue running; Ctrl-C stops it (state is kept in the venue folder).")
    server.run()

