"""Encrypt essay_student_associations.filename: replace it by filename_ciphertext.

Uploaded file names are often the student's name ("Åsa Öberg.docx"), so they are stored as a
Fernet token like the parsed header. SQL cannot encrypt (the key lives only in the service's
settings), so the plaintext column is dropped with its values: rows written before this
revision have no file name (NULL), which the API shows as a missing `filename`; their essay
ids, headers and decisions are untouched. Nothing else reads the column.

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
    op.add_column(
        "essay_student_associations",
        sa.Column("filename_ciphertext", sa.LargeBinary(), nullable=True),
    )
    op.drop_column("essay_student_associations", "filename")


def downgrade() -> None:
    # The tokens cannot be decrypted in SQL either: file names are lost going back too.
    op.add_column(
        "essay_student_associations",
        sa.Column("filename", sa.String(length=255), nullable=True),
    )
    op.drop_column("essay_student_associations", "filename_ciphertext")
