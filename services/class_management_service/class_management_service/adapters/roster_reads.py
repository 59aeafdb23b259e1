"""The audited roster read in one statement and one database round trip.

`GET /internal/v1/classes/{id}` is the hottest route (every teacher's page polls it). One
data-modifying CTE checks ownership, reads the roster with each student's classes (one join
and GROUP BY, not a subquery per student) and appends the audit row naming those students.
A single statement is atomic on its own, so it runs on an autocommit connection: no BEGIN
and COMMIT round trips, and the audit row exists exactly when the roster was read. A class
that is not the teacher's reads no rows and writes no audit row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ARRAY, Select, String, bindparam, func, insert, select, true
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncEngine

from class_management_service.adapters.pii_cache import PiiPlaintextCache
from class_management_service.adapters.tables import (
    class_students,
    classes,
    student_audit_log,
    students,
)
from class_management_service.domain.models import SchoolClass, Student
from class_management_service.domain.roster.order import roster_sort_key
from common_core.enums import CourseCode

_member = class_students.alias("member")  # the class's memberships
_any = class_students.alias("any_class")  # every membership of those students


def roster_select(class_id: Any) -> Select[Any]:
    """Members of `class_id` (a column or bind) with all their class ids, oldest first."""
    class_ids = func.array_agg(aggregate_order_by(_any.c.class_id, _any.c.added_at))
    return (
        select(
            students.c.student_id,
            students.c.user_id,
            students.c.name_ciphertext,
            students.c.email_ciphertext,
            students.c.is_placeholder,
            students.c.created_at,
            students.c.updated_at,
            class_ids.label("class_ids"),
        )
        .select_from(_member)
        .join(students, students.c.student_id == _member.c.student_id)
        .join(_any, _any.c.student_id == students.c.student_id)
        .where(_member.c.class_id == class_id)
        # The primary key: PostgreSQL then allows the student's other columns ungrouped.
        .group_by(students.c.student_id)
    )


def _audited_roster() -> Select[Any]:
    owned = (
        select(
            classes.c.class_id,
            classes.c.name,
            classes.c.course_code,
            classes.c.created_at.label("class_created_at"),
            classes.c.updated_at.label("class_updated_at"),
        )
        .where(
            classes.c.class_id == bindparam("class_id", type_=String),
            classes.c.user_id == bindparam("user_id", type_=String),
        )
        .cte("owned")
    )
    roster = roster_select(owned.c.class_id).cte("roster")
    # ARRAY(SELECT ...) is '{}' for an empty class (array_agg would be NULL).
    ids = select(roster.c.student_id).order_by(roster.c.student_id).scalar_subquery()
    audit = (
        insert(student_audit_log)
        .from_select(
            ["actor_user_id", "action", "student_ids", "class_id", "correlation_id"],
            select(
                bindparam("user_id", type_=String),
                bindparam("action", type_=String),
                func.array(ids, type_=ARRAY(String)),
                owned.c.class_id,
                bindparam("correlation_id", type_=String),
            ),
        )
        .cte("audit")
    )
    # PostgreSQL runs a data-modifying CTE to completion even though nothing reads it.
    return (
        select(owned, *[c for c in roster.c])
        .select_from(owned.outerjoin(roster, true()))
        .add_cte(audit)
    )


# Built once: the compiled form and its cache key are reused by every read.
AUDITED_ROSTER = _audited_roster()


class PostgresRosterReads:
    """AuditedRosterReads over PostgreSQL (process-wide: holds the plaintext cache)."""

    def __init__(self, engine: AsyncEngine, plaintexts: PiiPlaintextCache) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._plaintexts = plaintexts

    async def read(
        self, *, actor_user_id: str, class_id: str, action: str, correlation_id: str | None
    ) -> tuple[SchoolClass, list[Student]] | None:
        """The teacher's class and roster (sorted, placeholders last), audited; None if absent."""
        params = {
            "class_id": class_id,
            "user_id": actor_user_id,
            "action": str(action),
            "correlation_id": correlation_id,
        }
        async with self._engine.connect() as conn:
            rows = (await conn.execute(AUDITED_ROSTER, params)).all()
        if not rows:
            return None
        cache = self._plaintexts
        cache.refresh()
        found = []
        for row in rows:
            # The class's five columns first (repeated on each row), then the student's.
            student_id, user_id, name, email, placeholder, created, updated, ids = row[5:]
            if student_id is None:  # the class has no students: one row of the class alone
                continue
            first_name, last_name = cache.name(name)
            found.append(
                Student(
                    student_id=student_id,
                    user_id=user_id,
                    first_name=first_name,
                    last_name=last_name,
                    email=cache.email(email),
                    created_at=created,
                    updated_at=updated,
                    is_placeholder=placeholder,
                    class_ids=tuple(ids),
                )
            )
        found.sort(key=roster_sort_key)
        first = rows[0]
        school_class = SchoolClass(
            class_id=first.class_id,
            user_id=actor_user_id,
            name=first.name,
            course_code=CourseCode(first.course_code),
            student_count=len(found),
            created_at=first.class_created_at,
            updated_at=first.class_updated_at,
        )
        return school_class, found
