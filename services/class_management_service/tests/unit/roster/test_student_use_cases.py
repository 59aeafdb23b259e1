"""Student use cases over the fakes: validation, ownership, duplicates, audit, erasure, export."""

from __future__ import annotations

from dataclasses import replace

import pytest

from class_management_service.domain.errors import (
    ClassNotFound,
    Conflict,
    DuplicateStudentEmail,
    InvalidField,
    StudentNotFound,
)
from class_management_service.domain.models import Student
from class_management_service.domain.records import Actor, AuthoredEssay
from class_management_service.domain.roster.classes import ClassService
from class_management_service.domain.roster.students import StudentService
from common_core.enums import AssociationMethod, AssociationStatus
from common_core.envelope import utc_now
from huleedu_service_libs.crypto import DEV_EVENT_PII_KEY, KeyRing
from huleedu_testing.class_management.roster_fakes import RosterStore

EVENT_KEYS = KeyRing(DEV_EVENT_PII_KEY)

TEACHER = Actor("teacher-a", "corr-a")
OTHER = Actor("teacher-b", "corr-b")


@pytest.fixture
def store() -> RosterStore:
    return RosterStore()


@pytest.fixture
def students(store: RosterStore) -> StudentService:
    return StudentService(store.factory, "class_management_service", EVENT_KEYS)


async def new_class(store: RosterStore, actor: Actor = TEACHER, name: str = "9A") -> str:
    created = await ClassService(store.factory, "cms").create(actor, name, "SV1")
    return created.class_id


async def anna(students: StudentService, *class_ids: str) -> Student:
    return await students.create(
        TEACHER, first_name="Anna", last_name="Svensson", email="Anna@X.se", class_ids=class_ids
    )


class TestCreate:
    async def test_created_enrolled_audited_and_announced(
        self, store: RosterStore, students: StudentService
    ) -> None:
        a, b = await new_class(store), await new_class(store, name="9B")
        store.state.outbox.clear()
        student = await anna(students, a, b, a)
        assert (student.email, student.class_ids) == ("anna@x.se", (a, b))
        assert store.state.members >= {(a, student.student_id), (b, student.student_id)}
        [created] = store.events("StudentCreatedV1")
        assert created.data.class_ids == [a, b]
        assert sorted(e.data.class_id for e in store.events("ClassUpdatedV1")) == sorted([a, b])
        [audit] = store.state.audit
        assert (audit.action, audit.student_ids, audit.correlation_id) == (
            "student.create",
            [student.student_id],
            "corr-a",
        )

    async def test_a_foreign_class_means_nothing_is_written(
        self, store: RosterStore, students: StudentService
    ) -> None:
        mine, theirs = await new_class(store), await new_class(store, OTHER)
        commits = store.commits
        with pytest.raises(ClassNotFound) as caught:
            await anna(students, mine, theirs)
        assert caught.value.class_id == theirs
        assert (store.commits, store.state.students) == (commits, {})

    async def test_invalid_email_names_the_field(self, students: StudentService) -> None:
        with pytest.raises(InvalidField) as caught:
            await students.create(TEACHER, first_name="A", last_name="B", email="a@b")
        assert caught.value.details["errors"][0]["loc"] == ["email"]

    async def test_duplicate_email_per_teacher(self, students: StudentService) -> None:
        await anna(students)
        with pytest.raises(DuplicateStudentEmail):
            await students.create(TEACHER, first_name="X", last_name="Y", email=" ANNA@x.se")
        await students.create(OTHER, first_name="X", last_name="Y", email="anna@x.se")


