"""Use cases of courses and classes: create, list, read a summary, rename or move, delete."""

from __future__ import annotations

import uuid
from dataclasses import replace

from class_management_service.domain.errors import ClassNotFound, Conflict, UnknownCourse
from class_management_service.domain.models import SchoolClass
from class_management_service.domain.ports import UnitOfWork, UnitOfWorkFactory
from class_management_service.domain.records import Actor, AuditAction, Course
from class_management_service.domain.roster.events import Emitter
from common_core.envelope import utc_now


async def owned_class(uow: UnitOfWork, actor: Actor, class_id: str) -> SchoolClass:
    """The teacher's class; another teacher's or a missing one raises ClassNotFound alike."""
    found = await uow.classes.get(actor.user_id, class_id)
    if found is None:
        raise ClassNotFound(class_id)
    return found


async def known_course(uow: UnitOfWork, course_code: str) -> Course:
    """The seeded course for a code (case-insensitive); raises UnknownCourse."""
    course = await uow.classes.course(course_code.strip().upper())
    if course is None:
        raise UnknownCourse(course_code)
    return course


class ClassService:
    """Classes of the X-User-ID teacher (no student data: nothing here is audited)."""

    def __init__(self, uow_factory: UnitOfWorkFactory, source_service: str) -> None:
        self._uow_factory = uow_factory
        self._source = source_service

    async def courses(self) -> list[Course]:
        """Every course a class can be for."""
        async with self._uow_factory() as uow:
            return await uow.classes.courses()

    async def create(self, actor: Actor, name: str, course_code: str) -> SchoolClass:
        """A new class; raises UnknownCourse or DuplicateClassName."""
        emitter = Emitter(self._source, actor.correlation_id)
        async with self._uow_factory() as uow:
            course = await known_course(uow, course_code)
            now = utc_now()
            school_class = SchoolClass(
                class_id=str(uuid.uuid4()),
                user_id=actor.user_id,
                name=name.strip(),
                course_code=course.course_code,
                student_count=0,
                created_at=now,
                updated_at=now,
            )
            await uow.classes.add(school_class)
            await uow.add_events(emitter.class_created(school_class))
            await uow.commit()
        return school_class

    async def page(self, actor: Actor, *, limit: int, offset: int) -> tuple[list[SchoolClass], int]:
        """One page of the teacher's classes by name and the total count."""
        async with self._uow_factory() as uow:
            return await uow.classes.page(actor.user_id, limit=limit, offset=offset)

    async def summary(self, actor: Actor, class_id: str) -> SchoolClass:
        """The class without its roster (BOS checks ownership and course with it)."""
        async with self._uow_factory() as uow:
            return await owned_class(uow, actor, class_id)

    async def update(
        self, actor: Actor, class_id: str, *, name: str | None, course_code: str | None
    ) -> SchoolClass:
        """Rename and/or change course; raises ClassNotFound, UnknownCourse, DuplicateClassName."""
        emitter = Emitter(self._source, actor.correlation_id)
        async with self._uow_factory() as uow:
            current = await owned_class(uow, actor, class_id)
            changed: list[str] = []
            updated = current
            if name is not None and name.strip() != current.name:
                updated = replace(updated, name=name.strip())
                changed.append("name")
            if course_code is not None:
                course = await known_course(uow, course_code)
                if course.course_code != current.course_code:
                    updated = replace(updated, course_code=course.course_code)
                    changed.append("course_code")
            if not changed:
                return current
            updated = replace(updated, updated_at=utc_now())
            await uow.classes.update(updated)
            await uow.add_events(emitter.class_updated(updated, changed))
            await uow.commit()
        return updated

    async def delete(self, actor: Actor, class_id: str) -> None:
        """Delete the class; refused (Conflict) while one of its batches awaits confirmation."""
        emitter = Emitter(self._source, actor.correlation_id)
        async with self._uow_factory() as uow:
            school_class = await owned_class(uow, actor, class_id)
            if await uow.classes.has_unconfirmed_batches(class_id):
                raise Conflict(
                    "The class has a batch whose essay authors are not confirmed yet; "
                    "confirm them (or wait for the timeout) before deleting the class.",
                    class_id=class_id,
                )
            members = await uow.students.memberships(class_id)
            await uow.classes.delete(class_id)
            if members:
                # Deleting the class ends these students' memberships: a write of their data.
                await uow.audit.record(
                    actor_user_id=actor.user_id,
                    action=AuditAction.CLASS_DELETE,
                    student_ids=list(members),
                    class_id=class_id,
                    correlation_id=actor.correlation_id,
                )
            await uow.add_events(emitter.class_deleted(school_class, members))
            await uow.commit()
