"""Pipeline requests under an idempotency key: the first per (user, batch, key) decides."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from batch_orchestrator_service.domain.batch import Batch
from batch_orchestrator_service.domain.batches import (
    GetPipelineState,
    RegisterBatch,
    RegisterBatchCommand,
)
from batch_orchestrator_service.domain.orchestration import (
    batch_essays_ready,
    make_runner,
    pipeline_request,
)
from common_core.enums import (
    BatchStatus,
    CourseCode,
    PhaseName,
    PipelineName,
    PipelineRequestOutcome,
)
from common_core.envelope import EventEnvelope
from common_core.events import BatchEssaysReadyV1, ClientBatchPipelineRequestV1, EssayRef

pytestmark = pytest.mark.unit

PIPE = PipelineName.SPELLCHECK

TEACHER = "teacher-anna"
OTHER = "teacher-bertil"
SOURCE = "batch_orchestrator_service"
Refs = Callable[..., list[EssayRef]]


async def apply(uow: Any, step: Any, envelope: EventEnvelope[Any]) -> bool:
    """Run the step the way the worker does: the kernel's runner, under its inbox name."""
    return await make_runner(lambda: uow, step, service=SOURCE).run(envelope, step)


class NoClasses:
    """The class directory for batches without a class: asking it is a bug."""

    async def class_summary(self, class_id: str, user_id: str, correlation_id: str) -> None:
        raise AssertionError("a batch without a class must not ask the Class Management Service")


def keyed(
    batch_id: str, key: str | None, user_id: str = TEACHER, request_id: str = "r-1"
) -> EventEnvelope[Any]:
    """A pipeline command as the gateway publishes it (a fresh event id every time)."""
    command = ClientBatchPipelineRequestV1(
        batch_id=batch_id,
        user_id=user_id,
        requested_pipeline=PIPE,
        client_request_id=request_id,
        idempotency_key=key,
    )
    return EventEnvelope.wrap(command, source_service="test", correlation_id=f"corr-{request_id}")


async def registered(uow: Any, user_id: str = TEACHER) -> Batch:
    command = RegisterBatchCommand(user_id, "ENG6", "Write about autumn.", 2)
    batch = await RegisterBatch(uow=uow, classes=NoClasses(), source_service=SOURCE).execute(
        command, "corr-reg"
    )
    uow.events.clear()
    return batch


async def make_ready(uow: Any, batch: Batch, refs: Refs) -> None:
    ready = BatchEssaysReadyV1(
        batch_id=batch.batch_id,
        user_id=batch.user_id,
        course_code=CourseCode.ENG6,
        ready_essays=refs(batch),
    )
    envelope = EventEnvelope.wrap(ready, source_service="test", correlation_id="corr-ready")
    await apply(uow, batch_essays_ready, envelope)
    uow.events.clear()


async def ready_batch(uow: Any, refs: Refs, user_id: str = TEACHER) -> Batch:
    batch = await registered(uow, user_id)
    await make_ready(uow, batch, refs)
    return batch


