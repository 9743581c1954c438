"""The dynamic half of the validation gate: import a version in a worker, run a smoke backtest
and the look-ahead probe (the same window with each current-day bar altered; orders must not
change). Both checks go through the executor like every backtest, side by side.

The static half (AST allow-list, compile) is `generator.validate.check_source`, run first:
code the static gate refused is never imported.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from api.services.code_facts import code_data_needs, declared_parameters
from api.services.context import AppContext
from api.services.rows import strategy_row, version_row
from api.services.runs import BacktestRunner
from api.services.views import StrategyView, strategy_view
from core.code_store import sha256_file
from core.errors import NotFound
from core.models import Strategy, StrategyVersion, ValidationStatus
from generator.validate import check_source
from runtime.backtest import BacktestRequest

LOOKAHEAD_MESSAGE = (
    "orders changed when each current-day bar was altered: the code decides on the bar of the "
    "day it trades (look-ahead). Decide on completed_bars(...) instead of the raw history."
)


CHECK_JOBS = 2  # the smoke backtest and the look-ahead probe


def static_report(problems: Any) -> list[dict[str, Any]]:
    return [
        {"stage": p.stage, "line": p.line, "column": p.column, "message": p.message}
        for p in problems
    ]


P = ParamSpec("P")
R = TypeVar("R")


class _Validating(Protocol):
    validation: ValidationService


S = TypeVar("S", bound=_Validating)


def checks_admitted(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """For a service method that ends by validating a new version: take the admission for its
    checks first, so that a busy server refuses (`ServerBusy`) before anything is recorded."""

    @functools.wraps(method)
    def admitted(self: S, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.validation.admitted():
            return method(self, *args, **kwargs)

    return admitted


class ValidationService:
    def __init__(self, ctx: AppContext, runner: BacktestRunner) -> None:
        self.ctx = ctx
        self.runner = runner

    @contextmanager
    def admitted(self) -> Iterator[None]:
        """Admission for one version's checks (smoke backtest and probe run side by side)."""
        with self.runner.admitted(CHECK_JOBS):
            yield

    def validate_version(self, user_id: int, strategy_id: int, number: int) -> StrategyView:
        """Run the dynamic gate on a recorded version and store its report."""
        with self.ctx.session() as db:
            strategy = strategy_row(db, user_id=user_id, strategy_id=strategy_id)
            version = version_row(db, strategy=strategy, number=number)
            report = self._dynamic_checks(strategy, version)
            version.validation_status = (
                ValidationStatus.passed.value if report["ok"] else ValidationStatus.failed.value
            )
            version.validation_report = report
            db.add(version)
            db.commit()
            return strategy_view(strategy, version)

    def _smoke_range(self, symbols: list[str]) -> tuple[date, date] | None:
        days = self.ctx.settings.smoke_backtest_days
        if days <= 0:
            return None
        end = min(self.ctx.market.coverage(s).end for s in symbols)
        return end - timedelta(days=days), end

    def _dynamic_checks(self, strategy: Strategy, version: StrategyVersion) -> dict[str, Any]:
        path = self.ctx.code.absolute(version.code_path)
        source = path.read_text(encoding="utf-8")
        static = check_source(source, filename=path.name)
        if not static.ok:  # never import code the static gate refused
            return {"ok": False, "checks": ["static"], "problems": static_report(static.problems)}
        symbols, warmup = code_data_needs(source, version)
        return self.check_code(
            path,
            version.sha256,
            version.class_name,
            symbols,
            warmup,
            label=f"{strategy.slug}_v{version.number}",
        )

    def check_code(
        self,
        path: Path,
        sha256: str,
        class_name: str,
        symbols: list[str],
        warmup: int,
        label: str,
    ) -> dict[str, Any]:
        """Import, smoke backtest and look-ahead probe of a file that passed the static gate."""
        report: dict[str, Any] = {"ok": True, "problems": [], "checks": ["static"]}
        base: dict[str, Any] = dict(
            code_path=str(path),
            sha256=sha256,
            class_name=class_name,
            data_symbols=symbols,
            market_data_dir=str(self.ctx.market.root),
            warmup_bars=warmup,
            tearsheet=False,
            risk_free_rate=self.ctx.settings.risk_free_rate,
        )
        window = self._smoke_range(symbols) if symbols else None
        if window is None:
            request = BacktestRequest(
                start=date.today(), end=date.today(), import_only=True, **base
            )
            outcome = self.runner.run_unrecorded([(request, self._check_dir(label, "import"))])[0]
            report["checks"].append("import")
            if not outcome.ok:
                report["ok"] = False
                report["problems"].append(
                    {"stage": "import", "message": outcome.error, "traceback": outcome.traceback}
                )
            return report
        start, end = window
        normal_req = BacktestRequest(start=start, end=end, **base)
        probe_req = BacktestRequest(start=start, end=end, lookahead_probe=True, **base)
        normal, probe = self.runner.run_unrecorded(
            [
                (normal_req, self._check_dir(label, "smoke")),
                (probe_req, self._check_dir(label, "probe")),
            ]
        )
        report["checks"] += ["import", "smoke_backtest", "lookahead_probe"]
        report["smoke_range"] = [start.isoformat(), end.isoformat()]
        if not normal.ok:
            report["ok"] = False
            report["problems"].append(
                {"stage": "smoke", "message": normal.error, "traceback": normal.traceback}
            )
            return report
        report["smoke_fills"] = len(normal.result.get("fills", []))
        if not probe.ok or probe.result.get("fills") != normal.result.get("fills"):
            report["ok"] = False
            report["problems"].append(
                {
                    "stage": "lookahead",
                    "message": LOOKAHEAD_MESSAGE,
                }
            )
        return report

    def _check_dir(self, label: str, kind: str) -> Path:
        return self.ctx.settings.runs_dir / "checks" / f"{label}_{kind}"

    def check_file(self, path: Path) -> dict[str, Any]:
        """The whole validation gate on any file: static checks, then (if they pass) import,
        smoke backtest and look-ahead probe on the symbols its `parameters` declare."""
        if not path.is_file():
            raise NotFound(f"no file {path}", code="file_not_found")
        source = path.read_text(encoding="utf-8")
        static = check_source(source, filename=path.name)
        if not static.ok:
            return {
                "ok": False,
                "file": str(path),
                "checks": ["static"],
                "problems": static_report(static.problems),
            }
        declared = declared_parameters(source)
        symbols = [str(s) for s in declared.get("data_symbols") or declared.get("symbols") or []]
        known = self.ctx.known_symbols()
        missing = [s for s in symbols if s not in known]
        if missing:
            return {
                "ok": False,
                "file": str(path),
                "checks": ["static"],
                "problems": [
                    {"stage": "data", "line": 0, "message": f"no market data for {missing}"}
                ],
            }
        report: dict[str, Any] = self.check_code(
            path,
            sha256_file(path),
            static.class_name or "",
            symbols,
            int(declared.get("history_bars") or 0),
            label=f"check_{path.stem}",
        )
        report["file"] = str(path)
        return report
