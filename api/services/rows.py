"""Row lookups, in one place and keyword-only: every service finds a user's rows through these,
so "not yours" and "not there" are the same `NotFound` everywhere and no id is ever read
without its owner. A team-mate's strategy, run or batch is found while the scope carries the
team (reads only, `core.scope.may_read`).

`runnable_version` is the one check that a version may run (backtest, batch run, deployment):
validated, its file present and unchanged since it was recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from core.code_store import CodeStore, sha256_file
from core.errors import Conflict, NotFound
from core.models import (
    BacktestRun,
    Batch,
    Deployment,
    Schedule,
    Strategy,
    StrategyVersion,
    ValidationStatus,
)
from core.scope import may_read


def strategy_row(db: Session, *, user_id: int, strategy_id: int) -> Strategy:
    row = db.get(Strategy, strategy_id)
    if row is None or not may_read(row, user_id) or row.deleted_at is not None:
        raise NotFound(f"no strategy {strategy_id}", code="strategy_not_found")
    return row


def version_row(db: Session, *, strategy: Strategy, number: int | None) -> StrategyVersion:
    """Version `number` of `strategy` (its latest when None; 0 is no version)."""
    number = strategy.latest_version if number is None else number
    row = db.exec(
        select(StrategyVersion).where(
            StrategyVersion.strategy_id == strategy.id, StrategyVersion.number == number
        )
    ).first()
    if row is None:
        raise NotFound(f"strategy {strategy.id} has no version {number}", code="version_not_found")
    return row


def run_row(db: Session, *, user_id: int | None, run_id: int) -> BacktestRun:
    """A backtest run; `user_id=None` is the server's own access (coordinator, recovery)."""
    run = db.get(BacktestRun, run_id)
    if run is None or not may_read(run, user_id):
        raise NotFound(f"no backtest run {run_id}", code="run_not_found")
    return run


def batch_row(db: Session, *, user_id: int | None, batch_id: int) -> Batch:
    batch = db.get(Batch, batch_id)
    if batch is None or not may_read(batch, user_id):
        raise NotFound(f"no batch {batch_id}", code="batch_not_found")
    return batch


def schedule_row(db: Session, *, user_id: int, schedule_id: int) -> Schedule:
    row = db.get(Schedule, schedule_id)
    if row is None or row.owner_id != user_id:
        raise NotFound(f"no schedule {schedule_id}", code="schedule_not_found")
    return row


def deployment_row(db: Session, *, user_id: int, deployment_id: int) -> Deployment:
    row = db.get(Deployment, deployment_id)
    if row is None or row.owner_id != user_id:
        raise NotFound(f"no deployment {deployment_id}", code="deployment_not_found")
    return row


@dataclass(frozen=True)
class RunnableVersion:
    strategy: Strategy
    version: StrategyVersion
    path: Path


def runnable_version(
    db: Session, code: CodeStore, *, strategy: Strategy, number: int | None, purpose: str
) -> RunnableVersion:
    """The version if it may run: validated, and its file as recorded. `purpose` words the
    refusal ("backtested", "deployed")."""
    version = version_row(db, strategy=strategy, number=number)
    if version.validation_status != ValidationStatus.passed.value:
        raise Conflict(
            f"version {version.number} has not passed validation ({version.validation_status})"
            f" and cannot be {purpose}",
            code="version_invalid" if purpose != "deployed" else "not_validated",
            validation=version.validation_report,
        )
    path = code.absolute(version.code_path)
    if not path.exists():
        raise NotFound(f"code file {version.code_path} is missing", code="code_missing")
    if sha256_file(path) != version.sha256:
        raise Conflict(
            f"{version.code_path} was edited since version {version.number} was recorded; "
            "record the edit as a new version first (`stratforge versions scan`)",
            code="code_edited" if purpose != "deployed" else "code_changed",
        )
    return RunnableVersion(strategy, version, path)
