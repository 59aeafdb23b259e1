"""The Essay Lifecycle Service's own tables (the outbox and inbox come from the shared helpers)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    func,
    text,
)

from huleedu_service_libs.db import make_metadata

metadata = make_metadata()

batches = Table(
    "batches",
    metadata,
    Column("batch_id", String(64), primary_key=True),
    Column("user_id", String(255), nullable=False),
    Column("course_code", String(8), nullable=False),
    Column("class_id", String(64), nullable=True),
    Column("expected_count", Integer, nullable=False),
    Column("readiness_deadline", DateTime(timezone=True), nullable=False),
    Column("ready_at", DateTime(timezone=True), nullable=True),
    Column("is_partial", Boolean, nullable=False, server_default=text("false")),
    # Ready, but its essays changed since (a late upload filled a free slot): announce anew.
    Column("reannounce_pending", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # The timeout monitor scans only batches still waiting.
    Index(
        "ix_batches_waiting_deadline",
        "readiness_deadline",
        postgresql_where=text("ready_at IS NULL"),
    ),
)

essays = Table(
    "essays",
    metadata,
    Column("essay_id", String(64), primary_key=True),
    Column("batch_id", String(64), nullable=False),
    Column("slot_index", Integer, nullable=False),
    Column("status", String(32), nullable=False),
    Column("file_upload_id", String(64), nullable=True),
    Column("original_file_name", String(255), nullable=True),
    Column("text_storage_id", String(128), nullable=True),
    Column("raw_storage_id", String(128), nullable=True),
    Column("content_sha256", String(64), nullable=True),
    Column("corrected_text_storage_id", String(128), nullable=True),
    Column("spellcheck_correction_count", Integer, nullable=True),
    Column("spellcheck_word_count", Integer, nullable=True),
    Column("error_message", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Serves "the lowest free slot of a batch" without a sort.
    Index("ix_essays_batch_status_slot", "batch_id", "status", "slot_index"),
    Index("uq_essays_batch_slot", "batch_id", "slot_index", unique=True),
    # A batch never holds the same bytes, or the same file, in two slots.
    Index(
        "uq_essays_batch_content",
        "batch_id",
        "content_sha256",
        unique=True,
        postgresql_where=text("content_sha256 IS NOT NULL"),
    ),
    Index(
        "uq_essays_batch_file",
        "batch_id",
        "file_upload_id",
        unique=True,
        postgresql_where=text("file_upload_id IS NOT NULL"),
    ),
)

essay_state_history = Table(
    "essay_state_history",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("essay_id", String(64), nullable=False),
    Column("batch_id", String(64), nullable=False),
    Column("from_status", String(32), nullable=True),
    Column("to_status", String(32), nullable=False),
    Column("event", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_essay_state_history_essay", "essay_id", "id"),
)

validation_failures = Table(
    "validation_failures",
    metadata,
    Column("batch_id", String(64), nullable=False),
    Column("file_upload_id", String(64), nullable=False),
    Column("original_file_name", String(255), nullable=False),
    Column("error_code", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("batch_id", "file_upload_id"),
)

# Content whose batch registration has not arrived yet (topics are not ordered together).
pending_content = Table(
    "pending_content",
    metadata,
    Column("batch_id", String(64), nullable=False),
    Column("file_upload_id", String(64), nullable=False),
    Column("original_file_name", String(255), nullable=False),
    Column("text_storage_id", String(128), nullable=False),
    Column("raw_storage_id", String(128), nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("batch_id", "file_upload_id"),
)

# Each upload's counts, from whichever of its file events came first.
batch_uploads = Table(
    "batch_uploads",
    metadata,
    Column("batch_id", String(64), nullable=False),
    Column("upload_id", String(64), nullable=False),
    Column("accepted_count", Integer, nullable=False),
    Column("rejected_count", Integer, nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("batch_id", "upload_id"),
)

# Every file event handled, once: what has arrived of each upload.
received_files = Table(
    "received_files",
    metadata,
    Column("batch_id", String(64), nullable=False),
    Column("file_upload_id", String(64), nullable=False),
    Column("upload_id", String(64), nullable=True),
    Column("accepted", Boolean, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("batch_id", "file_upload_id"),
    Index("ix_received_files_upload", "batch_id", "upload_id"),
)

# Files removed before their content arrived: the late content must not take a slot.
removed_files = Table(
    "removed_files",
    metadata,
    Column("batch_id", String(64), nullable=False),
    Column("file_upload_id", String(64), nullable=False),
    Column("removed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("batch_id", "file_upload_id"),
)

batch_phases = Table(
    "batch_phases",
    metadata,
    Column("batch_id", String(64), nullable=False),
    Column("phase", String(32), nullable=False),
    Column("status", String(32), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    # When the phase must have ended; the monitor fails the essays still waiting after it.
    Column("deadline", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("batch_id", "phase"),
    # The timeout monitor scans only phases still running, oldest deadline first.
    Index(
        "ix_batch_phases_running_deadline",
        "deadline",
        postgresql_where=text("status = 'in_progress'"),
    ),
)

phase_essays = Table(
    "phase_essays",
    metadata,
    Column("batch_id", String(64), nullable=False),
    Column("phase", String(32), nullable=False),
    Column("essay_id", String(64), nullable=False),
    Column("outcome", String(16), nullable=True),
    Column("output_storage_id", String(128), nullable=True),
    Column("error_message", Text, nullable=True),
    PrimaryKeyConstraint("batch_id", "phase", "essay_id"),
)
