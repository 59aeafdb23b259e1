"""Create grammar_results, event_outbox and processed_events.

Revision ID: 0001
Revises:
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from huleedu_service_libs.db.migration_helpers import create_outbox_and_inbox, drop_outbox_and_inbox

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "grammar_results",
        sa.Column("request_event_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("batch_id", sa.String(64), nullable=False),
        sa.Column("essay_id", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("text_storage_id", sa.String(64), nullable=False),
        sa.Column("word_count", sa.Integer(), nullable=False),
        sa.Column("match_count", sa.Integer(), nullable=False),
        sa.Column("matches", postgresql.JSONB(), nullable=False),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("request_event_id", name=op.f("pk_grammar_results")),
    )
    op.create_index("ix_grammar_results_batch_id", "grammar_results", ["batch_id"])
    op.create_index("ix_grammar_results_essay_id", "grammar_results", ["essay_id"])
    create_outbox_and_inbox(op)


def downgrade() -> None:
    drop_outbox_and_inbox(op)
    op.drop_table("grammar_results")
