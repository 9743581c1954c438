"""CLI commands for live bots: deploy, stop, resume, clear-halt, status, positions, orders,
kill, credentials and the supervisor. Registered on the main `stratforge` app by `api.cli`.
(`stratforge venue`, the local paper venue itself, lives in `api.cli`.)"""

from __future__ import annotations

import time
from typing import Annotated, Any, cast

import typer
from rich.table import Table

from api.cli.console import (
    JsonFlag,
    emit_json,
    err,
    guard,
    out,
    services,
)
from core.errors import InvalidInput

credentials_app = typer.Typer(help="Your Alpaca keys (stored encrypted, never shown).",
                              no_args_is_help=True)
supervisor_app = typer.Typer(help="The process that runs the bots of this data directory.",
                             no_args_is_help=True)





def _deployments_table(rows: list[Any]) -> Table:
    table = Table(title="Deployments")
    for column in ("id", "strategy", "mode", "state", "pid", "uptime", "restarts", "heartbeat",
                   "equity", "P&L today", "note"):
        table.add_column(column)
    for d in rows:
        broker = f"broker: {d.broker_error}" if d.broker_error else ""
        note = d.halt_reason or broker or d.last_error or ""
        table.add_row(
            str(d.id), f"{d.strategy_id} v{d.version}", d.mode, d.state, str(d.pid or "-"),
            f"{d.uptime_s:.0f}s" if d.uptime_s is not None else "-", str(d.restarts),
            f"{d.heartbeat_age_s:.0f}s ago" if d.heartbeat_age_s is not None else "-",
            f"{d.equity:,.2f}" if d.equity is not None else "-",
            f"{d.pnl_day:+,.2f}" if d.pnl_day is not None else "-", note[:60],
        )
    return table


def _emit_deployments(rows: list[Any], as_json: bool) -> None:
    if as_json:
        emit_json([r.model_dump(mode="json") for r in rows])
    else:
        out.print(_deployments_table(rows))


