"""Create file_uploads, event_outbox and processed_events.

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
        "file_uploads",
        sa.Column("file_upload_id", sa.String(36), nullable=False),
        sa.Column("batch_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("original_file_name", sa.String(255), nullable=False),
        sa.Column("file_type", sa.String(16), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("file_size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("raw_storage_id", sa.String(64), nullable=False),
        sa.Column("text_storage_id", sa.String(64), nullable=False),
        sa.Column("char_count", sa.Integer(), nullable=False),
        sa.Column("word_count", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("file_upload_id", name=op.f("pk_file_uploads")),
    )
    op.create_index("ix_file_uploads_batch_id", "file_uploads", ["batch_id"])
    op.create_index(
        "uq_file_uploads_batch_sha256_active",
        "file_uploads",
        ["batch_id", "content_sha256"],
        unique=True,
        postgresql_where=sa.text("removed_at IS NULL"),
    )
    create_outbox_and_inbox(op)


def downgrade() -> None:
    drop_outbox_and_inbox(op)
    op.drop_table("file_uploads")
