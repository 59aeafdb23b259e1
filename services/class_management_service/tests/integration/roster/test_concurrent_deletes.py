"""A class deleted or a student erased while another request writes a membership: a 404.

A third connection deletes the row and holds its transaction open; the request reads the
row (still visible to it), then its membership insert waits on the foreign key's lock. Once
both are in that state the deletion commits, so the insert finds the row gone (SQLSTATE
23503) for certain. The answer is the 404 of a row that was already gone, and the request's
transaction (students, memberships, audit row, events) is rolled back as a whole.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from huleedu_testing.class_management.pg_locks import backend_pid, wait_for_waiters
from huleedu_testing.class_management.roster_http import Answer, Db, TeacherApi

CSV = "förnamn;efternamn;e-post\nÅsa;Öberg;asa@skola.se\nBo;Ek;bo@skola.se\n".encode()


async def _deleted_meanwhile(
    engine: AsyncEngine, delete_sql: str, row_id: str, request: Awaitable[Answer]
) -> Answer:
    """Run `request` while a transaction deletes the row, committing once the request waits."""
    async with engine.connect() as blocker:
        await blocker.begin()
        deleted = await blocker.execute(text(delete_sql), {"id": row_id})
        assert deleted.rowcount == 1
        pid = await backend_pid(blocker)
        answer = asyncio.ensure_future(request)
        await wait_for_waiters(engine, pid, 1)
        await blocker.commit()
    return await asyncio.wait_for(answer, timeout=30)


async def _written_for(db: Db, teacher: TeacherApi) -> dict[str, int]:
    students = await db.rows(
        "SELECT count(*) AS n FROM students WHERE user_id = :u", u=teacher.user_id
    )
    audit = await db.rows(
        "SELECT count(*) AS n FROM student_audit_log WHERE actor_user_id = :u", u=teacher.user_id
    )
    return {
        "students": students[0]["n"],
        "audit": audit[0]["n"],
        "outbox": await db.count("event_outbox"),
    }


async def test_a_roster_import_into_a_class_deleted_meanwhile_is_a_404(
    teacher: TeacherApi, db: Db, cms_engine: AsyncEngine
) -> None:
    class_id = await teacher.create_class()
    before = await _written_for(db, teacher)

    answer = await _deleted_meanwhile(
        cms_engine,
        "DELETE FROM classes WHERE class_id = :id",
        class_id,
        teacher.import_roster(class_id, CSV),
    )

    assert (answer.status, answer.error_code) == (404, "CLASS_NOT_FOUND")
    assert answer.body["error"]["details"] == {"class_id": class_id}
    assert await _written_for(db, teacher) == before  # the new students too: nothing written
    gone = await teacher.call("GET", f"/internal/v1/classes/{class_id}")
    assert (gone.body["error"]["message"], gone.body["error"]["details"]) == (
        answer.body["error"]["message"],
        answer.body["error"]["details"],
    )


async def test_enrolling_a_student_erased_meanwhile_is_a_404(
    teacher: TeacherApi, db: Db, cms_engine: AsyncEngine
) -> None:
    class_id = await teacher.create_class()
    student_id = (await teacher.create_student("Bo", "Ek", "bo@skola.se")).body["student_id"]
    before = await _written_for(db, teacher)

    answer = await _deleted_meanwhile(
        cms_engine,
        "DELETE FROM students WHERE student_id = :id",
        student_id,
        teacher.call("PUT", f"/internal/v1/classes/{class_id}/students/{student_id}"),
    )

    assert (answer.status, answer.error_code) == (404, "STUDENT_NOT_FOUND")
    assert answer.body["error"]["details"] == {"student_id": student_id}
    after = await _written_for(db, teacher)
    assert (after["audit"], after["outbox"]) == (before["audit"], before["outbox"])
    assert await db.rows("SELECT 1 FROM class_students WHERE class_id = :c", c=class_id) == []


async def test_enrolling_into_a_class_deleted_meanwhile_is_a_404(
    teacher: TeacherApi, db: Db, cms_engine: AsyncEngine
) -> None:
    class_id = await teacher.create_class()
    student_id = (await teacher.create_student("Bo", "Ek", "bo@skola.se")).body["student_id"]
    before = await _written_for(db, teacher)

    answer = await _deleted_meanwhile(
        cms_engine,
        "DELETE FROM classes WHERE class_id = :id",
        class_id,
        teacher.call("PUT", f"/internal/v1/classes/{class_id}/students/{student_id}"),
    )

    assert (answer.status, answer.error_code) == (404, "CLASS_NOT_FOUND")
    assert await _written_for(db, teacher) == before


async def test_creating_a_student_in_a_class_deleted_meanwhile_is_a_404(
    teacher: TeacherApi, db: Db, cms_engine: AsyncEngine
) -> None:
    class_id = await teacher.create_class()
    before = await _written_for(db, teacher)

    answer = await _deleted_meanwhile(
        cms_engine,
        "DELETE FROM classes WHERE class_id = :id",
        class_id,
        teacher.create_student("Åsa", "Öberg", "asa@skola.se", [class_id]),
    )

    assert (answer.status, answer.error_code) == (404, "CLASS_NOT_FOUND")
    assert await _written_for(db, teacher) == before
