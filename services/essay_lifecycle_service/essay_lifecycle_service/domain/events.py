"""The events ELS writes, built from domain records (no I/O)."""

from __future__ import annotations

from typing import Any

from common_core.enums import (
    CourseCode,
    Language,
    NotificationCategory,
    NotificationPriority,
    PhaseName,
    PhaseStatus,
)
from common_core.events import (
    BatchEssaysReadyV1,
    ELSBatchPhaseOutcomeV1,
    EssayGrammarRequestedV1,
    EssayPhaseOutcome,
    EssayRef,
    EssaySlotAssignedV1,
    EssaySpellcheckRequestedV1,
    ExcessContentProvisionedV1,
    TeacherNotificationRequestedV1,
)
from common_core.notifications import NotificationCode, NotificationParams, render
from essay_lifecycle_service.domain.models import BatchTracker, Essay, ProvisionedContent
from essay_lifecycle_service.domain.readiness import Readiness
from huleedu_service_libs.consumer import EventFactory as BaseEventFactory
from huleedu_service_libs.consumer import Outgoing, StepContext

Keyed = Outgoing


class EventFactory(BaseEventFactory):
    """The events ELS writes, with this service's name and the cause's correlation id."""

    def slot_assigned(self, essay: Essay) -> Keyed:
        """Content took a slot."""
        return self.wrap(
            EssaySlotAssignedV1(
                batch_id=essay.batch_id,
                essay_id=essay.essay_id,
                file_upload_id=essay.file_upload_id or "",
                text_storage_id=essay.text_storage_id or "",
                original_file_name=essay.original_file_name or "",
            ),
            essay.batch_id,
        )

    def excess(self, content: ProvisionedContent, reason: str) -> Keyed:
        """Content with no slot left for it."""
        return self.wrap(
            ExcessContentProvisionedV1(
                batch_id=content.batch_id,
                file_upload_id=content.file_upload_id,
                original_file_name=content.original_file_name,
                text_storage_id=content.text_storage_id,
                reason=reason,
            ),
            content.batch_id,
        )

    def batch_ready(self, batch: BatchTracker, readiness: Readiness) -> Keyed:
        """The batch is ready (fully or partially) for a pipeline."""
        return self.wrap(
            BatchEssaysReadyV1(
                batch_id=batch.batch_id,
                user_id=batch.user_id,
                course_code=batch.course_code,
                ready_essays=readiness.ready_essays,
                validation_failure_count=readiness.validation_failure_count,
                is_partial=readiness.is_partial,
                missing_essay_ids=readiness.missing_essay_ids,
                class_id=batch.class_id,
            ),
            batch.batch_id,
        )

    def spellcheck_requested(
        self, batch_id: str, ref: EssayRef, language: Language, course_code: CourseCode
    ) -> Keyed:
        """Ask the spell checker to check one essay."""
        return self.wrap(
            EssaySpellcheckRequestedV1(
                batch_id=batch_id,
                essay_id=ref.essay_id,
                text_storage_id=ref.text_storage_id,
                language=language,
                course_code=course_code,
            ),
            batch_id,
        )

    def grammar_requested(
        self,
        batch_id: str,
        ref: EssayRef,
        language: Language,
        course_code: CourseCode,
        disabled_categories: list[str],
    ) -> Keyed:
        """Ask the grammar service to check one essay's original text."""
        return self.wrap(
            EssayGrammarRequestedV1(
                batch_id=batch_id,
                essay_id=ref.essay_id,
                text_storage_id=ref.text_storage_id,
                language=language,
                course_code=course_code,
                disabled_categories=list(disabled_categories),
            ),
            batch_id,
        )

    def phase_outcome(
        self,
        batch_id: str,
        phase: PhaseName,
        status: PhaseStatus,
        outcomes: list[EssayPhaseOutcome],
    ) -> Keyed:
        """Every essay of the batch's phase has an outcome."""
        return self.wrap(
            ELSBatchPhaseOutcomeV1(
                batch_id=batch_id, phase=phase, phase_status=status, essay_outcomes=outcomes
            ),
            batch_id,
        )

    def notification(
        self,
        batch: BatchTracker,
        code: NotificationCode,
        params: NotificationParams,
        payload: dict[str, Any],
        *,
        category: NotificationCategory = NotificationCategory.BATCH_PROGRESS,
        action_required: bool = False,
    ) -> Keyed:
        """A teacher notification, keyed by the teacher so one socket sees them in order."""
        return self.wrap(
            TeacherNotificationRequestedV1(
                user_id=batch.user_id,
                notification_type=code,
                category=category,
                priority=NotificationPriority.HIGH
                if action_required
                else NotificationPriority.STANDARD,
                batch_id=batch.batch_id,
                class_id=batch.class_id,
                message=render(code, params),
                params=params,
                payload={"batch_id": batch.batch_id, **payload},
                action_required=action_required,
            ),
            batch.user_id,
        )


Context = StepContext[EventFactory]
"""What an ELS step gets besides its unit of work and event."""
