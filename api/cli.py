"""The `stratforge` command line. Thin: parse arguments, call `api.services`, print.

Results go to stdout (one JSON document with `--json`); logs, progress bars and hints go to
stderr, so `stratforge ... --json | jq` always works.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.syntax import Syntax
from rich.table import Table

from core.config import get_settings
from core.errors import StratforgeError
from runtime.market_data import MarketDataError

app = typer.Typer(
    help="stratforge: plain-English strategies → Lumibot code → backtests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Market data: import CSVs, list what is stored.", no_args_is_help=True)
strategies_app = typer.Typer(help="Strategies you have created.", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(strategies_app, name="strategies")

out = Console()  # results
err = Console(stderr=True)  # everything else

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]

DEMO_TEXT = (
    "Buy SPY when the 50-day SMA crosses above the 200-day SMA and sell when it crosses back below"
)


def _service() -> Any:
    from api.services import Stratforge

    return Stratforge(get_settings())


def _emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def _fail(exc: Exception, as_json: bool) -> None:
    code = getattr(exc, "code", "error")
    message = getattr(exc, "message", str(exc))
    details = getattr(exc, "details", {})
    if as_json:
        _emit_json({"error": {"code": code, "message": message, "details": details}})
    else:
        err.print(f"[bold red]error[/] ({code}): {message}")
        for key in ("understood", "not_understood", "problems"):
            if details.get(key):
                err.print(f"  {key.replace('_', ' ')}: {details[key]}")
    raise typer.Exit(1)


@app.callback()
def _setup(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


# -- data ----------------------------------------------------------------------------------------
@data_app.command("import")
def data_import(path: Path, as_json: JsonFlag = False) -> None:
    """Import a CSV file or a folder of CSVs (date,open,high,low,close[,adj_close],volume)."""
    service = _service()
    try:
        with _progress() as progress:
            task = progress.add_task("importing", total=None)

            def tick(name: str, done: int, total: int) -> None:
                progress.update(task, completed=done, total=total, description=f"importing {name}")

            report = service.market.import_path(path, progress=tick)
    except MarketDataError as exc:
        _fail(exc, as_json)
        return
    rows = [_coverage(c) for c in report.imported]
    if as_json:
        _emit_json({"imported": rows, "warnings": report.warnings})
        return
    _coverage_table(rows, f"Imported {len(rows)} symbol(s)")
    for warning in report.warnings:
        err.print(f"[yellow]warning[/]: {warning}")


@data_app.command("sample")
def data_sample(seed: int = 7, as_json: JsonFlag = False) -> None:
    """Load the seeded synthetic sample market (does not replace imported symbols)."""
    report = _service().market.load_sample(seed=seed)
    rows = [_coverage(c) for c in report.imported]
    if as_json:
        _emit_json({"imported": rows, "warnings": report.warnings})
    else:
        _coverage_table(rows, "Sample market (synthetic prices)")


@data_app.command("list")
def data_list(
    query: Annotated[str | None, typer.Argument()] = None, as_json: JsonFlag = False
) -> None:
    """Which symbols and date ranges the store holds."""
    rows = [_coverage(c) for c in _service().market.symbols(query)]
    if as_json:
        _emit_json(rows)
    elif not rows:
        err.print("The store is empty: `stratforge data import DIR` or `stratforge data sample`.")
    else:
        _coverage_table(rows, "Market data")


def _coverage(c: Any) -> dict[str, Any]:
    return {
        "symbol": c.symbol,
        "start": c.start.isoformat(),
        "end": c.end.isoformat(),
        "bars": c.bars,
        "source": c.source,
    }


def _coverage_table(rows: list[dict[str, Any]], title: str) -> None:
    table = Table(title=title)
    for column in ("symbol", "start", "end", "bars", "source"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[c]) for c in ("symbol", "start", "end", "bars", "source")))
    out.print(table)


# -- strategies ------------------------------------------------------------------------------------
@app.command()
def new(
    text: str,
    provider: Annotated[
        str | None, typer.Option(help="provider[:model], e.g. anthropic:claude-sonnet-4-5")
    ] = None,
    compare: Annotated[
        str | None,
        typer.Option(help="Comma-separated provider:model list; shows candidates side by side"),
    ] = None,
    pick: Annotated[
        str | None, typer.Option(help="With --compare: the candidate to save (number or label)")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Turn a plain-English strategy into validated Lumibot code."""
    service = _service()
    if compare:
        from api.cli_generations import run_compare

        run_compare(service, text, compare, pick, as_json)
        return
    try:
        with _spinner("understanding, rendering and validating"):
            view = service.create_strategy(service.default_user_id, text, provider)
    except (StratforgeError, MarketDataError) as exc:
        _fail(exc, as_json)
        return
    _print_strategy(service, view, as_json)