class TestReadAndUpdate:
    async def test_reads_are_audited(self, store: RosterStore, students: StudentService) -> None:
        student = await anna(students)
        assert (await students.get(TEACHER, student.student_id)).first_name == "Anna"
        assert store.state.audit[-1].action == "student.read"
        with pytest.raises(StudentNotFound):
            await students.get(OTHER, student.student_id)

    async def test_list_excludes_placeholders_and_is_audited(
        self, store: RosterStore, students: StudentService
    ) -> None:
        class_id = await new_class(store)
        real = await anna(students, class_id)
        placeholder = replace(
            real, student_id="p", email="unknown@huleedu.system", is_placeholder=True
        )
        store.state.students["p"] = placeholder
        store.state.members.add((class_id, "p"))
        found, total = await students.page(TEACHER, class_id=class_id, limit=10, offset=0)
        assert ([s.student_id for s in found], total) == ([real.student_id], 1)
        audit = store.state.audit[-1]
        assert (audit.action, audit.student_ids, audit.class_id) == (
            "student.list",
            [real.student_id],
            class_id,
        )
        with pytest.raises(ClassNotFound):
            await students.page(OTHER, class_id=class_id, limit=10, offset=0)

    async def test_update_reports_changed_fields(
        self, store: RosterStore, students: StudentService
    ) -> None:
        student = await anna(students)
        store.state.outbox.clear()
        updated = await students.update(
            TEACHER, student.student_id, first_name="Anna", last_name=" Lind ", email="a.lind@x.se"
        )
        assert (updated.last_name, updated.email) == ("Lind", "a.lind@x.se")
        [event] = store.events("StudentUpdatedV1")
        assert event.data.changed_fields == ["last_name", "email"]
        assert updated.updated_at >= student.updated_at

    async def test_update_without_change_is_audited_but_silent(
        self, store: RosterStore, students: StudentService
    ) -> None:
        student = await anna(students)
        store.state.outbox.clear()
        assert await students.update(TEACHER, student.student_id, email="anna@x.se") == student
        assert store.state.outbox == []
        assert store.state.audit[-1].action == "student.update"

    async def test_email_change_onto_another_students_email(self, students: StudentService) -> None:
        await anna(students)
        erik = await students.create(TEACHER, first_name="Erik", last_name="L", email="e@x.se")
        with pytest.raises(DuplicateStudentEmail):
            await students.update(TEACHER, erik.student_id, email="anna@x.se")

    async def test_placeholders_cannot_be_edited_or_erased(
        self, store: RosterStore, students: StudentService
    ) -> None:
        student = await anna(students)
        store.state.students[student.student_id] = replace(student, is_placeholder=True)
        with pytest.raises(Conflict):
            await students.update(TEACHER, student.student_id, first_name="X")
        with pytest.raises(Conflict):
            await students.erase(TEACHER, student.student_id)


class TestEraseAndExport:
    async def test_erase_removes_the_student_and_keeps_an_id_only_trail(
        self, store: RosterStore, students: StudentService
    ) -> None:
        class_id = await new_class(store)
        student = await anna(students, class_id)
        store.state.outbox.clear()
        await students.erase(TEACHER, student.student_id)
        assert student.student_id not in store.state.students
        assert not any(s == student.student_id for _, s in store.state.members)
        [erased] = store.events("StudentUpdatedV1")
        assert (erased.data.changed_fields, erased.data.class_ids) == (["erased"], [])
        [roster] = store.events("ClassUpdatedV1")
        assert roster.data.changed_fields == ["roster"]
        assert [a.action for a in store.state.audit] == ["student.create", "student.erase"]
        with pytest.raises(StudentNotFound):
            await students.erase(TEACHER, student.student_id)

    async def test_export_has_classes_essays_and_audit(
        self, store: RosterStore, students: StudentService
    ) -> None:
        class_id = await new_class(store)
        student = await anna(students, class_id)
        essay = AuthoredEssay(
            batch_id="b1",
            file_upload_id="f1",
            essay_id="e1",
            filename="anna.docx",
            parsed_name="Anna Svensson",
            parsed_email=None,
            suggested_student_id=student.student_id,
            student_id=student.student_id,
            confidence=0.9,
            method=AssociationMethod.NAME_MATCH,
            status=AssociationStatus.CONFIRMED,
            updated_at=utc_now(),
        )
        store.state.essays.append(essay)
        export = await students.export(TEACHER, student.student_id)
        assert export.student.student_id == student.student_id
        assert [c.class_id for c in export.classes] == [class_id]
        assert export.essays == [essay]
        assert [a.action for a in export.audit] == ["student.create", "student.export"]
        with pytest.raises(StudentNotFound):
            await students.export(OTHER, student.student_id)
