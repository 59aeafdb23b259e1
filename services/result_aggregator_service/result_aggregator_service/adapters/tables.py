"""The Result Aggregator's own tables (the outbox and inbox come from the shared helpers)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from huleedu_service_libs.db import make_metadata

metadata = make_metadata()

result_batches = Table(
    "result_batches",
    metadata,
    Column("batch_id", String(64), primary_key=True),
    # Registration facts: NULL while only later events (arriving first) have been seen.
    Column("user_id", String(255), nullable=True),
    Column("course_code", String(8), nullable=True),
    Column("class_id", String(64), nullable=True),
    Column("essay_instructions", Text, nullable=True),
    Column("expected_essay_count", Integer, nullable=True),
    Column("registered", Boolean, nullable=False, server_default=text("false")),
    Column("status", String(40), nullable=False),
    Column("requested_pipeline", String(32), nullable=True),
    Column("current_phase", String(32), nullable=True),
    Column("phases", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    # Files the File Service refused: {file_upload_id, filename, error_code, message}.
    Column("rejected_files", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=True),
    Column("results_notified_at", DateTime(timezone=True), nullable=True),
    # A teacher's list, newest first, optionally by status.
    Index("ix_result_batches_user_created", "user_id", "created_at"),
    Index("ix_result_batches_user_status_created", "user_id", "status", "created_at"),
)

result_essays = Table(
    "result_essays",
    metadata,
    Column("batch_id", String(64), nullable=False),
    Column("essay_id", String(64), nullable=False),
    Column("slot_index", Integer, nullable=True),
    Column("status", String(32), nullable=False),
    Column("status_at", DateTime(timezone=True), nullable=False),
    Column("file_upload_id", String(64), nullable=True),
    Column("filename", String(255), nullable=True),
    Column("text_storage_id", String(128), nullable=True),
    Column("spellcheck_outcome", String(16), nullable=True),
    Column("spellcheck_language", String(8), nullable=True),
    Column("misspellings", JSONB, nullable=True),
    Column("misspelling_count", Integer, nullable=True),
    # Flagged words per FlagCategory value, written with the misspellings so the batch read
    # counts them without reading the misspellings (NULL: no result).
    Column("category_counts", JSONB(none_as_null=True), nullable=True),
    Column("correction_count", Integer, nullable=True),
    Column("word_count", Integer, nullable=True),
    Column("corrected_text_storage_id", String(128), nullable=True),
    Column("spellcheck_error", Text, nullable=True),
    Column("spellcheck_completed_at", DateTime(timezone=True), nullable=True),
    # Timestamp of the result event; NULL when derived from a phase outcome.
    Column("spellcheck_event_at", DateTime(timezone=True), nullable=True),
    # The grammar check's result (NULL outcome: none yet); matches as GrammarMatch dicts.
    Column("grammar_outcome", String(16), nullable=True),
    Column("grammar_language", String(8), nullable=True),
    Column("grammar_matches", JSONB, nullable=True),
    Column("grammar_match_count", Integer, nullable=True),
    # Matches per LanguageTool category id, written with the matches so the batch read counts
    # them without reading the matches.
    Column("grammar_category_counts", JSONB(none_as_null=True), nullable=True),
    Column("grammar_word_count", Integer, nullable=True),
    Column("grammar_error", Text, nullable=True),
    Column("grammar_completed_at", DateTime(timezone=True), nullable=True),
    # Timestamp of the result event; NULL when derived from a phase outcome.
    Column("grammar_event_at", DateTime(timezone=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("batch_id", "essay_id"),
)