def _print_strategy(service: Any, view: Any, as_json: bool, show_code: bool = False) -> None:
    version = view.version
    path = str(service.code_file(version))
    if as_json:
        _emit_json(
            {
                "strategy_id": view.id,
                "name": view.name,
                "version": version.number,
                "spec": version.spec,
                "summary": version.summary,
                "code_path": path,
                "validation": {"status": version.validation_status, **(version.validation or {})},
            }
        )
        return
    status = version.validation_status
    colour = "green" if status == "passed" else "red"
    out.print(
        f"[bold]Strategy {view.id}[/] · {view.name} · v{version.number} · "
        f"validation [{colour}]{status}[/]"
    )
    out.print(version.summary)
    out.print(f"code: {path}")
    for problem in (version.validation or {}).get("problems", []):
        out.print(f"[red]{problem.get('stage')}[/]: {problem.get('message')}")
    if show_code:
        out.print(Syntax(Path(path).read_text(), "python", line_numbers=True))


@strategies_app.command("list")
def strategies_list(as_json: JsonFlag = False) -> None:
    """Every strategy with its latest version."""
    service = _service()
    views = service.list_strategies(service.default_user_id)
    if as_json:
        _emit_json([v.model_dump(mode="json") for v in views])
        return
    table = Table(title="Strategies")
    for column in ("id", "name", "version", "validation", "summary"):
        table.add_column(column)
    for v in views:
        table.add_row(
            str(v.id),
            v.name,
            str(v.latest_version),
            v.version.validation_status if v.version else "",
            v.summary,
        )
    out.print(table)


@strategies_app.command("show")
def strategies_show(strategy_id: int, code: bool = False, as_json: JsonFlag = False) -> None:
    """One strategy: summary, spec, validation, optionally the code."""
    service = _service()
    try:
        view = service.get_strategy(service.default_user_id, strategy_id)
    except StratforgeError as exc:
        _fail(exc, as_json)
        return
    _print_strategy(service, view, as_json, show_code=code)


# -- backtests -------------------------------------------------------------------------------------
@app.command()
def backtest(
    strategy_id: int,
    start: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    end: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    cash: float = 100_000.0,
    version: Annotated[int | None, typer.Option(help="Default: the latest")] = None,
    benchmark: Annotated[str | None, typer.Option(help="Default: SPY if stored")] = None,
    fee_pct: float = 0.0,
    slippage: Annotated[float, typer.Option(help="$ per share")] = 0.0,
    tearsheet: Annotated[bool, typer.Option("--tearsheet/--no-tearsheet")] = True,
    as_json: JsonFlag = False,
) -> None:
    """Backtest a strategy version on stored daily bars (runs in a worker process)."""
    from api.services import BacktestConfig

    service = _service()
    user = service.default_user_id
    try:
        config = BacktestConfig(
            strategy_id=strategy_id,
            version=version,
            start=date.fromisoformat(start),
            end=date.fromisoformat(end),
            cash=cash,
            benchmark=benchmark,
            fee_pct=fee_pct,
            slippage_per_share=slippage,
            tearsheet=tearsheet,
        )
        run = service.create_backtest(user, config)
    except ValueError as exc:
        _fail(exc, as_json)
        return
    except (StratforgeError, MarketDataError) as exc:
        _fail(exc, as_json)
        return
    with _progress() as progress:
        task = progress.add_task(f"run {run.id}", total=1.0)

        def tick(fraction: float, day: str | None) -> None:
            progress.update(task, completed=fraction, description=f"run {run.id} · {day or ''}")

        service.execute_backtest(run.id, on_progress=tick)
    result = service.backtest_result(user, run.id)
    if as_json:
        _emit_json(result)
    else:
        _print_run(result, service)
    if result["status"] != "succeeded":
        raise typer.Exit(1)


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def _num(value: Any) -> str:
    return "—" if value is None else f"{value:.2f}"


