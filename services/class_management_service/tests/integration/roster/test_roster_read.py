"""The audited roster read's single statement: roster and audit row together, or neither."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from class_management_service.adapters.pii_cache import PiiPlaintextCache
from class_management_service.adapters.roster_reads import PostgresRosterReads
from class_management_service.config import ClassManagementSettings
from class_management_service.di import make_cipher, make_uow_factory
from huleedu_service_libs.db import make_session_factory
from huleedu_testing.class_management.roster_http import Db, TeacherApi

ROSTER_READ = "class.roster_read"


def roster_reads(cms_engine: AsyncEngine, settings: ClassManagementSettings) -> PostgresRosterReads:
    """The adapter as the app builds it (cache on)."""
    cache = PiiPlaintextCache(make_cipher(settings), max_students=100, max_age_seconds=60)
    return PostgresRosterReads(cms_engine, cache)


async def roster_audits(db: Db, class_id: str) -> list[dict[str, object]]:
    """The class's roster-read audit rows, oldest first."""
    return await db.rows(
        "SELECT actor_user_id, student_ids, correlation_id FROM student_audit_log "
        "WHERE action = :action AND class_id = :class_id ORDER BY audit_id",
        action=ROSTER_READ,
        class_id=class_id,
    )


async def test_each_read_writes_one_audit_row_naming_the_roster(
    teacher: TeacherApi, db: Db
) -> None:
    class_id = await teacher.create_class("9A")
    empty = await teacher.call("GET", f"/internal/v1/classes/{class_id}", correlation_id="c-0")
    assert (empty.status, empty.body["students"], empty.body["student_count"]) == (200, [], 0)
    csv = "Förnamn;Efternamn;E-post\nÅsa;Öberg;asa@x.se\nBo;Berg;bo@x.se\nEva;Ek;eva@x.se\n"
    assert (await teacher.import_roster(class_id, csv.encode())).status == 201

    first = await teacher.call("GET", f"/internal/v1/classes/{class_id}", correlation_id="c-1")
    second = await teacher.call("GET", f"/internal/v1/classes/{class_id}", correlation_id="c-2")

    assert first.body == second.body
    assert [s["last_name"] for s in first.body["students"]] == ["Berg", "Ek", "Öberg"]
    assert first.body["student_count"] == 3
    ids = sorted(s["student_id"] for s in first.body["students"])
    assert await roster_audits(db, class_id) == [
        {"actor_user_id": teacher.user_id, "student_ids": [], "correlation_id": "c-0"},
        {"actor_user_id": teacher.user_id, "student_ids": ids, "correlation_id": "c-1"},
        {"actor_user_id": teacher.user_id, "student_ids": ids, "correlation_id": "c-2"},
    ]


async def test_a_foreign_or_unknown_class_is_a_404_and_writes_no_audit_row(
    teacher: TeacherApi, other_teacher: TeacherApi, db: Db
) -> None:
    class_id = await teacher.create_class("9A")
    assert (await teacher.create_student("Bo", "Berg", "bo@x.se", [class_id])).status == 201
    audit_before = await db.count("student_audit_log")

    foreign = await other_teacher.call("GET", f"/internal/v1/classes/{class_id}")
    unknown = await other_teacher.call("GET", "/internal/v1/classes/no-such-class")

    assert (foreign.status, foreign.error_code) == (404, "CLASS_NOT_FOUND")
    assert (unknown.status, unknown.error_code) == (404, "CLASS_NOT_FOUND")
    assert foreign.body["error"]["details"] == {"class_id": class_id}
    assert await db.count("student_audit_log") == audit_before


async def test_class_ids_list_every_class_of_a_student_oldest_membership_first(
    teacher: TeacherApi, cms_engine: AsyncEngine, cms_settings: ClassManagementSettings
) -> None:
    first_class = await teacher.create_class("9A")
    second_class = await teacher.create_class("9B")
    both = await teacher.create_student("Bo", "Berg", "bo@x.se", [first_class])
    only = await teacher.create_student("Eva", "Ek", "eva@x.se", [second_class])
    bo = both.body["student_id"]
    put = await teacher.call("PUT", f"/internal/v1/classes/{second_class}/students/{bo}")
    assert put.status == 204

    detail = await teacher.call("GET", f"/internal/v1/classes/{second_class}")

    assert [(s["student_id"], s["class_ids"]) for s in detail.body["students"]] == [
        (bo, [first_class, second_class]),
        (only.body["student_id"], [second_class]),
    ]
    # The matching side's roster reads the same memberships through the unit of work.
    factory = make_uow_factory(make_session_factory(cms_engine), make_cipher(cms_settings))
    async with factory() as uow:
        roster = await uow.students.roster(second_class)
    assert [s.class_ids for s in roster] == [(first_class, second_class), (second_class,)]


async def test_a_failing_audit_insert_returns_no_roster_and_leaves_nothing(
    teacher: TeacherApi,
    db: Db,
    cms_engine: AsyncEngine,
    cms_settings: ClassManagementSettings,
) -> None:
    class_id = await teacher.create_class("9A")
    assert (await teacher.create_student("Bo", "Berg", "bo@x.se", [class_id])).status == 201
    reads = roster_reads(cms_engine, cms_settings)
    audit_before = await db.count("student_audit_log")

    # A correlation id longer than its column (the HTTP layer never sends one) fails the
    # audit insert: the statement is atomic, so the roster is not returned either.
    with pytest.raises(DBAPIError):
        await reads.read(
            actor_user_id=teacher.user_id,
            class_id=class_id,
            action=ROSTER_READ,
            correlation_id="x" * 500,
        )
    assert await db.count("student_audit_log") == audit_before

    found = await reads.read(
        actor_user_id=teacher.user_id, class_id=class_id, action=ROSTER_READ, correlation_id="ok"
    )
    assert found is not None
    school_class, students = found
    assert (school_class.class_id, school_class.name, school_class.student_count) == (
        class_id,
        "9A",
        1,
    )
    assert [(s.first_name, s.last_name, s.email) for s in students] == [("Bo", "Berg", "bo@x.se")]
    assert await db.count("student_audit_log") == audit_before + 1
