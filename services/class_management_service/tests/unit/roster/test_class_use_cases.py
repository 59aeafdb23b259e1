"""Class use cases over the fakes: courses, unique names, updates, guarded deletion, events."""

from __future__ import annotations

import pytest

from class_management_service.domain.errors import (
    ClassNotFound,
    Conflict,
    DuplicateClassName,
    UnknownCourse,
)
from class_management_service.domain.records import Actor
from class_management_service.domain.roster.classes import ClassService
from class_management_service.domain.roster.students import StudentService
from common_core.enums import CourseCode
from huleedu_service_libs.crypto import DEV_EVENT_PII_KEY, KeyRing
from huleedu_testing.class_management.roster_fakes import RosterStore

EVENT_KEYS = KeyRing(DEV_EVENT_PII_KEY)

TEACHER = Actor("teacher-a", "corr-a")
OTHER = Actor("teacher-b", "corr-b")


@pytest.fixture
def store() -> RosterStore:
    return RosterStore()


@pytest.fixture
def classes(store: RosterStore) -> ClassService:
    return ClassService(store.factory, "class_management_service")


class TestCreate:
    async def test_creates_and_announces(self, store: RosterStore, classes: ClassService) -> None:
        created = await classes.create(TEACHER, " 9A ", "eng5")
        assert (created.name, created.course_code, created.student_count) == (
            "9A",
            CourseCode.ENG5,
            0,
        )
        [event] = store.events("ClassCreatedV1")
        assert event.data.class_id == created.class_id
        assert event.correlation_id == "corr-a"
        keys = {env.event_type: key for env, key in store.state.outbox}
        assert keys["ClassCreatedV1"] == created.class_id
        assert keys["TeacherNotificationRequestedV1"] == TEACHER.user_id
        [notice] = store.events("TeacherNotificationRequestedV1")
        assert (notice.data.notification_type, notice.data.category.value) == (
            "class_created",
            "class_management",
        )
        assert notice.data.params == {"class_name": "9A"}
        assert notice.data.message == "Klassen 9A skapades."

    async def test_unknown_course_writes_nothing(
        self, store: RosterStore, classes: ClassService
    ) -> None:
        with pytest.raises(UnknownCourse):
            await classes.create(TEACHER, "9A", "ENG9")
        assert store.commits == 0

    async def test_names_are_unique_per_teacher_regardless_of_case(
        self, classes: ClassService
    ) -> None:
        await classes.create(TEACHER, "9A", "ENG5")
        with pytest.raises(DuplicateClassName):
            await classes.create(TEACHER, "9a", "SV1")
        await classes.create(OTHER, "9a", "SV1")  # another teacher may use the name

    async def test_listing_is_by_name_and_paged(self, classes: ClassService) -> None:
        for name in ("9C", "9a", "9B"):
            await classes.create(TEACHER, name, "ENG5")
        page, total = await classes.page(TEACHER, limit=2, offset=1)
        assert ([c.name for c in page], total) == (["9B", "9C"], 3)


class TestUpdate:
    async def test_rename_and_change_course(
        self, store: RosterStore, classes: ClassService
    ) -> None:
        created = await classes.create(TEACHER, "9A", "ENG5")
        updated = await classes.update(TEACHER, created.class_id, name="9A Eng", course_code="ENG6")
        assert (updated.name, updated.course_code) == ("9A Eng", CourseCode.ENG6)
        [event] = store.events("ClassUpdatedV1")
        assert event.data.changed_fields == ["name", "course_code"]

    async def test_no_change_announces_nothing(
        self, store: RosterStore, classes: ClassService
    ) -> None:
        created = await classes.create(TEACHER, "9A", "ENG5")
        same = await classes.update(TEACHER, created.class_id, name="9A", course_code="eng5")
        assert same == created
        assert store.events("ClassUpdatedV1") == []

    async def test_rename_onto_a_taken_name(self, classes: ClassService) -> None:
        await classes.create(TEACHER, "9A", "ENG5")
        other = await classes.create(TEACHER, "9B", "ENG5")
        with pytest.raises(DuplicateClassName):
            await classes.update(TEACHER, other.class_id, name="9a", course_code=None)

    async def test_other_teachers_class_is_not_found(self, classes: ClassService) -> None:
        created = await classes.create(TEACHER, "9A", "ENG5")
        with pytest.raises(ClassNotFound):
            await classes.update(OTHER, created.class_id, name="x", course_code=None)
        with pytest.raises(ClassNotFound):
            await classes.summary(OTHER, created.class_id)
        with pytest.raises(ClassNotFound):
            await classes.delete(OTHER, created.class_id)


class TestDelete:
    async def test_refused_while_a_batch_awaits_confirmation(
        self, store: RosterStore, classes: ClassService
    ) -> None:
        created = await classes.create(TEACHER, "9A", "ENG5")
        store.state.classes_with_pending_batch.add(created.class_id)
        with pytest.raises(Conflict):
            await classes.delete(TEACHER, created.class_id)
        assert created.class_id in store.state.classes

    async def test_members_are_told_their_remaining_classes(
        self, store: RosterStore, classes: ClassService
    ) -> None:
        a = await classes.create(TEACHER, "9A", "ENG5")
        b = await classes.create(TEACHER, "9B", "ENG5")
        students = StudentService(store.factory, "cms", EVENT_KEYS)
        anna = await students.create(
            TEACHER,
            first_name="Anna",
            last_name="Svensson",
            email="anna@x.se",
            class_ids=[a.class_id, b.class_id],
        )
        store.state.outbox.clear()

        await classes.delete(TEACHER, a.class_id)

        assert a.class_id not in store.state.classes
        [class_event] = store.events("ClassUpdatedV1")
        assert class_event.data.changed_fields == ["deleted"]
        [student_event] = store.events("StudentUpdatedV1")
        assert (student_event.data.class_ids, student_event.data.changed_fields) == (
            [b.class_id],
            ["class_ids"],
        )
        audit = store.state.audit[-1]
        assert (audit.action, audit.student_ids, audit.class_id) == (
            "class.delete",
            [anna.student_id],
            a.class_id,
        )


async def test_courses_are_the_seeded_ones(classes: ClassService) -> None:
    codes = [c.course_code for c in await classes.courses()]
    assert codes == sorted(CourseCode, key=lambda c: c.value)
