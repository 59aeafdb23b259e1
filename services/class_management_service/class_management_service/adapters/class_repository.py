"""Classes, courses and memberships in PostgreSQL (SQLAlchemy Core, the unit of work's session)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from class_management_service.adapters.db_errors import violated_constraint
from class_management_service.adapters.tables import class_batches, class_students, classes, courses
from class_management_service.domain.errors import DuplicateClassName
from class_management_service.domain.models import SchoolClass
from class_management_service.domain.records import Course
from common_core.enums import CourseCode, Language

UNIQUE_NAME_INDEX = "uq_classes_user_name"
# The matching side's statuses in which a batch still waits for its class's authors; a
# `confirmed` or `class_missing` batch (registered for a class that was not the teacher's)
# never holds a class back.
UNCONFIRMED_BATCH_STATUSES = ("awaiting_content", "pending_validation")

_student_count = (
    select(func.count())
    .select_from(class_students)
    .where(class_students.c.class_id == classes.c.class_id)
    .scalar_subquery()
    .label("student_count")
)


# Memberships of one class in one statement over an id array; RETURNING names only the rows
# inserted, i.e. the students who were not members before.
_ENROL = text(
    "INSERT INTO class_students (class_id, student_id)"
    " SELECT CAST(:class_id AS varchar), unnest(CAST(:student_ids AS varchar[]))"
    " ON CONFLICT (class_id, student_id) DO NOTHING RETURNING student_id"
)


def _with_count() -> Select[Any]:
    return select(classes, _student_count)


# Built once (the roster read's hot path): no per-call Select construction or cache key.
_GET = _with_count().where(
    classes.c.class_id == bindparam("class_id"), classes.c.user_id == bindparam("user_id")
)


def _to_class(row: Any) -> SchoolClass:
    return SchoolClass(
        class_id=row.class_id,
        user_id=row.user_id,
        name=row.name,
        course_code=CourseCode(row.course_code),
        student_count=int(row.student_count),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class PostgresClasses:
    """ClassRepository over `courses`, `classes`, `class_students` (and `class_batches`)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def courses(self) -> list[Course]:
        """Every seeded course, by code."""
        rows = await self._session.execute(select(courses).order_by(courses.c.course_code))
        return [_to_course(r) for r in rows]

    async def course(self, course_code: str) -> Course | None:
        """One course, or None for an unknown code."""
        rows = await self._session.execute(
            select(courses).where(courses.c.course_code == course_code)
        )
        row = rows.first()
        return _to_course(row) if row is not None else None

    async def add(self, school_class: SchoolClass) -> None:
        """Insert a class; raises DuplicateClassName when the teacher has that name."""
        c = school_class
        values = {
            "class_id": c.class_id,
            "user_id": c.user_id,
            "name": c.name,
            "course_code": c.course_code.value,
            "created_at": c.created_at,
            "updated_at": c.updated_at,
        }
        await self._write(insert(classes).values(values), c.name)

    async def get(self, user_id: str, class_id: str) -> SchoolClass | None:
        """The teacher's class with its student count, or None."""
        rows = await self._session.execute(_GET, {"class_id": class_id, "user_id": user_id})
        row = rows.first()
        return _to_class(row) if row is not None else None

    async def page(self, user_id: str, *, limit: int, offset: int) -> tuple[list[SchoolClass], int]:
        """One page of the teacher's classes by name, and how many there are."""
        rows = await self._session.execute(
            _with_count()
            .where(classes.c.user_id == user_id)
            .order_by(func.lower(classes.c.name), classes.c.class_id)
            .limit(limit)
            .offset(offset)
        )
        total = await self._session.scalar(
            select(func.count()).select_from(classes).where(classes.c.user_id == user_id)
        )
        return [_to_class(r) for r in rows], int(total or 0)

    async def owned(self, user_id: str, class_ids: Sequence[str]) -> list[SchoolClass]:
        """Those of `class_ids` that are the teacher's, by name."""
        if not class_ids:
            return []
        rows = await self._session.execute(
            _with_count()
            .where(classes.c.user_id == user_id, classes.c.class_id.in_(list(class_ids)))
            .order_by(func.lower(classes.c.name), classes.c.class_id)
        )
        return [_to_class(r) for r in rows]

    async def update(self, school_class: SchoolClass) -> None:
        """Write name, course and updated_at; raises DuplicateClassName on a taken name."""
        c = school_class
        statement = (
            update(classes)
            .where(classes.c.class_id == c.class_id)
            .values(name=c.name, course_code=c.course_code.value, updated_at=c.updated_at)
        )
        await self._write(statement, c.name)

    async def delete(self, class_id: str) -> None:
        """Delete the class (its memberships cascade)."""
        await self._session.execute(delete(classes).where(classes.c.class_id == class_id))

    async def has_unconfirmed_batches(self, class_id: str) -> bool:
        """True while a batch of the class still waits for its authors to be confirmed."""
        pending = (
            select(class_batches.c.batch_id)
            .where(
                class_batches.c.class_id == class_id,
                class_batches.c.status.in_(UNCONFIRMED_BATCH_STATUSES),
            )
            .exists()
        )
        return bool(await self._session.scalar(select(pending)))

    async def enrol(self, class_id: str, student_ids: Sequence[str]) -> list[str]:
        """Add memberships (one statement); returns the ids that were not members before."""
        if not student_ids:
            return []
        # Sorted, so concurrent enrolments of the same students into a class take the key
        # locks in one order and wait for each other instead of deadlocking.
        rows = await self._session.execute(
            _ENROL, {"class_id": class_id, "student_ids": sorted(set(student_ids))}
        )
        return [r.student_id for r in rows]

    async def unenrol(self, class_id: str, student_id: str) -> bool:
        """Remove one membership; False when there was none."""
        rows = await self._session.execute(
            delete(class_students)
            .where(
                class_students.c.class_id == class_id,
                class_students.c.student_id == student_id,
            )
            .returning(class_students.c.student_id)
        )
        return rows.first() is not None

    async def _write(self, statement: Any, name: str) -> None:
        try:
            await self._session.execute(statement)
        except IntegrityError as exc:
            # The unique index decides, not a read-then-write check that two requests
            # could both pass.
            if violated_constraint(exc) == UNIQUE_NAME_INDEX:
                raise DuplicateClassName(name) from None
            raise


def _to_course(row: Any) -> Course:
    return Course(
        course_code=CourseCode(row.course_code),
        name=row.name,
        language=Language(row.language),
        level=int(row.level),
    )
