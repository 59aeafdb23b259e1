"""Read-side records of the roster use cases (courses, audit entries, a student's essays)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from common_core.enums import AssociationMethod, AssociationStatus, CourseCode, Language


class AuditAction(StrEnum):
    """What an audit row records: every read or write of student data has one."""

    STUDENT_READ = "student.read"
    STUDENT_LIST = "student.list"
    STUDENT_CREATE = "student.create"
    STUDENT_UPDATE = "student.update"
    STUDENT_ERASE = "student.erase"
    STUDENT_EXPORT = "student.export"
    ROSTER_READ = "class.roster_read"
    ROSTER_IMPORT = "class.roster_import"
    ENROL = "class.enrol"
    UNENROL = "class.unenrol"
    CLASS_DELETE = "class.delete"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asks (the X-User-ID teacher) and the request's correlation id, for audit and events."""

    user_id: str
    correlation_id: str


@dataclass(frozen=True, slots=True)
class Course:
    """A seeded course."""

    course_code: CourseCode
    name: str
    language: Language
    level: int


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One audited operation that named a student."""

    action: str
    actor_user_id: str
    occurred_at: datetime
    correlation_id: str | None
    class_id: str | None


@dataclass(frozen=True, slots=True)
class AuthoredEssay:
    """An essay association naming a student (as decided or as suggested), decrypted."""

    batch_id: str
    file_upload_id: str
    essay_id: str | None
    filename: str | None
    parsed_name: str | None
    parsed_email: str | None
    suggested_student_id: str | None
    student_id: str | None
    confidence: float
    method: AssociationMethod
    status: AssociationStatus
    updated_at: datetime
    text_storage_id: str | None = None
