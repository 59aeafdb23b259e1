"""The events the roster side announces, as (envelope, key) pairs ready for the outbox.

Class events are keyed by class id and student events by student id (the aggregate, so one
aggregate's events stay ordered); teacher notifications by the teacher, like every service's.
Nothing here carries a student's name or email: ids only on the bus.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from class_management_service.domain.models import SchoolClass, Student
from common_core.enums import NotificationCategory
from common_core.envelope import EventEnvelope
from common_core.events import (
    ClassCreatedV1,
    ClassUpdatedV1,
    EventModel,
    StudentCreatedV1,
    StudentErasureRequestedV1,
    StudentUpdatedV1,
    TeacherNotificationRequestedV1,
)
from common_core.notifications import NotificationCode, NotificationParams, render

Outgoing = tuple[EventEnvelope[Any], str]

ROSTER = "roster"
CLASS_IDS = "class_ids"
ERASED = "erased"
DELETED = "deleted"


@dataclass(frozen=True)
class Emitter:
    """Wraps events with this service's name and the request's correlation id."""

    source_service: str
    correlation_id: str

    def wrap(self, data: EventModel, key: str) -> Outgoing:
        """One (envelope, key) pair."""
        envelope = EventEnvelope.wrap(
            data, source_service=self.source_service, correlation_id=self.correlation_id
        )
        return envelope, key

    def notify(
        self,
        user_id: str,
        code: NotificationCode,
        params: NotificationParams,
        *,
        class_id: str | None = None,
        payload: dict[str, Any] | None = None,
    ) -> Outgoing:
        """A CLASS_MANAGEMENT notification for the teacher, keyed by the teacher."""
        data = TeacherNotificationRequestedV1(
            user_id=user_id,
            notification_type=code,
            category=NotificationCategory.CLASS_MANAGEMENT,
            class_id=class_id,
            message=render(code, params),
            params=params,
            payload=payload or {},
        )
        return self.wrap(data, user_id)

    # -- classes -----------------------------------------------------------------------------

    def class_created(self, school_class: SchoolClass) -> list[Outgoing]:
        """ClassCreatedV1 and the teacher's notice."""
        c = school_class
        return [
            self.wrap(
                ClassCreatedV1(class_id=c.class_id, user_id=c.user_id, course_code=c.course_code),
                c.class_id,
            ),
            self.notify(
                c.user_id,
                NotificationCode.CLASS_CREATED,
                {"class_name": c.name},
                class_id=c.class_id,
            ),
        ]

    def class_changed(self, school_class: SchoolClass, changed_fields: Sequence[str]) -> Outgoing:
        """ClassUpdatedV1 naming what changed ("name", "course_code", "roster", "deleted")."""
        c = school_class
        event = ClassUpdatedV1(
            class_id=c.class_id,
            user_id=c.user_id,
            course_code=c.course_code,
            changed_fields=list(changed_fields),
        )
        return self.wrap(event, c.class_id)

    def class_updated(
        self, school_class: SchoolClass, changed_fields: Sequence[str]
    ) -> list[Outgoing]:
        """ClassUpdatedV1 and the teacher's notice."""
        c = school_class
        return [
            self.class_changed(c, changed_fields),
            self.notify(
                c.user_id,
                NotificationCode.CLASS_UPDATED,
                {"class_name": c.name},
                class_id=c.class_id,
                payload={"changed_fields": list(changed_fields)},
            ),
        ]

    def class_deleted(
        self, school_class: SchoolClass, members: dict[str, tuple[str, ...]]
    ) -> list[Outgoing]:
        """ClassUpdatedV1 ["deleted"] (the registry has no delete event), members' new class ids."""
        c = school_class
        return [
            self.class_changed(c, [DELETED]),
            *(
                self.student_changed(student_id, c.user_id, _without(ids, c.class_id), [CLASS_IDS])
                for student_id, ids in members.items()
            ),
            self.notify(
                c.user_id,
                NotificationCode.CLASS_DELETED,
                {"class_name": c.name},
                class_id=c.class_id,
            ),
        ]

    # -- students ----------------------------------------------------------------------------

    def student_created(self, student: Student) -> Outgoing:
        """StudentCreatedV1 with the classes the student starts in."""
        event = StudentCreatedV1(
            student_id=student.student_id,
            user_id=student.user_id,
            class_ids=list(student.class_ids),
        )
        return self.wrap(event, student.student_id)

    def student_changed(
        self,
        student_id: str,
        user_id: str,
        class_ids: Iterable[str],
        changed_fields: Sequence[str],
    ) -> Outgoing:
        """StudentUpdatedV1 ("first_name", "last_name", "email", "class_ids" or "erased")."""
        event = StudentUpdatedV1(
            student_id=student_id,
            user_id=user_id,
            class_ids=list(class_ids),
            changed_fields=list(changed_fields),
        )
        return self.wrap(event, student_id)

    def student_added(self, student: Student, classes: Sequence[SchoolClass]) -> list[Outgoing]:
        """A new student: StudentCreatedV1, each class's roster change, the teacher's notice."""
        return [
            self.student_created(student),
            *(self.class_changed(c, [ROSTER]) for c in classes),
            self.notify(
                student.user_id,
                NotificationCode.STUDENT_CREATED,
                {},
                payload={"student_id": student.student_id, "class_ids": list(student.class_ids)},
            ),
        ]

    def student_updated(self, student: Student, changed_fields: Sequence[str]) -> list[Outgoing]:
        """StudentUpdatedV1 and the teacher's notice."""
        return [
            self.student_changed(
                student.student_id, student.user_id, student.class_ids, changed_fields
            ),
            self.notify(
                student.user_id,
                NotificationCode.STUDENT_UPDATED,
                {},
                payload={"student_id": student.student_id, "changed_fields": list(changed_fields)},
            ),
        ]

    def student_erased(
        self,
        student: Student,
        classes: Sequence[SchoolClass],
        request: StudentErasureRequestedV1,
    ) -> list[Outgoing]:
        """StudentUpdatedV1 ["erased"], the erasure every other service applies (keyed by the
        student), roster changes, the notice."""
        return [
            self.student_changed(student.student_id, student.user_id, [], [ERASED]),
            self.wrap(request, student.student_id),
            *(self.class_changed(c, [ROSTER]) for c in classes),
            self.notify(
                student.user_id,
                NotificationCode.STUDENT_ERASED,
                {},
                payload={
                    "student_id": student.student_id,
                    "erasure_id": request.erasure_id,
                    "essays": request.essay_mode.value,
                    "essay_count": len(request.essays),
                },
            ),
        ]

    def membership_changed(
        self, school_class: SchoolClass, student: Student, notification_type: str
    ) -> list[Outgoing]:
        """One enrolment or unenrolment (student_enrolled or student_unenrolled): both sides'
        updates and the teacher's notice."""
        code = NotificationCode(notification_type)
        return [
            self.class_changed(school_class, [ROSTER]),
            self.student_changed(
                student.student_id, student.user_id, student.class_ids, [CLASS_IDS]
            ),
            self.notify(
                student.user_id,
                code,
                {"class_name": school_class.name},
                class_id=school_class.class_id,
                payload={"student_id": student.student_id},
            ),
        ]

    def roster_imported(
        self,
        school_class: SchoolClass,
        created: Sequence[Student],
        enrolled: Sequence[Student],
        existing_count: int,
    ) -> list[Outgoing]:
        """A roster import: one event per new or newly enrolled student, one class update."""
        c = school_class
        events = [self.student_created(s) for s in created]
        events.extend(
            self.student_changed(s.student_id, s.user_id, s.class_ids, [CLASS_IDS])
            for s in enrolled
        )
        if created or enrolled:
            events.append(self.class_changed(c, [ROSTER]))
        events.append(
            self.notify(
                c.user_id,
                NotificationCode.ROSTER_IMPORTED,
                {
                    "class_name": c.name,
                    "created_count": len(created),
                    "existing_count": existing_count,
                },
                class_id=c.class_id,
                payload={"created_count": len(created), "existing_count": existing_count},
            )
        )
        return events


def _without(class_ids: tuple[str, ...], class_id: str) -> list[str]:
    return [c for c in class_ids if c != class_id]
