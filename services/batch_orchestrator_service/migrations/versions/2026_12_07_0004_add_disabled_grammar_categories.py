"""Add batches.disabled_grammar_categories: the teacher's choice for the grammar phase.

A `spellcheck+grammar` request may switch LanguageTool rule categories off; the batch keeps
the choice with its requested pipeline, so the grammar phase (and a retry of it) uses it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "batches",
        sa.Column(
            "disabled_grammar_categories",
            postgresql.JSONB(),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("batches", "disabled_grammar_categories")
