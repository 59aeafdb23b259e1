"""Business metrics: counted once per committed change, never for a redelivered event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from prometheus_client import REGISTRY

from batch_orchestrator_service.adapters import metrics
from batch_orchestrator_service.domain.batch import Batch
from batch_orchestrator_service.domain.batches import RegisterBatch, RegisterBatchCommand
from batch_orchestrator_service.domain.orchestration import (
    batch_essays_ready,
    make_runner,
    phase_outcome,
    pipeline_request,
)
from common_core.enums import CourseCode, OperationOutcome, PhaseName, PhaseStatus, PipelineName
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchEssaysReadyV1,
    ClientBatchPipelineRequestV1,
    ELSBatchPhaseOutcomeV1,
    EssayPhaseOutcome,
    EssayRef,
    EventModel,
)

pytestmark = pytest.mark.unit

PIPE = PipelineName.SPELLCHECK

TEACHER = "teacher-anna"
SOURCE = "batch_orchestrator_service"
Refs = Callable[..., list[EssayRef]]


async def apply(uow: Any, step: Any, envelope: EventEnvelope[Any]) -> bool:
    """Run the step the way the worker does: the kernel's runner, under its inbox name."""
    return await make_runner(lambda: uow, step, service=SOURCE, record=metrics.record).run(
        envelope, step
    )


class NoClasses:
    async def class_summary(self, class_id: str, user_id: str, correlation_id: str) -> None:
        raise AssertionError("no class batch here")


def registration(uow: Any) -> RegisterBatch:
    """The registration use case as the HTTP app wires it (recording the metrics)."""
    return RegisterBatch(uow=uow, classes=NoClasses(), source_service=SOURCE, record=metrics.record)


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def wrap(data: EventModel) -> EventEnvelope[Any]:
    return EventEnvelope.wrap(data, source_service="test", correlation_id="corr-m")


async def processing_batch(uow: Any, refs: Refs, *, key: str | None) -> Batch:
    command = RegisterBatchCommand(TEACHER, "SV2", "Skriv om hösten.", 2)
    batch = await registration(uow).execute(command, "corr-reg")
    ready = BatchEssaysReadyV1(
        batch_id=batch.batch_id,
        user_id=TEACHER,
        course_code=CourseCode.SV2,
        ready_essays=refs(batch),
    )
    await apply(uow, batch_essays_ready, wrap(ready))
    pipeline = ClientBatchPipelineRequestV1(
        batch_id=batch.batch_id,
        user_id=TEACHER,
        requested_pipeline=PIPE,
        idempotency_key=key,
    )
    await apply(uow, pipeline_request, wrap(pipeline))
    return batch


def all_succeeded(batch: Batch) -> EventEnvelope[Any]:
    return wrap(
        ELSBatchPhaseOutcomeV1(
            batch_id=batch.batch_id,
            phase=PhaseName.SPELLCHECK,
            phase_status=PhaseStatus.COMPLETED,
            essay_outcomes=[
                EssayPhaseOutcome(essay_id=e, outcome=OperationOutcome.SUCCESS)
                for e in batch.essay_ids
            ],
        )
    )


async def test_registration_counts_its_course(uow: Any) -> None:
    before = sample("huleedu_batches_registered_total", course="SV2")
    command = RegisterBatchCommand(TEACHER, "sv2", "Skriv.", 1)
    await registration(uow).execute(command, "c")
    assert sample("huleedu_batches_registered_total", course="SV2") == before + 1


async def test_completion_counts_once_and_times_a_keyed_request(uow: Any, refs: Refs) -> None:
    completed = sample("huleedu_batches_completed_total", outcome="completed")
    timed = sample("huleedu_batch_ready_to_results_seconds_count")
    batch = await processing_batch(uow, refs, key="key-1")
    finished = all_succeeded(batch)
    await apply(uow, phase_outcome, finished)
    await apply(uow, phase_outcome, finished)  # redelivered: the inbox skips it
    assert sample("huleedu_batches_completed_total", outcome="completed") == completed + 1
    assert sample("huleedu_batch_ready_to_results_seconds_count") == timed + 1


async def test_an_unkeyed_request_has_no_known_start(uow: Any, refs: Refs) -> None:
    completed = sample("huleedu_batches_completed_total", outcome="completed")
    timed = sample("huleedu_batch_ready_to_results_seconds_count")
    batch = await processing_batch(uow, refs, key=None)
    await apply(uow, phase_outcome, all_succeeded(batch))
    assert sample("huleedu_batches_completed_total", outcome="completed") == completed + 1
    assert sample("huleedu_batch_ready_to_results_seconds_count") == timed
