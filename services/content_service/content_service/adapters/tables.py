"""The Content Service's tables."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    func,
    text,
)

from huleedu_service_libs.db import make_metadata

metadata = make_metadata()

content_items = Table(
    "content_items",
    metadata,
    Column("content_id", String(64), primary_key=True),
    Column("content_type", String(255), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    # A Fernet token of the blob; plaintext only in rows stored before encryption
    # (`encrypted` false) until rotate_keys has encrypted them.
    Column("data", LargeBinary, nullable=False),
    Column("encrypted", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Who keeps a blob: the batch it was stored for. The same bytes stored for two batches have
# one row in content_items and two here, so erasing one batch's copy never deletes the other's.
content_holders = Table(
    "content_holders",
    metadata,
    Column(
        "content_id",
        String(64),
        ForeignKey("content_items.content_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("holder", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("content_id", "holder"),
)

# Blobs made from other blobs (a corrected text from the extracted text): erasing or
# redacting a text reaches the texts derived from it.
content_derivations = Table(
    "content_derivations",
    metadata,
    Column(
        "source_id",
        String(64),
        ForeignKey("content_items.content_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column(
        "derived_id",
        String(64),
        ForeignKey("content_items.content_id", ondelete="CASCADE"),
        nullable=False,
    ),
    PrimaryKeyConstraint("source_id", "derived_id"),
    Index("ix_content_derivations_derived_id", "derived_id"),
)
