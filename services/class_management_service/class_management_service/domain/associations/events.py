"""Events of author matching as (envelope, key) pairs for the outbox (ids only, never PII)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from class_management_service.domain.associations.ports import Association, ClassBatch, Outgoing
from common_core.enums import NotificationCategory, NotificationPriority
from common_core.events import (
    AuthorMatchSuggestion,
    BatchAuthorMatchesSuggestedV1,
    ConfirmedAssociation,
    EssayStudentAssociationUpdatedV1,
    StudentAssociationsConfirmedV1,
    TeacherNotificationRequestedV1,
)
from common_core.notifications import VARIANT, NotificationCode, NotificationParams, render
from huleedu_service_libs.consumer import EventFactory, StepContext

MATCHING_REQUIRED = NotificationCode.STUDENT_MATCHING_REQUIRED
ASSOCIATIONS_CONFIRMED = NotificationCode.STUDENT_ASSOCIATIONS_CONFIRMED
CLASS_MISSING = NotificationCode.STUDENT_MATCHING_CLASS_MISSING


class AssociationEvents(EventFactory):
    """Builds this service's events with its name and the current correlation id."""

    def suggestions(self, batch: ClassBatch, rows: Sequence[Association]) -> Outgoing:
        """The suggested author of each given essay (rows must have an essay id)."""
        return self.wrap(
            BatchAuthorMatchesSuggestedV1(
                batch_id=batch.batch_id,
                class_id=batch.class_id,
                user_id=batch.user_id,
                suggestions=[
                    AuthorMatchSuggestion(
                        essay_id=row.essay_id or "",
                        student_id=row.suggested_student_id,
                        confidence=row.confidence,
                        method=row.method,
                    )
                    for row in rows
                ],
            ),
            batch.batch_id,
        )

    def updated(self, batch: ClassBatch, row: Association) -> Outgoing:
        """One essay's author was decided or corrected."""
        return self.wrap(
            EssayStudentAssociationUpdatedV1(
                batch_id=batch.batch_id,
                class_id=batch.class_id,
                essay_id=row.essay_id or "",
                student_id=row.student_id or "",
                status=row.status,
                method=row.method,
                confidence=row.confidence,
            ),
            batch.batch_id,
        )

    def confirmed(self, batch: ClassBatch, rows: Sequence[Association]) -> Outgoing:
        """Every essay of the batch has its author: the batch may proceed."""
        return self.wrap(
            StudentAssociationsConfirmedV1(
                batch_id=batch.batch_id,
                class_id=batch.class_id,
                user_id=batch.user_id,
                associations=[
                    ConfirmedAssociation(
                        essay_id=row.essay_id or "",
                        student_id=row.student_id or "",
                        method=row.method,
                    )
                    for row in rows
                ],
                confirmed_by_timeout=batch.confirmed_by_timeout,
            ),
            batch.batch_id,
        )

    def matching_required(self, batch: ClassBatch, rows: Sequence[Association]) -> Outgoing:
        """Ask the teacher to check the suggested authors."""
        suggested = sum(1 for r in rows if r.suggested_student_id is not None)
        return self._notify(
            batch,
            MATCHING_REQUIRED,
            {"essay_count": len(rows), "suggested_count": suggested},
            {
                "essay_count": len(rows),
                "suggested_count": suggested,
                "unmatched_count": len(rows) - suggested,
            },
            action_required=True,
            priority=NotificationPriority.HIGH,
        )

    def associations_confirmed(self, batch: ClassBatch, rows: Sequence[Association]) -> Outgoing:
        """Tell the teacher the authors are settled (by them or by the timeout)."""
        by_method: dict[str, int] = {}
        for row in rows:
            by_method[row.method.value] = by_method.get(row.method.value, 0) + 1
        how = "by_timeout" if batch.confirmed_by_timeout else "by_teacher"
        return self._notify(
            batch,
            ASSOCIATIONS_CONFIRMED,
            {VARIANT: how, "essay_count": len(rows)},
            {
                "essay_count": len(rows),
                "confirmed_by_timeout": batch.confirmed_by_timeout,
                "by_method": by_method,
            },
        )

    def class_missing(self, batch: ClassBatch) -> Outgoing:
        """Tell the teacher the batch went on without authors because its class is gone."""
        return self._notify(
            batch,
            CLASS_MISSING,
            {},
            {"reason": "class_not_found"},
            priority=NotificationPriority.HIGH,
        )

    def _notify(
        self,
        batch: ClassBatch,
        code: NotificationCode,
        params: NotificationParams,
        payload: dict[str, Any],
        *,
        action_required: bool = False,
        priority: NotificationPriority = NotificationPriority.STANDARD,
    ) -> Outgoing:
        data = TeacherNotificationRequestedV1(
            user_id=batch.user_id,
            notification_type=code,
            category=NotificationCategory.STUDENT_MATCHING,
            priority=priority,
            batch_id=batch.batch_id,
            class_id=batch.class_id,
            message=render(code, params),
            params=params,
            payload={"batch_id": batch.batch_id, "class_id": batch.class_id, **payload},
            action_required=action_required,
        )
        # Keyed by teacher, like every notification, so one teacher's stay in order.
        return self.wrap(data, batch.user_id)


Context = StepContext[AssociationEvents]
"""What a matching step gets besides its unit of work and event."""
