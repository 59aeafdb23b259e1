"""Roster use cases over the fakes: roster read, enrolment, and the all-or-nothing CSV import."""

from __future__ import annotations

from dataclasses import replace

import pytest
from prometheus_client import REGISTRY

from class_management_service.adapters import metrics
from class_management_service.domain.errors import (
    ClassNotFound,
    Conflict,
    RosterRejected,
    StudentNotFound,
)
from class_management_service.domain.records import Actor
from class_management_service.domain.roster.classes import ClassService
from class_management_service.domain.roster.rosters import RosterReadService, RosterService
from class_management_service.domain.roster.students import StudentService
from huleedu_service_libs.crypto import DEV_EVENT_PII_KEY, KeyRing
from huleedu_testing.class_management.roster_fakes import RosterStore

EVENT_KEYS = KeyRing(DEV_EVENT_PII_KEY)

TEACHER = Actor("teacher-a", "corr-a")
OTHER = Actor("teacher-b", "corr-b")


@pytest.fixture
def store() -> RosterStore:
    return RosterStore()


@pytest.fixture
def rosters(store: RosterStore) -> RosterService:
    return RosterService(
        store.factory, "class_management_service", max_rows=50, record=metrics.record
    )


@pytest.fixture
def reads(store: RosterStore) -> RosterReadService:
    return RosterReadService(store.roster_reads())


@pytest.fixture
def students(store: RosterStore) -> StudentService:
    return StudentService(store.factory, "class_management_service", EVENT_KEYS)


@pytest.fixture
async def class_id(store: RosterStore) -> str:
    return (await ClassService(store.factory, "cms").create(TEACHER, "9A", "SV1")).class_id


def csv(*lines: str) -> bytes:
    return ("Förnamn;Efternamn;E-post\n" + "\n".join(lines) + "\n").encode()


class TestImport:
    async def test_creates_new_and_reuses_known_students(
        self, store: RosterStore, rosters: RosterService, students: StudentService, class_id: str
    ) -> None:
        known = await students.create(
            TEACHER, first_name="Åsa", last_name="Öberg", email="asa@x.se"
        )
        store.state.outbox.clear()
        result = await rosters.import_csv(
            TEACHER,
            class_id,
            csv("Anna;Svensson;anna@x.se", "Asa;Oberg;ASA@x.se", "Erik;Lind;e@x.se"),
        )
        assert (result.created_count, result.existing_count) == (2, 1)
        assert [s.first_name for s in result.students] == ["Anna", "Åsa", "Erik"]  # stored name
        assert result.students[1].student_id == known.student_id
        assert all(class_id in s.class_ids for s in result.students)
        assert result.school_class.student_count == 3
        assert len(store.state.students) == 3
        assert {s for c, s in store.state.members if c == class_id} == {
            s.student_id for s in result.students
        }
        assert len(store.events("StudentCreatedV1")) == 2
        [moved] = store.events("StudentUpdatedV1")
        assert (moved.data.student_id, moved.data.changed_fields) == (
            known.student_id,
            ["class_ids"],
        )
        [roster] = store.events("ClassUpdatedV1")
        assert roster.data.changed_fields == ["roster"]
        [notice] = store.events("TeacherNotificationRequestedV1")
        assert notice.data.payload == {"created_count": 2, "existing_count": 1}
        [audit] = store.state.audit[1:]
        assert (audit.action, audit.class_id, audit.student_ids) == (
            "class.roster_import",
            class_id,
            [s.student_id for s in result.students],
        )

    async def test_reimport_changes_no_roster(
        self, store: RosterStore, rosters: RosterService, class_id: str
    ) -> None:
        data = csv("Anna;Svensson;anna@x.se")
        await rosters.import_csv(TEACHER, class_id, data)
        store.state.outbox.clear()
        again = await rosters.import_csv(TEACHER, class_id, data)
        assert (again.created_count, again.existing_count) == (0, 1)
        assert [e.event_type for e, _ in store.state.outbox] == ["TeacherNotificationRequestedV1"]

    async def test_only_new_students_are_counted(
        self, rosters: RosterService, class_id: str
    ) -> None:
        def imported() -> float:
            return REGISTRY.get_sample_value("huleedu_students_imported_total") or 0.0

        before = imported()
        data = csv("Anna;Svensson;anna@x.se", "Erik;Lind;e@x.se")
        await rosters.import_csv(TEACHER, class_id, data)
        await rosters.import_csv(TEACHER, class_id, data)  # both known now
        with pytest.raises(RosterRejected):
            await rosters.import_csv(TEACHER, class_id, csv("Ny;;ny@x.se"))
        assert imported() == before + 2

    async def test_a_bad_row_means_nothing_is_written(
        self, store: RosterStore, rosters: RosterService, class_id: str
    ) -> None:
        before = store.commits
        with pytest.raises(RosterRejected) as caught:
            await rosters.import_csv(
                TEACHER, class_id, csv("Anna;Svensson;anna@x.se", "Erik;;e@x.se")
            )
        assert [(e.row, e.field) for e in caught.value.rows] == [(2, "last_name")]
        assert (store.commits, store.state.students) == (before, {})

    async def test_another_teachers_class(self, rosters: RosterService, class_id: str) -> None:
        with pytest.raises(ClassNotFound):
            await rosters.import_csv(OTHER, class_id, csv("Anna;Svensson;anna@x.se"))