def _print_run(result: dict[str, Any], service: Any) -> None:
    if result["status"] != "succeeded":
        err.print(f"[bold red]run {result['id']} failed[/]: {result['error']}")
        if result.get("traceback"):
            err.print(result["traceback"])
        return
    metrics = result["metrics"]
    bench = (result.get("benchmark") or {}).get("metrics") or {}
    name = (result.get("benchmark") or {}).get("symbol", "benchmark")
    table = Table(
        title=f"Backtest run {result['id']} · {result['config']['start']} → "
        f"{result['config']['end']}"
    )
    table.add_column("metric")
    table.add_column("strategy", justify="right")
    table.add_column(f"buy & hold {name}", justify="right")
    for key, fmt in (
        ("total_return", _pct),
        ("cagr", _pct),
        ("volatility", _pct),
        ("sharpe", _num),
        ("sortino", _num),
        ("max_drawdown", _pct),
    ):
        table.add_row(key, fmt(metrics.get(key)), fmt(bench.get(key)))
    table.add_row("trades", str(metrics.get("trades")), "1")
    table.add_row("win rate", _pct(metrics.get("win_rate")), "")
    out.print(table)
    folder = service.settings.runs_dir / f"run_{result['id']}"
    if "tearsheet.html" in result.get("artifacts", []):
        out.print(f"tearsheet: {folder / 'tearsheet.html'}")


# -- demo & server ---------------------------------------------------------------------------------
@app.command()
def demo(as_json: JsonFlag = False) -> None:
    """The whole flow on embedded defaults: sample market, offline parser, one backtest."""
    service = _service()
    report = service.market.load_sample()
    if report.imported:
        err.print(f"loaded the synthetic sample market ({len(report.imported)} symbols)")
    try:
        with _spinner(f"new: {DEMO_TEXT!r}"):
            view = service.create_strategy(service.default_user_id, DEMO_TEXT, "offline")
    except (StratforgeError, MarketDataError) as exc:
        _fail(exc, as_json)
        return
    if not as_json:
        _print_strategy(service, view, False)
    from api.services import BacktestConfig

    spy = service.market.coverage("SPY")
    start = date(spy.start.year + 1, 1, 2)
    config = BacktestConfig(
        strategy_id=view.id, start=max(start, spy.start), end=spy.end, cash=100_000.0
    )
    run = service.create_backtest(service.default_user_id, config)
    with _progress() as progress:
        task = progress.add_task(f"backtest run {run.id}", total=1.0)
        service.execute_backtest(
            run.id,
            on_progress=lambda f, d: progress.update(
                task, completed=f, description=f"backtest · {d}"
            ),
        )
    result = service.backtest_result(service.default_user_id, run.id)
    if as_json:
        _emit_json(
            {
                "strategy_id": view.id,
                "summary": view.summary,
                "code_path": str(service.code_file(view.version)),
                "backtest": result,
            }
        )
    else:
        _print_run(result, service)
        out.print(
            f"next: `stratforge strategies show {view.id} --code`, "
            "`stratforge serve` and open http://127.0.0.1:8000/docs"
        )
    if result["status"] != "succeeded":
        raise typer.Exit(1)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
) -> None:
    """Run the HTTP API (OpenAPI at /docs). Loopback only unless an API key is configured."""
    import uvicorn

    from api.app import create_app

    settings = get_settings()
    host = host or settings.host
    if not settings.bind_is_loopback(host) and settings.api_key is None:
        err.print(
            f"[bold red]refusing to listen on {host}[/]: set STRATFORGE_API_KEY first "
            "(without it anyone on the network could run code on this machine)."
        )
        raise typer.Exit(2)
    uvicorn.run(create_app(settings), host=host, port=port or settings.port, log_level="info")


@app.command()
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
    except (ValueError, OSError, MarketDataError) as exc:
        err.print(f"[bold red]error[/]: {exc}")
        raise typer.Exit(1) from None
    info = server.announcement()
    if as_json:
        _emit_json(info)
    else:
        sys.stdout.write("".join(f"{name}: {value}\n" for name, value in info.items()))
    sys.stdout.flush()
    err.print("venue running; Ctrl-C stops it (state is kept in the venue folder).")
    server.run()


# -- helpers ---------------------------------------------------------------------------------------
def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def _spinner(message: str) -> Any:
    return err.status(message)


def main() -> None:
    app()


def _register_more() -> None:
    from api.cli_generations import register as register_generations
    from api.cli_versions import register

    register(app)
    register_generations(app)
    from api.cli_batches import register as register_batches

    register_batches(app)
    from api.cli_deploy import register as register_deploy

    register_deploy(app)


_register_more()

if __name__ == "__main__":
    main()
