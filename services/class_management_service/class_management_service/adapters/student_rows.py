"""A student's rows as stored and the domain's records: names, emails and essay headers are
encrypted on the way in and decrypted on the way out (the database sees Fernet tokens and the
keyed email hash only)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from class_management_service.adapters.pii import PiiCipher
from class_management_service.adapters.tables import class_students, students
from class_management_service.domain.models import Student
from class_management_service.domain.records import AuthoredEssay
from common_core.enums import AssociationMethod, AssociationStatus

_member = class_students.alias("member")
# Every class of the student, oldest membership first (NULL when none: read as empty).
CLASS_IDS = (
    select(func.array_agg(aggregate_order_by(_member.c.class_id, _member.c.added_at)))
    .where(_member.c.student_id == students.c.student_id)
    .scalar_subquery()
    .label("class_ids")
)


def select_students() -> Select[Any]:
    """The columns `student_of` reads, each student's class ids included."""
    return select(
        students.c.student_id,
        students.c.user_id,
        students.c.name_ciphertext,
        students.c.email_ciphertext,
        students.c.is_placeholder,
        students.c.created_at,
        students.c.updated_at,
        CLASS_IDS,
    )


def student_row(
    cipher: PiiCipher, student: Student, email_hash: str | None = None
) -> dict[str, Any]:
    """The `students` row of a student (memberships are rows of their own); `email_hash`
    when already computed for this email."""
    return {
        "student_id": student.student_id,
        "user_id": student.user_id,
        "name_ciphertext": cipher.encrypt_name(student.first_name, student.last_name),
        "email_ciphertext": cipher.encrypt(student.email),
        "email_hash": email_hash or cipher.email_hash(student.email),
        "is_placeholder": student.is_placeholder,
        "created_at": student.created_at,
        "updated_at": student.updated_at,
    }


def student_rows(
    cipher: PiiCipher, many: Iterable[Student], email_hashes: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The `students` rows of several students (see `student_row`), reusing the hashes of
    `email_hashes` (email -> hash) where they are known."""
    return [student_row(cipher, s, email_hashes.get(s.email)) for s in many]


def student_of(cipher: PiiCipher, row: Any) -> Student:
    """The student of a `select_students` row, decrypted."""
    first, last = cipher.decrypt_name(row.name_ciphertext)
    return Student(
        student_id=row.student_id,
        user_id=row.user_id,
        first_name=first,
        last_name=last,
        email=cipher.decrypt(row.email_ciphertext),
        created_at=row.created_at,
        updated_at=row.updated_at,
        is_placeholder=row.is_placeholder,
        class_ids=tuple(row.class_ids or ()),
    )


def authored_essay_of(cipher: PiiCipher, row: Any) -> AuthoredEssay:
    """An `essay_student_associations` row with its header and file name decrypted."""
    decrypt = cipher.decrypt
    return AuthoredEssay(
        batch_id=row.batch_id,
        file_upload_id=row.file_upload_id,
        essay_id=row.essay_id,
        filename=decrypt(row.filename_ciphertext) if row.filename_ciphertext else None,
        parsed_name=decrypt(row.parsed_name_ciphertext) if row.parsed_name_ciphertext else None,
        parsed_email=(
            decrypt(row.parsed_email_ciphertext) if row.parsed_email_ciphertext else None
        ),
        suggested_student_id=row.suggested_student_id,
        student_id=row.student_id,
        confidence=float(row.confidence),
        method=AssociationMethod(row.method),
        status=AssociationStatus(row.status),
        updated_at=row.updated_at,
        text_storage_id=row.text_storage_id,
    )