class TestRosterAndEnrolment:
    async def test_roster_read_is_sorted_audited_and_lists_the_placeholder_last(
        self, store: RosterStore, rosters: RosterService, reads: RosterReadService, class_id: str
    ) -> None:
        result = await rosters.import_csv(
            TEACHER,
            class_id,
            csv("Zelda;Ärlig;z@x.se", "Åke;Ödman;o@x.se", "Bo;Zorn;b@x.se", "Eva;Åberg;e@x.se"),
        )
        unknown = replace(
            result.students[0], student_id="unknown", last_name="Student", is_placeholder=True
        )
        store.state.students["unknown"] = unknown
        store.state.members.add((class_id, "unknown"))
        school_class, roster = await reads.detail(TEACHER, class_id)
        assert [s.last_name for s in roster] == ["Zorn", "Åberg", "Ärlig", "Ödman", "Student"]
        assert school_class.student_count == 5
        audit = store.state.audit[-1]
        assert (audit.action, set(audit.student_ids), audit.correlation_id) == (
            "class.roster_read",
            {s.student_id for s in roster},
            TEACHER.correlation_id,
        )
        audited = len(store.state.audit)
        with pytest.raises(ClassNotFound):
            await reads.detail(OTHER, class_id)
        with pytest.raises(ClassNotFound):
            await reads.detail(TEACHER, "no-such-class")
        assert len(store.state.audit) == audited

    async def test_enrol_and_unenrol_are_idempotent(
        self, store: RosterStore, rosters: RosterService, students: StudentService, class_id: str
    ) -> None:
        anna = await students.create(TEACHER, first_name="A", last_name="S", email="a@x.se")
        store.state.outbox.clear()
        await rosters.enrol(TEACHER, class_id, anna.student_id)
        await rosters.enrol(TEACHER, class_id, anna.student_id)
        [moved] = store.events("StudentUpdatedV1")
        assert moved.data.class_ids == [class_id]
        await rosters.unenrol(TEACHER, class_id, anna.student_id)
        await rosters.unenrol(TEACHER, class_id, anna.student_id)
        assert [e.data.class_ids for e in store.events("StudentUpdatedV1")] == [[class_id], []]
        assert len(store.events("ClassUpdatedV1")) == 2
        actions = [a.action for a in store.state.audit[1:]]
        assert actions == ["class.enrol", "class.enrol", "class.unenrol", "class.unenrol"]

    async def test_enrolment_needs_own_class_and_student(
        self, rosters: RosterService, students: StudentService, class_id: str
    ) -> None:
        theirs = await students.create(OTHER, first_name="B", last_name="S", email="b@x.se")
        with pytest.raises(StudentNotFound):
            await rosters.enrol(TEACHER, class_id, theirs.student_id)
        with pytest.raises(ClassNotFound):
            await rosters.enrol(OTHER, class_id, theirs.student_id)

    async def test_placeholders_are_not_moved(
        self, store: RosterStore, rosters: RosterService, students: StudentService, class_id: str
    ) -> None:
        anna = await students.create(TEACHER, first_name="A", last_name="S", email="a@x.se")
        store.state.students[anna.student_id] = replace(anna, is_placeholder=True)
        with pytest.raises(Conflict):
            await rosters.enrol(TEACHER, class_id, anna.student_id)
