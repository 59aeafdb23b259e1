"""Domain records of the Class Management Service (plaintext: the repositories encrypt)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from common_core.enums import CourseCode

UNKNOWN_STUDENT_DOMAIN = "huleedu.system"


def unknown_student_email(class_id: str) -> str:
    """The address of a class's UNKNOWN student (essays nobody could be matched to)."""
    return f"unknown.{class_id}@{UNKNOWN_STUDENT_DOMAIN}"


@dataclass(frozen=True, slots=True)
class SchoolClass:
    """A teacher's class of one course."""

    class_id: str
    user_id: str
    name: str
    course_code: CourseCode
    student_count: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Student:
    """A teacher's student with decrypted name and email."""

    student_id: str
    user_id: str
    first_name: str
    last_name: str
    email: str
    created_at: datetime
    updated_at: datetime
    is_placeholder: bool = False
    class_ids: tuple[str, ...] = field(default_factory=tuple)

    @property
    def full_name(self) -> str:
        """First and last name as a teacher writes them."""
        return f"{self.first_name} {self.last_name}".strip()
