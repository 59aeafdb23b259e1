"""Use cases with a fake unit of work: what they store, what they emit, what they refuse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from batch_orchestrator_service.domain.batch import Batch
from batch_orchestrator_service.domain.batches import (
    GetBatch,
    GetPipelineState,
    RegisterBatch,
    RegisterBatchCommand,
    RetryPhase,
)
from batch_orchestrator_service.domain.errors import BatchNotFound, PhaseNotRetryable, UnknownCourse
from batch_orchestrator_service.domain.orchestration import (
    batch_essays_ready,
    make_runner,
    phase_outcome,
    pipeline_request,
)
from common_core.enums import (
    BatchStatus,
    CourseCode,
    OperationOutcome,
    PhaseName,
    PhaseStatus,
    PipelineName,
)
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchEssaysReadyV1,
    ClientBatchPipelineRequestV1,
    ELSBatchPhaseOutcomeV1,
    EssayPhaseOutcome,
    EssayRef,
    EventModel,
)
from common_core.notifications import render

pytestmark = pytest.mark.unit

PIPE = PipelineName.SPELLCHECK

TEACHER = "teacher-anna"
OTHER = "teacher-bertil"
SOURCE = "batch_orchestrator_service"
SPELL = PhaseName.SPELLCHECK
Refs = Callable[..., list[EssayRef]]


async def apply(uow: Any, step: Any, envelope: EventEnvelope[Any]) -> bool:
    """Run the step the way the worker does: the kernel's runner, under its inbox name."""
    return await make_runner(lambda: uow, step, service=SOURCE).run(envelope, step)


def envelope(data: EventModel) -> EventEnvelope[Any]:
    return EventEnvelope.wrap(data, source_service="test", correlation_id="corr-1")


class NoClasses:
    """The class directory for batches without a class: asking it is a bug."""

    async def class_summary(self, class_id: str, user_id: str, correlation_id: str) -> None:
        raise AssertionError("a batch without a class must not ask the Class Management Service")


def register_batch(uow: Any) -> RegisterBatch:
    return RegisterBatch(uow=uow, classes=NoClasses(), source_service=SOURCE)


async def register(uow: Any, count: int = 3) -> Batch:
    command = RegisterBatchCommand(TEACHER, "ENG6", "Write about autumn.", count)
    batch = await register_batch(uow).execute(command, "corr-reg")
    uow.events.clear()
    return batch


async def make_ready(uow: Any, batch: Batch, refs: Refs, count: int | None = None) -> None:
    ready = BatchEssaysReadyV1(
        batch_id=batch.batch_id,
        user_id=TEACHER,
        course_code=CourseCode.ENG6,
        ready_essays=refs(batch, count),
        missing_essay_ids=batch.essay_ids[count:] if count is not None else [],
        is_partial=count is not None,
    )
    await apply(uow, batch_essays_ready, envelope(ready))
    uow.events.clear()


def request(batch_id: str, user_id: str = TEACHER) -> EventEnvelope[Any]:
    return envelope(
        ClientBatchPipelineRequestV1(
            batch_id=batch_id, user_id=user_id, requested_pipeline=PIPE, client_request_id="r1"
        )
    )


def outcome(batch: Batch, failed: int, status: PhaseStatus) -> EventEnvelope[Any]:
    return envelope(
        ELSBatchPhaseOutcomeV1(
            batch_id=batch.batch_id,
            phase=SPELL,
            phase_status=status,
            essay_outcomes=[
                EssayPhaseOutcome(
                    essay_id=essay_id,
                    outcome=OperationOutcome.FAILURE if n < failed else OperationOutcome.SUCCESS,
                    output_storage_id=None if n < failed else f"fixed-{n}",
                )
                for n, essay_id in enumerate(batch.essay_ids)
            ],
        )
    )


async def stored(uow: Any, batch_id: str) -> Batch:
    batch = await uow.batches.get(batch_id)
    assert batch is not None
    return batch


class TestRegisterBatch:
    async def test_stores_batch_and_emits_registration_and_notification(self, uow: Any) -> None:
        command = RegisterBatchCommand(TEACHER, "SV3", "Skriv en krönika.", 4, None)
        batch = await register_batch(uow).execute(command, "corr-x")
        assert (await stored(uow, batch.batch_id)).essay_ids == batch.essay_ids
        assert uow.event_types() == ["BatchEssaysRegisteredV1", "TeacherNotificationRequestedV1"]
        (registered, key), (notification, user_key) = uow.events
        assert key == batch.batch_id
        assert user_key == TEACHER
        assert registered.data.essay_ids == batch.essay_ids
        assert registered.correlation_id == "corr-x"
        assert registered.source_service == SOURCE
        assert notification.data.batch_id == batch.batch_id

    async def test_unknown_course_stores_nothing(self, uow: Any) -> None:
        command = RegisterBatchCommand(TEACHER, "MA1", "x", 1)
        with pytest.raises(UnknownCourse):
            await register_batch(uow).execute(command, "c")
        assert uow.batches.rows == {}
        assert uow.events == []


