"""run indexes: two-column indexes on backtest_runs for the dashboard's and the API's reads

Every user's read also says `owner_id = ?` (`core.scope`). SQLite, with no statistics, then
picked the owner_id index and walked every run of that owner to find one strategy's, one
version's, a few batches' or the failed runs (20–30 ms per page at 10,000 runs,
`bench/dashboard.py`). An index leading with the column that narrows the search and carrying
the owner is taken instead. PostgreSQL uses them too.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 16:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_backtest_runs_strategy_owner": ["strategy_id", "owner_id"],
    "ix_backtest_runs_batch_owner": ["batch_id", "owner_id"],
    "ix_backtest_runs_version_status": ["version_id", "status", "owner_id"],
    "ix_backtest_runs_owner_status": ["owner_id", "status"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "backtest_runs", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="backtest_runs")
