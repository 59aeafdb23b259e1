"""The association timeout monitor over fakes, with an injected clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from prometheus_client import REGISTRY

from class_management_service.adapters import metrics
from class_management_service.domain.associations.confirmation import AssociationService
from class_management_service.domain.associations.events import CLASS_MISSING
from class_management_service.domain.associations.monitor import (
    MONITOR_ACTOR,
    AssociationTimeoutMonitor,
)
from class_management_service.domain.associations.ports import ClassBatchStatus
from class_management_service.domain.models import unknown_student_email
from class_management_service.domain.records import Actor
from common_core.class_api import AssociationConfirmationV1, AssociationsConfirmV1
from common_core.enums import AssociationMethod, AssociationStatus
from common_core.events import (
    EssayStudentAssociationUpdatedV1,
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
CLASS = "class-7c"
BATCH = "batch-7c"
TIMEOUT = timedelta(hours=24)
KEEP = 0.7
UPLOADS = ["up-email", "up-name", "up-weak", "up-ambiguous", "up-blank"]
E_EMAIL, E_NAME, E_WEAK, E_AMBIGUOUS, E_BLANK = (essay_id_for(u) for u in UPLOADS)


class Clock:
    """A settable clock."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def _pending_store() -> FakeStore:
    """A batch whose suggestions went out at FIXED_NOW: two strong, three weak or missing."""
    store = FakeStore()
    store.add_class(CLASS, TEACHER)
    store.add_student("asa", TEACHER, "Åsa", "Öberg", "asa.oberg@skolan.se", CLASS)
    store.add_student("erik-j", TEACHER, "Erik", "Johansson", "erik.j@skolan.se", CLASS)
    store.add_student("erik-l", TEACHER, "Erik", "Lindberg", "erik.l@skolan.se", CLASS)
    store.add_student("maja", TEACHER, "Maja", "Ek", "maja.ek@skolan.se", CLASS)
    headers = [
        ("up-email", None, "asa.oberg@skolan.se"),
        ("up-name", "Erik Johansson", None),
        ("up-weak", "Maja Ek", None),
        ("up-ambiguous", "Erik", None),
        ("up-blank", None, None),
    ]
    await MatchingConsumer(store.factory, lambda: FIXED_NOW).deliver(
        registered(BATCH, TEACHER, CLASS),
        parsed(BATCH, TEACHER, CLASS, headers),
        ready(BATCH, TEACHER, UPLOADS),
    )
    # A suggestion below the keep threshold (as a faint header match would give).
    weak = (BATCH, "up-weak")
    store.state.rows[weak] = replace(store.state.rows[weak], confidence=0.55)
    store.state.outbox.clear()
    store.state.audit.clear()  # the matching's own audit row; the monitor's are checked
    return store


def _monitor(store: FakeStore, clock: Clock) -> AssociationTimeoutMonitor:
    return AssociationTimeoutMonitor(
        store.factory,
        source_service="cms",
        timeout=TIMEOUT,
        keep_threshold=KEEP,
        clock=clock,
        record=metrics.record,
    )


def _rows(store: FakeStore) -> dict[str | None, tuple[str | None, AssociationMethod, float]]:
    return {r.essay_id: (r.student_id, r.method, r.confidence) for r in store.rows_of(BATCH)}


class TestNotDue:
    async def test_a_batch_within_its_deadline_is_left_alone(self) -> None:
        store = await _pending_store()
        before = store.rows_of(BATCH)
        confirmed = await _monitor(
            store, Clock(FIXED_NOW + TIMEOUT - timedelta(seconds=1))
        ).check_once()
        assert confirmed == 0
        assert store.rows_of(BATCH) == before
        assert store.state.batches[BATCH].status is ClassBatchStatus.PENDING_VALIDATION
        assert store.state.outbox == []


