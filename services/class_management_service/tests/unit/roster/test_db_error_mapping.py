"""A row deleted under a write (foreign key violation) maps to our 404s, or else to a 409."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from class_management_service.api.errors import to_http_error
from common_core.errors import ErrorCode


@dataclass
class _PgError(Exception):
    """What asyncpg's exception carries (SQLAlchemy wraps it as `orig`)."""

    sqlstate: str
    constraint_name: str | None
    detail: str | None


def _fk_violation(constraint: str | None, detail: str | None) -> IntegrityError:
    return IntegrityError(
        "INSERT INTO class_students ...", {}, _PgError("23503", constraint, detail)
    )


def test_a_vanished_class_is_class_not_found_with_its_id() -> None:
    error = to_http_error(
        _fk_violation(
            "fk_class_students_class_id_classes",
            'Key (class_id)=(0b7c-class) is not present in table "classes".',
        )
    )
    assert error is not None
    assert (error.code, error.message, error.details) == (
        ErrorCode.CLASS_NOT_FOUND,
        "Class not found.",
        {"class_id": "0b7c-class"},
    )


def test_a_vanished_student_is_student_not_found_whatever_the_server_language() -> None:
    # The constraint name decides the table; only the key is read from the (localised) detail.
    error = to_http_error(
        _fk_violation(
            "fk_class_students_student_id_students",
            "Schlüssel (student_id)=(9f1e-student) ist nicht in Tabelle »students« vorhanden.",
        )
    )
    assert error is not None
    assert (error.code, error.details) == (
        ErrorCode.STUDENT_NOT_FOUND,
        {"student_id": "9f1e-student"},
    )


def test_an_unknown_reference_or_key_is_a_conflict() -> None:
    for constraint, detail in [
        ("fk_essay_student_associations_batch_id_class_batches", "Key (batch_id)=(b) ..."),
        ("fk_class_students_class_id_classes", None),
        (None, None),
    ]:
        error = to_http_error(_fk_violation(constraint, detail))
        assert error is not None
        assert error.code is ErrorCode.CONFLICT, constraint


def test_other_integrity_errors_stay_500s() -> None:
    unique = IntegrityError(
        "INSERT ...", {}, _PgError("23505", "uq_students_user_email_hash", None)
    )
    assert to_http_error(unique) is None
