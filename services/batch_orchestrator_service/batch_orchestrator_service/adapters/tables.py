"""The Batch Orchestrator's own tables (the outbox and inbox come from the shared helpers)."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from huleedu_service_libs.db import make_metadata

metadata = make_metadata()

batches = Table(
    "batches",
    metadata,
    Column("batch_id", String(64), primary_key=True),
    Column("user_id", String(255), nullable=False, index=True),
    Column("course_code", String(16), nullable=False),
    Column("essay_instructions", Text, nullable=False),
    Column("expected_essay_count", Integer, nullable=False),
    Column("class_id", String(64), nullable=True),
    Column("status", String(32), nullable=False),
    # EssayRef dicts as ELS reported them in BatchEssaysReadyV1.
    Column("ready_essays", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("missing_essay_count", Integer, nullable=False, server_default=text("0")),
    Column("validation_failure_count", Integer, nullable=False, server_default=text("0")),
    Column("requested_pipeline", String(32), nullable=True),
    # LanguageTool category ids the accepted pipeline request switched off (grammar phase).
    Column(
        "disabled_grammar_categories", JSONB, nullable=False, server_default=text("'[]'::jsonb")
    ),
    Column("current_phase", String(32), nullable=True),
    # A class batch's StudentAssociationsConfirmedV1 (it may arrive before BatchEssaysReadyV1).
    Column("students_confirmed_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

batch_essay_slots = Table(
    "batch_essay_slots",
    metadata,
    Column("essay_id", String(64), primary_key=True),
    Column(
        "batch_id",
        String(64),
        ForeignKey("batches.batch_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("position", Integer, nullable=False),
)

batch_phases = Table(
    "batch_phases",
    metadata,
    Column(
        "batch_id", String(64), ForeignKey("batches.batch_id", ondelete="CASCADE"), nullable=False
    ),
    Column("phase", String(32), nullable=False),
    Column("position", Integer, nullable=False),
    Column("status", String(32), nullable=False),
    # EssayRef dicts sent to the phase (over every attempt).
    Column("essays", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    # essay_id -> {outcome, output_storage_id, error_message}, the latest per essay.
    Column("outcomes", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("batch_id", "phase"),
)

# The first pipeline request per (user, batch, idempotency key) and what became of it; a later
# copy under the same key (a retry, a late delivery) is recognised here and changes nothing.
pipeline_requests = Table(
    "pipeline_requests",
    metadata,
    Column("user_id", String(255), nullable=False),
    Column("batch_id", String(64), nullable=False),
    Column("idempotency_key", String(255), nullable=False),
    Column("pipeline", String(32), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("request_id", String(64), nullable=True),
    Column("event_id", Uuid, nullable=False),
    Column("correlation_id", Text, nullable=False),
    Column("reason_code", String(64), nullable=True),
    Column("reason", Text, nullable=True),
    Column("handled_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("user_id", "batch_id", "idempotency_key"),
)
