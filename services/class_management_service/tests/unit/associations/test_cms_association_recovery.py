"""The matching consumer when events come out of order or the class is gone, and its audit."""

from __future__ import annotations

from class_management_service.domain.associations.events import CLASS_MISSING, MATCHING_REQUIRED
from class_management_service.domain.associations.ports import ClassBatchStatus
from class_management_service.domain.associations.steps import SUGGEST_ACTION, SUGGEST_ACTOR
from common_core.enums import CourseCode, NotificationCategory
from common_core.events import (
    BatchAuthorMatchesSuggestedV1,
    StudentAssociationsConfirmedV1,
    TeacherNotificationRequestedV1,
)
from huleedu_testing.class_management.association_builders import (
    essay_id_for,
    parsed,
    ready,
    registered,
)
from huleedu_testing.class_management.association_fakes import FIXED_NOW, FakeStore
from huleedu_testing.class_management.association_harness import MatchingConsumer

TEACHER = "teacher-karin"
STRANGER = "teacher-olof"
CLASS = "class-9b"
BATCH = "batch-9b-essays"
HEADERS = [
    ("up-1", "Åsa Öberg", "asa.oberg@skolan.se"),
    ("up-2", "Erik Johansson", None),
    ("up-3", None, None),
]
UPLOADS = ["up-1", "up-2", "up-3"]


def _store() -> FakeStore:
    store = FakeStore()
    store.add_class(CLASS, TEACHER, CourseCode.SV2)
    store.add_class("class-of-olof", STRANGER)
    store.add_student("asa", TEACHER, "Åsa", "Öberg", "asa.oberg@skolan.se", CLASS)
    store.add_student("erik", TEACHER, "Erik", "Johansson", "erik.johansson@skolan.se", CLASS)
    store.add_student("bjorn", TEACHER, "Björn", "Ström", "bjorn.strom@skolan.se", CLASS)
    return store


def _consumer(store: FakeStore) -> MatchingConsumer:
    return MatchingConsumer(store.factory, lambda: FIXED_NOW)


def _types(store: FakeStore) -> list[str]:
    return [type(env.data).__name__ for env, _ in store.state.outbox]


def _assert_confirmed_without_authors(store: FakeStore, user_id: str, class_id: str) -> None:
    batch = store.state.batches[BATCH]
    assert (batch.status, batch.ready_at, batch.confirmed_at) == (
        ClassBatchStatus.CONFIRMED,
        FIXED_NOW,
        FIXED_NOW,
    )
    [confirmed] = store.events_of(StudentAssociationsConfirmedV1)
    assert (confirmed.data.user_id, confirmed.data.class_id) == (user_id, class_id)
    assert confirmed.data.associations == []
    [notice] = store.events_of(TeacherNotificationRequestedV1)
    data = notice.data
    assert (data.user_id, data.notification_type, data.category) == (
        user_id,
        CLASS_MISSING,
        NotificationCategory.STUDENT_MATCHING,
    )
    assert "finns inte längre" in data.message
    assert (data.batch_id, data.payload["reason"]) == (BATCH, "class_not_found")
    assert store.events_of(BatchAuthorMatchesSuggestedV1) == []
    assert store.rows_of(BATCH) == []
    assert store.state.audit == []  # no roster was read


class TestReadinessFirst:
    async def test_readiness_before_registration_creates_the_batch_and_asks_the_teacher(
        self,
    ) -> None:
        store = _store()
        consumer = _consumer(store)
        await consumer.deliver(
            ready(BATCH, TEACHER, UPLOADS, CourseCode.SV2, class_id=CLASS),
        )
        batch = store.state.batches[BATCH]
        assert (batch.class_id, batch.user_id, batch.course_code, batch.status) == (
            CLASS,
            TEACHER,
            CourseCode.SV2,
            ClassBatchStatus.PENDING_VALIDATION,
        )
        assert [r.essay_id for r in store.rows_of(BATCH)] == [essay_id_for(u) for u in UPLOADS]
        [first] = store.events_of(BatchAuthorMatchesSuggestedV1)
        assert [s.student_id for s in first.data.suggestions] == [None, None, None]
        [notice] = store.events_of(TeacherNotificationRequestedV1)
        assert notice.data.notification_type == MATCHING_REQUIRED

        # The registration, late, changes nothing; the headers, later still, are suggested.
        await consumer.deliver(registered(BATCH, TEACHER, CLASS, course=CourseCode.SV2))
        assert store.state.batches[BATCH] == batch
        await consumer.deliver(parsed(BATCH, TEACHER, CLASS, HEADERS))
        late = store.events_of(BatchAuthorMatchesSuggestedV1)[1]
        assert [(s.essay_id, s.student_id) for s in late.data.suggestions] == [
            (essay_id_for("up-1"), "asa"),
            (essay_id_for("up-2"), "erik"),
            (essay_id_for("up-3"), None),
        ]
        assert [r.suggested_student_id for r in store.rows_of(BATCH)] == ["asa", "erik", None]

    async def test_readiness_first_naming_another_teachers_class_goes_on_without_authors(
        self,
    ) -> None:
        store = _store()
        await _consumer(store).deliver(ready(BATCH, STRANGER, UPLOADS, class_id=CLASS))
        _assert_confirmed_without_authors(store, STRANGER, CLASS)

    async def test_readiness_first_without_a_class_id_is_not_a_class_batch(self) -> None:
        store = _store()
        await _consumer(store).deliver(ready(BATCH, TEACHER, UPLOADS))
        assert store.state.batches == {}
        assert store.state.outbox == []


