"""Teacher notifications the aggregator announces, as (envelope, key) pairs for the outbox."""

from __future__ import annotations

from typing import Any

from common_core.enums import NotificationCategory, NotificationPriority
from common_core.events import TeacherNotificationRequestedV1
from common_core.notifications import NotificationCode, NotificationParams, render
from huleedu_service_libs.consumer import EventFactory, Outgoing
from result_aggregator_service.domain.models import (
    GRAMMAR_STATUSES,
    BatchView,
    EssayCounts,
    EssayView,
)


class Notices(EventFactory):
    """Builds notifications with this service's name and the event's correlation id."""

    def _notify(
        self,
        user_id: str,
        batch: BatchView,
        code: NotificationCode,
        params: NotificationParams,
        payload: dict[str, Any],
        priority: NotificationPriority = NotificationPriority.STANDARD,
    ) -> Outgoing:
        data = TeacherNotificationRequestedV1(
            user_id=user_id,
            notification_type=code,
            category=NotificationCategory.PROCESSING_RESULTS,
            priority=priority,
            batch_id=batch.batch_id,
            class_id=batch.class_id,
            message=render(code, params),
            params=params,
            payload=payload,
        )
        # Keyed by teacher, like every notification, so one teacher's stay in order.
        return self.wrap(data, user_id)

    def essay_results_available(
        self, user_id: str, batch: BatchView, essay: EssayView, counts: EssayCounts
    ) -> Outgoing:
        """One essay's result landed: the teacher's live progress."""
        # The result of the phase the essay is in (a spelling re-run keeps the older grammar).
        in_grammar = essay.status in GRAMMAR_STATUSES
        result = essay.grammar if in_grammar else essay.spellcheck
        outcome = result.outcome.value if result else None
        expected = batch.expected_essay_count or counts.total
        name = essay.filename or essay.essay_id
        return self._notify(
            user_id,
            batch,
            NotificationCode.ESSAY_RESULTS_AVAILABLE,
            {"essay_name": name, "processed_count": counts.processed, "expected_count": expected},
            {
                "batch_id": batch.batch_id,
                "essay_id": essay.essay_id,
                "outcome": outcome,
                "processed_count": counts.processed,
                "failed_count": counts.failed,
                "expected_essay_count": expected,
                "total_essay_count": counts.total,
            },
            priority=NotificationPriority.LOW,
        )

    def batch_results_ready(self, user_id: str, batch: BatchView, counts: EssayCounts) -> Outgoing:
        """The pipeline finished and its results are in the view."""
        return self._notify(
            user_id,
            batch,
            NotificationCode.BATCH_RESULTS_READY,
            {"processed_count": counts.processed, "failed_count": counts.failed},
            {
                "batch_id": batch.batch_id,
                "final_status": batch.status.value,
                "expected_essay_count": batch.expected_essay_count or counts.total,
                "assigned_essay_count": counts.assigned,
                "processed_essay_count": counts.processed,
                "failed_essay_count": counts.failed,
            },
            priority=NotificationPriority.HIGH if counts.failed else NotificationPriority.STANDARD,
        )
