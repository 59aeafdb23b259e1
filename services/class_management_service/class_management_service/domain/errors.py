"""Errors the class and student use cases raise, each carrying its shared ErrorCode.

Messages never contain student names or emails: error messages are logged, details are not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from common_core.errors import ErrorCode


class DomainError(Exception):
    """An expected refusal; the API turns `code`, `message` and `details` into the error body."""

    code: ErrorCode = ErrorCode.INVALID_REQUEST

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details or {}


class ClassNotFound(DomainError):
    """No such class, or another teacher's (indistinguishable on purpose)."""

    code = ErrorCode.CLASS_NOT_FOUND

    def __init__(self, class_id: str) -> None:
        super().__init__("Class not found.", {"class_id": class_id})
        self.class_id = class_id


class StudentNotFound(DomainError):
    """No such student, or another teacher's (indistinguishable on purpose)."""

    code = ErrorCode.STUDENT_NOT_FOUND

    def __init__(self, student_id: str) -> None:
        super().__init__("Student not found.", {"student_id": student_id})
        self.student_id = student_id


class UnknownCourse(DomainError):
    """The course code is not one of the seeded courses."""

    code = ErrorCode.UNKNOWN_COURSE

    def __init__(self, course_code: str) -> None:
        super().__init__(f"Unknown course code {course_code!r}.", {"course_code": course_code})
        self.course_code = course_code


class DuplicateClassName(DomainError):
    """The teacher already has a class of that name (compared case-insensitively)."""

    code = ErrorCode.DUPLICATE_CLASS_NAME

    def __init__(self, name: str) -> None:
        super().__init__(f"You already have a class named {name!r}.", {"field": "name"})


class DuplicateStudentEmail(DomainError):
    """Another of the teacher's students has that email."""

    code = ErrorCode.DUPLICATE_STUDENT_EMAIL

    def __init__(self) -> None:
        super().__init__("You already have a student with this email.", {"field": "email"})


class Conflict(DomainError):
    """The change is not allowed in the current state (pending batch, placeholder student)."""

    code = ErrorCode.CONFLICT

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message, details)


class InvalidField(DomainError):
    """One field of a request is invalid (same detail shape as request validation errors)."""

    code = ErrorCode.VALIDATION_ERROR

    def __init__(self, field: str, message: str) -> None:
        super().__init__(
            f"Invalid {field}.",
            {"errors": [{"loc": [field], "msg": message, "type": "value_error"}]},
        )
        self.field = field
        self.reason = message


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one roster row was refused (row 1 = the first record after the header)."""

    row: int
    field: str | None
    message: str


class RosterRejected(DomainError):
    """A roster CSV was refused as a whole; nothing was written."""

    code = ErrorCode.VALIDATION_ERROR

    def __init__(
        self,
        message: str,
        rows: Sequence[RowError] = (),
        **details: Any,
    ) -> None:
        super().__init__(message, {"rows": [asdict(r) for r in rows], **details})
        self.rows = list(rows)
