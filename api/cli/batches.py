"""CLI commands for batches and schedules: `stratforge batch run|status|cancel|results|list`
and `stratforge schedule add|list|rm`. Registered on the main `stratforge` app by `api.cli`."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.table import Table

from api.cli.console import (
    JsonFlag,
    emit_json,
    err,
    guard,
    out,
    progress_bar,
    services,
)
from core.errors import InvalidInput

batch_app = typer.Typer(help="Batches of backtests: sweeps, comparisons, walk-forward.",
                        no_args_is_help=True)
schedule_app = typer.Typer(help="Cron schedules that start batches.", no_args_is_help=True)

SpecFile = Annotated[Path | None, typer.Option("--spec", help="A BatchSpec JSON file.")]
StrategyOpt = Annotated[list[int] | None, typer.Option("--strategy", "-s", help="Strategy id")]
VersionOpt = Annotated[int | None, typer.Option("--version", help="Version (default latest)")]
StartOpt = Annotated[str | None, typer.Option("--start", help="YYYY-MM-DD")]
EndOpt = Annotated[str | None, typer.Option("--end", help="YYYY-MM-DD")]
SweepOpt = Annotated[
    list[str] | None,
    typer.Option("--sweep", help="NAME=v1,v2,... or NAME=min:max[:step] or NAME (spec bounds)"),
]
SymbolsOpt = Annotated[
    list[str] | None, typer.Option("--symbols", help="A symbol set, e.g. SPY,QQQ (repeatable)")
]
KindOpt = Annotated[str | None, typer.Option("--kind", help="explicit | sweep | walk_forward")]





def parse_sweep(option: str) -> dict[str, Any]:
    """`fast=10,20,30` · `fast=10:50:10` · `fast=10:50` · `fast` (bounds from the spec)."""
    name, _, rest = option.partition("=")
    out: dict[str, Any] = {"name": name.strip()}
    if not rest:
        return out

    def number(text: str) -> Any:
        value = float(text)
        return int(value) if value.is_integer() and "." not in text else value

    try:
        if ":" in rest:
            parts = [number(p) for p in rest.split(":")]
            out.update(min=parts[0], max=parts[1])
            if len(parts) > 2:
                out["step"] = parts[2]
        else:
            out["values"] = [number(p) for p in rest.split(",") if p.strip()]
    except ValueError as exc:
        raise InvalidInput(f"bad --sweep {option!r}: {exc}", code="bad_sweep") from exc
    return out


def build_spec(
    spec_file: Path | None,
    *,
    name: str | None,
    kind: str | None,
    strategies: list[int] | None,
    version: int | None,
    start: str | None,
    end: str | None,
    sweeps: list[str] | None,
    symbols: list[str] | None,
    mode: str | None,
    samples: int | None,
    metric: str | None,
    train_days: int | None,
    test_days: int | None,
) -> Any:
    from api.services.views import BatchSpec

    data: dict[str, Any] = json.loads(spec_file.read_text()) if spec_file else {}
    if strategies:
        data["targets"] = [{"strategy_id": s, "version": version} for s in strategies]
    if start or end:
        if not (start and end):
            raise InvalidInput("give both --start and --end", code="bad_range")
        data["date_ranges"] = [{"start": start, "end": end}]
    if sweeps:
        data["sweep"] = [parse_sweep(s) for s in sweeps]
        data.setdefault("kind", "sweep")
    if symbols:
        data["symbols"] = [[p.strip().upper() for p in s.split(",") if p.strip()] for s in symbols]
    if train_days or test_days:
        data["kind"] = "walk_forward"
        data["walk_forward"] = {"train_days": train_days or 730, "test_days": test_days or 180}
    for key, value in (("name", name), ("kind", kind), ("mode", mode), ("samples", samples),
                       ("metric", metric)):
        if value is not None:
            data[key] = value
    try:
        return BatchSpec.model_validate(data)
    except ValidationError as exc:
        problems = [
            {"where": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
        ]
        raise InvalidInput(
            "; ".join(f"{p['where']}: {p['message']}" for p in problems) or str(exc),
            code="invalid_request",
            problems=problems,
        ) from exc


def _follow(service: Any, batch_id: int) -> Any:
    """A live progress bar on stderr until the batch ends; Ctrl-C cancels it."""
    view = service.batches.get_batch(None, batch_id)
    try:
        with progress_bar() as progress:
            task = progress.add_task(f"batch {batch_id}", total=view.counts.total)
            while True:
                view = service.batches.get_batch(None, batch_id)
                c = view.counts
                eta = f", ETA {view.eta_s:.0f}s" if view.eta_s else ""
                progress.update(
                    task,
                    total=c.total,
                    completed=view.done,
                    description=f"batch {batch_id}: {c.succeeded} ok, {c.failed} failed, "
                    f"{c.running} running{eta}",
                )
                if view.status not in ("queued", "running"):
                    return view
                time.sleep(0.5)
    except KeyboardInterrupt:
        err.print("cancelling the batch…")
        service.batches.cancel_batch(None, batch_id)
        return service.batches.wait_batch(batch_id, 60)


def _print_batch(view: Any) -> None:
    c = view.counts
    out.print(
        f"batch {view.id} [bold]{view.name}[/] ({view.kind}, {view.executor}): {view.status} — "
        f"{view.done}/{c.total} done, {c.succeeded} succeeded, {c.failed} failed, "
        f"{c.cancelled} cancelled" + (f", ETA {view.eta_s:.0f}s" if view.eta_s else "")
    )


def _print_results(results: dict[str, Any], top: int) -> None:
    metric = results["metric"]
    for screen in (results.get("summary") or {}).get("screens", []):
        where = f" (window {screen['window']})" if "window" in screen else ""
        out.print(f"fast engine{where}: {screen['variants']} variants screened in "
                  f"{screen['seconds']} s, dividends {screen['dividends']}; the best "
                  f"{screen['confirmed']} run on Lumibot")
    for strategy_id, reason in ((results.get("summary") or {}).get("fast_refused") or {}).items():
        out.print(f"strategy {strategy_id} searched on Lumibot: {reason}")
    screened = any("fast" in r for r in results["leaderboard"])
    table = Table(title=f"Leaderboard by {metric}")
    params = sorted({k for r in results["leaderboard"] for k in r["parameters"]})
    fast_columns = ("fast return", "parity") if screened else ()
    for column in ("rank", "run", "range", *params, metric, "total_return", "max_drawdown",
                   *fast_columns):
        table.add_column(column)
    for r in results["leaderboard"][:top]:
        m = r["metrics"] or {}
        extra = []
        if screened:
            fast = r.get("fast") or {}
            parity = "" if "differs" not in r else ("DIFFERS" if r["differs"] else "same")
            extra = [_fmt(fast.get("total_return")), parity]
        table.add_row(
            str(r["rank"]), str(r["run_id"]), f"{r['start']}→{r['end']}",
            *[str(r["parameters"].get(p, "")) for p in params],
            _fmt(r["metric"]), _fmt(m.get("total_return")), _fmt(m.get("max_drawdown")),
            *extra,
        )
    out.print(table)
    over = results.get("overfitting")
    if over:
        out.print(f"trials {over['trials']} · deflated Sharpe ratio of the best "
                  f"{_fmt(over['deflated_sharpe'])} · PBO {_fmt(over['pbo'])}")
        out.print(over["note"])
    for name, rows in results["parameter_tables"].items():
        t = Table(title=f"{name} → {metric}")
        for column in ("value", "runs", "mean", "best"):
            t.add_column(column)
        for row in rows:
            t.add_row(str(row["value"]), str(row["runs"]), _fmt(row["mean"]), _fmt(row["best"]))
        out.print(t)
    if results.get("walk_forward"):
        t = Table(title="Walk-forward: in-sample vs out-of-sample")
        for column in ("window", "train", "test", "chosen", "in-sample", "out-of-sample"):
            t.add_column(column)
        for w in results["walk_forward"]:
            t.add_row(str(w["window"]), "→".join(w["train"] or []), "→".join(w["test"]),
                      json.dumps(w["chosen"]), _fmt(w["in_sample"]), _fmt(w["out_of_sample"]))
        out.print(t)
    failed = [r for r in results["runs"] if r["status"] == "failed"]
    for r in failed[:10]:
        err.print(f"[red]run {r['run_id']} failed[/]: {r['error']}")


def _fmt(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else ("" if value is None else str(value))


@batch_app.command("run")
def batch_run(
    spec: SpecFile = None,
    name: Annotated[str | None, typer.Option("--name")] = None,
    kind: KindOpt = None,
    strategy: StrategyOpt = None,
    version: VersionOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    sweep: SweepOpt = None,
    symbols: SymbolsOpt = None,
    mode: Annotated[str | None, typer.Option("--mode", help="grid | random")] = None,
    samples: Annotated[int | None, typer.Option("--samples")] = None,
    metric: Annotated[str | None, typer.Option("--metric")] = None,
    train_days: Annotated[int | None, typer.Option("--train-days")] = None,
    test_days: Annotated[int | None, typer.Option("--test-days")] = None,
    top: Annotated[int, typer.Option("--top")] = 10,
    as_json: JsonFlag = False,
    engine: Annotated[str | None, typer.Option(
        "--engine", help="lumibot, or fast: screen every sweep variant on the fast engine, "
        "then run the best --confirm-top on Lumibot. A walk-forward searches its training "
        "windows on the fast engine unless told lumibot")] = None,
    confirm_top: Annotated[int | None, typer.Option("--confirm-top")] = None,
) -> None:
    """Create a batch and run it here with a live progress bar (Ctrl-C cancels it)."""
    service = services()
    try:
        with guard(as_json):
            body = build_spec(spec, name=name, kind=kind, strategies=strategy, version=version,
                              start=start, end=end, sweeps=sweep, symbols=symbols, mode=mode,
                              samples=samples, metric=metric, train_days=train_days,
                              test_days=test_days)
            if engine not in (None, "lumibot", "fast"):
                raise InvalidInput(f"unknown engine {engine!r}: lumibot or fast",
                                   code="bad_engine")
            body = body.model_copy(update={
                k: v for k, v in (("engine", engine), ("confirm_top", confirm_top))
                if v is not None})
            if engine == "fast" and not as_json:
                err.print("screening every variant on the fast engine…")
            view = service.planner.create_batch(service.user_id, body)
        if not as_json:
            err.print(f"batch {view.id}: {view.counts.total} run(s)")
        service.batches.submit_batch(view.id)
        view = _follow(service, view.id) if not as_json else service.batches.wait_batch(view.id)
        results = service.results.batch_results(None, view.id)
        if as_json:
            emit_json(results)
        else:
            _print_batch(view)
            _print_results(results, top)
    finally:
        service.close()
    if view.status != "succeeded" or view.counts.failed:
        raise typer.Exit(1)


@batch_app.command("status")
def batch_status(batch_id: int, follow: bool = False, as_json: JsonFlag = False) -> None:
    """A batch's progress: done / failed / total and ETA."""
    service = services()
    with guard(as_json):
        view = service.batches.get_batch(service.user_id, batch_id)
    if follow and view.status in ("queued", "running"):
        view = _follow(service, batch_id)
    if as_json:
        emit_json(view.model_dump(mode="json"))
    else:
        _print_batch(view)


