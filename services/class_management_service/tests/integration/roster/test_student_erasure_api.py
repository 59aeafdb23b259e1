"""DELETE /students/{id}?essays=...: the rows left here and the erasure event in the outbox."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from class_management_service.config import ClassManagementSettings
from class_management_service.di import make_cipher, make_uow_factory
from class_management_service.domain.associations.ports import (
    Association,
    ClassBatch,
    ClassBatchStatus,
)
from common_core.enums import AssociationMethod, AssociationStatus, CourseCode
from huleedu_service_libs.crypto import KeyRing
from huleedu_service_libs.db import make_session_factory
from huleedu_testing.class_management.roster_http import Db, TeacherApi

NAME, EMAIL = ("Åsa", "Öberg"), "asa.oberg@elev.skola.se"


async def student_with_an_essay(
    teacher: TeacherApi, engine: AsyncEngine, settings: ClassManagementSettings
) -> str:
    class_id = await teacher.create_class("9A")
    created = await teacher.create_student(*NAME, EMAIL, [class_id])
    student_id = str(created.body["student_id"])
    factory = make_uow_factory(make_session_factory(engine), make_cipher(settings))
    async with factory() as uow:
        await uow.class_batches.add(
            ClassBatch(
                "b-er", class_id, teacher.user_id, CourseCode.ENG5, ClassBatchStatus.CONFIRMED
            )
        )
        await uow.associations.save_many(
            [
                Association(
                    batch_id="b-er",
                    file_upload_id="upload-1",
                    essay_id="essay-1",
                    text_storage_id="t" * 64,
                    filename="Åsa Öberg.docx",
                    parsed_name="Asa Oberg",
                    parsed_email=EMAIL,
                    suggested_student_id=student_id,
                    student_id=student_id,
                    confidence=1.0,
                    method=AssociationMethod.EMAIL_MATCH,
                    status=AssociationStatus.CONFIRMED,
                )
            ]
        )
        await uow.commit()
    return student_id


async def erasure_rows(db: Db) -> list[tuple[str | None, dict[str, Any]]]:
    return [
        (key, env) for kind, key, env in await db.outbox() if kind == "StudentErasureRequestedV1"
    ]


async def test_by_default_the_essays_go_and_the_event_names_only_ids(
    teacher: TeacherApi, db: Db, cms_engine: AsyncEngine, cms_settings: ClassManagementSettings
) -> None:
    student_id = await student_with_an_essay(teacher, cms_engine, cms_settings)

    erased = await teacher.call("DELETE", f"/internal/v1/students/{student_id}")

    assert erased.status == 204
    assert await db.counts("students", "essay_student_associations") == {
        "students": 0,
        "essay_student_associations": 0,
    }
    [(key, envelope)] = await erasure_rows(db)
    assert key == student_id
    assert envelope["data"] == {
        "erasure_id": envelope["data"]["erasure_id"],
        "student_id": student_id,
        "user_id": teacher.user_id,
        "essay_mode": "delete",
        "essays": [
            {
                "batch_id": "b-er",
                "file_upload_id": "upload-1",
                "essay_id": "essay-1",
                "text_storage_id": "t" * 64,
            }
        ],
        "redaction_terms_ciphertext": None,
    }
    outbox = b"".join(await db.raw_values("event_outbox"))
    for plain in ("Åsa", "Öberg", "Asa", "Oberg", "asa.oberg"):
        assert plain.encode() not in outbox, plain


async def test_keeping_the_essays_sends_sealed_terms_for_their_redaction(
    teacher: TeacherApi, db: Db, cms_engine: AsyncEngine, cms_settings: ClassManagementSettings
) -> None:
    student_id = await student_with_an_essay(teacher, cms_engine, cms_settings)

    erased = await teacher.call("DELETE", f"/internal/v1/students/{student_id}?essays=keep")

    assert erased.status == 204
    [row] = await db.rows(
        "SELECT student_id, parsed_name_ciphertext, filename_ciphertext"
        " FROM essay_student_associations"
    )
    assert row == {"student_id": None, "parsed_name_ciphertext": None, "filename_ciphertext": None}
    [(_, envelope)] = await erasure_rows(db)
    data = envelope["data"]
    assert data["essay_mode"] == "keep"
    sealed = data["redaction_terms_ciphertext"]
    terms = json.loads(KeyRing(cms_settings.event_pii_keys).decrypt_text(sealed))
    assert {"Åsa Öberg", "Asa Oberg", EMAIL} <= set(terms)
    outbox = b"".join(await db.raw_values("event_outbox"))
    for plain in ("Åsa", "Öberg", "Oberg", "asa.oberg"):
        assert plain.encode() not in outbox, plain


async def test_an_unknown_essay_choice_is_a_422_and_erases_nothing(
    teacher: TeacherApi, db: Db, cms_engine: AsyncEngine, cms_settings: ClassManagementSettings
) -> None:
    student_id = await student_with_an_essay(teacher, cms_engine, cms_settings)

    answer = await teacher.call("DELETE", f"/internal/v1/students/{student_id}?essays=shred")

    assert answer.status == 422
    assert answer.error_code == "VALIDATION_ERROR"
    assert await db.count("students") == 1
    assert await erasure_rows(db) == []
