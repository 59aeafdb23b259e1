"""Use cases of a teacher's students: create, list, read, update, erase, export (all audited)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from class_management_service.domain.erasure import Sealer, erasure_requested, essays_by
from class_management_service.domain.errors import ClassNotFound, InvalidField, StudentNotFound
from class_management_service.domain.models import SchoolClass, Student
from class_management_service.domain.ports import UnitOfWork, UnitOfWorkFactory
from class_management_service.domain.records import Actor, AuditAction, AuditRecord, AuthoredEssay
from class_management_service.domain.roster.classes import owned_class
from class_management_service.domain.roster.emails import InvalidEmail, normalise_student_email
from class_management_service.domain.roster.events import Emitter
from class_management_service.domain.roster.rosters import editable_student
from common_core.enums import EssayErasureMode
from common_core.envelope import utc_now


@dataclass(frozen=True)
class StudentExport:
    """Everything stored about one student (the right of access)."""

    student: Student
    classes: list[SchoolClass]
    essays: list[AuthoredEssay]
    audit: list[AuditRecord]
    exported_at: datetime


def checked_email(raw: str) -> str:
    """The normalised email, or InvalidField naming the email field."""
    try:
        return normalise_student_email(raw)
    except InvalidEmail as exc:
        raise InvalidField("email", str(exc)) from None


def _tidy(name: str) -> str:
    return " ".join(name.split())


class StudentService:
    """The teacher's students; each call writes one audit row in its own transaction."""

    def __init__(self, uow_factory: UnitOfWorkFactory, source_service: str, sealer: Sealer) -> None:
        self._uow_factory = uow_factory
        self._source = source_service
        self._sealer = sealer

    async def _audit(
        self,
        uow: UnitOfWork,
        actor: Actor,
        action: AuditAction,
        student_ids: Sequence[str],
        class_id: str | None = None,
    ) -> None:
        await uow.audit.record(
            actor_user_id=actor.user_id,
            action=action,
            student_ids=list(student_ids),
            class_id=class_id,
            correlation_id=actor.correlation_id,
        )

    async def create(
        self,
        actor: Actor,
        *,
        first_name: str,
        last_name: str,
        email: str,
        class_ids: Sequence[str] = (),
    ) -> Student:
        """A new student, enrolled at once in `class_ids` (all must be the teacher's)."""
        normalised = checked_email(email)
        wanted = list(dict.fromkeys(class_ids))  # de-duplicated, order kept
        emitter = Emitter(self._source, actor.correlation_id)
        async with self._uow_factory() as uow:
            classes = await uow.classes.owned(actor.user_id, wanted) if wanted else []
            missing = set(wanted) - {c.class_id for c in classes}
            if missing:
                raise ClassNotFound(next(c for c in wanted if c in missing))
            now = utc_now()
            student = Student(
                student_id=str(uuid.uuid4()),
                user_id=actor.user_id,
                first_name=_tidy(first_name),
                last_name=_tidy(last_name),
                email=normalised,
                created_at=now,
                updated_at=now,
                class_ids=tuple(wanted),
            )
            await uow.students.add(student)
            for class_id in wanted:
                await uow.classes.enrol(class_id, [student.student_id])
            await self._audit(uow, actor, AuditAction.STUDENT_CREATE, [student.student_id])
            await uow.add_events(emitter.student_added(student, classes))
            await uow.commit()
        return student

    async def page(
        self, actor: Actor, *, class_id: str | None, limit: int, offset: int
    ) -> tuple[list[Student], int]:
        """One page of the teacher's students (optionally of one class), oldest first."""
        async with self._uow_factory() as uow:
            if class_id is not None:
                await owned_class(uow, actor, class_id)
            students, total = await uow.students.page(
                actor.user_id, class_id=class_id, limit=limit, offset=offset
            )
            ids = [s.student_id for s in students]
            await self._audit(uow, actor, AuditAction.STUDENT_LIST, ids, class_id)
            await uow.commit()
        return students, total

    async def get(self, actor: Actor, student_id: str) -> Student:
        """The teacher's student; raises StudentNotFound."""
        async with self._uow_factory() as uow:
            student = await uow.students.get(actor.user_id, student_id)
            if student is None:
                raise StudentNotFound(student_id)
            await self._audit(uow, actor, AuditAction.STUDENT_READ, [student_id])
            await uow.commit()
        return student

    async def update(
        self,
        actor: Actor,
        student_id: str,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        email: str | None = None,
    ) -> Student:
        """Change the given fields; raises StudentNotFound, Conflict, DuplicateStudentEmail."""
        new_email = checked_email(email) if email is not None else None
        emitter = Emitter(self._source, actor.correlation_id)
        async with self._uow_factory() as uow:
            current = await editable_student(uow, actor, student_id)
            updated = replace(
                current,
                first_name=_tidy(first_name) if first_name is not None else current.first_name,
                last_name=_tidy(last_name) if last_name is not None else current.last_name,
                email=new_email if new_email is not None else current.email,
            )
            changed = [
                field
                for field in ("first_name", "last_name", "email")
                if getattr(updated, field) != getattr(current, field)
            ]
            if changed:
                updated = replace(updated, updated_at=utc_now())
                await uow.students.update(updated)
                await uow.add_events(emitter.student_updated(updated, changed))
            else:
                updated = current
            await self._audit(uow, actor, AuditAction.STUDENT_UPDATE, [student_id])
            await uow.commit()
        return updated

    async def erase(
        self,
        actor: Actor,
        student_id: str,
        essay_mode: EssayErasureMode = EssayErasureMode.DELETE,
    ) -> int:
        """Delete the student and their PII here, and ask every service holding copies to do
        the same with `essay_mode` for their essays (one event, same commit); the audit trail
        (ids only) stays. The number of essays named in the request."""
        emitter = Emitter(self._source, actor.correlation_id)
        async with self._uow_factory() as uow:
            student = await editable_student(uow, actor, student_id)
            classes = await uow.classes.owned(actor.user_id, student.class_ids)
            essays = essays_by(student_id, await uow.students.authored_essays(student_id))
            request = erasure_requested(student, essays, essay_mode, self._sealer)
            await uow.students.delete(student_id, with_essays=essay_mode is EssayErasureMode.DELETE)
            await self._audit(uow, actor, AuditAction.STUDENT_ERASE, [student_id])
            await uow.add_events(emitter.student_erased(student, classes, request))
            await uow.commit()
        return len(essays)

    async def export(self, actor: Actor, student_id: str) -> StudentExport:
        """The student, their classes, essays and audit trail (this export included)."""
        async with self._uow_factory() as uow:
            student = await uow.students.get(actor.user_id, student_id)
            if student is None:
                raise StudentNotFound(student_id)
            classes = await uow.classes.owned(actor.user_id, student.class_ids)
            essays = await uow.students.authored_essays(student_id)
            await self._audit(uow, actor, AuditAction.STUDENT_EXPORT, [student_id])
            audit = await uow.audit.for_students([student_id])
            await uow.commit()
        return StudentExport(student, classes, essays, audit, utc_now())
