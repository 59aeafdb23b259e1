"""The File Service's own tables (the outbox and inbox come from the shared helpers)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, String, Table, func, text

from huleedu_service_libs.db import make_metadata

metadata = make_metadata()

file_uploads = Table(
    "file_uploads",
    metadata,
    Column("file_upload_id", String(36), primary_key=True),
    Column("batch_id", String(64), nullable=False),
    Column("user_id", String(255), nullable=False),
    Column("original_file_name", String(255), nullable=False),
    Column("file_type", String(16), nullable=False),
    Column("content_sha256", String(64), nullable=False),
    # sha256 of the normalised extracted text (domain/text_fingerprint.py); NULL on old rows.
    Column("text_sha256", String(64), nullable=True),
    Column("file_size_bytes", BigInteger, nullable=False),
    Column("raw_storage_id", String(64), nullable=False),
    Column("text_storage_id", String(64), nullable=False),
    Column("char_count", Integer, nullable=False),
    Column("word_count", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("removed_at", DateTime(timezone=True), nullable=True),
    Index("ix_file_uploads_batch_id", "batch_id"),
    # A batch never holds the same bytes twice (removed files do not count).
    Index(
        "uq_file_uploads_batch_sha256_active",
        "batch_id",
        "content_sha256",
        unique=True,
        postgresql_where=text("removed_at IS NULL"),
    ),
    # ... nor the same essay text in another file or format.
    Index(
        "uq_file_uploads_batch_text_sha256_active",
        "batch_id",
        "text_sha256",
        unique=True,
        postgresql_where=text("removed_at IS NULL AND text_sha256 IS NOT NULL"),
    ),
)
