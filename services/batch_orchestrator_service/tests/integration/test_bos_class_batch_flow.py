"""A class batch through the real worker on the registry topics: ready -> awaiting student
validation -> (pipeline refused) -> students confirmed -> ready, in either order, redelivered."""

from __future__ import annotations

from typing import Any

import pytest

from common_core.enums import AssociationMethod, CourseCode, PhaseName
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchEssaysReadyV1,
    ClientBatchPipelineRequestV1,
    ConfirmedAssociation,
    EssayRef,
    EventModel,
    StudentAssociationsConfirmedV1,
)
from huleedu_testing import random_id
from huleedu_testing.kafka_helpers import wait_until

pytestmark = pytest.mark.integration


def wrap(data: EventModel) -> EventEnvelope[Any]:
    return EventEnvelope.wrap(data, source_service="bos-it", correlation_id=random_id())


async def register_class_batch(client: Any, cms: Any) -> tuple[str, str, str, list[str]]:
    """(teacher, class_id, batch_id, essay_ids) of a class batch registered over HTTP."""
    teacher, class_id = random_id(), random_id()
    cms.add_class(class_id, teacher, name="9A", course_code=CourseCode.SV1)
    answer = await client.call(
        "POST",
        "/internal/v1/batches",
        user_id=teacher,
        json={
            "course_code": "SV1",
            "essay_instructions": "Skriv om en plats du tycker om.",
            "expected_essay_count": 2,
            "class_id": class_id,
        },
    )
    assert answer.status == 201, answer.body
    return teacher, class_id, answer.body["batch_id"], answer.body["essay_ids"]


def ready_event(batch_id: str, teacher: str, essay_ids: list[str]) -> EventEnvelope[Any]:
    return wrap(
        BatchEssaysReadyV1(
            batch_id=batch_id,
            user_id=teacher,
            course_code=CourseCode.SV1,
            ready_essays=[
                EssayRef(
                    essay_id=essay_id,
                    text_storage_id=f"text-{n}",
                    original_file_name=f"elev-{n}.docx",
                    file_upload_id=f"file-{n}",
                )
                for n, essay_id in enumerate(essay_ids)
            ],
        )
    )


def confirmed_event(
    batch_id: str, teacher: str, class_id: str, essay_ids: list[str]
) -> EventEnvelope[Any]:
    return wrap(
        StudentAssociationsConfirmedV1(
            batch_id=batch_id,
            class_id=class_id,
            user_id=teacher,
            associations=[
                ConfirmedAssociation(
                    essay_id=essay_id,
                    student_id=random_id(),
                    method=AssociationMethod.TEACHER,
                )
                for essay_id in essay_ids
            ],
        )
    )


def request_event(batch_id: str, teacher: str) -> EventEnvelope[Any]:
    return wrap(
        ClientBatchPipelineRequestV1(
            batch_id=batch_id,
            user_id=teacher,
            requested_pipeline=PhaseName.SPELLCHECK,
            client_request_id=random_id(),
        )
    )


async def publish(kafka_producer: Any, envelope: EventEnvelope[Any]) -> None:
    await kafka_producer.publish(envelope, key=envelope.data.batch_id)


async def notifications(
    kafka: Any, batch_id: str, expected: int, settle_seconds: float = 1.0
) -> list[Any]:
    """The batch's notifications that went through the outbox and the relay to Kafka
    (waiting `settle_seconds` after the expected count for any extra one)."""
    found = await kafka.events_for(
        batch_id,
        "TeacherNotificationRequestedV1",
        expected=expected,
        settle_seconds=settle_seconds,
    )
    return [n.data for n in found]


