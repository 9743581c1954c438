"""agent live decisions: which deployment's bot asked for a decision (None: a backtest's)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agent_decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deployment_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_agent_decisions_deployment_id"), ["deployment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("agent_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_decisions_deployment_id"))
        batch_op.drop_column("deployment_id")