def _wait_state(service: Any, deployment_id: int, states: set[str], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    view = service.deployments.get_deployment(service.user_id, deployment_id)
    while view.state not in states and time.monotonic() < deadline:
        time.sleep(0.25)
        view = service.deployments.get_deployment(service.user_id, deployment_id)
    return view


def register(app: typer.Typer) -> None:
    app.add_typer(credentials_app, name="credentials")
    app.add_typer(supervisor_app, name="supervisor")

    @app.command()
    def deploy(
        strategy_id: int,
        version: Annotated[int | None, typer.Option(help="Version; default the latest")] = None,
        mode: Annotated[str, typer.Option(help="paper | live | venue. Paper with no Alpaca "
                                          "keys runs on the local paper venue.")] = "paper",
        sleeptime: Annotated[str | None, typer.Option(help="Override, e.g. 30S")] = None,
        max_position_pct: Annotated[float | None, typer.Option()] = None,
        max_order_notional: Annotated[float | None, typer.Option()] = None,
        max_open_orders: Annotated[int | None, typer.Option()] = None,
        max_orders_per_minute: Annotated[int | None, typer.Option()] = None,
        max_daily_loss_pct: Annotated[float | None, typer.Option()] = None,
        model: Annotated[str | None, typer.Option(
            help="An agent: who decides (offline, openai[:model], …); default its spec's")] = None,
        max_cost: Annotated[float | None, typer.Option(
            help="An agent: model cost cap in USD for this deployment (then it holds)")] = None,
        wait: Annotated[bool, typer.Option(help="Wait until the bot runs")] = False,
        as_json: JsonFlag = False,
    ) -> None:
        """Deploy a validated strategy version as a supervised bot."""
        from api.services.views import DeployMode, DeployRequest
        from runtime.risk_gate import RiskLimits

        service = services()
        overrides: dict[str, Any] = {k: v for k, v in {
            "max_position_pct": max_position_pct, "max_order_notional": max_order_notional,
            "max_open_orders": max_open_orders, "max_orders_per_minute": max_orders_per_minute,
            "max_daily_loss_pct": max_daily_loss_pct}.items() if v is not None}
        with guard(as_json):
            if mode not in ("paper", "live", "venue"):
                raise InvalidInput(f"unknown mode {mode!r}; use paper, live or venue",
                                   code="bad_mode")
            view = service.deployments.deploy(service.user_id, DeployRequest(
                strategy_id=strategy_id, version=version, mode=cast(DeployMode, mode),
                sleeptime=sleeptime, limits=RiskLimits(**overrides),
                parameters={k: v for k, v in {"model": model, "max_cost_usd": max_cost}.items()
                            if v is not None}))
            if wait:
                view = _wait_state(service, view.id, {"RUNNING", "FATAL", "HALTED",
                                                      "MISMATCH", "STOPPED"}, 120.0)
        _emit_deployments([view], as_json)

    @app.command()
    def stop(deployment_id: int,
             wait: Annotated[bool, typer.Option(help="Wait until it stopped")] = True,
             as_json: JsonFlag = False) -> None:
        """Stop a bot: it cancels its open orders and exits."""
        service = services()
        with guard(as_json):
            view = service.deployments.stop_deployment(service.user_id, deployment_id)
            if wait:
                view = _wait_state(service, deployment_id, {"STOPPED", "HALTED", "FATAL",
                                                            "MISMATCH"}, 60.0)
        _emit_deployments([view], as_json)

    @app.command()
    def resume(deployment_id: int, as_json: JsonFlag = False) -> None:
        """Run a stopped deployment again."""
        service = services()
        with guard(as_json):
            view = service.deployments.start_deployment(service.user_id, deployment_id)
        _emit_deployments([view], as_json)

    @app.command("clear-halt")
    def clear_halt(deployment_id: int, as_json: JsonFlag = False) -> None:
        """Clear a HALTED deployment (a person's decision); it stays stopped until resumed."""
        service = services()
        with guard(as_json):
            view = service.deployments.clear_halt(service.user_id, deployment_id)
        _emit_deployments([view], as_json)

    @app.command()
    def status(deployment_id: Annotated[int | None, typer.Argument()] = None,
               as_json: JsonFlag = False) -> None:
        """Deployments: state, pid, uptime, restarts, last heartbeat, equity, P&L."""
        service = services()
        with guard(as_json):
            rows = ([service.deployments.get_deployment(service.user_id, deployment_id)]
                    if deployment_id is not None
                    else service.deployments.list_deployments(service.user_id))
        _emit_deployments(rows, as_json)

    @app.command()
    def positions(as_json: JsonFlag = False) -> None:
        """Positions at the broker(s) your bots trade on."""
        service = services()
        with guard(as_json):
            rows = service.deployments.positions(service.user_id)
        if as_json:
            emit_json(rows)
            return
        table = Table(title="Positions")
        for column in ("broker", "symbol", "qty", "avg entry", "market value", "unrealized"):
            table.add_column(column)
        for p in rows:
            table.add_row(p["broker"], p["symbol"], f"{p['qty']:g}",
                          f"{p['avg_entry_price']:,.2f}", f"{p['market_value']:,.2f}",
                          f"{p['unrealized_pl']:+,.2f}")
        out.print(table)

    @app.command()
    def orders(
        deployment: Annotated[int | None, typer.Option(help="Only this deployment")] = None,
        cancel: Annotated[int | None, typer.Option(help="Cancel this order id")] = None,
        place: Annotated[str | None, typer.Option(
            help="Manual order 'buy 10 SPY' (passes the risk gate)")] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """Orders of your bots (and manual ones); --place or --cancel one."""
        from api.services.views import ManualOrder

        service = services()
        with guard(as_json):
            if cancel is not None:
                service.deployments.cancel_order(service.user_id, cancel)
            if place is not None:
                parts = place.split()
                if len(parts) != 3:
                    raise typer.BadParameter("--place 'buy|sell QTY SYMBOL'")
                service.deployments.place_order(service.user_id, ManualOrder(
                    side=parts[0].lower(), qty=float(parts[1]), symbol=parts[2].upper()))
            rows = service.deployments.list_orders(service.user_id, deployment)
        if as_json:
            emit_json([r.model_dump(mode="json") for r in rows])
            return
        table = Table(title="Orders")
        for column in ("id", "deployment", "client order id", "symbol", "side", "qty", "filled",
                       "avg price", "status", "reason"):
            table.add_column(column)
        for o in rows:
            table.add_row(str(o.id), str(o.deployment_id or "manual"), o.client_order_id,
                          o.symbol, o.side, f"{o.qty:g}", f"{o.filled_qty:g}",
                          f"{o.filled_avg_price:,.2f}" if o.filled_avg_price else "-",
                          o.status, (o.reason or "")[:60])
        out.print(table)

    @app.command()
    def reconcile(
        deployment_id: int,
        since: Annotated[str | None, typer.Option(help="First day YYYY-MM-DD; default the "
                                                  "bot's start")] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """Paper against a backtest replay of the same days from the same book: missed or
        extra orders, timing, slippage, fees, partial fills; exit 0 either way (`drift` says
        whether it is beyond the tolerance, and then you are notified)."""
        from datetime import date

        service = services()
        with guard(as_json):
            try:
                first = date.fromisoformat(since) if since else None
            except ValueError as exc:
                raise InvalidInput(f"--since {since!r} is not YYYY-MM-DD",
                                   code="bad_date") from exc
            report = service.reconciliation.reconcile(service.user_id, deployment_id, first)
        if as_json:
            emit_json(report.model_dump(mode="json"))
            return
        table = Table(title=f"Deployment {deployment_id}: paper vs backtest, "
                            f"{report.start}..{report.end}")
        for column in ("day", "symbol", "side", "paper qty", "paper price", "backtest qty",
                       "backtest price", "differences"):
            table.add_column(column)
        for line in report.lines:
            p, b = line.paper, line.backtest
            first_side = p or b
            assert first_side is not None
            table.add_row(
                str(first_side.day), first_side.symbol, first_side.side,
                f"{p.filled_qty:g}/{p.qty:g}" if p else "refused" if line.refusal else "-",
                f"{p.price:,.4f}" if p and p.price else "-",
                f"{b.qty:g}" if b else "-", f"{b.price:,.4f}" if b and b.price else "-",
                "; ".join(d.detail for d in line.differences) or "none")
        out.print(table)
        t = report.totals
        out.print(f"orders: paper {t.paper_orders}, backtest {t.backtest_orders}, matched "
                  f"{t.matched}, missed {t.missed} ({t.refused} refused by the risk gate), "
                  f"extra {t.extra}, partial {t.partial}, "
                  f"late {t.late}; slippage {t.slippage_cost:+,.2f} ({t.slippage_bps:+.2f} bps)"
                  f"; differences {len(report.differences)}")
        out.print("[red]beyond the tolerance: you were notified[/red]" if report.drift
                  else "within the tolerance")

    @app.command()
    def kill(
        flatten: Annotated[bool, typer.Option(help="Also close every position")] = False,
        yes: Annotated[bool, typer.Option("--yes", help="Do not ask")] = False,
        as_json: JsonFlag = False,
    ) -> None:
        """Kill switch: HALT every bot, cancel their open orders (and --flatten positions)."""
        if not yes and not as_json:
            typer.confirm("Halt every deployment and cancel their orders?", abort=True)
        service = services()
        with guard(as_json):
            report = service.deployments.kill_switch(service.user_id, flatten=flatten)
        if as_json:
            emit_json(report.model_dump())
            return
        out.print(f"halted {len(report.halted)} deployment(s) {report.halted}, cancelled "
                      f"{report.cancelled_orders} order(s), flattened {report.flattened or '-'}")
        for error in report.errors:
            err.print(f"[red]error[/]: {error}")

    @credentials_app.command("set")
    def credentials_set(
        key_id: Annotated[str, typer.Option(prompt=True, help="Alpaca key id")],
        secret: Annotated[str, typer.Option(prompt=True, hide_input=True,
                                            help="Alpaca secret (prompted, hidden)")],
        live: Annotated[bool, typer.Option(help="Keys of a live account")] = False,
        as_json: JsonFlag = False,
    ) -> None:
        """Store your Alpaca keys, encrypted at rest."""
        service = services()
        with guard(as_json):
            result = service.deployments.store_credentials(service.user_id, key_id, secret,
                                               paper=not live)
        emit_json(result) if as_json else out.print(
            f"stored key {result['key_id']} ({'paper' if result['paper'] else 'live'})")

    @credentials_app.command("show")
    def credentials_show(as_json: JsonFlag = False) -> None:
        """Which keys would be used (masked)."""
        service = services()
        with guard(as_json):
            result = service.deployments.credentials_status(service.user_id)
        emit_json(result) if as_json else out.print(
            f"source: {result['source']}, key: {result['key_id'] or '-'}")

    @credentials_app.command("delete")
    def credentials_delete() -> None:
        """Forget your stored keys."""
        service = services()
        service.deployments.delete_credentials(service.user_id)
        out.print("deleted")

    @supervisor_app.command("status")
    def supervisor_state(as_json: JsonFlag = False) -> None:
        """Is the supervisor of this data directory running?"""
        result = services().deployments.supervisor_status()
        emit_json(result) if as_json else out.print(
            f"running, pid {result['pid']}" if result else "not running")

    @supervisor_app.command("stop")
    def supervisor_stop() -> None:
        """Stop the supervisor; bots keep running and the next supervisor adopts them."""
        out.print("stopped" if services().deployments.stop_supervisor() else "not running")

    @supervisor_app.command("run")
    def supervisor_run() -> None:
        """Run the supervisor in the foreground (e.g. under systemd)."""
        from api.supervisor_host import main

        raise typer.Exit(main())
