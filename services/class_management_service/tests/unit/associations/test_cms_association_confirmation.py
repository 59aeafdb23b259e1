"""The teacher's confirmation of essay authors over fakes: reads, decisions, refusals, audit."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from class_management_service.adapters import metrics
from class_management_service.domain.associations.confirmation import (
    AssociationService,
    BatchNotFound,
    EssayNotFound,
    InvalidConfirmation,
)
from class_management_service.domain.associations.events import ASSOCIATIONS_CONFIRMED
from class_management_service.domain.associations.ports import ClassBatchStatus
from class_management_service.domain.errors import Conflict
from class_management_service.domain.records import Actor
from common_core.class_api import AssociationConfirmationV1, AssociationsConfirmV1
from common_core.enums import AssociationMethod, AssociationStatus
from common_core.errors import ErrorCode
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

TEACHER = Actor(user_id="teacher-karin", correlation_id="corr-1")
STRANGER = Actor(user_id="teacher-olof", correlation_id="corr-2")
CLASS = "class-8a"
BATCH = "batch-8a"
E1, E2, E3 = (essay_id_for(u) for u in ("up-1", "up-2", "up-3"))


async def _ready_store(*, make_ready: bool = True) -> FakeStore:
    store = FakeStore()
    store.add_class(CLASS, TEACHER.user_id)
    store.add_class("class-other", STRANGER.user_id)
    store.add_student("asa", TEACHER.user_id, "Åsa", "Öberg", "asa.oberg@skolan.se", CLASS)
    store.add_student("erik", TEACHER.user_id, "Erik", "Johansson", "erik.j@skolan.se", CLASS)
    store.add_student("bjorn", TEACHER.user_id, "Björn", "Ström", "bjorn.strom@skolan.se", CLASS)
    store.add_student("lone", TEACHER.user_id, "Lone", "Wolf", "lone.wolf@skolan.se")  # no class
    consumer = MatchingConsumer(store.factory, lambda: FIXED_NOW)
    headers = [
        ("up-1", None, "asa.oberg@skolan.se"),
        ("up-2", "Erik Johansson", None),
        ("up-3", "Okänd Person", None),
    ]
    await consumer.deliver(
        registered(BATCH, TEACHER.user_id, CLASS), parsed(BATCH, TEACHER.user_id, CLASS, headers)
    )
    if make_ready:
        await consumer.deliver(ready(BATCH, TEACHER.user_id, ["up-1", "up-2", "up-3"]))
    # Only what the teacher's calls do is checked (the matching's own audit rows are not).
    store.state.outbox.clear()
    store.state.audit.clear()
    return store


def _service(store: FakeStore) -> AssociationService:
    return AssociationService(store.factory, source_service="cms", clock=lambda: FIXED_NOW)


def _request(*pairs: tuple[str, str], accept: bool = False) -> AssociationsConfirmV1:
    return AssociationsConfirmV1(
        confirmations=[AssociationConfirmationV1(essay_id=e, student_id=s) for e, s in pairs],
        accept_suggestions=accept,
    )


class TestRead:
    async def test_lists_essays_with_headers_and_names_and_audits_the_read(self) -> None:
        store = await _ready_store()
        view = await _service(store).list_associations(TEACHER, BATCH)
        assert (view.batch_id, view.class_id, view.status) == (BATCH, CLASS, "pending_validation")
        assert view.suggested_at == FIXED_NOW
        by_essay = {a.essay_id: a for a in view.associations}
        assert by_essay[E1].parsed_email == "asa.oberg@skolan.se"
        assert (by_essay[E1].student_name, by_essay[E1].method) == (
            "Åsa Öberg",
            AssociationMethod.EMAIL_MATCH,
        )
        assert by_essay[E2].parsed_name == "Erik Johansson"
        assert by_essay[E2].student_name == "Erik Johansson"
        assert (by_essay[E3].student_id, by_essay[E3].student_name) == (None, None)
        [audit] = store.state.audit
        assert (audit.actor_user_id, audit.action, audit.class_id, audit.correlation_id) == (
            TEACHER.user_id,
            "association.read",
            CLASS,
            "corr-1",
        )
        assert audit.student_ids == ["asa", "erik"]

    async def test_another_teachers_batch_reads_like_an_unknown_one(self) -> None:
        store = await _ready_store()
        with pytest.raises(BatchNotFound) as foreign:
            await _service(store).list_associations(STRANGER, BATCH)
        store.state.batches.pop(BATCH)
        with pytest.raises(BatchNotFound) as missing:
            await _service(store).list_associations(TEACHER, BATCH)
        assert foreign.value.code is missing.value.code is ErrorCode.BATCH_NOT_FOUND
        assert (foreign.value.message, foreign.value.details) == (
            missing.value.message,
            missing.value.details,
        )
        assert store.state.audit == []


class TestConfirm:
    async def test_a_correction_confirms_one_essay_and_the_batch_waits_for_the_rest(self) -> None:
        store = await _ready_store()
        view = await _service(store).confirm(TEACHER, BATCH, _request((E3, "bjorn")))
        row = {a.essay_id: a for a in view.associations}[E3]
        assert (row.student_id, row.student_name, row.status, row.method, row.confidence) == (
            "bjorn",
            "Björn Ström",
            AssociationStatus.CONFIRMED,
            AssociationMethod.TEACHER,
            1.0,
        )
        assert view.status == "pending_validation"
        [updated] = store.events_of(EssayStudentAssociationUpdatedV1)
        assert (updated.data.essay_id, updated.data.student_id, updated.data.method) == (
            E3,
            "bjorn",
            AssociationMethod.TEACHER,
        )
        assert store.events_of(StudentAssociationsConfirmedV1) == []
        stored = {r.essay_id: r for r in store.rows_of(BATCH)}[E3]
        assert stored.decided_by == TEACHER.user_id
        assert store.state.audit[-1].action == "association.confirm"
        assert "bjorn" in store.state.audit[-1].student_ids

    async def test_accepting_suggestions_keeps_their_method_and_confirms_the_batch(self) -> None:
        store = await _ready_store()
        before = {r.essay_id: r.confidence for r in store.rows_of(BATCH)}
        view = await _service(store).confirm(TEACHER, BATCH, _request((E3, "bjorn"), accept=True))
        by_essay = {a.essay_id: a for a in view.associations}
        assert [(e, a.student_id, a.method, a.status) for e, a in sorted(by_essay.items())] == [
            (E1, "asa", AssociationMethod.EMAIL_MATCH, AssociationStatus.CONFIRMED),
            (E2, "erik", AssociationMethod.NAME_MATCH, AssociationStatus.CONFIRMED),
            (E3, "bjorn", AssociationMethod.TEACHER, AssociationStatus.CONFIRMED),
        ]
        assert by_essay[E2].confidence == before[E2]
        assert (view.status, view.confirmed_at, view.confirmed_by_timeout) == (
            "confirmed",
            FIXED_NOW,
            False,
        )
        assert len(store.events_of(EssayStudentAssociationUpdatedV1)) == 3
        [confirmed] = store.events_of(StudentAssociationsConfirmedV1)
        assert not confirmed.data.confirmed_by_timeout
        assert sorted((a.essay_id, a.student_id) for a in confirmed.data.associations) == [
            (E1, "asa"),
            (E2, "erik"),
            (E3, "bjorn"),
        ]
        [notice] = store.events_of(TeacherNotificationRequestedV1)
        assert notice.data.notification_type == ASSOCIATIONS_CONFIRMED
        assert notice.data.params == {"variant": "by_teacher", "essay_count": 3}
        assert store.state.batches[BATCH].status is ClassBatchStatus.CONFIRMED

    async def test_accepting_suggestions_leaves_essays_without_one_pending(self) -> None:
        store = await _ready_store()
        view = await _service(store).confirm(TEACHER, BATCH, _request(accept=True))
        statuses = {a.essay_id: a.status for a in view.associations}
        assert statuses[E3] is AssociationStatus.PENDING_VALIDATION
        assert view.status == "pending_validation"
        assert store.events_of(StudentAssociationsConfirmedV1) == []

    async def test_the_teacher_may_choose_the_unknown_student(self) -> None:
        store = await _ready_store()
        async with store.factory() as uow:
            unknown, _ = await uow.students.ensure_unknown_student(TEACHER.user_id, CLASS)
            await uow.commit()
        view = await _service(store).confirm(TEACHER, BATCH, _request((E3, unknown.student_id)))
        assert {a.essay_id: a.student_id for a in view.associations}[E3] == unknown.student_id

    async def test_repeating_a_decision_announces_nothing_new(self) -> None:
        store = await _ready_store()
        await _service(store).confirm(TEACHER, BATCH, _request((E3, "bjorn")))
        await _service(store).confirm(TEACHER, BATCH, _request((E3, "bjorn")))
        assert len(store.events_of(EssayStudentAssociationUpdatedV1)) == 1


class TestMetrics:
    async def test_the_teachers_confirmations_are_counted_once_committed(self) -> None:
        store = await _ready_store()
        service = AssociationService(
            store.factory, source_service="cms", clock=lambda: FIXED_NOW, record=metrics.record
        )
        human = _sample("huleedu_associations_confirmed_total", method="human")
        teacher = _sample("huleedu_cms_association_confirmations_total", method="teacher")
        with pytest.raises(InvalidConfirmation):
            await service.confirm(TEACHER, BATCH, _request((E3, "stranger")))
        await service.confirm(TEACHER, BATCH, _request((E3, "bjorn"), accept=True))
        assert _sample("huleedu_associations_confirmed_total", method="human") == human + 3
        assert (
            _sample("huleedu_cms_association_confirmations_total", method="teacher") == teacher + 1
        )


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class TestRefusals:
    async def test_a_student_outside_the_class_is_refused_and_nothing_changes(self) -> None:
        store = await _ready_store()
        rows = store.rows_of(BATCH)
        with pytest.raises(InvalidConfirmation) as refused:
            await _service(store).confirm(
                TEACHER, BATCH, _request((E1, "asa"), (E3, "lone"), accept=True)
            )
        assert refused.value.code is ErrorCode.VALIDATION_ERROR
        assert refused.value.details["essay_id"] == E3
        assert E3 in refused.value.message
        assert store.rows_of(BATCH) == rows
        assert store.state.outbox == []
        assert store.state.audit == []

    async def test_an_essay_outside_the_batch_is_not_found(self) -> None:
        store = await _ready_store()
        with pytest.raises(EssayNotFound) as missing:
            await _service(store).confirm(TEACHER, BATCH, _request(("essay-elsewhere", "asa")))
        assert missing.value.code is ErrorCode.ESSAY_NOT_FOUND

    async def test_an_essay_listed_twice_is_refused(self) -> None:
        store = await _ready_store()
        with pytest.raises(InvalidConfirmation):
            await _service(store).confirm(TEACHER, BATCH, _request((E1, "asa"), (E1, "erik")))

    async def test_a_batch_still_awaiting_content_is_a_conflict(self) -> None:
        store = await _ready_store(make_ready=False)
        with pytest.raises(Conflict) as conflict:
            await _service(store).confirm(TEACHER, BATCH, _request(accept=True))
        assert conflict.value.code is ErrorCode.CONFLICT

    async def test_an_already_confirmed_batch_is_a_conflict(self) -> None:
        store = await _ready_store()
        await _service(store).confirm(TEACHER, BATCH, _request((E3, "bjorn"), accept=True))
        with pytest.raises(Conflict):
            await _service(store).confirm(TEACHER, BATCH, _request((E3, "asa")))

    async def test_a_batch_whose_class_is_gone_is_a_conflict(self) -> None:
        store = FakeStore()
        await MatchingConsumer(store.factory, lambda: FIXED_NOW).deliver(
            registered(BATCH, TEACHER.user_id, "class-deleted")
        )
        assert store.state.batches[BATCH].status is ClassBatchStatus.CLASS_MISSING
        with pytest.raises(Conflict) as conflict:
            await _service(store).confirm(TEACHER, BATCH, _request(accept=True))
        assert conflict.value.details["status"] == "class_missing"
        assert store.state.batches[BATCH].status is ClassBatchStatus.CLASS_MISSING
        assert store.state.outbox == []

    async def test_another_teacher_cannot_confirm(self) -> None:
        store = await _ready_store()
        with pytest.raises(BatchNotFound):
            await _service(store).confirm(STRANGER, BATCH, _request(accept=True))
        assert store.state.batches[BATCH].status is ClassBatchStatus.PENDING_VALIDATION