class TestClassMissing:
    async def test_a_batch_registered_for_a_deleted_class_is_confirmed_once_ready(self) -> None:
        store = _store()
        consumer = _consumer(store)
        await consumer.deliver(registered(BATCH, TEACHER, "class-deleted"))
        assert store.state.batches[BATCH].status is ClassBatchStatus.CLASS_MISSING
        assert store.state.outbox == []  # not before the essays are ready

        await consumer.deliver(parsed(BATCH, TEACHER, "class-deleted", HEADERS))
        assert store.rows_of(BATCH) == []  # nothing to match against: no header PII kept
        await consumer.deliver(ready(BATCH, TEACHER, UPLOADS))

        _assert_confirmed_without_authors(store, TEACHER, "class-deleted")
        keys = {type(env.data).__name__: key for env, key in store.state.outbox}
        assert keys == {
            "StudentAssociationsConfirmedV1": BATCH,
            "TeacherNotificationRequestedV1": TEACHER,
        }

    async def test_a_batch_registered_for_another_teachers_class_never_reads_its_roster(
        self,
    ) -> None:
        store = _store()
        consumer = _consumer(store)
        await consumer.deliver(
            registered(BATCH, STRANGER, CLASS),
            parsed(BATCH, STRANGER, CLASS, HEADERS),
            ready(BATCH, STRANGER, UPLOADS, class_id=CLASS),
        )
        _assert_confirmed_without_authors(store, STRANGER, CLASS)

    async def test_a_class_deleted_after_registration_is_noticed_at_readiness(self) -> None:
        store = _store()
        consumer = _consumer(store)
        await consumer.deliver(registered(BATCH, TEACHER, CLASS))
        del store.state.classes[CLASS]
        await consumer.deliver(ready(BATCH, TEACHER, UPLOADS))
        _assert_confirmed_without_authors(store, TEACHER, CLASS)

    async def test_a_second_readiness_after_confirmation_changes_nothing(self) -> None:
        store = _store()
        consumer = _consumer(store)
        await consumer.deliver(
            registered(BATCH, TEACHER, "class-deleted"), ready(BATCH, TEACHER, UPLOADS)
        )
        outbox = list(store.state.outbox)
        await consumer.deliver(ready(BATCH, TEACHER, UPLOADS))
        assert store.state.outbox == outbox
        assert _types(store) == ["StudentAssociationsConfirmedV1", "TeacherNotificationRequestedV1"]


class TestAudit:
    async def test_matching_headers_writes_one_audit_row_naming_the_roster_read(self) -> None:
        store = _store()
        consumer = _consumer(store)
        headers = parsed(BATCH, TEACHER, CLASS, HEADERS)
        await consumer.deliver(registered(BATCH, TEACHER, CLASS), headers)
        [entry] = store.state.audit
        assert (entry.actor_user_id, entry.action, entry.class_id, entry.correlation_id) == (
            SUGGEST_ACTOR,
            SUGGEST_ACTION,
            CLASS,
            headers.correlation_id,
        )
        assert (SUGGEST_ACTOR, SUGGEST_ACTION) == ("system:author-matching", "association.suggest")
        # Every student whose decrypted name and email were compared, in roster order.
        assert entry.student_ids == ["erik", "bjorn", "asa"]

        await consumer.deliver(ready(BATCH, TEACHER, UPLOADS))  # reads no student data
        assert len(store.state.audit) == 1
        await consumer.deliver(parsed(BATCH, TEACHER, CLASS, HEADERS[:1]))  # a late header
        assert [e.action for e in store.state.audit] == [SUGGEST_ACTION, SUGGEST_ACTION]

    async def test_an_empty_roster_or_an_ignored_event_is_not_audited(self) -> None:
        store = _store()
        store.add_class("class-empty", TEACHER)
        consumer = _consumer(store)
        await consumer.deliver(
            registered(BATCH, TEACHER, "class-empty"),
            parsed(BATCH, TEACHER, "class-empty", HEADERS),
            registered("batch-confirmed", TEACHER, CLASS),
            ready("batch-confirmed", TEACHER, []),
            parsed("batch-confirmed", TEACHER, CLASS, HEADERS),
        )
        assert store.state.audit == []
