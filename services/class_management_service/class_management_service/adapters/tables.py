"""The Class Management Service's tables (the outbox and inbox come from the shared helpers).

Student names and emails are stored only as Fernet tokens (`*_ciphertext`); emails are found
by `email_hash`, an HMAC of the normalised address, unique per teacher.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY

from huleedu_service_libs.db import make_metadata

metadata = make_metadata()

_NOW = text("now()")

courses = Table(
    "courses",
    metadata,
    Column("course_code", String(16), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("language", String(8), nullable=False),
    Column("level", Integer, nullable=False),
)

classes = Table(
    "classes",
    metadata,
    Column("class_id", String(36), primary_key=True),
    Column("user_id", String(255), nullable=False),
    Column("name", String(100), nullable=False),
    Column("course_code", String(16), ForeignKey("courses.course_code"), nullable=False),
    Column("created_at", DateTime(timezone=True), server_default=_NOW, nullable=False),
    Column("updated_at", DateTime(timezone=True), server_default=_NOW, nullable=False),
    # A teacher's class names are unique regardless of case ("9A" and "9a" are one class).
    Index("uq_classes_user_name", "user_id", func.lower(text("name")), unique=True),
)

students = Table(
    "students",
    metadata,
    Column("student_id", String(36), primary_key=True),
    Column("user_id", String(255), nullable=False),
    # Fernet token of {"first_name": ..., "last_name": ...} as JSON.
    Column("name_ciphertext", LargeBinary, nullable=False),
    Column("email_ciphertext", LargeBinary, nullable=False),
    Column("email_hash", String(64), nullable=False),
    # The class's UNKNOWN student (unknown.{class_id}@huleedu.system), made by the monitor.
    Column("is_placeholder", Boolean, server_default=text("false"), nullable=False),
    Column("created_at", DateTime(timezone=True), server_default=_NOW, nullable=False),
    Column("updated_at", DateTime(timezone=True), server_default=_NOW, nullable=False),
    Index("uq_students_user_email_hash", "user_id", "email_hash", unique=True),
)

class_students = Table(
    "class_students",
    metadata,
    Column(
        "class_id", String(36), ForeignKey("classes.class_id", ondelete="CASCADE"), nullable=False
    ),
    Column(
        "student_id",
        String(36),
        ForeignKey("students.student_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("added_at", DateTime(timezone=True), server_default=_NOW, nullable=False),
    PrimaryKeyConstraint("class_id", "student_id"),
    Index("ix_class_students_student_id", "student_id"),
)

# One row per audited operation; `student_ids` names every student it touched (ids only,
# never PII, so the trail survives a student's erasure).
student_audit_log = Table(
    "student_audit_log",
    metadata,
    Column("audit_id", BigInteger, primary_key=True, autoincrement=True),
    Column("actor_user_id", String(255), nullable=False),
    Column("action", String(40), nullable=False),
    Column("student_ids", ARRAY(String(36)), nullable=False),
    Column("class_id", String(36), nullable=True),
    # As long as the shared correlation id format allows (huleedu_service_libs.correlation).
    Column("correlation_id", String(128), nullable=True),
    Column("occurred_at", DateTime(timezone=True), server_default=_NOW, nullable=False),
    Index("ix_student_audit_log_student_ids", "student_ids", postgresql_using="gin"),
    Index("ix_student_audit_log_actor_time", "actor_user_id", "occurred_at"),
)

# A batch registered for a class: what the matching consumer knows about it.
class_batches = Table(
    "class_batches",
    metadata,
    Column("batch_id", String(64), primary_key=True),
    Column("class_id", String(36), nullable=False),
    Column("user_id", String(255), nullable=False),
    Column("course_code", String(16), nullable=False),
    # awaiting_content -> pending_validation -> confirmed
    Column("status", String(32), nullable=False),
    Column("ready_at", DateTime(timezone=True), nullable=True),
    Column("suggested_at", DateTime(timezone=True), nullable=True),
    Column("confirmed_at", DateTime(timezone=True), nullable=True),
    Column("confirmed_by_timeout", Boolean, server_default=text("false"), nullable=False),
    Column("created_at", DateTime(timezone=True), server_default=_NOW, nullable=False),
    Column("updated_at", DateTime(timezone=True), server_default=_NOW, nullable=False),
    Index("ix_class_batches_class_id", "class_id"),
    Index("ix_class_batches_pending", "status", "suggested_at"),
)

# One essay of a class batch and who wrote it. Rows start from the parsed headers (keyed by
# the upload); the essay id is filled in when ELS reports the batch ready.
essay_student_associations = Table(
    "essay_student_associations",
    metadata,
    Column(
        "batch_id",
        String(64),
        ForeignKey("class_batches.batch_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("file_upload_id", String(64), nullable=False),
    Column("essay_id", String(64), nullable=True),
    Column("text_storage_id", String(64), nullable=True),
    # The uploaded file's name is often the student's name: a Fernet token like the header.
    Column("filename_ciphertext", LargeBinary, nullable=True),
    Column("parsed_name_ciphertext", LargeBinary, nullable=True),
    Column("parsed_email_ciphertext", LargeBinary, nullable=True),
    Column("extraction_confidence", Float, server_default=text("0"), nullable=False),
    Column(
        "suggested_student_id",
        String(36),
        ForeignKey("students.student_id", ondelete="SET NULL"),
        nullable=True,
    ),
    Column(
        "student_id",
        String(36),
        ForeignKey("students.student_id", ondelete="SET NULL"),
        nullable=True,
    ),
    Column("confidence", Float, server_default=text("0"), nullable=False),
    Column("method", String(32), nullable=False),
    Column("status", String(32), nullable=False),
    Column("decided_by", String(255), nullable=True),
    Column("created_at", DateTime(timezone=True), server_default=_NOW, nullable=False),
    Column("updated_at", DateTime(timezone=True), server_default=_NOW, nullable=False),
    PrimaryKeyConstraint("batch_id", "file_upload_id"),
    Index(
        "uq_associations_batch_essay",
        "batch_id",
        "essay_id",
        unique=True,
        postgresql_where=text("essay_id IS NOT NULL"),
    ),
    Index("ix_associations_student_id", "student_id"),
    Index("ix_associations_suggested_student_id", "suggested_student_id"),
)
