"""CLI commands for owning generated code: versions, diff, restore, clone, delete, regenerate,
export, edit, check. Registered on the main `stratforge` app by `api.cli`."""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.syntax import Syntax
from rich.table import Table

from api.cli.console import (
    JsonFlag,
    emit_json,
    err,
    guard,
    num,
    out,
    pct,
    print_strategy,
    services,
)

versions_app = typer.Typer(help="Versions of a strategy: scan edits, list, diff, restore.",
                           no_args_is_help=True)






@versions_app.command("scan")
def versions_scan(as_json: JsonFlag = False) -> None:
    """Record every edited strategy file as a new, validated version."""
    service = services()
    with guard(as_json):
        results = service.versions.scan_versions(service.user_id)
    if as_json:
        emit_json([asdict(r) for r in results])
        return
    if not results:
        out.print("no edited files")
    for r in results:
        colour = "green" if r.validation_status == "passed" else "red"
        out.print(f"strategy {r.strategy_id}: edit of v{r.edited_version} recorded as "
                      f"v{r.new_version}, validation [{colour}]{r.validation_status}[/]")
        out.print(Syntax(r.diff, "diff"))


@versions_app.command("list")
def versions_list(strategy_id: int, as_json: JsonFlag = False) -> None:
    """Versions with parent, origin, validation and the latest backtest's metrics."""
    service = services()
    with guard(as_json):
        rows = service.versions.list_versions(service.user_id, strategy_id)
    if as_json:
        emit_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table(title=f"Strategy {strategy_id}")
    for column in ("version", "parent", "origin", "validation", "last run", "return", "sharpe"):
        table.add_column(column)
    for r in rows:
        bt = r.latest_backtest or {}
        table.add_row(str(r.number), str(r.parent or ""), r.origin, r.validation_status,
                      str(bt.get("run_id", "")), pct(bt.get("total_return")),
                      num(bt.get("sharpe")))
    out.print(table)


@versions_app.command("diff")
def versions_diff(strategy_id: int, a: int, b: int) -> None:
    """Unified diff between two versions."""
    service = services()
    with guard(False):
        text = service.versions.diff_versions(service.user_id, strategy_id, a, b)
    out.print(Syntax(text, "diff") if text else "identical")


@versions_app.command("restore")
def versions_restore(strategy_id: int, version: int, as_json: JsonFlag = False) -> None:
    """Make an old version the newest (as a new version; nothing is overwritten)."""
    service = services()
    with guard(as_json):
        view = service.versions.restore_version(service.user_id, strategy_id, version)
    print_strategy(service, view, as_json)


def register(app: typer.Typer) -> None:
    app.add_typer(versions_app, name="versions")

    @app.command()
    def clone(strategy_id: int, name: str, as_json: JsonFlag = False) -> None:
        """Copy a strategy under a new name (same code, its own versions)."""
        service = services()
        with guard(as_json):
            view = service.versions.clone_strategy(service.user_id, strategy_id, name)
        print_strategy(service, view, as_json)

    @app.command()
    def delete(strategy_id: int, as_json: JsonFlag = False) -> None:
        """Soft-delete a strategy (its files and rows stay)."""
        service = services()
        with guard(as_json):
            service.versions.delete_strategy(service.user_id, strategy_id)
        if as_json:
            emit_json({"deleted": strategy_id})
        else:
            out.print(f"strategy {strategy_id} deleted")

    @app.command()
    def regenerate(strategy_id: int, as_json: JsonFlag = False) -> None:
        """Generate again from the original text, as a new version beside any edits."""
        service = services()
        with guard(as_json):
            view, conflict = service.versions.regenerate(service.user_id, strategy_id)
        if conflict:
            err.print(f"[yellow]conflict[/]: {conflict}")
        print_strategy(service, view, as_json)

    @app.command()
    def export(strategy_id: int,
               version: Annotated[int | None, typer.Option(help="Default: the latest")] = None,
               output: Annotated[Path | None, typer.Option("--output", "-o")] = None) -> None:
        """One standalone file that runs with plain Lumibot (helpers inlined)."""
        service = services()
        with guard(False):
            source = service.versions.export_version(service.user_id, strategy_id, version)
        if output is None:
            typer.echo(source, nl=False)
        else:
            output.write_text(source)
            err.print(f"wrote {output}: `python {output} backtest --csv-dir DIR "
                          "--start YYYY-MM-DD --end YYYY-MM-DD`")

    @app.command()
    def edit(strategy_id: int) -> None:
        """Open the latest version in $EDITOR; on save the edit is recorded and validated."""
        service = services()
        with guard(False):
            path = service.versions.latest_code_path(service.user_id, strategy_id)
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        subprocess.run([*shlex.split(editor), str(path)], check=False)
        with guard(False):
            results = service.versions.scan_versions(service.user_id, strategy_id)
        if not results:
            out.print("no changes")
            return
        for r in results:
            view = service.strategies.get_version(service.user_id, strategy_id, r.new_version)
            _print_report(view.validation or {}, f"v{r.new_version}")

    @app.command()
    def check(file: Path, as_json: JsonFlag = False) -> None:
        """Run the validation gate on any strategy file and print a report."""
        service = services()
        with guard(as_json):
            report = service.validation.check_file(file)
        if as_json:
            emit_json(report)
        else:
            _print_report(report, str(file))
        if not report.get("ok"):
            raise typer.Exit(1)


def _print_report(report: dict[str, Any], what: str) -> None:
    if report.get("ok"):
        out.print(f"[green]{what}: passed[/] ({', '.join(report.get('checks', []))})")
        return
    out.print(f"[red]{what}: failed[/]")
    for p in report.get("problems", []):
        where = f"line {p['line']}: " if p.get("line") else ""
        out.print(f"  {p.get('stage')}: {where}{p.get('message')}")
