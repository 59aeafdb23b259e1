"""Create result_batches, result_essays, the outbox and the inbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
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
        "result_batches",
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=True),
        sa.Column("course_code", sa.String(length=8), nullable=True),
        sa.Column("class_id", sa.String(length=64), nullable=True),
        sa.Column("essay_instructions", sa.Text(), nullable=True),
        sa.Column("expected_essay_count", sa.Integer(), nullable=True),
        sa.Column("registered", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("requested_pipeline", sa.String(length=32), nullable=True),
        sa.Column("current_phase", sa.String(length=32), nullable=True),
        sa.Column(
            "phases",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("results_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_result_batches")),
    )
    op.create_index("ix_result_batches_user_created", "result_batches", ["user_id", "created_at"])
    op.create_index(
        "ix_result_batches_user_status_created",
        "result_batches",
        ["user_id", "status", "created_at"],
    )
    op.create_table(
        "result_essays",
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("essay_id", sa.String(length=64), nullable=False),
        sa.Column("slot_index", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("file_upload_id", sa.String(length=64), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("text_storage_id", sa.String(length=128), nullable=True),
        sa.Column("spellcheck_outcome", sa.String(length=16), nullable=True),
        sa.Column("spellcheck_language", sa.String(length=8), nullable=True),
        sa.Column("misspellings", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("misspelling_count", sa.Integer(), nullable=True),
        sa.Column("correction_count", sa.Integer(), nullable=True),
        sa.Column("word_count", sa.Integer(), nullable=True),
        sa.Column("corrected_text_storage_id", sa.String(length=128), nullable=True),
        sa.Column("spellcheck_error", sa.Text(), nullable=True),
        sa.Column("spellcheck_completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("spellcheck_event_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("batch_id", "essay_id", name=op.f("pk_result_essays")),
    )
    create_outbox_and_inbox(op)


def downgrade() -> None:
    drop_outbox_and_inbox(op)
    op.drop_table("result_essays")
    op.drop_index("ix_result_batches_user_status_created", table_name="result_batches")
    op.drop_index("ix_result_batches_user_created", table_name="result_batches")
    op.drop_table("result_batches")
