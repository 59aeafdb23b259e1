"""Class batches over fakes: the class check at registration, awaiting student validation,
the confirmation (in either order with readiness), redelivery and the HTTP error mapping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from batch_orchestrator_service.api.errors import to_http_error
from batch_orchestrator_service.domain.batch import Batch, StudentConfirmation
from batch_orchestrator_service.domain.batches import RegisterBatch, RegisterBatchCommand
from batch_orchestrator_service.domain.denials import DenialCode
from batch_orchestrator_service.domain.errors import (
    ClassNotFound,
    DependencyUnavailable,
    MixedCourses,
    UnknownCourse,
)
from batch_orchestrator_service.domain.orchestration import (
    batch_essays_ready,
    make_runner,
    pipeline_request,
    student_associations_confirmed,
)
from common_core.enums import AssociationMethod, BatchStatus, CourseCode, PipelineName
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchEssaysReadyV1,
    ClientBatchPipelineRequestV1,
    ConfirmedAssociation,
    EssayRef,
    EventModel,
    StudentAssociationsConfirmedV1,
)

pytestmark = pytest.mark.unit

PIPE = PipelineName.SPELLCHECK

TEACHER = "teacher-anna"
OTHER = "teacher-bertil"
CLASS = "class-9a"
SOURCE = "batch_orchestrator_service"
AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
Refs = Callable[..., list[EssayRef]]


async def apply(uow: Any, step: Any, envelope: EventEnvelope[Any]) -> bool:
    """Run the step the way the worker does: the kernel's runner, under its inbox name."""
    return await make_runner(lambda: uow, step, service=SOURCE).run(envelope, step)


def envelope(data: EventModel) -> EventEnvelope[Any]:
    return EventEnvelope.wrap(data, source_service="test", correlation_id="corr-1")


def class_batch(class_id: str | None = CLASS) -> Batch:
    return Batch.register(
        user_id=TEACHER,
        course_code="SV1",
        essay_instructions="Skriv om hösten.",
        expected_essay_count=3,
        class_id=class_id,
    )


def command(course: str = "SV1", class_id: str | None = CLASS) -> RegisterBatchCommand:
    return RegisterBatchCommand(TEACHER, course, "Skriv om hösten.", 3, class_id)


def ready_event(batch: Batch, refs: Refs, count: int | None = None) -> EventEnvelope[Any]:
    return envelope(
        BatchEssaysReadyV1(
            batch_id=batch.batch_id,
            user_id=TEACHER,
            course_code=CourseCode.SV1,
            ready_essays=refs(batch, count),
            missing_essay_ids=batch.essay_ids[count:] if count is not None else [],
            is_partial=count is not None,
        )
    )


def confirmed_event(
    batch: Batch, *, user_id: str = TEACHER, class_id: str = CLASS
) -> EventEnvelope[Any]:
    return envelope(
        StudentAssociationsConfirmedV1(
            batch_id=batch.batch_id,
            class_id=class_id,
            user_id=user_id,
            associations=[
                ConfirmedAssociation(
                    essay_id=essay_id,
                    student_id=f"student-{n}",
                    method=AssociationMethod.EMAIL_MATCH,
                )
                for n, essay_id in enumerate(batch.essay_ids)
            ],
        )
    )


def request_event(batch: Batch) -> EventEnvelope[Any]:
    return envelope(
        ClientBatchPipelineRequestV1(
            batch_id=batch.batch_id,
            user_id=TEACHER,
            requested_pipeline=PIPE,
            client_request_id="r1",
        )
    )


async def registered(uow: Any, classes: Any, class_id: str | None = CLASS) -> Batch:
    if class_id is not None:
        classes.add(class_id, TEACHER, "9A", CourseCode.SV1)
    use_case = RegisterBatch(uow=uow, classes=classes, source_service=SOURCE)
    batch = await use_case.execute(command(class_id=class_id), "corr-reg")
    uow.events.clear()
    return batch


async def stored(uow: Any, batch_id: str) -> Batch:
    batch = await uow.batches.get(batch_id)
    assert batch is not None
    return batch


def notification_types(uow: Any) -> list[str]:
    return [env.data.notification_type for env, _ in uow.of_type("TeacherNotificationRequestedV1")]