class TestTimeout:
    async def test_strong_suggestions_are_kept_and_the_rest_go_to_the_unknown_student(self) -> None:
        store = await _pending_store()
        confidences = {r.essay_id: r.confidence for r in store.rows_of(BATCH)}
        assert confidences[E_NAME] >= KEEP  # the premise of the kept-by-timeout path

        confirmed = await _monitor(store, Clock(FIXED_NOW + TIMEOUT)).check_once()

        assert confirmed == 1
        unknown = f"unknown-{CLASS}"
        assert _rows(store) == {
            E_EMAIL: ("asa", AssociationMethod.TIMEOUT, 1.0),
            E_NAME: ("erik-j", AssociationMethod.TIMEOUT, confidences[E_NAME]),
            E_WEAK: (unknown, AssociationMethod.UNKNOWN_STUDENT, 0.0),
            E_AMBIGUOUS: (unknown, AssociationMethod.UNKNOWN_STUDENT, 0.0),
            E_BLANK: (unknown, AssociationMethod.UNKNOWN_STUDENT, 0.0),
        }
        weak = {r.essay_id: r for r in store.rows_of(BATCH)}[E_WEAK]
        assert weak.suggested_student_id == "maja"  # kept for the teacher's later review
        assert all(r.status is AssociationStatus.CONFIRMED for r in store.rows_of(BATCH))
        placeholder = store.state.students[unknown]
        assert placeholder.is_placeholder
        assert placeholder.email == unknown_student_email(CLASS)

        batch = store.state.batches[BATCH]
        assert (batch.status, batch.confirmed_by_timeout, batch.confirmed_at) == (
            ClassBatchStatus.CONFIRMED,
            True,
            FIXED_NOW + TIMEOUT,
        )
        updates = store.events_of(EssayStudentAssociationUpdatedV1)
        assert sorted(u.data.essay_id for u in updates) == sorted(
            [E_EMAIL, E_NAME, E_WEAK, E_AMBIGUOUS, E_BLANK]
        )
        [done] = store.events_of(StudentAssociationsConfirmedV1)
        assert done.data.confirmed_by_timeout is True
        assert len(done.data.associations) == 5
        [notice] = store.events_of(TeacherNotificationRequestedV1)
        assert notice.data.payload["confirmed_by_timeout"] is True
        [audit] = store.state.audit
        assert (audit.actor_user_id, audit.action) == (MONITOR_ACTOR, "association.confirm")
        assert audit.student_ids == sorted(["asa", "erik-j", unknown])

    async def test_a_strong_suggestion_whose_student_left_the_class_goes_to_unknown(self) -> None:
        store = await _pending_store()
        asa = store.state.students["asa"]
        store.state.students["asa"] = replace(asa, class_ids=())
        await _monitor(store, Clock(FIXED_NOW + TIMEOUT)).check_once()
        assert _rows(store)[E_EMAIL][1] is AssociationMethod.UNKNOWN_STUDENT

    async def test_the_teachers_own_decisions_stand(self) -> None:
        store = await _pending_store()
        service = AssociationService(store.factory, source_service="cms", clock=lambda: FIXED_NOW)
        request = AssociationsConfirmV1(
            confirmations=[AssociationConfirmationV1(essay_id=E_BLANK, student_id="maja")]
        )
        await service.confirm(Actor(TEACHER, "corr"), BATCH, request)
        store.state.outbox.clear()
        await _monitor(store, Clock(FIXED_NOW + TIMEOUT)).check_once()
        assert _rows(store)[E_BLANK] == ("maja", AssociationMethod.TEACHER, 1.0)
        assert len(store.events_of(EssayStudentAssociationUpdatedV1)) == 4

    async def test_a_decided_author_erased_since_is_decided_again(self) -> None:
        store = await _pending_store()
        key = (BATCH, "up-email")
        # What the FK's ON DELETE SET NULL leaves after the teacher erased the student.
        store.state.rows[key] = replace(
            store.state.rows[key],
            status=AssociationStatus.CONFIRMED,
            method=AssociationMethod.TEACHER,
            student_id=None,
            suggested_student_id=None,
        )
        await _monitor(store, Clock(FIXED_NOW + TIMEOUT)).check_once()
        assert _rows(store)[E_EMAIL][:2] == (f"unknown-{CLASS}", AssociationMethod.UNKNOWN_STUDENT)
        [done] = store.events_of(StudentAssociationsConfirmedV1)
        assert all(a.student_id for a in done.data.associations)

    async def test_a_batch_whose_class_vanished_is_confirmed_without_authors_once(self) -> None:
        store = await _pending_store()
        del store.state.classes[CLASS]  # deleted in the race the delete's batch check misses
        monitor = _monitor(store, Clock(FIXED_NOW + TIMEOUT))

        assert await monitor.check_once() == 1
        assert await monitor.check_once() == 0

        batch = store.state.batches[BATCH]
        assert (batch.status, batch.confirmed_by_timeout) == (ClassBatchStatus.CONFIRMED, True)
        [done] = store.events_of(StudentAssociationsConfirmedV1)
        assert (done.data.associations, done.data.confirmed_by_timeout) == ([], True)
        [notice] = store.events_of(TeacherNotificationRequestedV1)
        assert notice.data.notification_type == CLASS_MISSING
        assert store.events_of(EssayStudentAssociationUpdatedV1) == []
        assert not any(s.is_placeholder for s in store.state.students.values())

    async def test_running_twice_confirms_once_with_one_unknown_student(self) -> None:
        store = await _pending_store()
        monitor = _monitor(store, Clock(FIXED_NOW + TIMEOUT + timedelta(hours=1)))
        assert await monitor.check_once() == 1
        outbox = list(store.state.outbox)
        assert await monitor.check_once() == 0
        assert store.state.outbox == outbox
        placeholders = [s for s in store.state.students.values() if s.is_placeholder]
        assert len(placeholders) == 1


