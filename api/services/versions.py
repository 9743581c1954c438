"""Developers own the generated code: edits become versions; list, diff, restore, clone,
delete, regenerate and export; and `runnable`, the one check that a version may run.

Rules kept here:
* a version is immutable once recorded: an edited `vN.py` (sha256 no longer matching) becomes
  version N+1 with parent N and origin "edited", and `vN.py` is put back as recorded;
* every new version passes the validation gate before it can be backtested;
* nothing a developer wrote is ever overwritten: regeneration and restore write new versions.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from api.services.code_facts import code_data_needs, declared_parameters
from api.services.context import AppContext
from api.services.export import standalone_source
from api.services.rows import runnable_version, strategy_row, version_row
from api.services.strategies import StrategyService
from api.services.validation import ValidationService, checks_admitted
from api.services.views import ScanResult, StrategyView, VersionRow
from core.code_store import sha256_file
from core.errors import Conflict, InvalidInput, NotFound
from core.models import (
    BacktestRun,
    Deployment,
    DeploymentDesired,
    RunStatus,
    Strategy,
    StrategyVersion,
    ValidationStatus,
    VersionOrigin,
)
from generator.agent_spec import is_agent_spec
from generator.validate import check_source


@dataclass(frozen=True)
class RunTarget:
    """A version checked to be runnable, with what its runs need to know."""

    strategy_id: int
    version_id: int
    version: int
    declared: dict[str, Any]
    data_symbols: list[str]
    warmup_bars: int


def unified_diff(old: str, new: str, old_name: str, new_name: str) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=old_name,
            tofile=new_name,
        )
    )


class VersionService:
    def __init__(
        self, ctx: AppContext, strategies: StrategyService, validation: ValidationService
    ) -> None:
        self.ctx = ctx
        self.strategies = strategies
        self.validation = validation

    def runnable(
        self, user_id: int, strategy_id: int, number: int | None, *, purpose: str
    ) -> RunTarget:
        """Check that a version may run, once, for every kind of run: an unrecorded edit
        becomes a version first, a version whose validation never finished is validated now,
        then it must be validated and its file as recorded (`rows.runnable_version`)."""
        self.scan_versions(user_id, strategy_id)
        with self.ctx.session() as db:
            version = version_row(
                db,
                strategy=strategy_row(db, user_id=user_id, strategy_id=strategy_id),
                number=number,
            )
            pending = version.validation_status == ValidationStatus.pending.value
        if pending:  # e.g. the process stopped during validation: finish it now
            self.validation.validate_version(user_id, strategy_id, version.number)
        with self.ctx.session() as db:
            strategy = strategy_row(db, user_id=user_id, strategy_id=strategy_id)
            checked = runnable_version(
                db, self.ctx.code, strategy=strategy, number=number, purpose=purpose
            )
            source = checked.path.read_text(encoding="utf-8")
            symbols, warmup = code_data_needs(source, checked.version)
            return RunTarget(
                strategy_id=strategy.id or 0,
                version_id=checked.version.id or 0,
                version=checked.version.number,
                declared=declared_parameters(source),
                data_symbols=symbols,
                warmup_bars=warmup,
            )

    def scan_versions(self, user_id: int, strategy_id: int | None = None) -> list[ScanResult]:
        """Find edited files and record each as a new, validated version."""
        found: list[tuple[int, int, int, str]] = []
        with self.ctx.session() as db:
            query = select(Strategy).where(
                Strategy.owner_id == user_id, col(Strategy.deleted_at).is_(None)
            )
            if strategy_id is not None:
                query = query.where(Strategy.id == strategy_id)
            for strategy in db.exec(query.order_by(col(Strategy.id))).all():
                versions = db.exec(
                    select(StrategyVersion)
                    .where(StrategyVersion.strategy_id == strategy.id)
                    .order_by(col(StrategyVersion.number))
                ).all()
                for version in versions:
                    path = self.ctx.code.absolute(version.code_path)
                    if not path.exists() or sha256_file(path) == version.sha256:
                        continue
                    edited = path.read_text(encoding="utf-8")
                    original = self.ctx.code.pristine_source(strategy.slug, version.number) or ""
                    report = check_source(edited, filename=path.name)
                    number = self.strategies.record_version(
                        db,
                        strategy,
                        source=edited,
                        origin=VersionOrigin.edited.value,
                        parent=version.number,
                        spec=version.spec,
                        summary=version.summary,
                        class_name=report.class_name or version.class_name,
                    )
                    self.ctx.code.restore_file(strategy.slug, version.number)
                    diff = unified_diff(original, edited, f"v{version.number}.py", f"v{number}.py")
                    found.append((strategy.id or 0, version.number, number, diff))
        results = []
        for sid, old, new, diff in found:
            view = self.validation.validate_version(user_id, sid, new)
            status = view.version.validation_status if view.version else "pending"
            results.append(ScanResult(sid, old, new, status, diff))
        return results

    def list_versions(self, user_id: int, strategy_id: int) -> list[VersionRow]:
        with self.ctx.session() as db:
            strategy = strategy_row(db, user_id=user_id, strategy_id=strategy_id)
            versions = db.exec(
                select(StrategyVersion)
                .where(StrategyVersion.strategy_id == strategy.id)
                .order_by(col(StrategyVersion.number))
            ).all()
            rows = []
            for v in versions:
                last = db.exec(
                    select(BacktestRun.id, BacktestRun.metrics)
                    .where(
                        BacktestRun.version_id == v.id,
                        BacktestRun.status == RunStatus.succeeded.value,
                    )
                    .order_by(col(BacktestRun.id).desc()).limit(1)
                ).first()
                rows.append(
                    VersionRow(
                        number=v.number,
                        parent=v.parent_number,
                        origin=v.origin,
                        validation_status=v.validation_status,
                        sha256=v.sha256,
                        created_at=v.created_at,
                        latest_backtest=(
                            {"run_id": last[0], **(last[1] or {})} if last else None
                        ),
                    )
                )
            return rows

    def diff_versions(self, user_id: int, strategy_id: int, a: int, b: int) -> str:
        with self.ctx.session() as db:
            strategy = strategy_row(db, user_id=user_id, strategy_id=strategy_id)
            for number in (a, b):
                version_row(db, strategy=strategy, number=number)
            old = self.ctx.code.pristine_source(strategy.slug, a) or ""
            new = self.ctx.code.pristine_source(strategy.slug, b) or ""
        return unified_diff(old, new, f"v{a}.py", f"v{b}.py")

    @checks_admitted
    def restore_version(self, user_id: int, strategy_id: int, number: int) -> StrategyView:
        with self.ctx.session() as db:
            strategy = strategy_row(db, user_id=user_id, strategy_id=strategy_id)
            old = version_row(db, strategy=strategy, number=number)
            source = self.ctx.code.pristine_source(strategy.slug, number)
            if source is None:
                raise NotFound(f"version {number} has no recorded source", code="code_missing")
            new = self.strategies.record_version(
                db,
                strategy,
                source=source,
                origin=VersionOrigin.restored.value,
                parent=number,
                spec=old.spec,
                summary=old.summary,
                class_name=old.class_name,
            )
        return self.validation.validate_version(user_id, strategy_id, new)

    @checks_admitted
    def clone_strategy(self, user_id: int, strategy_id: int, name: str) -> StrategyView:
        name = name.strip()
        if not name or len(name) > 80:
            raise InvalidInput("a clone needs a name of 1 to 80 characters", code="bad_name")
        with self.ctx.session() as db:
            original = strategy_row(db, user_id=user_id, strategy_id=strategy_id)
            latest = version_row(db, strategy=original, number=None)
            source = self.ctx.code.pristine_source(original.slug, latest.number)
            if source is None:
                raise NotFound("the latest version has no recorded source", code="code_missing")
            clone = self.strategies.insert_strategy(db, user_id=user_id, name=name,
                                                    text=original.text)
            self.strategies.record_version(
                db,
                clone,
                source=source,
                origin=latest.origin,
                parent=None,
                spec=latest.spec,
                summary=latest.summary,
                class_name=latest.class_name,
            )
            clone_id = clone.id or 0
        return self.validation.validate_version(user_id, clone_id, 1)

    def delete_strategy(self, user_id: int, strategy_id: int) -> None:
        """Soft delete: rows and files stay; the strategy disappears from lists."""
        with self.ctx.session() as db:
            strategy = strategy_row(db, user_id=user_id, strategy_id=strategy_id)
            running = db.exec(
                select(BacktestRun).where(
                    BacktestRun.strategy_id == strategy.id,
                    col(BacktestRun.status).in_([RunStatus.queued.value, RunStatus.running.value]),
                )
            ).first()
            if running is not None:
                raise Conflict(
                    f"backtest run {running.id} of this strategy is still {running.status}",
                    code="strategy_busy",
                )
            live = db.exec(
                select(Deployment).where(
                    Deployment.strategy_id == strategy.id,
                    Deployment.desired == DeploymentDesired.running.value,
                )
            ).first()
            if live is not None:
                raise Conflict(
                    f"deployment {live.id} of this strategy is running; stop it first",
                    code="strategy_deployed",
                )
            strategy.deleted_at = datetime.now(UTC)
            db.add(strategy)
            db.commit()

    @checks_admitted
    def regenerate(
        self, user_id: int, strategy_id: int, provider: str | None = None
    ) -> tuple[StrategyView, str | None]:
        """Generate again from the stored text; the result is a new version beside the old.

        Returns the view and a conflict note when the latest version was an edit."""
        with self.ctx.session() as db:
            strategy = strategy_row(db, user_id=user_id, strategy_id=strategy_id)
            text = strategy.text
            if is_agent_spec(version_row(db, strategy=strategy, number=None).spec):
                raise InvalidInput(  # the rule parser would turn an agent into something else
                    "this strategy is an agent: make a new one from its text with "
                    "`stratforge agents new` (POST /agents)", code="agent_not_regenerable",
                )
        self.scan_versions(user_id, strategy_id)  # an unrecorded edit becomes a version first
        generated = self.strategies.generate(text, self.strategies.provider(provider, user_id))
        with self.ctx.session() as db:
            strategy = strategy_row(db, user_id=user_id, strategy_id=strategy_id)
            latest = version_row(db, strategy=strategy, number=None)
            note = None
            if latest.origin == VersionOrigin.edited.value:
                note = (
                    f"version {latest.number} was edited by hand; the regenerated code is "
                    f"version {latest.number + 1} beside it (nothing was overwritten)"
                )
            new = self.strategies.record_version(
                db,
                strategy,
                source=generated.code,
                origin=VersionOrigin.generated.value,
                parent=latest.number,
                spec=generated.spec.model_dump(mode="json"),
                summary=generated.summary,
                class_name=generated.class_name,
            )
        return self.validation.validate_version(user_id, strategy_id, new), note

    def latest_code_path(self, user_id: int, strategy_id: int) -> Path:
        with self.ctx.session() as db:
            strategy = strategy_row(db, user_id=user_id, strategy_id=strategy_id)
            path: Path = self.ctx.code.absolute(
                version_row(db, strategy=strategy, number=None).code_path
            )
            return path

    def export_version(self, user_id: int, strategy_id: int, number: int | None) -> str:
        with self.ctx.session() as db:
            strategy = strategy_row(db, user_id=user_id, strategy_id=strategy_id)
            version = version_row(db, strategy=strategy, number=number)
            source = self.ctx.code.pristine_source(strategy.slug, version.number)
            if source is None:
                raise NotFound("no recorded source for that version", code="code_missing")
        return standalone_source(source, version.class_name)
