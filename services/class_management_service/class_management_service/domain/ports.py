"""Ports of the class, student and roster use cases; adapters implement them, tests fake them.

Repositories take and return plaintext domain records: encryption, hashing and SQL stay in
the adapters. Lookups take the teacher's user id, so another teacher's rows are simply absent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol
from uuid import UUID

from class_management_service.domain.associations.ports import (
    AssociationRepository,
    ClassBatchRepository,
)
from class_management_service.domain.models import SchoolClass, Student
from class_management_service.domain.records import AuditRecord, AuthoredEssay, Course
from common_core.envelope import EventEnvelope


class ClassRepository(Protocol):
    """Courses, classes and class memberships."""

    async def courses(self) -> list[Course]:
        """Every seeded course, by code."""
        ...

    async def course(self, course_code: str) -> Course | None:
        """One course, or None for an unknown code."""
        ...

    async def add(self, school_class: SchoolClass) -> None:
        """Insert a class; raises DuplicateClassName when the teacher has that name."""
        ...

    async def get(self, user_id: str, class_id: str) -> SchoolClass | None:
        """The teacher's class with its student count, or None."""
        ...

    async def page(self, user_id: str, *, limit: int, offset: int) -> tuple[list[SchoolClass], int]:
        """One page of the teacher's classes by name, and how many there are."""
        ...

    async def owned(self, user_id: str, class_ids: Sequence[str]) -> list[SchoolClass]:
        """Those of `class_ids` that are the teacher's, by name."""
        ...

    async def update(self, school_class: SchoolClass) -> None:
        """Write name, course and updated_at; raises DuplicateClassName on a taken name."""
        ...

    async def delete(self, class_id: str) -> None:
        """Delete the class (its memberships go with it)."""
        ...

    async def has_unconfirmed_batches(self, class_id: str) -> bool:
        """True while a batch of the class still waits for its authors to be confirmed."""
        ...

    async def enrol(self, class_id: str, student_ids: Sequence[str]) -> list[str]:
        """Add memberships; returns the ids that were not members before."""
        ...

    async def unenrol(self, class_id: str, student_id: str) -> bool:
        """Remove one membership; False when there was none."""
        ...


class StudentRepository(Protocol):
    """A teacher's students (encrypted at rest; plaintext here)."""

    async def add(self, student: Student) -> None:
        """Insert a student (not their memberships); raises DuplicateStudentEmail."""
        ...

    async def add_many(self, students: Sequence[Student]) -> None:
        """Insert several students in bulk; raises DuplicateStudentEmail."""
        ...

    async def get(self, user_id: str, student_id: str) -> Student | None:
        """The teacher's student with class ids, or None."""
        ...

    async def get_many(self, user_id: str, student_ids: Sequence[str]) -> list[Student]:
        """Those of `student_ids` that are the teacher's (missing ids simply absent)."""
        ...

    async def find_by_emails(self, user_id: str, emails: Sequence[str]) -> list[Student]:
        """The teacher's students having any of these (normalised) emails."""
        ...

    async def page(
        self, user_id: str, *, class_id: str | None, limit: int, offset: int
    ) -> tuple[list[Student], int]:
        """One page of the teacher's real students (oldest first), and how many there are."""
        ...

    async def roster(self, class_id: str, *, include_placeholders: bool = False) -> list[Student]:
        """The class's students sorted by last, first name (placeholders last, if included)."""
        ...

    async def memberships(self, class_id: str) -> dict[str, tuple[str, ...]]:
        """Each member of the class and all the classes they belong to."""
        ...

    async def update(self, student: Student) -> None:
        """Write names, email and updated_at; raises DuplicateStudentEmail."""
        ...

    async def delete(self, student_id: str, *, with_essays: bool) -> None:
        """Delete the student and the parsed essay headers naming them as the author.

        `with_essays`: the association rows of the essays they wrote go too.
        """
        ...

    async def ensure_unknown_student(self, user_id: str, class_id: str) -> tuple[Student, bool]:
        """The class's placeholder student, enrolled; True when it was created now."""
        ...

    async def authored_essays(self, student_id: str) -> list[AuthoredEssay]:
        """Essay associations naming the student as author or suggestion, decrypted."""
        ...


class AuditedRosterReads(Protocol):
    """The roster read and its audit row as one atomic operation."""

    async def read(
        self, *, actor_user_id: str, class_id: str, action: str, correlation_id: str | None
    ) -> tuple[SchoolClass, list[Student]] | None:
        """The class and its sorted roster, audited; None (and no audit row) if not theirs."""
        ...


class AuditLog(Protocol):
    """The student data audit trail (ids only, never names or emails)."""

    async def record(
        self,
        *,
        actor_user_id: str,
        action: str,
        student_ids: Sequence[str],
        class_id: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        """Append one audit row in the current transaction."""
        ...

    async def for_students(self, student_ids: Sequence[str]) -> list[AuditRecord]:
        """Every audit row naming any of the students, oldest first."""
        ...


class UnitOfWork(Protocol):
    """One transaction: rows, audit, the inbox claim and outbox events commit together."""

    classes: ClassRepository
    students: StudentRepository
    audit: AuditLog
    class_batches: ClassBatchRepository
    associations: AssociationRepository

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def add_events(self, events: list[tuple[EventEnvelope[Any], str]]) -> None:
        """Queue (envelope, key) pairs in the outbox of this transaction."""
        ...

    async def commit(self) -> None:
        """Commit rows, audit, inbox and outbox together."""
        ...

    async def claim(self, *, consumer: str, event_id: UUID, event_type: str) -> bool:
        """Record an event as handled by `consumer`; False if it already was."""
        ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
