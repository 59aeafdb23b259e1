"""Add file_uploads.text_sha256: duplicate essays are found by their normalised text too.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEX = "uq_file_uploads_batch_text_sha256_active"


def upgrade() -> None:
    # Nullable: files recorded before this revision have no fingerprint, and computing one
    # would need their text from the Content Service, which a migration must not call.
    op.add_column("file_uploads", sa.Column("text_sha256", sa.String(64), nullable=True))
    op.create_index(
        _INDEX,
        "file_uploads",
        ["batch_id", "text_sha256"],
        unique=True,
        postgresql_where=sa.text("removed_at IS NULL AND text_sha256 IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(_INDEX, table_name="file_uploads")
    op.drop_column("file_uploads", "text_sha256")
