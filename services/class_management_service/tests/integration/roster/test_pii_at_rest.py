"""What a database dump shows: ciphertext and hashes only, never a name or an email."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from class_management_service.config import ClassManagementSettings
from class_management_service.di import make_cipher, make_uow_factory
from class_management_service.domain.associations.ports import Association, ClassBatch
from common_core.enums import AssociationMethod, AssociationStatus, CourseCode
from huleedu_service_libs.db import make_session_factory
from huleedu_testing.class_management.roster_http import Db, TeacherApi

NAMES = ["Åsa", "Öberg", "Zlatan", "Ibrahimović", "Märta", "Kjellström"]
EMAILS = ["Asa.Oberg@Skola.se", "zlatan.ibra@skola.se", "marta.kj@skola.se"]
PARSED = ("Märta Kjellström", "marta.kj@skola.se")


def needles() -> list[bytes]:
    """Every name and email as given, lower-cased and upper-cased, as UTF-8 bytes."""
    found: set[str] = set()
    for value in [*NAMES, *EMAILS, *PARSED]:
        found.update({value, value.lower(), value.upper()})
    return [v.encode("utf-8") for v in found]


async def test_students_associations_audit_and_outbox_hold_no_plaintext(
    teacher: TeacherApi,
    db: Db,
    cms_engine: AsyncEngine,
    cms_settings: ClassManagementSettings,
) -> None:
    class_id = await teacher.create_class("9A")
    created = await teacher.create_student(NAMES[0], NAMES[1], EMAILS[0], [class_id])
    assert created.status == 201
    csv = f"namn;epost\n{NAMES[3]}, {NAMES[2]};{EMAILS[1]}\n{NAMES[4]} {NAMES[5]};{EMAILS[2]}\n"
    assert (await teacher.import_roster(class_id, csv.encode())).status == 201
    marta = (await teacher.call("GET", f"/internal/v1/classes/{class_id}")).body["students"][1]
    uow_factory = make_uow_factory(make_session_factory(cms_engine), make_cipher(cms_settings))
    async with uow_factory() as uow:
        await uow.class_batches.add(ClassBatch("b-1", class_id, teacher.user_id, CourseCode.ENG5))
        await uow.associations.save_many(
            [
                Association(
                    batch_id="b-1",
                    file_upload_id="f-1",
                    essay_id="e-1",
                    filename=f"{PARSED[0]}.docx",  # file names are often the student's name
                    parsed_name=PARSED[0],
                    parsed_email=PARSED[1],
                    suggested_student_id=marta["student_id"],
                    confidence=0.95,
                    method=AssociationMethod.EMAIL_MATCH,
                    status=AssociationStatus.PENDING_VALIDATION,
                )
            ]
        )
        await uow.commit()
    # The API still answers in plaintext, so the data really went through the repositories.
    assert marta["first_name"] == "Märta"
    assert await db.count("essay_student_associations") == 1
    async with uow_factory() as uow:
        [stored] = await uow.associations.list_for_batch("b-1")
    assert stored.filename == "Märta Kjellström.docx"

    for table in ("students", "essay_student_associations", "student_audit_log", "event_outbox"):
        values = await db.raw_values(table)
        assert values, table
        for needle in needles():
            leaks = [v for v in values if needle in v]
            assert not leaks, f"{needle!r} stored in plaintext in {table}"
