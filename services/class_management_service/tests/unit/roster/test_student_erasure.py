"""Erasing a student: what stays here, and what the erasure event asks of the other services."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from class_management_service.domain.erasure import redaction_terms
from class_management_service.domain.models import Student
from class_management_service.domain.records import Actor, AuthoredEssay
from class_management_service.domain.roster.students import StudentService
from common_core.enums import AssociationMethod, AssociationStatus, EssayErasureMode
from common_core.envelope import utc_now
from common_core.events import StudentErasureRequestedV1
from huleedu_service_libs.crypto import KeyRing, generate_key
from huleedu_testing.class_management.roster_fakes import RosterStore

EVENT_KEYS = KeyRing(generate_key())
TEACHER = Actor("teacher-a", "corr-a")


@pytest.fixture
def store() -> RosterStore:
    return RosterStore()


@pytest.fixture
def students(store: RosterStore) -> StudentService:
    return StudentService(store.factory, "class_management_service", EVENT_KEYS)


def essay(upload: str, author: str | None, suggested: str | None, **kw: object) -> AuthoredEssay:
    values: dict[str, object] = {
        "batch_id": "b1",
        "file_upload_id": upload,
        "essay_id": f"e-{upload}",
        "filename": f"{upload}.docx",
        "parsed_name": "Asa Oberg",
        "parsed_email": "asa.o@skola.se",
        "suggested_student_id": suggested,
        "student_id": author,
        "confidence": 0.9,
        "method": AssociationMethod.NAME_MATCH,
        "status": AssociationStatus.CONFIRMED,
        "updated_at": utc_now(),
        "text_storage_id": f"text-{upload}",
        **kw,
    }
    return AuthoredEssay(**values)  # type: ignore[arg-type]


async def seeded(store: RosterStore, students: StudentService) -> tuple[str, str]:
    asa = await students.create(
        TEACHER, first_name="Åsa", last_name="Öberg", email="asa.oberg@elev.skola.se"
    )
    erik = await students.create(
        TEACHER, first_name="Erik", last_name="Lind", email="erik.lind@elev.skola.se"
    )
    store.state.essays.extend(
        [
            essay("mine", asa.student_id, asa.student_id),
            # Pending with Åsa suggested: the student_id column holds the suggestion.
            essay("pending", asa.student_id, asa.student_id, status="pending_validation"),
            # Suggested Åsa but decided for Erik: Erik's essay.
            essay("eriks", erik.student_id, asa.student_id, parsed_name="Erik L"),
        ]
    )
    store.state.outbox.clear()
    return asa.student_id, erik.student_id


def erasure_event(store: RosterStore) -> StudentErasureRequestedV1:
    [envelope] = store.events("StudentErasureRequestedV1")
    assert isinstance(envelope.data, StudentErasureRequestedV1)
    return envelope.data


async def test_delete_names_the_students_essays_and_drops_their_rows(
    store: RosterStore, students: StudentService
) -> None:
    asa, erik = await seeded(store, students)

    count = await students.erase(TEACHER, asa)

    event = erasure_event(store)
    assert count == 2
    assert (event.student_id, event.user_id, event.essay_mode) == (
        asa,
        TEACHER.user_id,
        EssayErasureMode.DELETE,
    )
    assert [(e.file_upload_id, e.essay_id, e.text_storage_id) for e in event.essays] == [
        ("mine", "e-mine", "text-mine"),
        ("pending", "e-pending", "text-pending"),
    ]
    assert event.redaction_terms_ciphertext is None
    [key] = [k for env, k in store.state.outbox if env.data is event]
    assert key == asa
    assert [e.file_upload_id for e in store.state.essays] == ["eriks"]
    assert store.state.essays[0].student_id == erik


async def test_keep_scrubs_the_rows_and_seals_the_terms_for_redaction(
    store: RosterStore, students: StudentService
) -> None:
    asa, _ = await seeded(store, students)

    await students.erase(TEACHER, asa, EssayErasureMode.KEEP)

    event = erasure_event(store)
    assert event.essay_mode is EssayErasureMode.KEEP
    assert len(event.essays) == 2
    sealed = event.redaction_terms_ciphertext
    assert sealed is not None
    for plain in ("Åsa", "Öberg", "Asa", "asa.oberg", "Oberg"):
        assert plain not in sealed
    terms = json.loads(EVENT_KEYS.decrypt_text(sealed))
    for expected in ("Åsa Öberg", "Asa Oberg", "Öberg Åsa", "Åsa", "Öberg", "Asa", "Oberg"):
        assert expected in terms
    assert "asa.oberg@elev.skola.se" in terms
    assert "asa.o@skola.se" in terms  # what the header said
    assert "Erik L" not in terms  # another student's header
    kept = {e.file_upload_id: e for e in store.state.essays}
    assert set(kept) == {"mine", "pending", "eriks"}
    for upload in ("mine", "pending"):
        assert (kept[upload].student_id, kept[upload].parsed_name, kept[upload].filename) == (
            None,
            None,
            None,
        )
    assert kept["eriks"].parsed_name == "Erik L"


async def test_a_student_without_essays_still_tells_the_other_services(
    store: RosterStore, students: StudentService
) -> None:
    asa = await students.create(TEACHER, first_name="Åsa", last_name="Öberg", email="a@b.se")
    store.state.outbox.clear()

    await students.erase(TEACHER, asa.student_id, EssayErasureMode.KEEP)

    event = erasure_event(store)
    assert (event.essays, event.redaction_terms_ciphertext) == ([], None)
    [notice] = store.events("TeacherNotificationRequestedV1")
    assert notice.data.payload == {
        "student_id": asa.student_id,
        "erasure_id": event.erasure_id,
        "essays": "keep",
        "essay_count": 0,
    }


def test_terms_skip_single_letters_and_repeat_nothing() -> None:
    asa = essay("x", "s", "s", parsed_name="Åsa  Öberg", parsed_email=None)
    student = Student(
        student_id="s",
        user_id="t",
        first_name="Åsa B",
        last_name="Öberg",
        email="a@b.se",
        created_at=utc_now(),
        updated_at=utc_now(),
    )
    terms = redaction_terms(student, [asa, replace(asa, parsed_name="Åsa Öberg")])
    assert "B" not in terms
    assert len(terms) == len(set(terms))
    assert "Åsa Öberg" in terms
    assert "Åsa B Öberg" in terms
