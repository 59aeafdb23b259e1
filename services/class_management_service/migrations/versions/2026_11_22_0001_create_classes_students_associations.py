"""Create courses (seeded), classes, students, rosters, the audit log, associations, outbox, inbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
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
        "class_batches",
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("class_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("course_code", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("suggested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "confirmed_by_timeout", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_class_batches")),
    )
    op.create_index("ix_class_batches_class_id", "class_batches", ["class_id"], unique=False)
    op.create_index(
        "ix_class_batches_pending", "class_batches", ["status", "suggested_at"], unique=False
    )
    op.create_table(
        "courses",
        sa.Column("course_code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("course_code", name=op.f("pk_courses")),
    )
    op.create_table(
        "student_audit_log",
        sa.Column("audit_id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("actor_user_id", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("student_ids", postgresql.ARRAY(sa.String(length=36)), nullable=False),
        sa.Column("class_id", sa.String(length=36), nullable=True),
        sa.Column("correlation_id", sa.String(length=64), nullable=True),
        sa.Column(
            "occurred_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("audit_id", name=op.f("pk_student_audit_log")),
    )
    op.create_index(
        "ix_student_audit_log_actor_time",
        "student_audit_log",
        ["actor_user_id", "occurred_at"],
        unique=False,
    )
    op.create_index(
        "ix_student_audit_log_student_ids",
        "student_audit_log",
        ["student_ids"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_table(
        "students",
        sa.Column("student_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("name_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("email_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column("is_placeholder", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("student_id", name=op.f("pk_students")),
    )
    op.create_index(
        "uq_students_user_email_hash", "students", ["user_id", "email_hash"], unique=True
    )
    op.create_table(
        "classes",
        sa.Column("class_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("course_code", sa.String(length=16), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["course_code"], ["courses.course_code"], name=op.f("fk_classes_course_code_courses")
        ),
        sa.PrimaryKeyConstraint("class_id", name=op.f("pk_classes")),
    )
    op.create_index(
        "uq_classes_user_name",
        "classes",
        ["user_id", sa.literal_column("lower(name)")],
        unique=True,
    )
    op.create_table(
        "essay_student_associations",
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("file_upload_id", sa.String(length=64), nullable=False),
        sa.Column("essay_id", sa.String(length=64), nullable=True),
        sa.Column("text_storage_id", sa.String(length=64), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("parsed_name_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("parsed_email_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("extraction_confidence", sa.Float(), server_default=sa.text("0"), nullable=False),
        sa.Column("suggested_student_id", sa.String(length=36), nullable=True),
        sa.Column("student_id", sa.String(length=36), nullable=True),
        sa.Column("confidence", sa.Float(), server_default=sa.text("0"), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("decided_by", sa.String(length=255), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["class_batches.batch_id"],
            name=op.f("fk_essay_student_associations_batch_id_class_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.student_id"],
            name=op.f("fk_essay_student_associations_student_id_students"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["suggested_student_id"],
            ["students.student_id"],
            name=op.f("fk_essay_student_associations_suggested_student_id_students"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint(
            "batch_id", "file_upload_id", name=op.f("pk_essay_student_associations")
        ),
    )
    op.create_index(
        "ix_associations_student_id", "essay_student_associations", ["student_id"], unique=False
    )
    op.create_index(
        "ix_associations_suggested_student_id",
        "essay_student_associations",
        ["suggested_student_id"],
        unique=False,
    )
    op.create_index(
        "uq_associations_batch_essay",
        "essay_student_associations",
        ["batch_id", "essay_id"],
        unique=True,
        postgresql_where=sa.text("essay_id IS NOT NULL"),
    )
    op.create_table(
        "class_students",
        sa.Column("class_id", sa.String(length=36), nullable=False),
        sa.Column("student_id", sa.String(length=36), nullable=False),
        sa.Column(
            "added_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["classes.class_id"],
            name=op.f("fk_class_students_class_id_classes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.student_id"],
            name=op.f("fk_class_students_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("class_id", "student_id", name=op.f("pk_class_students")),
    )
    op.create_index("ix_class_students_student_id", "class_students", ["student_id"], unique=False)

    create_outbox_and_inbox(op)
    # Reference data: the courses a class (and a batch) can be for.
    op.bulk_insert(
        sa.table(
            "courses",
            sa.column("course_code", sa.String),
            sa.column("name", sa.String),
            sa.column("language", sa.String),
            sa.column("level", sa.Integer),
        ),
        [
            {"course_code": "ENG5", "name": "English 5", "language": "en", "level": 5},
            {"course_code": "ENG6", "name": "English 6", "language": "en", "level": 6},
            {"course_code": "ENG7", "name": "English 7", "language": "en", "level": 7},
            {"course_code": "SV1", "name": "Svenska 1", "language": "sv", "level": 1},
            {"course_code": "SV2", "name": "Svenska 2", "language": "sv", "level": 2},
            {"course_code": "SV3", "name": "Svenska 3", "language": "sv", "level": 3},
        ],
    )


def downgrade() -> None:
    drop_outbox_and_inbox(op)
    op.drop_index("ix_class_students_student_id", table_name="class_students")
    op.drop_table("class_students")
    op.drop_index(
        "uq_associations_batch_essay",
        table_name="essay_student_associations",
        postgresql_where=sa.text("essay_id IS NOT NULL"),
    )
    op.drop_index("ix_associations_suggested_student_id", table_name="essay_student_associations")
    op.drop_index("ix_associations_student_id", table_name="essay_student_associations")
    op.drop_table("essay_student_associations")
    op.drop_index("uq_classes_user_name", table_name="classes")
    op.drop_table("classes")
    op.drop_index("uq_students_user_email_hash", table_name="students")
    op.drop_table("students")
    op.drop_index(
        "ix_student_audit_log_student_ids", table_name="student_audit_log", postgresql_using="gin"
    )
    op.drop_index("ix_student_audit_log_actor_time", table_name="student_audit_log")
    op.drop_table("student_audit_log")
    op.drop_table("courses")
    op.drop_index("ix_class_batches_pending", table_name="class_batches")
    op.drop_index("ix_class_batches_class_id", table_name="class_batches")
    op.drop_table("class_batches")
