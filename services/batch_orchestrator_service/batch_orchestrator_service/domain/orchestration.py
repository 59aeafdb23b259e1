"""Use cases behind the Kafka handlers: readiness, pipeline requests and phase outcomes.

Each runs in one transaction that first claims the event in the inbox, so a redelivered event
changes nothing. Events about batches this service never registered are logged and skipped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import structlog

from batch_orchestrator_service import metrics
from batch_orchestrator_service.domain.batch import (
    Batch,
    Denial,
    StudentConfirmation,
    denial_for_missing_batch,
)
from batch_orchestrator_service.domain.messages import Emitter
from batch_orchestrator_service.domain.phase_state import (
    EssayOutcome,
    PipelineFinished,
    StartPhase,
)
from batch_orchestrator_service.domain.pipeline_requests import PipelineRequestRecord
from batch_orchestrator_service.domain.ports import UnitOfWork
from common_core.enums import BatchStatus
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchEssaysReadyV1,
    ClientBatchPipelineRequestV1,
    ELSBatchPhaseOutcomeV1,
    StudentAssociationsConfirmedV1,
)

logger = structlog.get_logger(__name__)


class _Handler:
    consumer_name = ""

    def __init__(self, *, uow: UnitOfWork, source_service: str) -> None:
        self._uow = uow
        self._source = source_service

    @property
    def consumer(self) -> str:
        return f"{self._source}.{self.consumer_name}"

    def _emitter(self, envelope: EventEnvelope[Any]) -> Emitter:
        return Emitter(self._source, envelope.correlation_id)


class HandleBatchEssaysReady(_Handler):
    """ELS says the batch's essays are in: store them and tell the teacher.

    A class batch whose essays' authors are not confirmed yet waits for the confirmation.
    """

    consumer_name = "batch_essays_ready"

    async def execute(self, envelope: EventEnvelope[BatchEssaysReadyV1]) -> None:
        """Apply the event once."""
        event = envelope.data
        log = logger.bind(batch_id=event.batch_id, event_id=str(envelope.event_id))
        async with self._uow as uow:
            if not await uow.claim_event(self.consumer, envelope.event_id, envelope.event_type):
                log.info("duplicate event skipped")
                return
            batch = await uow.batches.get(event.batch_id, for_update=True)
            if batch is None or batch.user_id != event.user_id:
                log.warning("ready event for an unknown batch skipped")
                await uow.commit()
                return
            changed = batch.mark_ready(
                event.ready_essays,
                missing_count=len(event.missing_essay_ids),
                validation_failures=event.validation_failure_count,
            )
            if not changed:
                log.warning("ready event after the pipeline started ignored", status=batch.status)
                await uow.commit()
                return
            await uow.batches.save(batch)
            is_partial = event.is_partial or bool(event.missing_essay_ids)
            emitter = self._emitter(envelope)
            if batch.status is BatchStatus.AWAITING_STUDENT_VALIDATION:
                await uow.add_events(emitter.awaiting_students(batch, is_partial=is_partial))
            else:
                await uow.add_events(emitter.ready(batch, is_partial=is_partial))
            await uow.commit()
        log.info(
            "batch essays ready",
            status=batch.status,
            essays=len(event.ready_essays),
            partial=is_partial,
        )


class HandleStudentAssociationsConfirmed(_Handler):
    """CMS confirmed who wrote each essay of a class batch: the batch may proceed."""

    consumer_name = "student_associations_confirmed"

    async def execute(self, envelope: EventEnvelope[StudentAssociationsConfirmedV1]) -> None:
        """Apply the confirmation once; kept for later if the essays are not ready yet."""
        event = envelope.data
        log = logger.bind(batch_id=event.batch_id, event_id=str(envelope.event_id))
        async with self._uow as uow:
            if not await uow.claim_event(self.consumer, envelope.event_id, envelope.event_type):
                log.info("duplicate event skipped")
                return
            batch = await uow.batches.get(event.batch_id, for_update=True)
            if batch is None or (batch.user_id, batch.class_id) != (event.user_id, event.class_id):
                log.warning("confirmation for an unknown batch or another class skipped")
                await uow.commit()
                return
            outcome = batch.confirm_students(envelope.event_timestamp)
            if outcome is StudentConfirmation.IGNORED:
                log.info("confirmation changes nothing", status=batch.status)
                await uow.commit()
                return
            await uow.batches.save(batch)
            if outcome is StudentConfirmation.READY:
                is_partial = batch.missing_essay_count > 0
                await uow.add_events(self._emitter(envelope).ready(batch, is_partial=is_partial))
            await uow.commit()
        log.info(
            "students confirmed",
            outcome=outcome.value,
            by_timeout=event.confirmed_by_timeout,
            essays=len(event.associations),
        )


class HandlePipelineRequest(_Handler):
    """A teacher asked for a pipeline: deny with a reason, or start its first phase.

    A request with an idempotency key is applied only if it is the first under its key for
    (user, batch); the key is recorded with the outcome in the same transaction.
    """

    consumer_name = "pipeline_request"

    async def execute(self, envelope: EventEnvelope[ClientBatchPipelineRequestV1]) -> None:
        """Apply the request once (per event id, and per idempotency key when it has one)."""
        request = envelope.data
        emitter = self._emitter(envelope)
        log = logger.bind(
            batch_id=request.batch_id,
            event_id=str(envelope.event_id),
            idempotency_key=request.idempotency_key,
        )
        async with self._uow as uow:
            if not await uow.claim_event(self.consumer, envelope.event_id, envelope.event_type):
                log.info("duplicate event skipped")
                return
            verdict = _admit(await uow.batches.get(request.batch_id, for_update=True), request)
            denial = verdict if isinstance(verdict, Denial) else None
            if request.idempotency_key is not None and not await uow.pipeline_requests.record(
                PipelineRequestRecord.handled(envelope, denial)
            ):
                # A retry, or the late delivery of a publish that timed out: the first copy's
                # outcome stands, and a denial now would tell the teacher it failed.
                await uow.commit()
                log.info("pipeline request already handled under its idempotency key")
                return
            if isinstance(verdict, Denial):
                await uow.add_events(
                    emitter.denied(
                        request.batch_id,
                        request.user_id,
                        request.requested_pipeline,
                        verdict,
                        request.client_request_id,
                    )
                )
                await uow.commit()
                log.info("pipeline request denied", reason_code=verdict.code.value)
                return
            batch = verdict
            step = batch.start_pipeline(request.requested_pipeline)
            await uow.batches.save(batch)
            await uow.add_events(emitter.phase_started(batch, step))
            await uow.commit()
        log.info("pipeline started", pipeline=request.requested_pipeline, phase=step.phase)


class HandlePhaseOutcome(_Handler):
    """ELS reports a phase's outcome: start the next phase or finish the pipeline."""

    consumer_name = "phase_outcome"

    async def execute(self, envelope: EventEnvelope[ELSBatchPhaseOutcomeV1]) -> None:
        """Apply the outcome once."""
        event = envelope.data
        emitter = self._emitter(envelope)
        log = logger.bind(batch_id=event.batch_id, event_id=str(envelope.event_id))
        async with self._uow as uow:
            if not await uow.claim_event(self.consumer, envelope.event_id, envelope.event_type):
                log.info("duplicate event skipped")
                return
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
                await uow.commit()
                return
            await uow.batches.save(batch)
            requested_at = None
            if isinstance(step, StartPhase):
                await uow.add_events(emitter.phase_started(batch, step))
            elif isinstance(step, PipelineFinished):
                await uow.add_events(emitter.finished(batch, step))
                if batch.is_first_run:
                    requested_at = await uow.pipeline_requests.accepted_at(batch.batch_id)
            await uow.commit()
        if isinstance(step, PipelineFinished):
            since = (datetime.now(UTC) - requested_at).total_seconds() if requested_at else None
            metrics.batch_completed(step.final_status, since)
        log.info("phase outcome recorded", phase=event.phase, status=event.phase_status)


def _admit(batch: Batch | None, request: ClientBatchPipelineRequestV1) -> Batch | Denial:
    """The batch the request may start, or why it may not (an unknown batch is denied)."""
    if batch is None:
        return denial_for_missing_batch(request.batch_id)
    denial = batch.check_request(request.user_id, request.requested_pipeline)
    return batch if denial is None else denial