class TestLeftAlone:
    async def test_a_batch_the_teacher_confirmed_meanwhile_is_skipped(self) -> None:
        store = await _pending_store()
        service = AssociationService(store.factory, source_service="cms", clock=lambda: FIXED_NOW)
        request = AssociationsConfirmV1(
            confirmations=[
                AssociationConfirmationV1(essay_id=e, student_id="maja")
                for e in (E_WEAK, E_AMBIGUOUS, E_BLANK)
            ],
            accept_suggestions=True,
        )
        await service.confirm(Actor(TEACHER, "corr"), BATCH, request)
        rows, outbox = store.rows_of(BATCH), list(store.state.outbox)

        assert await _monitor(store, Clock(FIXED_NOW + 2 * TIMEOUT)).check_once() == 0

        assert store.rows_of(BATCH) == rows
        assert store.state.outbox == outbox
        assert not store.state.batches[BATCH].confirmed_by_timeout
        assert not any(s.is_placeholder for s in store.state.students.values())

    async def test_a_batch_another_worker_holds_is_skipped(self) -> None:
        store = await _pending_store()
        store.held_elsewhere.add(BATCH)
        assert await _monitor(store, Clock(FIXED_NOW + TIMEOUT)).check_once() == 0
        assert store.state.batches[BATCH].status is ClassBatchStatus.PENDING_VALIDATION
        assert store.state.outbox == []

    async def test_one_failing_batch_does_not_stop_the_others(self) -> None:
        store = await _pending_store()
        second = "batch-7c-second"
        await MatchingConsumer(store.factory, lambda: FIXED_NOW).deliver(
            registered(second, TEACHER, CLASS), ready(second, TEACHER, ["up-x"])
        )
        store.broken.add(BATCH)
        assert await _monitor(store, Clock(FIXED_NOW + TIMEOUT)).check_once() == 1
        assert store.state.batches[BATCH].status is ClassBatchStatus.PENDING_VALIDATION
        assert store.state.batches[second].status is ClassBatchStatus.CONFIRMED
        store.broken.clear()
        assert await _monitor(store, Clock(FIXED_NOW + TIMEOUT)).check_once() == 1
        assert store.state.batches[BATCH].status is ClassBatchStatus.CONFIRMED


class TestMetrics:
    async def test_the_pending_age_is_exported_and_timeouts_are_counted_once(self) -> None:
        store = await _pending_store()
        timeouts = _sample("huleedu_associations_confirmed_total", method="timeout")
        await _monitor(store, Clock(FIXED_NOW + timedelta(hours=3))).check_once()
        assert _sample("huleedu_associations_pending_oldest_age_seconds") == 3 * 3600
        monitor = _monitor(store, Clock(FIXED_NOW + TIMEOUT))
        await monitor.check_once()
        await monitor.check_once()  # nothing left to confirm
        assert _sample("huleedu_associations_pending_oldest_age_seconds") == 0
        assert _sample("huleedu_associations_confirmed_total", method="timeout") == timeouts + 5


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0
