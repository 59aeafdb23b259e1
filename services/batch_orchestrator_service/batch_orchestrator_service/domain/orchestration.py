"""Steps behind the Kafka handlers: readiness, pipeline requests and phase outcomes.

Each is run by the consumer kernel's `StepRunner` in one transaction that first claims the
event in the inbox, so a redelivered event changes nothing. Events about batches this service
never registered are logged and skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog

from batch_orchestrator_service.domain.batch import Batch, StudentConfirmation
from batch_orchestrator_service.domain.denials import Denial, denial_for_missing_batch
from batch_orchestrator_service.domain.messages import Emitter
from batch_orchestrator_service.domain.observations import BatchCompleted, Recorder, ignore
from batch_orchestrator_service.domain.phase_state import (
    EssayOutcome,
    PipelineFinished,
    StartPhase,
)
from batch_orchestrator_service.domain.pipeline_requests import PipelineRequestRecord
from batch_orchestrator_service.domain.ports import UnitOfWork, UnitOfWorkFactory
from common_core.enums import BatchStatus
from common_core.events import (
    BatchEssaysReadyV1,
    ClientBatchPipelineRequestV1,
    ELSBatchPhaseOutcomeV1,
    StudentAssociationsConfirmedV1,
)
from huleedu_service_libs.consumer import Clock, Outgoing, StepContext, StepRunner, utc_now

logger = structlog.get_logger(__name__)

Context = StepContext[Emitter]
Runner = StepRunner[UnitOfWork, Emitter]


async def batch_essays_ready(
    uow: UnitOfWork, event: BatchEssaysReadyV1, ctx: Context
) -> list[Outgoing]:
    """ELS says the batch's essays are in: store them and tell the teacher.

    A class batch whose essays' authors are not confirmed yet waits for the confirmation.
    """
    log = logger.bind(batch_id=event.batch_id, event_id=str(ctx.event_id))
    batch = await uow.batches.get(event.batch_id, for_update=True)
    if batch is None or batch.user_id != event.user_id:
        log.warning("ready event for an unknown batch skipped")
        return []
    changed = batch.mark_ready(
        event.ready_essays,
        missing_count=len(event.missing_essay_ids),
        validation_failures=event.validation_failure_count,
    )
    if not changed:
        log.warning("ready event after the pipeline started ignored", status=batch.status)
        return []
    await uow.batches.save(batch)
    is_partial = event.is_partial or bool(event.missing_essay_ids)
    log.info(
        "batch essays ready",
        status=batch.status,
        essays=len(event.ready_essays),
        partial=is_partial,
    )
    if batch.status is BatchStatus.AWAITING_STUDENT_VALIDATION:
        return ctx.events.awaiting_students(batch, is_partial=is_partial)
    return ctx.events.ready(batch, is_partial=is_partial)


async def student_associations_confirmed(
    uow: UnitOfWork, event: StudentAssociationsConfirmedV1, ctx: Context
) -> list[Outgoing]:
    """CMS confirmed who wrote each essay of a class batch: the batch may proceed.

    Kept for later if the essays are not ready yet.
    """
    log = logger.bind(batch_id=event.batch_id, event_id=str(ctx.event_id))
    batch = await uow.batches.get(event.batch_id, for_update=True)
    if batch is None or (batch.user_id, batch.class_id) != (event.user_id, event.class_id):
        log.warning("confirmation for an unknown batch or another class skipped")
        return []
    outcome = batch.confirm_students(ctx.event_at)
    if outcome is StudentConfirmation.IGNORED:
        log.info("confirmation changes nothing", status=batch.status)
        return []
    await uow.batches.save(batch)
    log.info(
        "students confirmed",
        outcome=outcome.value,
        by_timeout=event.confirmed_by_timeout,
        essays=len(event.associations),
    )
    if outcome is StudentConfirmation.READY:
        return ctx.events.ready(batch, is_partial=batch.missing_essay_count > 0)
    return []


async def pipeline_request(
    uow: UnitOfWork, request: ClientBatchPipelineRequestV1, ctx: Context
) -> list[Outgoing]:
    """A teacher asked for a pipeline: deny with a reason, or start its first phase.

    A request with an idempotency key is applied only if it is the first under its key for
    (user, batch); the key is recorded with the outcome in the same transaction.
    """
    log = logger.bind(
        batch_id=request.batch_id,
        event_id=str(ctx.event_id),
        idempotency_key=request.idempotency_key,
    )
    verdict = _admit(await uow.batches.get(request.batch_id, for_update=True), request)
    denial = verdict if isinstance(verdict, Denial) else None
    if request.idempotency_key is not None and not await uow.pipeline_requests.record(
        _keyed_record(request, denial, ctx)
    ):
        # A retry, or the late delivery of a publish that timed out: the first copy's
        # outcome stands, and a denial now would tell the teacher it failed.
        log.info("pipeline request already handled under its idempotency key")
        return []
    if isinstance(verdict, Denial):
        log.info("pipeline request denied", reason_code=verdict.code.value)
        return ctx.events.denied(
            request.batch_id,
            request.user_id,
            request.requested_pipeline,
            verdict,
            request.client_request_id,
        )
    step = verdict.start_pipeline(
        request.requested_pipeline,
        [category.value for category in request.disabled_grammar_categories],
    )
    await uow.batches.save(verdict)
    log.info(
        "pipeline started",
        pipeline=request.requested_pipeline,
        phase=step.phase,
        disabled_grammar_categories=verdict.disabled_grammar_categories,
    )
    return ctx.events.phase_started(verdict, step)


async def phase_outcome(
    uow: UnitOfWork, event: ELSBatchPhaseOutcomeV1, ctx: Context
) -> list[Outgoing]:
    """ELS reports a phase's outcome: start the next phase or finish the pipeline."""
    log = logger.bind(batch_id=event.batch_id, event_id=str(ctx.event_id))
    batch = await uow.batches.get(event.batch_id, for_update=True)
    outcomes = [
        EssayOutcome(o.essay_id, o.outcome, o.output_storage_id, o.error_message)
        for o in event.essay_outcomes
    ]
    step = (
        batch.record_phase_outcome(event.phase, event.phase_status, outcomes)
        if batch is not None
        else None
    )
    if batch is None or step is None:
        log.warning("outcome for an unknown batch or a phase not running skipped")
        return []
    await uow.batches.save(batch)
    log.info("phase outcome recorded", phase=event.phase, status=event.phase_status)
    if isinstance(step, StartPhase):
        return ctx.events.phase_started(batch, step)
    if isinstance(step, PipelineFinished):
        requested_at = None
        if batch.is_first_run:
            requested_at = await uow.pipeline_requests.accepted_at(batch.batch_id)
        ctx.observations.append(BatchCompleted(step.final_status, requested_at))
        return ctx.events.finished(batch, step)
    return []


