"""Use cases of a class's roster: read it, enrol and unenrol one student, import a CSV."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from class_management_service.domain.errors import ClassNotFound, Conflict, StudentNotFound
from class_management_service.domain.models import SchoolClass, Student
from class_management_service.domain.observations import Recorder, StudentsImported, ignore
from class_management_service.domain.ports import (
    AuditedRosterReads,
    UnitOfWork,
    UnitOfWorkFactory,
)
from class_management_service.domain.records import Actor, AuditAction
from class_management_service.domain.roster.classes import owned_class
from class_management_service.domain.roster.csv_import import RosterRow, parse_roster
from class_management_service.domain.roster.events import Emitter
from common_core.envelope import utc_now


@dataclass(frozen=True)
class RosterImport:
    """What an import did: the students in file order, how many were new or already known."""

    school_class: SchoolClass
    students: list[Student]
    created_count: int
    existing_count: int


async def editable_student(uow: UnitOfWork, actor: Actor, student_id: str) -> Student:
    """The teacher's student unless it is a placeholder (those belong to the platform)."""
    student = await uow.students.get(actor.user_id, student_id)
    if student is None:
        raise StudentNotFound(student_id)
    if student.is_placeholder:
        raise Conflict(
            "The class's UNKNOWN student is managed by the platform and cannot be changed.",
            student_id=student_id,
        )
    return student


class RosterReadService:
    """The roster read: the hottest route, one atomic operation (no unit of work needed)."""

    def __init__(self, rosters: AuditedRosterReads) -> None:
        self._rosters = rosters

    async def detail(self, actor: Actor, class_id: str) -> tuple[SchoolClass, list[Student]]:
        """The class and its roster (placeholders included, last); audited as a roster read."""
        found = await self._rosters.read(
            actor_user_id=actor.user_id,
            class_id=class_id,
            action=AuditAction.ROSTER_READ,
            correlation_id=actor.correlation_id,
        )
        if found is None:
            raise ClassNotFound(class_id)
        return found


class RosterService:
    """Memberships of the teacher's classes; every operation is audited."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        source_service: str,
        *,
        max_rows: int,
        record: Recorder = ignore,
    ) -> None:
        self._uow_factory = uow_factory
        self._source = source_service
        self._max_rows = max_rows
        self._record = record

    async def enrol(self, actor: Actor, class_id: str, student_id: str) -> None:
        """Put the student in the class (idempotent)."""
        await self._change_membership(actor, class_id, student_id, enrol=True)

    async def unenrol(self, actor: Actor, class_id: str, student_id: str) -> None:
        """Take the student out of the class (idempotent)."""
        await self._change_membership(actor, class_id, student_id, enrol=False)

    async def _change_membership(
        self, actor: Actor, class_id: str, student_id: str, *, enrol: bool
    ) -> None:
        emitter = Emitter(self._source, actor.correlation_id)
        async with self._uow_factory() as uow:
            school_class = await owned_class(uow, actor, class_id)
            student = await editable_student(uow, actor, student_id)
            if enrol:
                changed = bool(await uow.classes.enrol(class_id, [student_id]))
                class_ids = (*student.class_ids, class_id)
            else:
                changed = await uow.classes.unenrol(class_id, student_id)
                class_ids = tuple(c for c in student.class_ids if c != class_id)
            await uow.audit.record(
                actor_user_id=actor.user_id,
                action=AuditAction.ENROL if enrol else AuditAction.UNENROL,
                student_ids=[student_id],
                class_id=class_id,
                correlation_id=actor.correlation_id,
            )
            if changed:
                kind = "student_enrolled" if enrol else "student_unenrolled"
                moved = replace(student, class_ids=class_ids)
                await uow.add_events(emitter.membership_changed(school_class, moved, kind))
            await uow.commit()

    async def import_csv(self, actor: Actor, class_id: str, data: bytes) -> RosterImport:
        """Create or reuse a student per CSV row and enrol them all, or change nothing.

        Raises RosterRejected (every bad row listed), ClassNotFound or DuplicateStudentEmail
        (only when a concurrent request added the same email meanwhile).
        """
        rows = parse_roster(data, max_rows=self._max_rows)  # CPU only: before the transaction
        emitter = Emitter(self._source, actor.correlation_id)
        async with self._uow_factory() as uow:
            school_class = await owned_class(uow, actor, class_id)
            in_file_order, created = await _students_of_rows(uow, actor, class_id, rows)
            await uow.students.add_many(created)
            newly = set(await uow.classes.enrol(class_id, [s.student_id for s in in_file_order]))
            enrolled = _known_and_newly_enrolled(in_file_order, created, newly, class_id)
            moved = {s.student_id: s for s in enrolled}
            result = [moved.get(s.student_id, s) for s in in_file_order]
            await uow.audit.record(
                actor_user_id=actor.user_id,
                action=AuditAction.ROSTER_IMPORT,
                student_ids=[s.student_id for s in result],
                class_id=class_id,
                correlation_id=actor.correlation_id,
            )
            existing_count = len(rows) - len(created)
            await uow.add_events(
                emitter.roster_imported(school_class, created, enrolled, existing_count)
            )
            await uow.commit()
        self._record([StudentsImported(len(created))])
        return RosterImport(
            school_class=replace(
                school_class, student_count=school_class.student_count + len(newly)
            ),
            students=result,
            created_count=len(created),
            existing_count=existing_count,
        )


async def _students_of_rows(
    uow: UnitOfWork, actor: Actor, class_id: str, rows: list[RosterRow]
) -> tuple[list[Student], list[Student]]:
    """Each row's student in file order, and which of them are new (not yet stored).

    One lookup for the whole file: rows whose email is already the teacher's student reuse
    that student as stored (their name is not overwritten).
    """
    known = {
        s.email: s
        for s in await uow.students.find_by_emails(actor.user_id, [r.email for r in rows])
    }
    now = utc_now()
    created: list[Student] = []
    in_file_order: list[Student] = []
    for row in rows:
        student = known.get(row.email)
        if student is None:
            student = Student(
                student_id=str(uuid.uuid4()),
                user_id=actor.user_id,
                first_name=row.first_name,
                last_name=row.last_name,
                email=row.email,
                created_at=now,
                updated_at=now,
                class_ids=(class_id,),
            )
            created.append(student)
        in_file_order.append(student)
    return in_file_order, created


def _known_and_newly_enrolled(
    students: list[Student], created: list[Student], newly: set[str], class_id: str
) -> list[Student]:
    """The already stored students the import put in the class, with the class added."""
    created_ids = {s.student_id for s in created}
    return [
        replace(s, class_ids=(*s.class_ids, class_id))
        for s in students
        if s.student_id in newly and s.student_id not in created_ids
    ]
