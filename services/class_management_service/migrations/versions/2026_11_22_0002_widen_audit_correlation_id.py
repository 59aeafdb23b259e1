"""Widen student_audit_log.correlation_id to 128 characters.

Correlation ids arrive from clients through the gateway and are accepted up to 128 characters
(`huleedu_service_libs.correlation`); a 64-character column made every audited operation of
a request with a longer id fail.

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
    op.alter_column(
        "student_audit_log",
        "correlation_id",
        existing_type=sa.String(length=64),
        type_=sa.String(length=128),
        existing_nullable=True,
    )


def downgrade() -> None:
    # Longer ids written meanwhile are cut to fit rather than failing the downgrade.
    op.alter_column(
        "student_audit_log",
        "correlation_id",
        existing_type=sa.String(length=128),
        type_=sa.String(length=64),
        existing_nullable=True,
        postgresql_using="left(correlation_id, 64)",
    )
