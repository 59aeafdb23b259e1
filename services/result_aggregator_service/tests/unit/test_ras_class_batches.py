"""Class batches in the views: ready awaits the students' confirmation, the confirmation makes
the batch ready (never regressing a later status), in any order; batches without a class are
unchanged. `views` and `events` are the fixtures of this folder's conftest."""

from __future__ import annotations

from typing import Any

import pytest

from common_core.enums import AssociationMethod, BatchStatus, CourseCode
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchEssaysRegisteredV1,
    ConfirmedAssociation,
    StudentAssociationsConfirmedV1,
)

pytestmark = pytest.mark.unit


def confirmed(events: Any, minute: int = 3, class_id: str = "class-1") -> EventEnvelope[Any]:
    """StudentAssociationsConfirmedV1 for the fixture's batch (registered for class-1)."""
    return events.wrap(
        StudentAssociationsConfirmedV1(
            batch_id=events.batch_id,
            class_id=class_id,
            user_id=events.user_id,
            associations=[
                ConfirmedAssociation(
                    essay_id=essay_id,
                    student_id=f"student-{n}",
                    method=AssociationMethod.NAME_MATCH,
                )
                for n, essay_id in enumerate(events.essay_ids)
            ],
        ),
        minute,
    )


def registered_without_class(events: Any, minute: int = 0) -> EventEnvelope[Any]:
    return events.wrap(
        BatchEssaysRegisteredV1(
            batch_id=events.batch_id,
            user_id=events.user_id,
            course_code=CourseCode.SV2,
            essay_instructions="Skriv om en plats.",
            expected_essay_count=3,
            essay_ids=events.essay_ids,
        ),
        minute,
    )


async def test_ready_class_batch_awaits_students_then_confirmation_makes_it_ready(
    views: Any, events: Any
) -> None:
    await views.deliver(events.registered(), events.ready())
    assert views.batch().status is BatchStatus.AWAITING_STUDENT_VALIDATION
    # The essays are ready for processing all the same: only the batch waits.
    assert views.essay("essay-0").file_upload_id == "file-0"

    await views.deliver(confirmed(events))
    batch = views.batch()
    assert batch.status is BatchStatus.READY_FOR_PIPELINE
    assert batch.class_id == "class-1"
    assert views.state.outbox == []  # no notifications from the aggregator for these


async def test_confirmation_before_ready_is_not_undone_by_the_ready_event(
    views: Any, events: Any
) -> None:
    await views.deliver(events.registered(), confirmed(events, minute=3))
    assert views.batch().status is BatchStatus.READY_FOR_PIPELINE

    await views.deliver(events.ready(minute=2))
    assert views.batch().status is BatchStatus.READY_FOR_PIPELINE
    assert views.essay("essay-2").filename == "uppsats-2.docx"


async def test_late_confirmation_never_regresses_a_later_status(views: Any, events: Any) -> None:
    await views.deliver(events.registered(), events.ready(), events.initiate())
    assert views.batch().status is BatchStatus.PROCESSING

    await views.deliver(confirmed(events))
    assert views.batch().status is BatchStatus.PROCESSING


async def test_confirmation_first_creates_the_view_with_owner_and_class(
    views: Any, events: Any
) -> None:
    await views.deliver(confirmed(events))
    batch = views.batch()
    assert (batch.status, batch.user_id, batch.class_id) == (
        BatchStatus.READY_FOR_PIPELINE,
        "teacher-anna",
        "class-1",
    )

    await views.deliver(events.registered(), events.ready())
    assert views.batch().status is BatchStatus.READY_FOR_PIPELINE
    assert views.batch().expected_essay_count == 3


async def test_ready_before_registration_steps_back_to_awaiting_students(
    views: Any, events: Any
) -> None:
    await views.deliver(events.ready(minute=2))
    # Not known to be a class batch yet.
    assert views.batch().status is BatchStatus.READY_FOR_PIPELINE

    await views.deliver(events.registered(minute=0))
    assert views.batch().status is BatchStatus.AWAITING_STUDENT_VALIDATION

    await views.deliver(confirmed(events))
    assert views.batch().status is BatchStatus.READY_FOR_PIPELINE


async def test_ready_naming_its_class_before_registration_awaits_students_at_once(
    views: Any, events: Any
) -> None:
    await views.deliver(events.ready(minute=2, class_id="class-1"))
    assert views.batch().status is BatchStatus.AWAITING_STUDENT_VALIDATION
    assert views.batch().class_id == "class-1"

    await views.deliver(events.registered(minute=0), confirmed(events))
    assert views.batch().status is BatchStatus.READY_FOR_PIPELINE


async def test_redelivered_confirmation_changes_nothing(views: Any, events: Any) -> None:
    confirmation = confirmed(events)
    await views.deliver(events.registered(), events.ready(), confirmation)
    snapshot = dict(views.state.batches)
    views.clock.now = views.clock.now.replace(hour=11)

    await views.deliver(confirmation)
    assert views.state.batches == snapshot


async def test_batch_without_class_is_ready_at_once(views: Any, events: Any) -> None:
    await views.deliver(registered_without_class(events), events.ready())
    assert views.batch().status is BatchStatus.READY_FOR_PIPELINE

    await views.deliver(events.ready(minute=3))
    assert views.batch().status is BatchStatus.READY_FOR_PIPELINE


async def test_ready_before_registration_without_class_stays_ready(views: Any, events: Any) -> None:
    await views.deliver(events.ready(minute=2), registered_without_class(events, minute=0))
    assert views.batch().status is BatchStatus.READY_FOR_PIPELINE
