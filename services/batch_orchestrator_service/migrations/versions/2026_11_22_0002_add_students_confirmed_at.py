"""Add batches.students_confirmed_at: a class batch's confirmation of its essays' authors.

StudentAssociationsConfirmedV1 travels on another topic than BatchEssaysReadyV1 and may be
consumed first; the column keeps it until readiness arrives.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "batches",
        sa.Column("students_confirmed_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("batches", "students_confirmed_at")