class TestReads:
    async def test_pipeline_state_of_unknown_batch(self, uow: Any) -> None:
        with pytest.raises(BatchNotFound):
            await GetPipelineState(uow=uow).execute("nope")

    async def test_pipeline_state_needs_no_user(self, uow: Any) -> None:
        batch = await register(uow)
        state = await GetPipelineState(uow=uow).execute(batch.batch_id)
        assert state.user_id == TEACHER
        assert state.accepts_files

    async def test_another_teachers_batch_is_not_found(self, uow: Any) -> None:
        batch = await register(uow)
        assert (await GetBatch(uow=uow).execute(batch.batch_id, TEACHER)).user_id == TEACHER
        with pytest.raises(BatchNotFound):
            await GetBatch(uow=uow).execute(batch.batch_id, OTHER)


class TestEssaysReady:
    async def test_partial_ready_notifies_how_many_are_missing(self, uow: Any, refs: Refs) -> None:
        batch = await register(uow)
        ready = BatchEssaysReadyV1(
            batch_id=batch.batch_id,
            user_id=TEACHER,
            course_code=CourseCode.ENG6,
            ready_essays=refs(batch, 2),
            missing_essay_ids=batch.essay_ids[2:],
            is_partial=True,
        )
        await apply(uow, batch_essays_ready, envelope(ready))
        assert (await stored(uow, batch.batch_id)).status is BatchStatus.READY_FOR_PIPELINE
        [(notification, key)] = uow.events
        assert key == TEACHER
        assert notification.data.notification_type == "batch_ready"
        assert notification.data.params == {
            "variant": "partial",
            "ready_count": 2,
            "missing_count": 1,
        }
        assert "1 saknas" in notification.data.message
        assert notification.data.payload["missing_essay_count"] == 1

    async def test_unknown_batch_is_skipped_but_claimed(self, uow: Any, refs: Refs) -> None:
        ready = BatchEssaysReadyV1(
            batch_id="never-registered",
            user_id=TEACHER,
            course_code=CourseCode.SV1,
            ready_essays=[],
        )
        env = envelope(ready)
        await apply(uow, batch_essays_ready, env)
        assert uow.events == []
        assert uow.batches.rows == {}
        assert len(uow.claimed) == 1


class TestPipelineRequest:
    async def test_accepted_request_starts_spellcheck(self, uow: Any, refs: Refs) -> None:
        batch = await register(uow)
        await make_ready(uow, batch, refs)
        await apply(uow, pipeline_request, request(batch.batch_id))
        saved = await stored(uow, batch.batch_id)
        assert saved.status is BatchStatus.PROCESSING
        assert saved.requested_pipeline is PIPE
        assert uow.event_types() == [
            "BatchSpellcheckInitiateCommandV1",
            "TeacherNotificationRequestedV1",
        ]
        command, key = uow.events[0]
        assert key == batch.batch_id
        assert command.data.language.value == "en"
        assert [e.essay_id for e in command.data.essays] == batch.essay_ids

    async def test_redelivered_request_is_a_no_op(self, uow: Any, refs: Refs) -> None:
        batch = await register(uow)
        await make_ready(uow, batch, refs)
        env = request(batch.batch_id)
        assert await apply(uow, pipeline_request, env)
        events_after_first = list(uow.events)
        assert not await apply(uow, pipeline_request, env)
        assert uow.events == events_after_first

    @pytest.mark.parametrize(
        ("setup", "user", "code", "notice"),
        [
            ("missing", TEACHER, "BATCH_NOT_FOUND", "batch_not_found"),
            ("registered", OTHER, "BATCH_NOT_FOUND", "batch_not_found"),
            ("registered", TEACHER, "PIPELINE_NOT_READY", "awaiting_essays"),
            ("running", TEACHER, "PIPELINE_ALREADY_RUNNING", "already_running"),
        ],
    )
    async def test_denied_request_emits_denial_and_notification_only(
        self, uow: Any, refs: Refs, setup: str, user: str, code: str, notice: str
    ) -> None:
        batch_id = "never-registered"
        before: Batch | None = None
        if setup != "missing":
            batch = await register(uow)
            batch_id = batch.batch_id
            if setup == "running":
                await make_ready(uow, batch, refs)
                await apply(uow, pipeline_request, request(batch_id))
                uow.events.clear()
            before = await stored(uow, batch_id)
        await apply(uow, pipeline_request, request(batch_id, user))
        assert uow.event_types() == ["BatchPipelineDeniedV1", "TeacherNotificationRequestedV1"]
        (denied, key), (notification, user_key) = uow.events
        assert denied.data.reason_code == code
        assert key == batch_id
        assert denied.data.client_request_id == "r1"
        assert notification.data.user_id == user == user_key
        assert notification.data.payload["reason_code"] == code
        assert notification.data.notification_type == "pipeline_denied"
        assert notification.data.params == {"variant": notice, "pipeline": "spellcheck"}
        # The event and the API keep the English sentence; the teacher's text is rendered.
        assert denied.data.reason == render("pipeline_denied", {"variant": notice}, "en")
        assert notification.data.message == render("pipeline_denied", notification.data.params)
        if before is not None:
            assert await stored(uow, batch_id) == before