class TestStateMachine:
    def test_ready_class_batch_awaits_student_validation(self, refs: Refs) -> None:
        batch = class_batch()
        assert batch.pipeline_state().accepts_files
        assert batch.mark_ready(refs(batch))
        assert batch.status is BatchStatus.AWAITING_STUDENT_VALIDATION
        # CMS matches exactly the announced essays: no file changes from here on.
        assert not batch.pipeline_state().accepts_files

    def test_pipeline_request_is_not_ready_until_students_are_confirmed(self, refs: Refs) -> None:
        batch = class_batch()
        batch.mark_ready(refs(batch))
        denial = batch.check_request(TEACHER, PIPE)
        assert denial is not None
        assert denial.code is DenialCode.PIPELINE_NOT_READY
        assert "student" in denial.reason

        assert batch.confirm_students(AT) is StudentConfirmation.READY
        assert batch.status is BatchStatus.READY_FOR_PIPELINE
        assert batch.students_confirmed_at == AT
        assert batch.check_request(TEACHER, PIPE) is None

    def test_confirmation_before_readiness_is_kept_until_ready(self, refs: Refs) -> None:
        batch = class_batch()
        assert batch.confirm_students(AT) is StudentConfirmation.RECORDED
        assert batch.status is BatchStatus.AWAITING_CONTENT
        assert batch.mark_ready(refs(batch))
        assert batch.status is BatchStatus.READY_FOR_PIPELINE

    def test_second_confirmation_changes_nothing(self, refs: Refs) -> None:
        batch = class_batch()
        batch.mark_ready(refs(batch))
        batch.confirm_students(AT)
        later = datetime(2026, 11, 23, tzinfo=UTC)
        assert batch.confirm_students(later) is StudentConfirmation.IGNORED
        assert batch.students_confirmed_at == AT

    def test_confirmation_after_the_pipeline_started_changes_nothing(self, refs: Refs) -> None:
        batch = class_batch()
        batch.mark_ready(refs(batch))
        batch.confirm_students(AT)
        batch.start_pipeline(PIPE)
        assert batch.confirm_students(AT) is StudentConfirmation.IGNORED
        assert batch.status is BatchStatus.PROCESSING

    def test_batch_without_class_is_unchanged(self, refs: Refs) -> None:
        batch = class_batch(class_id=None)
        batch.mark_ready(refs(batch))
        assert batch.status is BatchStatus.READY_FOR_PIPELINE
        assert batch.pipeline_state().accepts_files
        assert batch.confirm_students(AT) is StudentConfirmation.IGNORED
        assert batch.students_confirmed_at is None


class TestRegisterClassBatch:
    async def test_own_class_of_the_same_course_is_stored(self, uow: Any, classes: Any) -> None:
        classes.add(CLASS, TEACHER, "9A", CourseCode.SV1)
        use_case = RegisterBatch(uow=uow, classes=classes, source_service=SOURCE)
        batch = await use_case.execute(command(), "corr-x")
        assert classes.calls == [(CLASS, TEACHER, "corr-x")]
        assert (await stored(uow, batch.batch_id)).class_id == CLASS
        assert uow.event_types() == ["BatchEssaysRegisteredV1", "TeacherNotificationRequestedV1"]

    @pytest.mark.parametrize("owner", [None, OTHER])
    async def test_unknown_or_foreign_class_stores_nothing(
        self, uow: Any, classes: Any, owner: str | None
    ) -> None:
        if owner is not None:
            classes.add(CLASS, owner, "9A", CourseCode.SV1)
        use_case = RegisterBatch(uow=uow, classes=classes, source_service=SOURCE)
        with pytest.raises(ClassNotFound):
            await use_case.execute(command(), "c")
        assert (uow.batches.rows, uow.events, uow.commits) == ({}, [], 0)

    async def test_other_course_is_mixed_courses(self, uow: Any, classes: Any) -> None:
        classes.add(CLASS, TEACHER, "9A", CourseCode.SV1)
        use_case = RegisterBatch(uow=uow, classes=classes, source_service=SOURCE)
        with pytest.raises(MixedCourses) as raised:
            await use_case.execute(command(course="ENG5"), "c")
        assert str(raised.value) == "Class '9A' is for SV1; this batch is for ENG5"
        assert (uow.batches.rows, uow.events) == ({}, [])

    async def test_unavailable_directory_stores_nothing(self, uow: Any, classes: Any) -> None:
        classes.retry_after = 7.0
        use_case = RegisterBatch(uow=uow, classes=classes, source_service=SOURCE)
        with pytest.raises(DependencyUnavailable):
            await use_case.execute(command(), "c")
        assert (uow.batches.rows, uow.events, uow.commits) == ({}, [], 0)

    async def test_unknown_course_is_refused_before_asking(self, uow: Any, classes: Any) -> None:
        use_case = RegisterBatch(uow=uow, classes=classes, source_service=SOURCE)
        with pytest.raises(UnknownCourse):
            await use_case.execute(command(course="MA1"), "c")
        assert classes.calls == []

    async def test_batch_without_class_never_asks(self, uow: Any, classes: Any) -> None:
        classes.retry_after = 1.0  # it would fail if asked
        await registered(uow, classes, class_id=None)
        assert classes.calls == []


