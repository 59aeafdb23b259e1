"""Drivers for matching tests: the consumer's steps fed directly, a settable clock, seeding."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from class_management_service.domain.associations import steps as associations
from class_management_service.domain.associations.events import AssociationEvents
from class_management_service.domain.associations.ports import AssociationUowFactory, Clock
from class_management_service.domain.models import SchoolClass, Student
from class_management_service.domain.ports import UnitOfWorkFactory
from common_core.enums import CourseCode
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchEssaysReadyV1,
    BatchEssaysRegisteredV1,
    StudentParsingCompletedV1,
)
from huleedu_service_libs.consumer import EnvelopeHandler, StepRunner


class MatchingConsumer:
    """The worker's matching steps over any unit of work, fed envelopes as the dispatcher would."""

    def __init__(self, uow_factory: AssociationUowFactory, clock: Clock) -> None:
        handling = StepRunner(
            uow_factory,
            consumer="cms",
            source_service="class_management_service",
            events=AssociationEvents,
            clock=clock,
        )
        self._handlers: dict[str, EnvelopeHandler] = {
            BatchEssaysRegisteredV1.__name__: handling.handler(associations.batch_registered),
            StudentParsingCompletedV1.__name__: handling.handler(
                associations.student_parsing_completed
            ),
            BatchEssaysReadyV1.__name__: handling.handler(associations.batch_essays_ready),
        }

    async def deliver(self, *envelopes: EventEnvelope[Any]) -> None:
        """Handle the envelopes in order."""
        for envelope in envelopes:
            await self._handlers[envelope.event_type](envelope)


class SettableClock:
    """A clock a test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass(frozen=True)
class SeededClass:
    """A class written through the real repositories, and its students' ids by email."""

    class_id: str
    user_id: str
    student_ids: dict[str, str]


async def seed_class(
    uow_factory: UnitOfWorkFactory,
    user_id: str,
    students: Sequence[tuple[str, str, str]],
    *,
    course: CourseCode = CourseCode.SV1,
    at: datetime,
) -> SeededClass:
    """A class of the teacher with the (first, last, email) students enrolled."""
    class_id = str(uuid.uuid4())
    ids: dict[str, str] = {}
    async with uow_factory() as uow:
        await uow.classes.add(
            SchoolClass(class_id, user_id, f"Klass {class_id[:8]}", course, 0, at, at)
        )
        for first, last, email in students:
            student = Student(str(uuid.uuid4()), user_id, first, last, email, at, at)
            await uow.students.add(student)
            ids[email] = student.student_id
        await uow.classes.enrol(class_id, list(ids.values()))
        await uow.commit()
    return SeededClass(class_id, user_id, ids)
