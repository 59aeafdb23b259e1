"""Right of access (export), erasure, and class deletion guarded by unconfirmed batches."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from class_management_service.config import ClassManagementSettings
from class_management_service.di import make_cipher, make_uow_factory
from class_management_service.domain.associations.ports import (
    Association,
    ClassBatch,
    ClassBatchStatus,
)
from class_management_service.domain.ports import UnitOfWorkFactory
from common_core.enums import AssociationMethod, AssociationStatus, CourseCode
from huleedu_service_libs.db import make_session_factory
from huleedu_testing.class_management.roster_http import Db, TeacherApi


def uows(engine: AsyncEngine, settings: ClassManagementSettings) -> UnitOfWorkFactory:
    return make_uow_factory(make_session_factory(engine), make_cipher(settings))


async def add_batch(
    factory: UnitOfWorkFactory,
    batch: ClassBatch,
    *rows: Association,
) -> None:
    async with factory() as uow:
        await uow.class_batches.add(batch)
        await uow.associations.save_many(list(rows))
        await uow.commit()


async def test_export_returns_everything_stored_about_the_student(
    teacher: TeacherApi, cms_engine: AsyncEngine, cms_settings: ClassManagementSettings
) -> None:
    class_id = await teacher.create_class("9A")
    created = await teacher.create_student("Åsa", "Öberg", "asa@x.se", [class_id])
    student_id = created.body["student_id"]
    batch = ClassBatch("batch-x", class_id, teacher.user_id, CourseCode.SV1)
    essay = Association(
        batch_id="batch-x",
        file_upload_id="upload-1",
        essay_id="essay-1",
        filename="asa.docx",
        parsed_name="Asa Oberg",
        parsed_email="asa@x.se",
        suggested_student_id=student_id,
        student_id=student_id,
        confidence=0.97,
        method=AssociationMethod.NAME_MATCH,
        status=AssociationStatus.CONFIRMED,
    )
    await add_batch(uows(cms_engine, cms_settings), batch, essay)
    await teacher.call("GET", f"/internal/v1/students/{student_id}", correlation_id="corr-read")

    answer = await teacher.call("GET", f"/internal/v1/students/{student_id}/export")

    assert answer.status == 200
    body = answer.body
    assert (body["student"]["first_name"], body["student"]["email"]) == ("Åsa", "asa@x.se")
    assert [(c["class_id"], c["name"]) for c in body["classes"]] == [(class_id, "9A")]
    [association] = body["associations"]
    assert association["batch_id"] == "batch-x"
    assert (association["essay_id"], association["filename"]) == ("essay-1", "asa.docx")
    assert (association["parsed_name"], association["parsed_email"]) == ("Asa Oberg", "asa@x.se")
    assert (association["student_name"], association["status"]) == ("Åsa Öberg", "confirmed")
    actions = [(a["action"], a["correlation_id"]) for a in body["audit"]]
    assert actions[0][0] == "student.create"
    assert ("student.read", "corr-read") in actions
    assert actions[-1][0] == "student.export"
    assert all(a["actor_user_id"] == teacher.user_id for a in body["audit"])


async def test_erasure_deletes_the_student_and_keeps_an_id_only_trail(
    teacher: TeacherApi, db: Db, cms_engine: AsyncEngine, cms_settings: ClassManagementSettings
) -> None:
    class_id = await teacher.create_class("9A")
    student_id = (await teacher.create_student("Bo", "Ek", "bo@x.se", [class_id])).body[
        "student_id"
    ]
    batch = ClassBatch(
        "batch-e", class_id, teacher.user_id, CourseCode.SV1, ClassBatchStatus.CONFIRMED
    )
    essay = Association(
        batch_id="batch-e",
        file_upload_id="upload-1",
        essay_id="essay-1",
        filename="Bo Ek.docx",
        parsed_name="Bo Ek",
        student_id=student_id,
        suggested_student_id=student_id,
        confidence=1.0,
        method=AssociationMethod.EMAIL_MATCH,
        status=AssociationStatus.CONFIRMED,
    )
    await add_batch(uows(cms_engine, cms_settings), batch, essay)

    # Keeping the essays: their association rows stay, without the author's data.
    erased = await teacher.call("DELETE", f"/internal/v1/students/{student_id}?essays=keep")

    assert erased.status == 204
    assert await db.rows("SELECT 1 FROM students WHERE student_id = :s", s=student_id) == []
    assert await db.rows("SELECT 1 FROM class_students WHERE student_id = :s", s=student_id) == []
    [row] = await db.rows(
        "SELECT student_id, suggested_student_id, parsed_name_ciphertext, filename_ciphertext "
        "FROM essay_student_associations"
    )
    assert row == {
        "student_id": None,
        "suggested_student_id": None,
        "parsed_name_ciphertext": None,
        "filename_ciphertext": None,  # the file name is the student's name too
    }
    trail = await db.rows(
        "SELECT action FROM student_audit_log WHERE :s = ANY(student_ids) ORDER BY audit_id",
        s=student_id,
    )
    assert [t["action"] for t in trail] == ["student.create", "student.erase"]
    events = [(t, env["data"]) for t, k, env in await db.outbox() if k == student_id]
    assert (
        "StudentUpdatedV1",
        {
            "student_id": student_id,
            "user_id": teacher.user_id,
            "class_ids": [],
            "changed_fields": ["erased"],
        },
    ) in events
    gone = await teacher.call("GET", f"/internal/v1/students/{student_id}")
    assert gone.error_code == "STUDENT_NOT_FOUND"
    detail = await teacher.call("GET", f"/internal/v1/classes/{class_id}")
    assert detail.body["students"] == []


async def test_class_delete_waits_for_confirmed_batches(
    teacher: TeacherApi, db: Db, cms_engine: AsyncEngine, cms_settings: ClassManagementSettings
) -> None:
    class_id = await teacher.create_class("9A")
    student_id = (await teacher.create_student("Bo", "Ek", "bo@x.se", [class_id])).body[
        "student_id"
    ]
    factory = uows(cms_engine, cms_settings)
    pending = ClassBatch(
        "batch-p", class_id, teacher.user_id, CourseCode.SV1, ClassBatchStatus.PENDING_VALIDATION
    )
    await add_batch(factory, pending)

    refused = await teacher.call("DELETE", f"/internal/v1/classes/{class_id}")

    assert (refused.status, refused.error_code) == (409, "CONFLICT")
    assert (await teacher.call("GET", f"/internal/v1/classes/{class_id}/summary")).status == 200
    async with factory() as uow:
        batch = await uow.class_batches.lock("batch-p")
        assert batch is not None
        await uow.class_batches.save(
            ClassBatch(
                batch.batch_id,
                batch.class_id,
                batch.user_id,
                batch.course_code,
                ClassBatchStatus.CONFIRMED,
            )
        )
        await uow.commit()

    deleted = await teacher.call("DELETE", f"/internal/v1/classes/{class_id}")

    assert deleted.status == 204
    assert await db.rows("SELECT 1 FROM classes WHERE class_id = :c", c=class_id) == []
    assert await db.rows("SELECT 1 FROM class_students WHERE class_id = :c", c=class_id) == []
    student = await teacher.call("GET", f"/internal/v1/students/{student_id}")
    assert (student.status, student.body["class_ids"]) == (200, [])
    updates = [
        env["data"]["changed_fields"]
        for t, k, env in await db.outbox()
        if k == class_id and t == "ClassUpdatedV1"
    ]
    assert ["deleted"] in updates
