"""generation accounting: purpose, request id, attempts and output of each generation

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("generations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("purpose", sa.String(length=20), nullable=False, server_default="spec")
        )
        batch_op.add_column(sa.Column("request_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("output", sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f("ix_generations_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_generations_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("generations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_generations_created_at"))
        batch_op.drop_index(batch_op.f("ix_generations_request_id"))
        batch_op.drop_column("output")
        batch_op.drop_column("attempts")
        batch_op.drop_column("request_id")
        batch_op.drop_column("purpose")
