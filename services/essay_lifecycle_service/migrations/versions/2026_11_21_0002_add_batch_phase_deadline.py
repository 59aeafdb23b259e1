"""Add batch_phases.deadline (phase timeout) and the monitor's index on running phases.

Existing rows get started_at + 1800 s (the default ESSAY_LIFECYCLE_SERVICE_PHASE_TIMEOUT_SECONDS),
so a phase left running before this revision is ended by the monitor like any other.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_PHASE_TIMEOUT_SECONDS = 1800
RUNNING = sa.text("status = 'in_progress'")


def upgrade() -> None:
    op.add_column("batch_phases", sa.Column("deadline", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        sa.text(
            "UPDATE batch_phases SET deadline = started_at + make_interval(secs => :seconds)"
            " WHERE deadline IS NULL"
        ).bindparams(seconds=DEFAULT_PHASE_TIMEOUT_SECONDS)
    )
    op.alter_column("batch_phases", "deadline", nullable=False)
    op.create_index(
        "ix_batch_phases_running_deadline",
        "batch_phases",
        ["deadline"],
        unique=False,
        postgresql_where=RUNNING,
    )


def downgrade() -> None:
    op.drop_index(
        "ix_batch_phases_running_deadline", table_name="batch_phases", postgresql_where=RUNNING
    )
    op.drop_column("batch_phases", "deadline")