class TestHandlers:
    async def test_ready_then_confirmed(self, uow: Any, classes: Any, refs: Refs) -> None:
        batch = await registered(uow, classes)
        await apply(uow, batch_essays_ready, ready_event(batch, refs, count=2))
        assert (await stored(uow, batch.batch_id)).status is BatchStatus.AWAITING_STUDENT_VALIDATION
        assert notification_types(uow) == ["batch_awaiting_student_validation"]
        uow.events.clear()

        await apply(uow, pipeline_request, request_event(batch))
        [(denied, _)] = uow.of_type("BatchPipelineDeniedV1")
        assert denied.data.reason_code == "PIPELINE_NOT_READY"
        after_denial = await stored(uow, batch.batch_id)
        assert after_denial.status is BatchStatus.AWAITING_STUDENT_VALIDATION
        assert after_denial.requested_pipeline is None  # nothing is queued for later
        uow.events.clear()

        confirmation = confirmed_event(batch)
        await apply(uow, student_associations_confirmed, confirmation)
        ready = await stored(uow, batch.batch_id)
        assert ready.status is BatchStatus.READY_FOR_PIPELINE
        assert ready.students_confirmed_at == confirmation.event_timestamp
        [(notification, key)] = uow.events
        assert (key, notification.data.notification_type) == (TEACHER, "batch_ready")
        assert notification.data.class_id == CLASS
        assert notification.data.payload["is_partial"] is True
        assert uow.event_types().count("BatchSpellcheckInitiateCommandV1") == 0

        commits = uow.commits
        await apply(uow, student_associations_confirmed, confirmation)  # redelivered
        assert uow.commits == commits
        assert len(uow.events) == 1

    async def test_confirmation_first(self, uow: Any, classes: Any, refs: Refs) -> None:
        batch = await registered(uow, classes)
        await apply(uow, student_associations_confirmed, confirmed_event(batch))
        waiting = await stored(uow, batch.batch_id)
        assert waiting.status is BatchStatus.AWAITING_CONTENT
        assert waiting.students_confirmed_at is not None
        assert uow.events == []

        await apply(uow, batch_essays_ready, ready_event(batch, refs))
        assert (await stored(uow, batch.batch_id)).status is BatchStatus.READY_FOR_PIPELINE
        assert notification_types(uow) == ["batch_ready"]

    @pytest.mark.parametrize(
        "overrides", [{"user_id": OTHER}, {"class_id": "class-other"}], ids=["user", "class"]
    )
    async def test_confirmation_for_another_teacher_or_class_is_skipped(
        self, uow: Any, classes: Any, refs: Refs, overrides: dict[str, str]
    ) -> None:
        batch = await registered(uow, classes)
        await apply(uow, batch_essays_ready, ready_event(batch, refs))
        uow.events.clear()
        await apply(uow, student_associations_confirmed, confirmed_event(batch, **overrides))
        assert (await stored(uow, batch.batch_id)).status is BatchStatus.AWAITING_STUDENT_VALIDATION
        assert uow.events == []
        assert len(uow.claimed) == 2

    async def test_ordinary_batch_is_ready_at_once(
        self, uow: Any, classes: Any, refs: Refs
    ) -> None:
        batch = await registered(uow, classes, class_id=None)
        await apply(uow, batch_essays_ready, ready_event(batch, refs))
        assert (await stored(uow, batch.batch_id)).status is BatchStatus.READY_FOR_PIPELINE
        assert notification_types(uow) == ["batch_ready"]


class TestErrorMapping:
    def test_class_not_found_is_404(self) -> None:
        error = to_http_error(ClassNotFound(CLASS))
        assert error is not None
        assert (error.status_code, error.code.value) == (404, "CLASS_NOT_FOUND")
        assert error.message == "Class not found."

    def test_mixed_courses_is_422_with_both_courses(self) -> None:
        error = to_http_error(MixedCourses("9A", "SV1", "ENG5"))
        assert error is not None
        assert (error.status_code, error.code.value) == (422, "MIXED_COURSES")
        assert error.message == "Class '9A' is for SV1; this batch is for ENG5"
        assert error.details == {"class_course": "SV1", "batch_course": "ENG5"}

    def test_unavailable_is_503_with_retry_after(self) -> None:
        error = to_http_error(DependencyUnavailable("class_management_service", 2.2))
        assert error is not None
        assert (error.status_code, error.code.value) == (503, "SERVICE_UNAVAILABLE")
        assert error.headers == {"Retry-After": "3"}
        assert error.details == {"dependency": "class_management_service"}