@batch_app.command("cancel")
def batch_cancel(batch_id: int, as_json: JsonFlag = False) -> None:
    """Cancel a batch: queued runs end now, running ones are stopped by their coordinator."""
    service = services()
    with guard(as_json):
        view = service.batches.cancel_batch(service.user_id, batch_id)
    if as_json:
        emit_json(view.model_dump(mode="json"))
    else:
        _print_batch(view)


@batch_app.command("results")
def batch_results(
    batch_id: int,
    metric: Annotated[str | None, typer.Option("--metric")] = None,
    top: Annotated[int, typer.Option("--top")] = 10,
    export: Annotated[str | None, typer.Option("--export", help="csv | json | html")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Leaderboard, parameter tables and walk-forward report; or export the batch."""
    service = services()
    with guard(as_json):
        if export:
            content, _ = service.results.export_batch(service.user_id, batch_id, export, metric)
            if output:
                output.write_text(content, encoding="utf-8")
                err.print(f"wrote {output}")
            else:
                out.print(content, markup=False, highlight=False, soft_wrap=True)
            return
        results = service.results.batch_results(service.user_id, batch_id, metric, top)
    if as_json:
        emit_json(results)
    else:
        _print_results(results, top)


@batch_app.command("list")
def batch_list(as_json: JsonFlag = False) -> None:
    """Every batch."""
    service = services()
    views = service.batches.list_batches(service.user_id)
    if as_json:
        emit_json([v.model_dump(mode="json") for v in views])
        return
    for view in views:
        _print_batch(view)


@schedule_app.command("add")
def schedule_add(
    cron: Annotated[str, typer.Argument(help='e.g. "0 22 * * 1-5"')],
    tz: Annotated[str, typer.Option("--tz", help="IANA time zone")] = "UTC",
    name: Annotated[str, typer.Option("--name")] = "schedule",
    spec: SpecFile = None,
    kind: KindOpt = None,
    strategy: StrategyOpt = None,
    all_strategies: Annotated[bool, typer.Option("--all-strategies")] = False,
    start: StartOpt = None,
    end: EndOpt = None,
    sweep: SweepOpt = None,
    as_json: JsonFlag = False,
    data_update: Annotated[
        bool,
        typer.Option("--data-update", help="Update every stored symbol to the last close instead."),
    ] = False,
) -> None:
    """Run a batch at every occurrence of a cron expression (by the server's scheduler)."""
    from api.services.views import ScheduleIn

    service = services()
    with guard(as_json):
        if data_update:
            view = service.schedules.create_schedule(
                service.user_id,
                ScheduleIn(name=name, cron=cron, timezone=tz, data_update=True),
            )
            _print_schedule(view, as_json)
            return
        if not spec and not (start and end):
            end_day = date.today().isoformat()
            start, end = f"{date.today().year - 1}-01-01", end_day
        body = build_spec(spec, name=name, kind=kind, strategies=strategy, version=None,
                          start=start, end=end, sweeps=sweep, symbols=None, mode=None,
                          samples=None, metric=None, train_days=None, test_days=None)
        if all_strategies:
            body = body.model_copy(update={"all_strategies": True})
        view = service.schedules.create_schedule(
            service.user_id, ScheduleIn(name=name, cron=cron, timezone=tz, batch=body)
        )
    _print_schedule(view, as_json)


def _print_schedule(view: Any, as_json: bool) -> None:
    if as_json:
        emit_json(view.model_dump(mode="json"))
    else:
        out.print(f"schedule {view.id} {view.name!r}: {view.cron} ({view.timezone}), "
                      f"next at {view.next_fire_at}")


@schedule_app.command("list")
def schedule_list(as_json: JsonFlag = False) -> None:
    """Every schedule, with its next and last occurrence."""
    service = services()
    views = service.schedules.list_schedules(service.user_id)
    if as_json:
        emit_json([v.model_dump(mode="json") for v in views])
        return
    for v in views:
        out.print(f"{v.id} {v.name!r} {v.cron} ({v.timezone}) enabled={v.enabled} "
                         f"next={v.next_fire_at} last={v.last_fire_at}")


@schedule_app.command("rm")
def schedule_rm(schedule_id: int, as_json: JsonFlag = False) -> None:
    """Disable a schedule (its past batches stay)."""
    service = services()
    with guard(as_json):
        service.schedules.delete_schedule(service.user_id, schedule_id)
    if as_json:
        emit_json({"deleted": schedule_id})
    else:
        out.print(f"schedule {schedule_id} disabled")


def register(app: typer.Typer) -> None:
    app.add_typer(batch_app, name="batch")
    app.add_typer(schedule_app, name="schedule")
