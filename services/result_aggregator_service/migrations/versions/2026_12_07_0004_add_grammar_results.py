"""Add the grammar check's result to result_essays: outcome, matches, counts per category.

Nullable columns only: rows stored before have no grammar result (NULL outcome), which is
what they are.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("grammar_outcome", sa.String(16)),
    ("grammar_language", sa.String(8)),
    ("grammar_matches", JSONB()),
    ("grammar_match_count", sa.Integer()),
    ("grammar_category_counts", JSONB()),
    ("grammar_word_count", sa.Integer()),
    ("grammar_error", sa.Text()),
    ("grammar_completed_at", sa.DateTime(timezone=True)),
    ("grammar_event_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    for name, column_type in _COLUMNS:
        op.add_column("result_essays", sa.Column(name, column_type, nullable=True))


def downgrade() -> None:
    for name, _column_type in reversed(_COLUMNS):
        op.drop_column("result_essays", name)