async def test_ready_waits_for_students_then_confirmation_makes_it_ready(
    worker: Any, client: Any, db: Any, kafka: Any, kafka_producer: Any, cms: Any
) -> None:
    teacher, class_id, batch_id, essay_ids = await register_class_batch(client, cms)
    state_path = f"/internal/v1/batches/{batch_id}/pipeline-state"

    # -- ready -> awaiting_student_validation, visible in the pipeline-state API ----------------
    await publish(kafka_producer, ready_event(batch_id, teacher, essay_ids))
    await wait_until(
        lambda: _status_is(db, batch_id, "awaiting_student_validation"), what="awaiting students"
    )
    state = await client.call("GET", state_path)
    assert (state.body["status"], state.body["accepts_files"]) == (
        "awaiting_student_validation",
        False,
    )
    assert [n.notification_type for n in await notifications(kafka, batch_id, 2)] == [
        "batch_registered",
        "batch_awaiting_student_validation",
    ]

    # -- a pipeline request now is refused and nothing is kept for later -----------------------
    refused = request_event(batch_id, teacher)
    await publish(kafka_producer, refused)
    [denied] = await kafka.events_for(batch_id, "BatchPipelineDeniedV1", expected=1)
    assert denied.data.reason_code == "PIPELINE_NOT_READY"
    assert denied.data.client_request_id == refused.data.client_request_id
    assert (await db.batch_row(batch_id))["requested_pipeline"] is None

    # -- the confirmation -> ready_for_pipeline and the teacher hears it -----------------------
    confirmation = confirmed_event(batch_id, teacher, class_id, essay_ids)
    await publish(kafka_producer, confirmation)
    await wait_until(lambda: _status_is(db, batch_id, "ready_for_pipeline"), what="ready")
    row = await db.batch_row(batch_id)
    assert row["students_confirmed_at"] == confirmation.event_timestamp
    assert row["requested_pipeline"] is None  # the refused request did not start on its own
    # registered, awaiting students, pipeline denied, ready
    sent = await notifications(kafka, batch_id, 4)
    [ready] = [n for n in sent if n.notification_type == "batch_ready"]
    assert (ready.user_id, ready.class_id) == (teacher, class_id)
    state = await client.call("GET", state_path)
    assert state.body["status"] == "ready_for_pipeline"

    # -- redelivery changes nothing: a later event on the same key proves it was handled -------
    await publish(kafka_producer, confirmation)
    marker = confirmed_event(batch_id, random_id(), class_id, essay_ids)  # another teacher's
    await publish(kafka_producer, marker)
    await wait_until(lambda: db.processed(marker.event_id), what="marker handled")
    assert len(await notifications(kafka, batch_id, 4, settle_seconds=2.0)) == 4
    assert await db.status(batch_id) == "ready_for_pipeline"
    claims = await db.scalar(
        "SELECT count(*) FROM processed_events WHERE event_id = :id", id=confirmation.event_id
    )
    assert claims == 1

    # -- and now the pipeline starts ----------------------------------------------------------
    await publish(kafka_producer, request_event(batch_id, teacher))
    [command] = await kafka.events_for(batch_id, "BatchSpellcheckInitiateCommandV1", expected=1)
    assert [e.essay_id for e in command.data.essays] == essay_ids


async def test_confirmation_before_readiness_goes_straight_to_ready(
    worker: Any, client: Any, db: Any, kafka: Any, kafka_producer: Any, cms: Any
) -> None:
    teacher, class_id, batch_id, essay_ids = await register_class_batch(client, cms)

    confirmation = confirmed_event(batch_id, teacher, class_id, essay_ids)
    await publish(kafka_producer, confirmation)
    await wait_until(lambda: db.processed(confirmation.event_id), what="confirmation handled")
    row = await db.batch_row(batch_id)
    assert (row["status"], row["students_confirmed_at"]) == (
        "awaiting_content",
        confirmation.event_timestamp,
    )

    await publish(kafka_producer, ready_event(batch_id, teacher, essay_ids))
    await wait_until(lambda: _status_is(db, batch_id, "ready_for_pipeline"), what="ready")
    sent = await notifications(kafka, batch_id, 2, settle_seconds=2.0)
    assert [n.notification_type for n in sent] == ["batch_registered", "batch_ready"]
    state = await client.call("GET", f"/internal/v1/batches/{batch_id}/pipeline-state")
    assert state.body["status"] == "ready_for_pipeline"


async def _status_is(db: Any, batch_id: str, status: str) -> bool:
    return bool(await db.status(batch_id) == status)