class TestKeyedPipelineRequests:
    async def test_the_first_request_under_a_key_starts_and_is_recorded(
        self, uow: Any, refs: Refs
    ) -> None:
        batch = await ready_batch(uow, refs)
        first = keyed(batch.batch_id, "key-1")

        await apply(uow, pipeline_request, first)

        assert uow.event_types() == [
            "BatchSpellcheckInitiateCommandV1",
            "TeacherNotificationRequestedV1",
        ]
        record = await uow.pipeline_requests.find(TEACHER, batch.batch_id, "key-1")
        assert record.outcome is PipelineRequestOutcome.ACCEPTED
        assert (record.request_id, record.event_id) == ("r-1", first.event_id)

    async def test_a_retry_under_the_same_key_changes_nothing_and_denies_nothing(
        self, uow: Any, refs: Refs
    ) -> None:
        batch = await ready_batch(uow, refs)
        await apply(uow, pipeline_request, keyed(batch.batch_id, "key-1"))
        events_after_first = list(uow.events)
        state_after_first = await uow.batches.get(batch.batch_id)

        # The gateway's retry and the late delivery of its timed-out publish: new event ids.
        await apply(uow, pipeline_request, keyed(batch.batch_id, "key-1"))
        await apply(uow, pipeline_request, keyed(batch.batch_id, "key-1"))

        assert uow.events == events_after_first
        assert await uow.batches.get(batch.batch_id) == state_after_first
        phase = state_after_first.phases[PhaseName.SPELLCHECK]
        assert phase.attempts == 1

    async def test_another_key_on_a_running_batch_is_still_denied(
        self, uow: Any, refs: Refs
    ) -> None:
        batch = await ready_batch(uow, refs)
        await apply(uow, pipeline_request, keyed(batch.batch_id, "key-1"))
        uow.events.clear()

        await apply(uow, pipeline_request, keyed(batch.batch_id, "key-2", request_id="r-2"))

        assert uow.event_types() == ["BatchPipelineDeniedV1", "TeacherNotificationRequestedV1"]
        record = await uow.pipeline_requests.find(TEACHER, batch.batch_id, "key-2")
        assert record.outcome is PipelineRequestOutcome.DENIED
        assert record.reason_code == "PIPELINE_ALREADY_RUNNING"

    async def test_a_key_used_by_another_teacher_never_blocks_the_owner(
        self, uow: Any, refs: Refs
    ) -> None:
        batch = await ready_batch(uow, refs)
        await apply(uow, pipeline_request, keyed(batch.batch_id, "shared-key", user_id=OTHER))
        assert uow.of_type("BatchPipelineDeniedV1")[0][0].data.reason_code == "BATCH_NOT_FOUND"
        uow.events.clear()

        await apply(uow, pipeline_request, keyed(batch.batch_id, "shared-key"))

        assert "BatchSpellcheckInitiateCommandV1" in uow.event_types()
        stored = await uow.batches.get(batch.batch_id)
        assert stored.status is BatchStatus.PROCESSING

    async def test_a_denied_first_request_stays_the_answer_for_its_key(
        self, uow: Any, refs: Refs
    ) -> None:
        batch = await registered(uow)
        await apply(uow, pipeline_request, keyed(batch.batch_id, "key-1"))
        assert uow.event_types() == ["BatchPipelineDeniedV1", "TeacherNotificationRequestedV1"]
        await make_ready(uow, batch, refs)

        await apply(uow, pipeline_request, keyed(batch.batch_id, "key-1"))

        assert uow.events == []
        stored = await uow.batches.get(batch.batch_id)
        assert stored.status is BatchStatus.READY_FOR_PIPELINE

    async def test_commands_without_a_key_are_applied_per_event_as_before(
        self, uow: Any, refs: Refs
    ) -> None:
        batch = await ready_batch(uow, refs)
        await apply(uow, pipeline_request, keyed(batch.batch_id, None))
        uow.events.clear()

        await apply(uow, pipeline_request, keyed(batch.batch_id, None))

        assert uow.event_types() == ["BatchPipelineDeniedV1", "TeacherNotificationRequestedV1"]
        assert uow.pipeline_requests.rows == {}


class TestPipelineStateWithAKey:
    async def test_shows_the_callers_handled_request_only(self, uow: Any, refs: Refs) -> None:
        batch = await ready_batch(uow, refs)
        await apply(uow, pipeline_request, keyed(batch.batch_id, "key-1"))
        reads = GetPipelineState(uow=uow)

        mine = await reads.execute(batch.batch_id, user_id=TEACHER, idempotency_key="key-1")
        theirs = await reads.execute(batch.batch_id, user_id=OTHER, idempotency_key="key-1")
        unknown = await reads.execute(batch.batch_id, user_id=TEACHER, idempotency_key="key-2")
        plain = await reads.execute(batch.batch_id)

        assert mine.pipeline_request is not None
        assert mine.pipeline_request.request_id == "r-1"
        assert mine.pipeline_request.outcome is PipelineRequestOutcome.ACCEPTED
        assert mine.pipeline_request.correlation_id == "corr-r-1"
        assert theirs.pipeline_request is None
        assert unknown.pipeline_request is None
        assert plain.pipeline_request is None
        assert mine.status is BatchStatus.PROCESSING
