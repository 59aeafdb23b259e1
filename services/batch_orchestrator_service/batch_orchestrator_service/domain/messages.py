"""The events the orchestrator emits, as (envelope, key) pairs ready for the outbox."""

from __future__ import annotations

from typing import Any

from batch_orchestrator_service.domain.batch import Batch
from batch_orchestrator_service.domain.denials import Denial
from batch_orchestrator_service.domain.phase_state import PipelineFinished, StartPhase
from batch_orchestrator_service.domain.pipelines import PhaseContext, initiate_command
from common_core.enums import NotificationCategory, NotificationPriority, PipelineName
from common_core.events import (
    BatchEssaysRegisteredV1,
    BatchPipelineCompletedV1,
    BatchPipelineDeniedV1,
    TeacherNotificationRequestedV1,
)
from common_core.notifications import VARIANT, NotificationCode, NotificationParams, render
from huleedu_service_libs.consumer import EventFactory, Outgoing


class Emitter(EventFactory):
    """The orchestrator's events, in envelopes with its name and the cause's correlation id."""

    def notify(
        self,
        batch: Batch,
        code: NotificationCode,
        params: NotificationParams,
        *,
        category: NotificationCategory = NotificationCategory.BATCH_PROGRESS,
        priority: NotificationPriority = NotificationPriority.STANDARD,
        payload: dict[str, Any] | None = None,
        action_required: bool = False,
    ) -> Outgoing:
        """A teacher notification about the batch, keyed by the teacher."""
        data = TeacherNotificationRequestedV1(
            user_id=batch.user_id,
            notification_type=code,
            category=category,
            priority=priority,
            batch_id=batch.batch_id,
            class_id=batch.class_id,
            message=render(code, params),
            params=params,
            payload=payload or {},
            action_required=action_required,
        )
        return self.wrap(data, batch.user_id)

    # -- one method per thing the orchestrator announces -----------------------------------

    def registered(self, batch: Batch) -> list[Outgoing]:
        """BatchEssaysRegisteredV1 (key batch id) and the teacher's confirmation."""
        event = BatchEssaysRegisteredV1(
            batch_id=batch.batch_id,
            user_id=batch.user_id,
            course_code=batch.course_code,
            essay_instructions=batch.essay_instructions,
            expected_essay_count=batch.expected_essay_count,
            essay_ids=list(batch.essay_ids),
            class_id=batch.class_id,
        )
        return [
            self.wrap(event, batch.batch_id),
            self.notify(
                batch,
                NotificationCode.BATCH_REGISTERED,
                {"expected_count": batch.expected_essay_count},
                payload={"expected_essay_count": batch.expected_essay_count},
            ),
        ]

    def ready(self, batch: Batch, *, is_partial: bool) -> list[Outgoing]:
        """The teacher hears the batch is ready (and how many essays are missing)."""
        count = len(batch.ready_essays)
        variant = ("class_" if batch.is_class_batch else "") + (
            "partial" if is_partial else "complete"
        )
        return [
            self.notify(
                batch,
                NotificationCode.BATCH_READY,
                {
                    VARIANT: variant,
                    "ready_count": count,
                    "missing_count": batch.missing_essay_count,
                },
                action_required=True,
                payload={
                    "ready_essay_count": count,
                    "missing_essay_count": batch.missing_essay_count,
                    "validation_failure_count": batch.validation_failure_count,
                    "is_partial": is_partial,
                },
            )
        ]

    def awaiting_students(self, batch: Batch, *, is_partial: bool) -> list[Outgoing]:
        """A class batch's essays are in; their authors must be confirmed before processing."""
        count = len(batch.ready_essays)
        return [
            self.notify(
                batch,
                NotificationCode.BATCH_AWAITING_STUDENT_VALIDATION,
                {
                    VARIANT: "partial" if is_partial else "complete",
                    "ready_count": count,
                    "missing_count": batch.missing_essay_count,
                },
                # CMS's own notification with the suggested matches carries the action.
                payload={
                    "ready_essay_count": count,
                    "missing_essay_count": batch.missing_essay_count,
                    "validation_failure_count": batch.validation_failure_count,
                    "is_partial": is_partial,
                },
            )
        ]

    def denied(
        self,
        batch_id: str,
        user_id: str,
        pipeline: PipelineName,
        denial: Denial,
        client_request_id: str | None,
    ) -> list[Outgoing]:
        """BatchPipelineDeniedV1 and a notification to the requester saying why."""
        event = BatchPipelineDeniedV1(
            batch_id=batch_id,
            user_id=user_id,
            requested_pipeline=pipeline,
            reason_code=denial.code.value,
            reason=denial.reason,
            client_request_id=client_request_id,
        )
        params: NotificationParams = {**denial.params, "pipeline": pipeline.value}
        notification = TeacherNotificationRequestedV1(
            user_id=user_id,
            notification_type=NotificationCode.PIPELINE_DENIED,
            category=NotificationCategory.BATCH_PROGRESS,
            priority=NotificationPriority.HIGH,
            batch_id=batch_id,
            message=render(NotificationCode.PIPELINE_DENIED, params),
            params=params,
            payload={
                "reason_code": denial.code.value,
                "requested_pipeline": pipeline.value,
                "client_request_id": client_request_id,
            },
        )
        return [self.wrap(event, batch_id), self.wrap(notification, user_id)]

    def phase_started(
        self, batch: Batch, step: StartPhase, *, retry: bool = False
    ) -> list[Outgoing]:
        """The phase's command (key batch id) and a progress notification."""
        command = initiate_command(
            step.phase,
            PhaseContext(
                batch.batch_id,
                batch.course_code,
                step.essays,
                disabled_grammar_categories=batch.disabled_grammar_categories,
            ),
        )
        return [
            self.wrap(command, batch.batch_id),
            self.notify(
                batch,
                NotificationCode.PHASE_STARTED,
                {
                    VARIANT: "retry" if retry else "started",
                    "phase": step.phase.value,
                    "essay_count": len(step.essays),
                },
                payload={
                    "phase": step.phase.value,
                    "essay_count": len(step.essays),
                    "retry": retry,
                },
            ),
        ]

    def finished(self, batch: Batch, step: PipelineFinished) -> list[Outgoing]:
        """BatchPipelineCompletedV1 (key batch id) and the teacher's result notification."""
        successful, failed = batch.essay_counts()
        phases = {s.phase: s.status for s in batch.phases.values()}
        event = BatchPipelineCompletedV1(
            batch_id=batch.batch_id,
            user_id=batch.user_id,
            final_status=step.final_status,
            completed_phases=[p for p, s in phases.items() if s.value != "pending"],
            phase_statuses=phases,
            successful_essay_count=successful,
            failed_essay_count=failed,
        )
        return [
            self.wrap(event, batch.batch_id),
            self.notify(
                batch,
                NotificationCode.PIPELINE_COMPLETED,
                {"successful_count": successful, "failed_count": failed},
                category=NotificationCategory.PROCESSING_RESULTS,
                priority=NotificationPriority.HIGH if failed else NotificationPriority.STANDARD,
                payload={
                    "final_status": step.final_status.value,
                    "successful_essay_count": successful,
                    "failed_essay_count": failed,
                },
            ),
        ]
