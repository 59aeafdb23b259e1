"""Hand-written fakes of the roster side's ports, with transactions that roll back.

`RosterStore` holds the committed state; each `FakeRosterUnitOfWork` works on a deep copy
and writes it back only on commit, so a use case that raises leaves nothing behind, as in
PostgreSQL. The fakes keep the database's unique rules (class name per teacher regardless
of case, email per teacher) so the use cases' duplicate handling is exercised.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Self
from uuid import UUID

from class_management_service.domain.errors import DuplicateClassName, DuplicateStudentEmail
from class_management_service.domain.models import SchoolClass, Student
from class_management_service.domain.ports import AuditLog, ClassRepository, StudentRepository
from class_management_service.domain.records import AuditRecord, AuthoredEssay, Course
from class_management_service.domain.roster.order import roster_sort_key
from common_core.enums import CourseCode, language_for_course
from common_core.envelope import EventEnvelope, utc_now

Outgoing = tuple[EventEnvelope[Any], str]


@dataclass
class AuditCall:
    """One audit record as the use case wrote it."""

    actor_user_id: str
    action: str
    student_ids: list[str]
    class_id: str | None
    correlation_id: str | None


@dataclass
class RosterState:
    """Everything the fakes store."""

    courses: dict[str, Course] = field(default_factory=dict)
    classes: dict[str, SchoolClass] = field(default_factory=dict)
    students: dict[str, Student] = field(default_factory=dict)
    members: set[tuple[str, str]] = field(default_factory=set)  # (class_id, student_id)
    classes_with_pending_batch: set[str] = field(default_factory=set)
    essays: list[AuthoredEssay] = field(default_factory=list)
    audit: list[AuditCall] = field(default_factory=list)
    outbox: list[Outgoing] = field(default_factory=list)

    def class_ids_of(self, student_id: str) -> tuple[str, ...]:
        """The student's classes (sorted for determinism)."""
        return tuple(sorted(c for c, s in self.members if s == student_id))

    def with_classes(self, student: Student) -> Student:
        """The student with their current class ids."""
        return replace(student, class_ids=self.class_ids_of(student.student_id))


def seeded_courses() -> dict[str, Course]:
    """The six seeded courses."""
    return {
        code.value: Course(code, code.value, language_for_course(code), 1) for code in CourseCode
    }


class RosterStore:
    """The committed state of the fakes."""

    def __init__(self) -> None:
        self.state = RosterState(courses=seeded_courses())
        self.commits = 0

    def factory(self) -> FakeRosterUnitOfWork:
        """A new unit of work (the UnitOfWorkFactory of the use cases)."""
        return FakeRosterUnitOfWork(self)

    def roster_reads(self) -> FakeRosterReads:
        """The audited roster read over the committed state (AuditedRosterReads)."""
        return FakeRosterReads(self)

    def events(self, event_type: str) -> list[EventEnvelope[Any]]:
        """Committed outbox envelopes of one event type."""
        return [env for env, _ in self.state.outbox if env.event_type == event_type]


class _Classes:
    def __init__(self, state: RosterState) -> None:
        self._s = state

    def _count(self, c: SchoolClass) -> SchoolClass:
        count = sum(1 for cid, _ in self._s.members if cid == c.class_id)
        return replace(c, student_count=count)

    async def courses(self) -> list[Course]:
        return sorted(self._s.courses.values(), key=lambda c: c.course_code.value)

    async def course(self, course_code: str) -> Course | None:
        return self._s.courses.get(course_code)

    def _check_name(self, c: SchoolClass) -> None:
        for other in self._s.classes.values():
            same_name = other.name.casefold() == c.name.casefold()
            if other.user_id == c.user_id and other.class_id != c.class_id and same_name:
                raise DuplicateClassName(c.name)

    async def add(self, school_class: SchoolClass) -> None:
        self._check_name(school_class)
        self._s.classes[school_class.class_id] = school_class

    async def get(self, user_id: str, class_id: str) -> SchoolClass | None:
        c = self._s.classes.get(class_id)
        return self._count(c) if c is not None and c.user_id == user_id else None

    async def page(self, user_id: str, *, limit: int, offset: int) -> tuple[list[SchoolClass], int]:
        mine = sorted(
            (c for c in self._s.classes.values() if c.user_id == user_id),
            key=lambda c: c.name.casefold(),
        )
        return [self._count(c) for c in mine[offset : offset + limit]], len(mine)

    async def owned(self, user_id: str, class_ids: Sequence[str]) -> list[SchoolClass]:
        found = [await self.get(user_id, cid) for cid in class_ids]
        return sorted((c for c in found if c is not None), key=lambda c: c.name.casefold())

    async def update(self, school_class: SchoolClass) -> None:
        self._check_name(school_class)
        self._s.classes[school_class.class_id] = school_class

    async def delete(self, class_id: str) -> None:
        del self._s.classes[class_id]
        self._s.members = {(c, s) for c, s in self._s.members if c != class_id}

    async def has_unconfirmed_batches(self, class_id: str) -> bool:
        return class_id in self._s.classes_with_pending_batch

    async def enrol(self, class_id: str, student_ids: Sequence[str]) -> list[str]:
        new = [s for s in student_ids if (class_id, s) not in self._s.members]
        self._s.members.update((class_id, s) for s in new)
        return new

    async def unenrol(self, class_id: str, student_id: str) -> bool:
        was = (class_id, student_id) in self._s.members
        self._s.members.discard((class_id, student_id))
        return was


