"""Track each upload's files so readiness never outruns accepted essays still on their way.

`batch_uploads` holds each upload's accepted and rejected counts (from whichever of its file
events came first), `received_files` every file event handled once, `removed_files` the files
a teacher removed before their content arrived. `batches.reannounce_pending` marks a ready
batch whose essays changed (a late upload filled a free slot) until readiness is announced anew.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("now()")


def upgrade() -> None:
    op.create_table(
        "batch_uploads",
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("upload_id", sa.String(length=64), nullable=False),
        sa.Column("accepted_count", sa.Integer(), nullable=False),
        sa.Column("rejected_count", sa.Integer(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("batch_id", "upload_id", name=op.f("pk_batch_uploads")),
    )
    op.create_table(
        "received_files",
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("file_upload_id", sa.String(length=64), nullable=False),
        sa.Column("upload_id", sa.String(length=64), nullable=True),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("batch_id", "file_upload_id", name=op.f("pk_received_files")),
    )
    op.create_index(
        "ix_received_files_upload", "received_files", ["batch_id", "upload_id"], unique=False
    )
    op.create_table(
        "removed_files",
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("file_upload_id", sa.String(length=64), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("batch_id", "file_upload_id", name=op.f("pk_removed_files")),
    )
    op.add_column(
        "batches",
        sa.Column(
            "reannounce_pending", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
    )


def downgrade() -> None:
    op.drop_column("batches", "reannounce_pending")
    op.drop_table("removed_files")
    op.drop_index("ix_received_files_upload", table_name="received_files")
    op.drop_table("received_files")
    op.drop_table("batch_uploads")
