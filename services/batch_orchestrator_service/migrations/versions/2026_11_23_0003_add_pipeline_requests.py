"""Add pipeline_requests: the first pipeline request per (user, batch, idempotency key).

A pipeline request the gateway answered 503 may still reach Kafka later, and the teacher
retries it with the same key; the row makes every copy after the first change nothing.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pipeline_requests",
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("batch_id", sa.String(64), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("pipeline", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=True),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("correlation_id", sa.Text(), nullable=False),
        sa.Column("reason_code", sa.String(64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column(
            "handled_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint(
            "user_id", "batch_id", "idempotency_key", name=op.f("pk_pipeline_requests")
        ),
    )


def downgrade() -> None:
    op.drop_table("pipeline_requests")
