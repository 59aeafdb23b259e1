"""Encrypted blobs, their holders and derivations.

`content_items.encrypted` tells Fernet tokens from plaintext: SQL cannot encrypt (the key lives
only in the service's settings), so rows stored before this revision stay plaintext
(`encrypted` false) and stay readable until `python -m content_service.rotate_keys` encrypts
them. Blobs stored before it have no holders: erasing one deletes it (nothing says another
batch keeps it).

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


def upgrade() -> None:
    op.add_column(
        "content_items",
        sa.Column("encrypted", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.create_table(
        "content_holders",
        sa.Column("content_id", sa.String(64), nullable=False),
        sa.Column("holder", sa.String(64), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["content_items.content_id"],
            name=op.f("fk_content_holders_content_id_content_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("content_id", "holder", name=op.f("pk_content_holders")),
    )
    op.create_table(
        "content_derivations",
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("derived_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["content_items.content_id"],
            name=op.f("fk_content_derivations_source_id_content_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["derived_id"],
            ["content_items.content_id"],
            name=op.f("fk_content_derivations_derived_id_content_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_id", "derived_id", name=op.f("pk_content_derivations")),
    )
    op.create_index(
        "ix_content_derivations_derived_id", "content_derivations", ["derived_id"], unique=False
    )


def downgrade() -> None:
    # Encrypted rows cannot be turned back into plaintext in SQL: refuse rather than leave
    # blobs nobody can read after the downgrade.
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM content_items WHERE encrypted LIMIT 1")).first():
        raise RuntimeError("encrypted blobs exist; a downgrade would make them unreadable")
    op.drop_index("ix_content_derivations_derived_id", table_name="content_derivations")
    op.drop_table("content_derivations")
    op.drop_table("content_holders")
    op.drop_column("content_items", "encrypted")