def _keyed_record(
    request: ClientBatchPipelineRequestV1, denial: Denial | None, ctx: Context
) -> PipelineRequestRecord:
    if ctx.event_id is None:
        raise ValueError("a pipeline request is always a consumed event")
    return PipelineRequestRecord.handled(
        request, denial, event_id=ctx.event_id, correlation_id=ctx.events.correlation_id
    )


def _admit(batch: Batch | None, request: ClientBatchPipelineRequestV1) -> Batch | Denial:
    """The batch the request may start, or why it may not (an unknown batch is denied)."""
    if batch is None:
        return denial_for_missing_batch()
    denial = batch.check_request(request.user_id, request.requested_pipeline)
    return batch if denial is None else denial


# The inbox's consumer name of each step (`<service>.<name>`): stored in processed_events,
# so renaming one would let already handled events apply again.
INBOX_NAMES = {
    batch_essays_ready: "batch_essays_ready",
    student_associations_confirmed: "student_associations_confirmed",
    pipeline_request: "pipeline_request",
    phase_outcome: "phase_outcome",
}


def make_runner(
    uow_factory: UnitOfWorkFactory,
    step: Any,
    *,
    service: str,
    clock: Clock = utc_now,
    record: Recorder = ignore,
) -> Runner:
    """The kernel's runner for `step`, under its own inbox consumer name.

    `record` gets the step's observations once its transaction committed (the metrics).
    """

    def committed(ctx: Context, _outgoing: Sequence[Outgoing]) -> None:
        record(ctx.observations)

    return StepRunner(
        uow_factory,
        consumer=f"{service}.{INBOX_NAMES[step]}",
        source_service=service,
        events=Emitter,
        clock=clock,
        on_committed=committed,
    )
