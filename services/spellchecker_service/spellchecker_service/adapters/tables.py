"""The Spell Checker's own table (the outbox and inbox come from the shared helpers)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Table, Text, func
from sqlalchemy.dialects.postgresql import JSONB, UUID

from huleedu_service_libs.db import make_metadata

metadata = make_metadata()

spellcheck_results = Table(
    "spellcheck_results",
    metadata,
    # The request event that produced the result: one result per request, ever.
    Column("request_event_id", UUID(as_uuid=True), primary_key=True),
    Column("batch_id", String(64), nullable=False),
    Column("essay_id", String(64), nullable=False),
    Column("language", String(8), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("original_text_storage_id", String(64), nullable=False),
    Column("corrected_text_storage_id", String(64), nullable=True),
    Column("word_count", Integer, nullable=False),
    Column("correction_count", Integer, nullable=False),
    Column("misspelling_count", Integer, nullable=False),
    Column("misspellings", JSONB, nullable=False),
    Column("error_message", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_spellcheck_results_batch_id", "batch_id"),
    Index("ix_spellcheck_results_essay_id", "essay_id"),
)
