"""The repository methods author matching relies on, and unique indexes deciding races."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine

from class_management_service.config import ClassManagementSettings
from class_management_service.di import make_cipher, make_uow_factory
from class_management_service.domain.models import unknown_student_email
from huleedu_service_libs.db import make_session_factory
from huleedu_testing.class_management.roster_http import TeacherApi


async def test_roster_get_many_and_the_unknown_student(
    teacher: TeacherApi,
    other_teacher: TeacherApi,
    cms_engine: AsyncEngine,
    cms_settings: ClassManagementSettings,
) -> None:
    class_id = await teacher.create_class("9A")
    csv = "namn;epost\nÖberg, Åsa;asa@x.se\nBo Berg;bo@x.se\n".encode()
    imported = (await teacher.import_roster(class_id, csv)).body["students"]
    theirs = (await other_teacher.create_student("C", "D", "c@x.se")).body["student_id"]
    factory = make_uow_factory(make_session_factory(cms_engine), make_cipher(cms_settings))

    async with factory() as uow:
        unknown, created = await uow.students.ensure_unknown_student(teacher.user_id, class_id)
        again, created_again = await uow.students.ensure_unknown_student(teacher.user_id, class_id)
        await uow.commit()
    assert (created, created_again) == (True, False)
    assert again.student_id == unknown.student_id
    assert (unknown.is_placeholder, unknown.email) == (True, unknown_student_email(class_id))
    assert (unknown.first_name, unknown.last_name, unknown.class_ids) == (
        "Unknown",
        "Student",
        (class_id,),
    )

    async with factory() as uow:
        roster = await uow.students.roster(class_id)
        with_placeholder = await uow.students.roster(class_id, include_placeholders=True)
        many = await uow.students.get_many(
            teacher.user_id, [imported[0]["student_id"], theirs, "missing"]
        )
        school_class = await uow.classes.get(teacher.user_id, class_id)
        foreign = await uow.classes.get(other_teacher.user_id, class_id)
    assert [s.last_name for s in roster] == ["Berg", "Öberg"]
    assert [s.last_name for s in with_placeholder] == ["Berg", "Öberg", "Student"]
    assert [(s.first_name, s.email) for s in many] == [("Åsa", "asa@x.se")]
    assert school_class is not None
    assert school_class.student_count == 3
    assert foreign is None
    # Teachers see the placeholder in the class roster but not in their student list.
    listed = await teacher.call("GET", "/internal/v1/students")
    assert listed.body["total"] == 2
    detail = await teacher.call("GET", f"/internal/v1/classes/{class_id}")
    assert detail.body["students"][-1]["email"] == unknown_student_email(class_id)
    edit = await teacher.call(
        "PATCH", f"/internal/v1/students/{unknown.student_id}", json_body={"first_name": "X"}
    )
    assert (edit.status, edit.error_code) == (409, "CONFLICT")


async def test_concurrent_duplicates_are_decided_by_the_unique_indexes(teacher: TeacherApi) -> None:
    body = {"name": "Race", "course_code": "ENG5"}
    classes = await asyncio.gather(
        *(teacher.call("POST", "/internal/v1/classes", json_body=body) for _ in range(4))
    )
    assert sorted(a.status for a in classes) == [201, 409, 409, 409]
    students = await asyncio.gather(
        *(teacher.create_student("A", "B", "race@x.se") for _ in range(4))
    )
    assert sorted(a.status for a in students) == [201, 409, 409, 409]
    assert {a.error_code for a in students if a.status == 409} == {"DUPLICATE_STUDENT_EMAIL"}
