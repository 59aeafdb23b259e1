"""A student's parsed essay headers: exported only where they are the author, erased with them.

Essay 1 names Bo and was decided for Bo; essay 2 was suggested for Bo but the teacher chose
Cia, so its header is Cia's data: not in Bo's export, and kept when Bo is erased. (Erasing
with the essays deleted is in test_student_erasure_api.py.)
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from class_management_service.config import ClassManagementSettings
from class_management_service.di import make_cipher, make_uow_factory
from class_management_service.domain.associations.ports import (
    Association,
    ClassBatch,
    ClassBatchStatus,
)
from common_core.enums import AssociationMethod, AssociationStatus, CourseCode
from huleedu_service_libs.db import make_session_factory
from huleedu_testing.class_management.roster_http import Db, TeacherApi


async def _two_essays(
    teacher: TeacherApi, engine: AsyncEngine, settings: ClassManagementSettings
) -> tuple[str, str]:
    """Bo's and Cia's student ids, with essay 1 by Bo and essay 2 (suggested Bo) by Cia."""
    class_id = await teacher.create_class("9A")
    bo = (await teacher.create_student("Bo", "Ek", "bo@x.se", [class_id])).body["student_id"]
    cia = (await teacher.create_student("Cia", "Ek", "cia@x.se", [class_id])).body["student_id"]
    common = {
        "batch_id": "batch-h",
        "status": AssociationStatus.CONFIRMED,
        "suggested_student_id": bo,
    }
    by_bo = Association(
        file_upload_id="upload-1",
        essay_id="essay-1",
        parsed_name="Bo Ek",
        parsed_email="bo@x.se",
        student_id=bo,
        confidence=1.0,
        method=AssociationMethod.EMAIL_MATCH,
        **common,
    )
    by_cia = Association(
        file_upload_id="upload-2",
        essay_id="essay-2",
        parsed_name="C. Ek",
        parsed_email="cia.ek@home.se",
        student_id=cia,
        confidence=1.0,
        method=AssociationMethod.TEACHER,
        **common,
    )
    factory = make_uow_factory(make_session_factory(engine), make_cipher(settings))
    async with factory() as uow:
        await uow.class_batches.add(
            ClassBatch(
                "batch-h", class_id, teacher.user_id, CourseCode.SV1, ClassBatchStatus.CONFIRMED
            )
        )
        await uow.associations.save_many([by_bo, by_cia])
        await uow.commit()
    return bo, cia


async def test_export_shows_only_the_headers_of_essays_the_student_wrote(
    teacher: TeacherApi, cms_engine: AsyncEngine, cms_settings: ClassManagementSettings
) -> None:
    bo, _cia = await _two_essays(teacher, cms_engine, cms_settings)

    exported = await teacher.call("GET", f"/internal/v1/students/{bo}/export")

    assert exported.status == 200
    shown = {
        a["essay_id"]: (a["parsed_name"], a["parsed_email"], a["student_name"])
        for a in exported.body["associations"]
    }
    assert shown == {"essay-1": ("Bo Ek", "bo@x.se", "Bo Ek"), "essay-2": (None, None, None)}


async def test_erasure_keeping_essays_wipes_the_headers_of_essays_the_student_wrote(
    teacher: TeacherApi, db: Db, cms_engine: AsyncEngine, cms_settings: ClassManagementSettings
) -> None:
    bo, cia = await _two_essays(teacher, cms_engine, cms_settings)

    erased = await teacher.call("DELETE", f"/internal/v1/students/{bo}?essays=keep")

    assert erased.status == 204
    rows = await db.rows(
        "SELECT essay_id, student_id, suggested_student_id,"
        " parsed_name_ciphertext IS NOT NULL AS has_name,"
        " parsed_email_ciphertext IS NOT NULL AS has_email"
        " FROM essay_student_associations ORDER BY essay_id"
    )
    assert [tuple(r.values()) for r in rows] == [
        ("essay-1", None, None, False, False),
        ("essay-2", cia, None, True, True),
    ]
    kept = await teacher.call("GET", f"/internal/v1/students/{cia}/export")
    [header] = [(a["parsed_name"], a["parsed_email"]) for a in kept.body["associations"]]
    assert header == ("C. Ek", "cia.ek@home.se")