class TestPhaseOutcome:
    @pytest.mark.parametrize(
        ("failed", "status", "final"),
        [
            (0, PhaseStatus.COMPLETED, BatchStatus.COMPLETED),
            (1, PhaseStatus.COMPLETED_WITH_FAILURES, BatchStatus.COMPLETED_WITH_FAILURES),
            (3, PhaseStatus.FAILED, BatchStatus.FAILED),
        ],
    )
    async def test_last_phase_outcome_completes_the_pipeline(
        self, uow: Any, refs: Refs, failed: int, status: PhaseStatus, final: BatchStatus
    ) -> None:
        batch = await register(uow)
        await make_ready(uow, batch, refs)
        await apply(uow, pipeline_request, request(batch.batch_id))
        uow.events.clear()
        await apply(uow, phase_outcome, outcome(batch, failed, status))
        assert (await stored(uow, batch.batch_id)).status is final
        assert uow.event_types() == ["BatchPipelineCompletedV1", "TeacherNotificationRequestedV1"]
        completed = uow.events[0][0].data
        assert completed.final_status is final
        assert (completed.successful_essay_count, completed.failed_essay_count) == (
            3 - failed,
            failed,
        )
        assert completed.phase_statuses == {SPELL: status}

    async def test_outcome_for_unknown_batch_is_skipped(self, uow: Any) -> None:
        phantom = Batch.register(
            user_id=TEACHER, course_code="SV1", essay_instructions="x", expected_essay_count=1
        )
        await apply(uow, phase_outcome, outcome(phantom, 0, PhaseStatus.COMPLETED))
        assert uow.events == []


class TestRetryPhase:
    async def test_retry_sends_failed_essays_then_completes(self, uow: Any, refs: Refs) -> None:
        batch = await register(uow)
        await make_ready(uow, batch, refs)
        await apply(uow, pipeline_request, request(batch.batch_id))
        await apply(uow, phase_outcome, outcome(batch, 1, PhaseStatus.COMPLETED_WITH_FAILURES))
        uow.events.clear()
        retry = RetryPhase(uow=uow, source_service=SOURCE)
        with pytest.raises(BatchNotFound):
            await retry.execute(batch.batch_id, OTHER, SPELL, "c")
        await retry.execute(batch.batch_id, TEACHER, SPELL, "corr-retry")
        command = uow.of_type("BatchSpellcheckInitiateCommandV1")[0][0]
        assert [e.essay_id for e in command.data.essays] == [batch.essay_ids[0]]
        assert command.correlation_id == "corr-retry"
        with pytest.raises(PhaseNotRetryable):
            await retry.execute(batch.batch_id, TEACHER, SPELL, "c")
        uow.events.clear()
        fixed = ELSBatchPhaseOutcomeV1(
            batch_id=batch.batch_id,
            phase=SPELL,
            phase_status=PhaseStatus.COMPLETED,
            essay_outcomes=[
                EssayPhaseOutcome(essay_id=batch.essay_ids[0], outcome=OperationOutcome.SUCCESS)
            ],
        )
        await apply(uow, phase_outcome, envelope(fixed))
        completed = uow.of_type("BatchPipelineCompletedV1")[0][0].data
        assert completed.final_status is BatchStatus.COMPLETED
        assert completed.successful_essay_count == 3
