"""The Grammar Service's own table (the outbox and inbox come from the shared helpers)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Table, Text, func
from sqlalchemy.dialects.postgresql import JSONB, UUID

from huleedu_service_libs.db import make_metadata

metadata = make_metadata()

grammar_results = Table(
    "grammar_results",
    metadata,
    # The request event that produced the result: one result per request, ever.
    Column("request_event_id", UUID(as_uuid=True), primary_key=True),
    Column("batch_id", String(64), nullable=False),
    Column("essay_id", String(64), nullable=False),
    Column("language", String(8), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("text_storage_id", String(64), nullable=False),
    Column("word_count", Integer, nullable=False),
    Column("match_count", Integer, nullable=False),
    Column("matches", JSONB, nullable=False),
    Column("error_message", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_grammar_results_batch_id", "batch_id"),
    Index("ix_grammar_results_essay_id", "essay_id"),
)
