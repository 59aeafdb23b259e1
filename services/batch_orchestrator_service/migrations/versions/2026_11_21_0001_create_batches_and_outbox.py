"""Create batches, batch_essay_slots, batch_phases, event_outbox and processed_events.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from huleedu_service_libs.db.migration_helpers import create_outbox_and_inbox, drop_outbox_and_inbox

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("batch_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("course_code", sa.String(16), nullable=False),
        sa.Column("essay_instructions", sa.Text(), nullable=False),
        sa.Column("expected_essay_count", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column(
            "ready_essays",
            postgresql.JSONB(),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("missing_essay_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "validation_failure_count", sa.Integer(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("requested_pipeline", sa.String(32), nullable=True),
        sa.Column("current_phase", sa.String(32), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_batches")),
    )
    op.create_index(op.f("ix_batches_user_id"), "batches", ["user_id"])
    op.create_table(
        "batch_essay_slots",
        sa.Column("essay_id", sa.String(64), nullable=False),
        sa.Column("batch_id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batches.batch_id"],
            name=op.f("fk_batch_essay_slots_batch_id_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("essay_id", name=op.f("pk_batch_essay_slots")),
    )
    op.create_index(op.f("ix_batch_essay_slots_batch_id"), "batch_essay_slots", ["batch_id"])
    op.create_table(
        "batch_phases",
        sa.Column("batch_id", sa.String(64), nullable=False),
        sa.Column("phase", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column(
            "essays", postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False
        ),
        sa.Column(
            "outcomes", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batches.batch_id"],
            name=op.f("fk_batch_phases_batch_id_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("batch_id", "phase", name=op.f("pk_batch_phases")),
    )
    create_outbox_and_inbox(op)


def downgrade() -> None:
    drop_outbox_and_inbox(op)
    op.drop_table("batch_phases")
    op.drop_table("batch_essay_slots")
    op.drop_table("batches")
