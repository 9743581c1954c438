"""CLI commands for what can be said: `stratforge templates` (worked strategies with their
sentences) and `stratforge indicators` (every indicator, its parameters and defaults).
Registered on the main `stratforge` app by `api.cli`."""

from __future__ import annotations

import typer
from rich.table import Table

from api.cli.console import JsonFlag, emit_json, out, services


def register(app: typer.Typer) -> None:
    @app.command("templates")
    def templates(as_json: JsonFlag = False) -> None:
        """Worked strategies, each with the sentence to give `stratforge new`."""
        views = services().builder.templates()
        if as_json:
            emit_json([v.model_dump(mode="json") for v in views])
            return
        for view in views:
            out.print(f"[bold]{view.name}[/] ({view.key}) · spec v{view.spec['spec_version']}")
            out.print(f"  {view.about}")
            out.print(f'  stratforge new "{view.sentence}"')

    @app.command("indicators")
    def indicators(as_json: JsonFlag = False) -> None:
        """Every indicator the spec knows: parameters, defaults and how to say it."""
        views = services().builder.indicators()
        if as_json:
            emit_json([v.model_dump(mode="json") for v in views])
            return
        table = Table(title="Indicators")
        for column in ("kind", "name", "parameters (default)", "say", "spec"):
            table.add_column(column)
        for v in views:
            params = ", ".join(f"{k}={'required' if d is None else d}"
                               for k, d in v.parameters.items())
            table.add_row(v.kind, v.name, params, v.say, f"v{v.since_spec_version}")
        out.print(table)
