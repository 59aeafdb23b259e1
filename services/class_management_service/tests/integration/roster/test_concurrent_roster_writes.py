"""Concurrent roster imports sharing students: a clean 409 or two successes, never a deadlock.

A third transaction holds one shared key uncommitted until both imports wait for it, so
the imports overlap for certain; with file order (one ascending, one descending) they then
deadlocked, and one answered 500.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from class_management_service.adapters.unit_of_work import SqlAlchemyUnitOfWork
from class_management_service.config import ClassManagementSettings
from class_management_service.di import make_cipher, make_uow_factory
from class_management_service.domain.models import Student
from class_management_service.domain.records import Actor
from class_management_service.domain.roster.rosters import RosterService
from common_core.envelope import utc_now
from huleedu_service_libs.db import make_session_factory
from huleedu_testing.class_management.pg_locks import wait_for_waiters
from huleedu_testing.class_management.roster_http import Db, TeacherApi

EMAILS = [f"elev{i}@skola.se" for i in range(9)]
HELD = EMAILS[4]  # the middle row of both files


def _csv(emails: list[str]) -> bytes:
    return ("förnamn;efternamn;e-post\n" + "".join(f"Elev;Test;{e}\n" for e in emails)).encode()


def _student(user_id: str, email: str) -> Student:
    now = utc_now()
    return Student(str(uuid.uuid4()), user_id, "Elev", "Test", email, now, now)


async def _race(
    engine: AsyncEngine,
    blocker: SqlAlchemyUnitOfWork,
    service: RosterService,
    actor: Actor,
    targets: tuple[str, str],
) -> list[Any]:
    """Both imports (opposite file orders) start while `blocker` holds a key, then it lets go."""
    pid = int(await blocker.session.scalar(text("SELECT pg_backend_pid()")))
    race = asyncio.gather(
        service.import_csv(actor, targets[0], _csv(EMAILS)),
        service.import_csv(actor, targets[1], _csv(EMAILS[::-1])),
        return_exceptions=True,
    )
    await wait_for_waiters(engine, pid, 2)
    await blocker.__aexit__(None, None, None)  # roll back: the key is free again
    return list(await asyncio.wait_for(race, timeout=30))


async def test_imports_creating_the_same_students_give_one_import_and_one_409(
    teacher: TeacherApi, cms_engine: AsyncEngine, cms_settings: ClassManagementSettings
) -> None:
    sessions, cipher = make_session_factory(cms_engine), make_cipher(cms_settings)
    service = RosterService(make_uow_factory(sessions, cipher), "cms", max_rows=100)
    targets = (await teacher.create_class(), await teacher.create_class())
    blocker = await SqlAlchemyUnitOfWork(sessions, cipher).__aenter__()
    await blocker.students.add(_student(teacher.user_id, HELD))

    results = await _race(cms_engine, blocker, service, Actor(teacher.user_id, "c"), targets)

    assert sorted(type(r).__name__ for r in results) == ["DuplicateStudentEmail", "RosterImport"]


async def test_imports_enrolling_the_same_students_both_succeed(
    teacher: TeacherApi, db: Db, cms_engine: AsyncEngine, cms_settings: ClassManagementSettings
) -> None:
    sessions, cipher = make_session_factory(cms_engine), make_cipher(cms_settings)
    factory = make_uow_factory(sessions, cipher)
    service = RosterService(factory, "cms", max_rows=100)
    class_id = await teacher.create_class()
    existing = [_student(teacher.user_id, e) for e in EMAILS]
    async with factory() as uow:
        await uow.students.add_many(existing)
        await uow.commit()
    blocker = await SqlAlchemyUnitOfWork(sessions, cipher).__aenter__()
    await blocker.classes.enrol(class_id, [existing[4].student_id])

    results = await _race(
        cms_engine, blocker, service, Actor(teacher.user_id, "c"), (class_id, class_id)
    )

    assert [type(r).__name__ for r in results] == ["RosterImport", "RosterImport"]
    members = await db.rows("SELECT student_id FROM class_students WHERE class_id = :c", c=class_id)
    assert len(members) == len(EMAILS)
