"""CLI commands for model work: `stratforge generations` (the ledger with totals) and the
`--compare` flow of `stratforge new`. Registered on the main `stratforge` app by `api.cli`."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from api.cli.console import (
    JsonFlag,
    emit_json,
    err,
    fail,
    out,
    print_strategy,
    services,
    spinner,
)
from core.errors import StratforgeError


def _strategy_doc(service: Any, view: Any) -> dict[str, Any]:
    version = view.version
    return {
        "strategy_id": view.id,
        "name": view.name,
        "version": version.number,
        "spec": version.spec,
        "summary": version.summary,
        "code_path": str(service.strategies.code_file(version)),
        "validation": {"status": version.validation_status, **(version.validation or {})},
    }


def _choose(comparison: Any, pick: str | None, as_json: bool) -> Any | None:
    valid = [c for c in comparison.candidates if c.ok]
    if pick is None:
        if as_json or not valid or not sys.stdin.isatty():
            return None
        pick = typer.prompt("Pick a candidate by number (0 for none)", default="0")
    pick = pick.strip()
    if pick.isdigit():
        index = int(pick)
        if index == 0:
            return None
        if 1 <= index <= len(comparison.candidates):
            return comparison.candidates[index - 1]
    for candidate in comparison.candidates:
        if pick in (candidate.label, f"{candidate.provider}:{candidate.model}"):
            return candidate
    raise typer.BadParameter(f"no candidate {pick!r}", param_hint="--pick")


def _print_comparison(comparison: Any) -> None:
    table = Table(title=f"Candidates · request {comparison.request_id}")
    for column in ("#", "provider:model", "result", "summary", "tokens in/out", "cost $", "ms"):
        table.add_column(column)
    for number, c in enumerate(comparison.candidates, start=1):
        result = "[green]ok[/]" if c.ok else f"[red]{(c.error or {}).get('code')}[/]"
        summary = c.summary if c.ok else (c.error or {}).get("message", "")
        table.add_row(
            str(number),
            c.label,
            result,
            summary or "",
            f"{c.tokens_in}/{c.tokens_out}",
            f"{c.cost_usd:.5f}",
            f"{c.latency_ms:.0f}",
        )
    out.print(table)
    if comparison.differences:
        labels = [c.label for c in comparison.candidates if c.ok]
        diff = Table(title="Differences between the specs")
        diff.add_column("field")
        for label in labels:
            diff.add_column(label)
        for d in comparison.differences:
            diff.add_row(d.path, *(str(d.values.get(label)) for label in labels))
        out.print(diff)
    elif comparison.identical:
        out.print("The valid candidates' specs are identical.")


def run_compare(service: Any, text: str, compare: str, pick: str | None, as_json: bool) -> None:
    user = service.user_id
    try:
        with spinner("asking every model"):
            comparison = service.models.compare_strategies(user, text, compare.split(","))
    except StratforgeError as exc:
        fail(exc, as_json)
        return
    if not as_json:
        _print_comparison(comparison)
    chosen = _choose(comparison, pick, as_json)
    accepted: dict[str, Any] | None = None
    if chosen is not None:
        try:
            with spinner(f"saving {chosen.label} and validating"):
                view = service.models.accept_candidate(user, chosen.generation_id)
        except StratforgeError as exc:
            fail(exc, as_json)
            return
        accepted = _strategy_doc(service, view)
        if not as_json:
            print_strategy(service, view, False)
    elif not as_json and any(c.ok for c in comparison.candidates):
        err.print(
            "nothing saved; pick one with `--pick N` "
            f"(or POST /generations/{{id}}/accept), request {comparison.request_id}"
        )
    if as_json:
        emit_json({"comparison": comparison.model_dump(mode="json"), "accepted": accepted})
    if not any(c.ok for c in comparison.candidates):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    @app.command("generations")
    def generations(
        limit: Annotated[int, typer.Option(help="How many rows to show")] = 20,
        strategy: Annotated[int | None, typer.Option(help="Only this strategy's")] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """Model requests: provider, model, tokens, cost, latency, outcome, with totals."""
        service = services()
        report = service.generations.report(
            service.user_id, limit=limit, strategy_id=strategy
        )
        if as_json:
            emit_json(report.model_dump(mode="json"))
            return
        table = Table(title="Generations (newest first)")
        for column in (
            "id",
            "when",
            "purpose",
            "provider:model",
            "outcome",
            "tokens in/out",
            "cost $",
            "ms",
            "tries",
            "strategy",
        ):
            table.add_column(column)
        for g in report.generations:
            table.add_row(
                str(g.id),
                g.created_at.strftime("%Y-%m-%d %H:%M"),
                g.purpose,
                f"{g.provider}:{g.model}",
                g.outcome,
                f"{g.tokens_in}/{g.tokens_out}",
                f"{g.cost_usd:.5f}",
                f"{g.latency_ms:.0f}",
                str(len(g.attempts)),
                str(g.strategy_id or ""),
            )
        out.print(table)
        t = report.totals
        out.print(
            f"total: {t.generations} generations · {t.tokens_in} tokens in · "
            f"{t.tokens_out} out · ${t.cost_usd:.4f}"
        )
        for m in report.by_model:
            out.print(
                f"  {m.provider}:{m.model}: {m.generations} · {m.tokens_in}/{m.tokens_out} "
                f"tokens · ${m.cost_usd:.4f}"
            )
        today = report.today
        budget_tokens = today.token_budget if today.token_budget is not None else "no limit"
        budget_cost = (
            f"${today.cost_budget_usd:.4f}" if today.cost_budget_usd is not None else "no limit"
        )
        out.print(
            f"today: {today.tokens_today} tokens (budget {budget_tokens}) · "
            f"${today.cost_today_usd:.4f} (budget {budget_cost})"
        )