class _Students:
    def __init__(self, state: RosterState) -> None:
        self._s = state

    def _check_email(self, student: Student) -> None:
        for other in self._s.students.values():
            same = other.user_id == student.user_id and other.email == student.email
            if same and other.student_id != student.student_id:
                raise DuplicateStudentEmail()

    async def add(self, student: Student) -> None:
        await self.add_many([student])

    async def add_many(self, students: Sequence[Student]) -> None:
        for student in students:
            self._check_email(student)
            self._s.students[student.student_id] = replace(student, class_ids=())

    async def get(self, user_id: str, student_id: str) -> Student | None:
        s = self._s.students.get(student_id)
        return self._s.with_classes(s) if s is not None and s.user_id == user_id else None

    async def get_many(self, user_id: str, student_ids: Sequence[str]) -> list[Student]:
        found = [await self.get(user_id, sid) for sid in student_ids]
        return [s for s in found if s is not None]

    async def find_by_emails(self, user_id: str, emails: Sequence[str]) -> list[Student]:
        wanted = set(emails)
        return [
            self._s.with_classes(s)
            for s in self._s.students.values()
            if s.user_id == user_id and s.email in wanted
        ]

    async def page(
        self, user_id: str, *, class_id: str | None, limit: int, offset: int
    ) -> tuple[list[Student], int]:
        mine = [
            self._s.with_classes(s)
            for s in self._s.students.values()
            if s.user_id == user_id and not s.is_placeholder
        ]
        if class_id is not None:
            mine = [s for s in mine if class_id in s.class_ids]
        mine.sort(key=lambda s: (s.created_at, s.student_id))
        return mine[offset : offset + limit], len(mine)

    async def roster(self, class_id: str, *, include_placeholders: bool = False) -> list[Student]:
        members = [
            self._s.with_classes(self._s.students[sid])
            for cid, sid in self._s.members
            if cid == class_id
        ]
        if not include_placeholders:
            members = [s for s in members if not s.is_placeholder]
        return sorted(members, key=roster_sort_key)

    async def memberships(self, class_id: str) -> dict[str, tuple[str, ...]]:
        return {sid: self._s.class_ids_of(sid) for cid, sid in self._s.members if cid == class_id}

    async def update(self, student: Student) -> None:
        self._check_email(student)
        self._s.students[student.student_id] = replace(student, class_ids=())

    async def delete(self, student_id: str, *, with_essays: bool) -> None:
        del self._s.students[student_id]
        self._s.members = {(c, s) for c, s in self._s.members if s != student_id}
        if with_essays:
            self._s.essays = [e for e in self._s.essays if e.student_id != student_id]
        self._s.essays = [_without_author(e, student_id) for e in self._s.essays]

    async def ensure_unknown_student(self, user_id: str, class_id: str) -> tuple[Student, bool]:
        raise NotImplementedError("the roster use cases never make placeholders")

    async def authored_essays(self, student_id: str) -> list[AuthoredEssay]:
        return [e for e in self._s.essays if student_id in (e.student_id, e.suggested_student_id)]


class _Audit:
    def __init__(self, state: RosterState) -> None:
        self._s = state

    async def record(
        self,
        *,
        actor_user_id: str,
        action: str,
        student_ids: Sequence[str],
        class_id: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        call = AuditCall(actor_user_id, str(action), list(student_ids), class_id, correlation_id)
        self._s.audit.append(call)

    async def for_students(self, student_ids: Sequence[str]) -> list[AuditRecord]:
        wanted = set(student_ids)
        return [
            AuditRecord(a.action, a.actor_user_id, utc_now(), a.correlation_id, a.class_id)
            for a in self._s.audit
            if wanted & set(a.student_ids)
        ]


class FakeRosterReads:
    """One atomic step, as the real single statement: roster and audit row, or neither."""

    def __init__(self, store: RosterStore) -> None:
        self._store = store

    async def read(
        self, *, actor_user_id: str, class_id: str, action: str, correlation_id: str | None
    ) -> tuple[SchoolClass, list[Student]] | None:
        state = self._store.state
        school_class = state.classes.get(class_id)
        if school_class is None or school_class.user_id != actor_user_id:
            return None
        roster = sorted(
            (state.with_classes(state.students[s]) for c, s in state.members if c == class_id),
            key=roster_sort_key,
        )
        ids = sorted(s.student_id for s in roster)
        state.audit.append(AuditCall(actor_user_id, str(action), ids, class_id, correlation_id))
        return replace(school_class, student_count=len(roster)), roster


class FakeRosterUnitOfWork:
    """A transaction over a copy of the store's state."""

    classes: ClassRepository
    students: StudentRepository
    audit: AuditLog
    # The roster use cases never touch the matching side's repositories.
    class_batches: Any = None
    associations: Any = None

    def __init__(self, store: RosterStore) -> None:
        self._store = store
        self._bind(RosterState())

    def _bind(self, state: RosterState) -> None:
        self._state = state
        self.classes = _Classes(state)
        self.students = _Students(state)
        self.audit = _Audit(state)

    async def __aenter__(self) -> Self:
        self._bind(copy.deepcopy(self._store.state))
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def add_events(self, events: list[Outgoing]) -> None:
        self._state.outbox.extend(events)

    async def commit(self) -> None:
        self._store.state = self._state
        self._store.commits += 1

    async def claim(self, *, consumer: str, event_id: UUID, event_type: str) -> bool:
        raise NotImplementedError("the roster use cases consume no events")


def _without_author(essay: AuthoredEssay, student_id: str) -> AuthoredEssay:
    """The essay after the student's erasure (as the database's SET NULL and header wipe)."""
    if essay.student_id == student_id:
        essay = replace(essay, student_id=None, parsed_name=None, parsed_email=None, filename=None)
    if essay.suggested_student_id == student_id:
        essay = replace(essay, suggested_student_id=None)
    return essay
