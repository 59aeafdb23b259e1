"""The matching consumer over fakes: registration, parsed headers, readiness, in either order."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from class_management_service.domain.associations.events import MATCHING_REQUIRED
from class_management_service.domain.associations.ports import Association, ClassBatchStatus
from common_core.enums import (
    AssociationMethod,
    AssociationStatus,
    CourseCode,
    NotificationCategory,
)
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
from huleedu_testing.class_management.association_fakes import (
    FIXED_NOW,
    FakeStore,
)
from huleedu_testing.class_management.association_harness import MatchingConsumer

TEACHER = "teacher-karin"
CLASS = "class-9b"
BATCH = "batch-9b-essays"
HEADERS = [
    ("up-1", "Åsa Öberg", "asa.oberg@skolan.se"),  # email match
    ("up-2", "Erik Johansson", None),  # name match
    ("up-3", None, None),  # nothing in the header
]
UPLOADS = ["up-1", "up-2", "up-3"]


def _store() -> FakeStore:
    store = FakeStore()
    store.add_class(CLASS, TEACHER, CourseCode.SV2)
    store.add_student("asa", TEACHER, "Åsa", "Öberg", "asa.oberg@skolan.se", CLASS)
    store.add_student("erik", TEACHER, "Erik", "Johansson", "erik.johansson@skolan.se", CLASS)
    store.add_student("bjorn", TEACHER, "Björn", "Ström", "bjorn.strom@skolan.se", CLASS)
    return store


def _consumer(store: FakeStore) -> MatchingConsumer:
    return MatchingConsumer(store.factory, lambda: FIXED_NOW)


def _decisions(rows: list[Association]) -> list[tuple[object, ...]]:
    return [
        (
            r.file_upload_id,
            r.essay_id,
            r.suggested_student_id,
            r.student_id,
            r.method,
            r.status,
            r.parsed_name,
            r.parsed_email,
            r.confidence,
        )
        for r in rows
    ]


class TestRegistration:
    async def test_a_class_batch_awaits_its_content(self) -> None:
        store = _store()
        await _consumer(store).deliver(registered(BATCH, TEACHER, CLASS, course=CourseCode.SV2))
        batch = store.state.batches[BATCH]
        assert (batch.class_id, batch.user_id, batch.course_code, batch.status) == (
            CLASS,
            TEACHER,
            CourseCode.SV2,
            ClassBatchStatus.AWAITING_CONTENT,
        )
        assert store.state.outbox == []

    async def test_a_batch_without_class_is_not_ours(self) -> None:
        store = _store()
        consumer = _consumer(store)
        await consumer.deliver(
            registered(BATCH, TEACHER, None),
            parsed(BATCH, TEACHER, None, HEADERS),
            ready(BATCH, TEACHER, UPLOADS),
        )
        assert store.state.batches == {}
        assert store.state.rows == {}
        assert store.state.outbox == []


class TestInOrder:
    async def test_parsed_headers_get_suggestions_against_the_roster(self) -> None:
        store = _store()
        await _consumer(store).deliver(
            registered(BATCH, TEACHER, CLASS), parsed(BATCH, TEACHER, CLASS, HEADERS)
        )
        rows = {r.file_upload_id: r for r in store.rows_of(BATCH)}
        assert rows["up-1"].suggested_student_id == rows["up-1"].student_id == "asa"
        assert (rows["up-1"].method, rows["up-1"].confidence) == (
            AssociationMethod.EMAIL_MATCH,
            1.0,
        )
        assert rows["up-2"].suggested_student_id == "erik"
        assert rows["up-2"].method is AssociationMethod.NAME_MATCH
        assert rows["up-2"].confidence >= 0.9
        assert (rows["up-3"].suggested_student_id, rows["up-3"].confidence) == (None, 0.0)
        assert all(r.status is AssociationStatus.PENDING_VALIDATION for r in rows.values())
        assert all(r.essay_id is None for r in rows.values())
        assert rows["up-1"].parsed_name == "Åsa Öberg"
        assert rows["up-1"].text_storage_id == "text-up-1"
        # Nothing is announced before the essays are ready.
        assert store.state.outbox == []

    async def test_readiness_ties_essays_and_asks_the_teacher(self) -> None:
        store = _store()
        await _consumer(store).deliver(
            registered(BATCH, TEACHER, CLASS),
            parsed(BATCH, TEACHER, CLASS, HEADERS),
            ready(BATCH, TEACHER, UPLOADS),
        )
        batch = store.state.batches[BATCH]
        assert batch.status is ClassBatchStatus.PENDING_VALIDATION
        assert batch.ready_at == batch.suggested_at == FIXED_NOW
        rows = store.rows_of(BATCH)
        assert [r.essay_id for r in rows] == [essay_id_for(u) for u in UPLOADS]
        assert [r.filename for r in rows] == ["up-1.docx", "up-2.docx", "up-3.docx"]

        [suggested] = store.events_of(BatchAuthorMatchesSuggestedV1)
        assert (suggested.data.batch_id, suggested.data.class_id, suggested.data.user_id) == (
            BATCH,
            CLASS,
            TEACHER,
        )
        assert [(s.essay_id, s.student_id, s.method) for s in suggested.data.suggestions] == [
            (essay_id_for("up-1"), "asa", AssociationMethod.EMAIL_MATCH),
            (essay_id_for("up-2"), "erik", AssociationMethod.NAME_MATCH),
            (essay_id_for("up-3"), None, AssociationMethod.NAME_MATCH),
        ]
        [notice] = store.events_of(TeacherNotificationRequestedV1)
        data = notice.data
        assert data.notification_type == MATCHING_REQUIRED
        assert data.category is NotificationCategory.STUDENT_MATCHING
        assert data.action_required is True
        assert (data.user_id, data.batch_id, data.class_id) == (TEACHER, BATCH, CLASS)
        assert data.payload["essay_count"] == 3
        assert data.payload["suggested_count"] == 2
        assert data.payload["unmatched_count"] == 1
        keys = {type(env.data).__name__: key for env, key in store.state.outbox}
        assert keys == {
            "BatchAuthorMatchesSuggestedV1": BATCH,
            "TeacherNotificationRequestedV1": TEACHER,
        }

    async def test_a_ready_essay_without_header_gets_a_row_without_suggestion(self) -> None:
        store = _store()
        await _consumer(store).deliver(
            registered(BATCH, TEACHER, CLASS),
            parsed(BATCH, TEACHER, CLASS, HEADERS[:1]),
            ready(BATCH, TEACHER, ["up-1", "up-9"]),
        )
        row = {r.file_upload_id: r for r in store.rows_of(BATCH)}["up-9"]
        assert (row.essay_id, row.suggested_student_id, row.confidence, row.status) == (
            essay_id_for("up-9"),
            None,
            0.0,
            AssociationStatus.PENDING_VALIDATION,
        )

    async def test_uploads_that_never_became_essays_stay_out_of_the_suggestions(self) -> None:
        store = _store()
        await _consumer(store).deliver(
            registered(BATCH, TEACHER, CLASS),
            parsed(BATCH, TEACHER, CLASS, HEADERS),
            ready(BATCH, TEACHER, ["up-1", "up-2"]),  # up-3 failed validation
        )
        rows = {r.file_upload_id: r for r in store.rows_of(BATCH)}
        assert rows["up-3"].essay_id is None
        [suggested] = store.events_of(BatchAuthorMatchesSuggestedV1)
        assert len(suggested.data.suggestions) == 2

    async def test_a_batch_with_no_ready_essays_is_confirmed_at_once(self) -> None:
        store = _store()
        await _consumer(store).deliver(
            registered(BATCH, TEACHER, CLASS),
            parsed(BATCH, TEACHER, CLASS, HEADERS),
            ready(BATCH, TEACHER, []),
        )
        batch = store.state.batches[BATCH]
        assert batch.status is ClassBatchStatus.CONFIRMED
        assert batch.confirmed_at == FIXED_NOW
        assert not batch.confirmed_by_timeout
        [confirmed] = store.events_of(StudentAssociationsConfirmedV1)
        assert confirmed.data.associations == []
        assert store.events_of(BatchAuthorMatchesSuggestedV1) == []

    async def test_a_repeated_readiness_changes_nothing(self) -> None:
        store = _store()
        consumer = _consumer(store)
        await consumer.deliver(registered(BATCH, TEACHER, CLASS), ready(BATCH, TEACHER, UPLOADS))
        before = (store.rows_of(BATCH), len(store.state.outbox))
        await consumer.deliver(ready(BATCH, TEACHER, UPLOADS))
        assert (store.rows_of(BATCH), len(store.state.outbox)) == before

    async def test_a_later_upload_announced_anew_joins_the_pending_batch(self) -> None:
        # ELS announces readiness again when a later upload fills a free slot.
        store = _store()
        consumer = _consumer(store)
        await consumer.deliver(
            registered(BATCH, TEACHER, CLASS),
            parsed(BATCH, TEACHER, CLASS, HEADERS[:2]),
            ready(BATCH, TEACHER, UPLOADS[:2]),
            parsed(BATCH, TEACHER, CLASS, [("up-7", "Björn Ström", None)]),
        )
        await consumer.deliver(ready(BATCH, TEACHER, [*UPLOADS[:2], "up-7"]))

        rows = {r.file_upload_id: r for r in store.rows_of(BATCH)}
        assert rows["up-7"].essay_id == essay_id_for("up-7")
        assert rows["up-7"].suggested_student_id == "bjorn"
        first, added = store.events_of(BatchAuthorMatchesSuggestedV1)
        assert len(first.data.suggestions) == 2
        assert [s.essay_id for s in added.data.suggestions] == [essay_id_for("up-7")]
        assert store.state.batches[BATCH].status is ClassBatchStatus.PENDING_VALIDATION


class TestEitherOrder:
    async def test_headers_after_readiness_end_in_the_same_rows_and_are_announced(self) -> None:
        in_order, reversed_order = _store(), _store()
        await _consumer(in_order).deliver(
            registered(BATCH, TEACHER, CLASS),
            parsed(BATCH, TEACHER, CLASS, HEADERS),
            ready(BATCH, TEACHER, UPLOADS),
        )
        consumer = _consumer(reversed_order)
        await consumer.deliver(registered(BATCH, TEACHER, CLASS), ready(BATCH, TEACHER, UPLOADS))
        [first] = reversed_order.events_of(BatchAuthorMatchesSuggestedV1)
        assert all(s.student_id is None for s in first.data.suggestions)

        await consumer.deliver(parsed(BATCH, TEACHER, CLASS, HEADERS[:2]))
        late = reversed_order.events_of(BatchAuthorMatchesSuggestedV1)[1]
        assert [(s.essay_id, s.student_id) for s in late.data.suggestions] == [
            (essay_id_for("up-1"), "asa"),
            (essay_id_for("up-2"), "erik"),
        ]
        await consumer.deliver(parsed(BATCH, TEACHER, CLASS, HEADERS[2:]))
        assert _decisions(reversed_order.rows_of(BATCH)) == _decisions(in_order.rows_of(BATCH))
        assert reversed_order.state.batches[BATCH].status is ClassBatchStatus.PENDING_VALIDATION

    async def test_headers_before_registration_create_the_batch_from_the_class(self) -> None:
        store = _store()
        consumer = _consumer(store)
        await consumer.deliver(parsed(BATCH, TEACHER, CLASS, HEADERS))
        batch = store.state.batches[BATCH]
        assert (batch.class_id, batch.course_code, batch.status) == (
            CLASS,
            CourseCode.SV2,
            ClassBatchStatus.AWAITING_CONTENT,
        )
        await consumer.deliver(registered(BATCH, TEACHER, CLASS), ready(BATCH, TEACHER, UPLOADS))
        assert [r.suggested_student_id for r in store.rows_of(BATCH)] == ["asa", "erik", None]

    async def test_headers_for_an_unknown_class_are_dropped(self) -> None:
        store = _store()
        await _consumer(store).deliver(parsed(BATCH, "another-teacher", CLASS, HEADERS))
        assert store.state.batches == {}
        assert store.state.rows == {}

    async def test_headers_after_confirmation_change_nothing(self) -> None:
        store = _store()
        consumer = _consumer(store)
        await consumer.deliver(registered(BATCH, TEACHER, CLASS), ready(BATCH, TEACHER, []))
        await consumer.deliver(parsed(BATCH, TEACHER, CLASS, HEADERS))
        assert store.rows_of(BATCH) == []

    async def test_a_decided_row_keeps_its_decision_when_a_header_arrives(self) -> None:
        store = _store()
        consumer = _consumer(store)
        await consumer.deliver(registered(BATCH, TEACHER, CLASS), ready(BATCH, TEACHER, UPLOADS))
        key = (BATCH, "up-2")
        store.state.rows[key] = replace(
            store.state.rows[key],
            student_id="bjorn",
            status=AssociationStatus.CONFIRMED,
            method=AssociationMethod.TEACHER,
        )
        await consumer.deliver(parsed(BATCH, TEACHER, CLASS, HEADERS))
        row = store.state.rows[key]
        assert (row.student_id, row.method) == ("bjorn", AssociationMethod.TEACHER)


class TestIdempotence:
    async def test_redelivery_changes_nothing(self) -> None:
        store = _store()
        consumer = _consumer(store)
        events = [
            registered(BATCH, TEACHER, CLASS),
            parsed(BATCH, TEACHER, CLASS, HEADERS),
            ready(BATCH, TEACHER, UPLOADS),
        ]
        await consumer.deliver(*events)
        snapshot = (dict(store.state.batches), dict(store.state.rows), list(store.state.outbox))
        commits = store.commits
        await consumer.deliver(*events, *reversed(events))
        assert (store.state.batches, store.state.rows, store.state.outbox) == snapshot
        assert store.commits == commits  # the inbox refused each before any effect

    async def test_every_step_locks_its_class_batch_first(self) -> None:
        store = _store()
        await _consumer(store).deliver(
            registered(BATCH, TEACHER, CLASS),
            parsed(BATCH, TEACHER, CLASS, HEADERS),
            ready(BATCH, TEACHER, UPLOADS),
        )
        assert store.state.locks == [BATCH, BATCH]

    async def test_a_later_clock_is_what_readiness_records(self) -> None:
        store = _store()
        later = FIXED_NOW + timedelta(hours=5)
        await MatchingConsumer(store.factory, lambda: later).deliver(
            registered(BATCH, TEACHER, CLASS), ready(BATCH, TEACHER, UPLOADS)
        )
        assert store.state.batches[BATCH].suggested_at == later
