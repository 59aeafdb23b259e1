"""Create batches, essays, history, validation failures, pending content, phases, outbox, inbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from huleedu_service_libs.db.migration_helpers import create_outbox_and_inbox, drop_outbox_and_inbox

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "batch_phases",
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("phase", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("batch_id", "phase", name=op.f("pk_batch_phases")),
    )
    op.create_table(
        "batches",
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("course_code", sa.String(length=8), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=True),
        sa.Column("expected_count", sa.Integer(), nullable=False),
        sa.Column("readiness_deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_partial", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_batches")),
    )
    op.create_index(
        "ix_batches_waiting_deadline",
        "batches",
        ["readiness_deadline"],
        unique=False,
        postgresql_where=sa.text("ready_at IS NULL"),
    )
    op.create_table(
        "essay_state_history",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("essay_id", sa.String(length=64), nullable=False),
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=False),
        sa.Column("event", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_essay_state_history")),
    )
    op.create_index(
        "ix_essay_state_history_essay", "essay_state_history", ["essay_id", "id"], unique=False
    )
    op.create_table(
        "essays",
        sa.Column("essay_id", sa.String(length=64), nullable=False),
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("slot_index", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("file_upload_id", sa.String(length=64), nullable=True),
        sa.Column("original_file_name", sa.String(length=255), nullable=True),
        sa.Column("text_storage_id", sa.String(length=128), nullable=True),
        sa.Column("raw_storage_id", sa.String(length=128), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=True),
        sa.Column("corrected_text_storage_id", sa.String(length=128), nullable=True),
        sa.Column("spellcheck_correction_count", sa.Integer(), nullable=True),
        sa.Column("spellcheck_word_count", sa.Integer(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("essay_id", name=op.f("pk_essays")),
    )
    op.create_index(
        "ix_essays_batch_status_slot", "essays", ["batch_id", "status", "slot_index"], unique=False
    )
    op.create_index(
        "uq_essays_batch_content",
        "essays",
        ["batch_id", "content_sha256"],
        unique=True,
        postgresql_where=sa.text("content_sha256 IS NOT NULL"),
    )
    op.create_index(
        "uq_essays_batch_file",
        "essays",
        ["batch_id", "file_upload_id"],
        unique=True,
        postgresql_where=sa.text("file_upload_id IS NOT NULL"),
    )
    op.create_index("uq_essays_batch_slot", "essays", ["batch_id", "slot_index"], unique=True)
    op.create_table(
        "pending_content",
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("file_upload_id", sa.String(length=64), nullable=False),
        sa.Column("original_file_name", sa.String(length=255), nullable=False),
        sa.Column("text_storage_id", sa.String(length=128), nullable=False),
        sa.Column("raw_storage_id", sa.String(length=128), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("batch_id", "file_upload_id", name=op.f("pk_pending_content")),
    )
    op.create_table(
        "phase_essays",
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("phase", sa.String(length=32), nullable=False),
        sa.Column("essay_id", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("output_storage_id", sa.String(length=128), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("batch_id", "phase", "essay_id", name=op.f("pk_phase_essays")),
    )
    op.create_table(
        "validation_failures",
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("file_upload_id", sa.String(length=64), nullable=False),
        sa.Column("original_file_name", sa.String(length=255), nullable=False),
        sa.Column("error_code", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("batch_id", "file_upload_id", name=op.f("pk_validation_failures")),
    )
    create_outbox_and_inbox(op)


def downgrade() -> None:
    drop_outbox_and_inbox(op)
    op.drop_table("validation_failures")
    op.drop_table("phase_essays")
    op.drop_table("pending_content")
    op.drop_index("uq_essays_batch_slot", table_name="essays")
    op.drop_index(
        "uq_essays_batch_file",
        table_name="essays",
        postgresql_where=sa.text("file_upload_id IS NOT NULL"),
    )
    op.drop_index(
        "uq_essays_batch_content",
        table_name="essays",
        postgresql_where=sa.text("content_sha256 IS NOT NULL"),
    )
    op.drop_index("ix_essays_batch_status_slot", table_name="essays")
    op.drop_table("essays")
    op.drop_index("ix_essay_state_history_essay", table_name="essay_state_history")
    op.drop_table("essay_state_history")
    op.drop_index(
        "ix_batches_waiting_deadline",
        table_name="batches",
        postgresql_where=sa.text("ready_at IS NULL"),
    )
    op.drop_table("batches")
    op.drop_table("batch_phases")
