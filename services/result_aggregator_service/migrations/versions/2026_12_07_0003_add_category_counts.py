"""Add result_essays.category_counts: flagged words per category, so the batch read can count them.

Rows stored before it get the counts of their stored misspellings; a misspelling stored before
words had categories is a spelling.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("result_essays", sa.Column("category_counts", JSONB(), nullable=True))
    op.execute(
        """
        UPDATE result_essays AS e
        SET category_counts = COALESCE(
            (
                SELECT jsonb_object_agg(flagged.category, flagged.words)
                FROM (
                    SELECT COALESCE(m ->> 'category', 'spelling') AS category, count(*) AS words
                    FROM jsonb_array_elements(
                        CASE WHEN jsonb_typeof(e.misspellings) = 'array'
                        THEN e.misspellings ELSE '[]'::jsonb END
                    ) AS m
                    GROUP BY 1
                ) AS flagged
            ),
            '{}'::jsonb
        )
        WHERE e.spellcheck_outcome IS NOT NULL
        """
    )


def downgrade() -> None:
    op.drop_column("result_essays", "category_counts")
