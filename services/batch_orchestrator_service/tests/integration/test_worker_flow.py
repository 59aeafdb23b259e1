"""The worker on the real registry topics: consumers, inbox, state machine, outbox relay."""

from __future__ import annotations

from typing import Any

import pytest

from common_core.enums import CourseCode, OperationOutcome, PhaseName, PhaseStatus
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchEssaysReadyV1,
    ClientBatchPipelineRequestV1,
    ELSBatchPhaseOutcomeV1,
    EssayPhaseOutcome,
    EssayRef,
    EventModel,
)
from common_core.topics import dlq_topic, topic_for
from huleedu_service_libs.kafka.headers import decode_headers
from huleedu_testing import random_id
from huleedu_testing.kafka_helpers import wait_until

pytestmark = pytest.mark.integration

SPELL = PhaseName.SPELLCHECK


def wrap(data: EventModel) -> EventEnvelope[Any]:
    return EventEnvelope.wrap(data, source_service="bos-it", correlation_id=random_id())


async def publish(kafka_producer: Any, envelope: EventEnvelope[Any], key: str) -> None:
    await kafka_producer.publish(envelope, key=key)


def ready_event(batch: Any, user_id: str, count: int | None = None) -> EventEnvelope[Any]:
    ids = batch.essay_ids[:count] if count is not None else batch.essay_ids
    return wrap(
        BatchEssaysReadyV1(
            batch_id=batch.batch_id,
            user_id=user_id,
            course_code=CourseCode.SV2,
            ready_essays=[
                EssayRef(
                    essay_id=essay_id,
                    text_storage_id=f"text-{n}",
                    original_file_name=f"elev-{n}.docx",
                    file_upload_id=f"file-{n}",
                )
                for n, essay_id in enumerate(ids)
            ],
            missing_essay_ids=batch.essay_ids[len(ids) :],
            is_partial=len(ids) < len(batch.essay_ids),
        )
    )


def request_event(batch_id: str, user_id: str) -> EventEnvelope[Any]:
    return wrap(
        ClientBatchPipelineRequestV1(
            batch_id=batch_id,
            user_id=user_id,
            requested_pipeline=SPELL,
            client_request_id=random_id(),
        )
    )


async def make_ready(db: Any, kafka_producer: Any, batch: Any, user_id: str) -> None:
    await publish(kafka_producer, ready_event(batch, user_id), batch.batch_id)
    await wait_until(
        lambda: _status_is(db, batch.batch_id, "ready_for_pipeline"), what="batch ready"
    )


async def _status_is(db: Any, batch_id: str, status: str) -> bool:
    return bool(await db.status(batch_id) == status)


async def test_full_path_from_ready_to_pipeline_completed_and_retry(
    worker: Any, client: Any, db: Any, kafka: Any, kafka_producer: Any
) -> None:
    user_id = random_id()
    batch = await db.register(user_id, count=3)

    # -- ready (partial: one essay missing) -> ready_for_pipeline + notification ---------------
    await publish(kafka_producer, ready_event(batch, user_id, count=2), batch.batch_id)
    await wait_until(lambda: _status_is(db, batch.batch_id, "ready_for_pipeline"), what="ready")

    # -- request -> processing + initiate command on Kafka ------------------------------------
    await publish(kafka_producer, request_event(batch.batch_id, user_id), batch.batch_id)
    [command] = await kafka.events_for(
        batch.batch_id, "BatchSpellcheckInitiateCommandV1", expected=1
    )
    assert command.data.language.value == "sv"
    assert command.data.course_code is CourseCode.SV2
    assert [e.essay_id for e in command.data.essays] == batch.essay_ids[:2]
    assert command.data.essays[0].file_upload_id == "file-0"
    assert await db.status(batch.batch_id) == "processing"

    # -- phase outcome (one failure) -> completed_with_failures + BatchPipelineCompletedV1 ----
    outcome = wrap(
        ELSBatchPhaseOutcomeV1(
            batch_id=batch.batch_id,
            phase=SPELL,
            phase_status=PhaseStatus.COMPLETED_WITH_FAILURES,
            essay_outcomes=[
                EssayPhaseOutcome(
                    essay_id=batch.essay_ids[0],
                    outcome=OperationOutcome.SUCCESS,
                    output_storage_id="corrected-0",
                ),
                EssayPhaseOutcome(
                    essay_id=batch.essay_ids[1],
                    outcome=OperationOutcome.FAILURE,
                    error_message="text not found",
                ),
            ],
        )
    )
    await publish(kafka_producer, outcome, batch.batch_id)
    [completed] = await kafka.events_for(batch.batch_id, "BatchPipelineCompletedV1", expected=1)
    assert completed.data.user_id == user_id
    assert completed.data.final_status.value == "completed_with_failures"
    assert completed.data.completed_phases == [SPELL]
    assert completed.data.phase_statuses == {SPELL: PhaseStatus.COMPLETED_WITH_FAILURES}
    assert (completed.data.successful_essay_count, completed.data.failed_essay_count) == (1, 1)
    assert completed.correlation_id == outcome.correlation_id
    assert await db.status(batch.batch_id) == "completed_with_failures"

    # -- the teacher heard about every step, in order ------------------------------------------
    notifications = await kafka.events_for(
        batch.batch_id, "TeacherNotificationRequestedV1", expected=4
    )
    assert [n.data.notification_type for n in notifications] == [
        "batch_registered",
        "batch_ready",
        "phase_started",
        "pipeline_completed",
    ]
    assert notifications[1].data.params["missing_count"] == 1
    assert "1 saknas" in notifications[1].data.message
    assert {n.data.user_id for n in notifications} == {user_id}

    # -- the per-essay outcomes are kept: the retry sends only the failed essay ----------------
    phases = await db.scalar(
        "SELECT outcomes FROM batch_phases WHERE batch_id = :id", id=batch.batch_id
    )
    assert phases[batch.essay_ids[1]]["error_message"] == "text not found"
    retry_path = f"/internal/v1/batches/{batch.batch_id}/phases/spellcheck/retry"
    answer = await client.call("POST", retry_path, user_id=user_id)
    assert answer.status == 202, answer.body
    assert answer.body["status"] == "processing"
    commands = await kafka.events_for(
        batch.batch_id, "BatchSpellcheckInitiateCommandV1", expected=2
    )
    assert [[e.essay_id for e in c.data.essays] for c in commands] == [
        batch.essay_ids[:2],
        [batch.essay_ids[1]],
    ]
    again = await client.call("POST", retry_path, user_id=user_id)
    assert (again.status, again.code) == (409, "PHASE_NOT_RETRYABLE")


async def test_redelivered_request_is_a_no_op(
    worker: Any, db: Any, kafka: Any, kafka_producer: Any
) -> None:
    user_id = random_id()
    batch = await db.register(user_id, count=2)
    await make_ready(db, kafka_producer, batch, user_id)

    request = request_event(batch.batch_id, user_id)
    await publish(kafka_producer, request, batch.batch_id)
    await publish(kafka_producer, request, batch.batch_id)  # the same event_id again
    # A distinct request on the same key (same partition) is handled after both copies.
    later = request_event(batch.batch_id, user_id)
    await publish(kafka_producer, later, batch.batch_id)

    [denied] = await kafka.events_for(batch.batch_id, "BatchPipelineDeniedV1", expected=1)
    assert denied.data.reason_code == "PIPELINE_ALREADY_RUNNING"
    assert denied.data.client_request_id == later.data.client_request_id
    commands = await kafka.events_for(
        batch.batch_id, "BatchSpellcheckInitiateCommandV1", expected=1, settle_seconds=2.0
    )
    assert len(commands) == 1
    assert (
        await db.scalar(
            "SELECT count(*) FROM processed_events WHERE event_id = :id", id=request.event_id
        )
        == 1
    )


@pytest.mark.parametrize("case", ["not_ready", "foreign", "missing"])
async def test_denied_request_emits_denial_and_notification(
    worker: Any, db: Any, kafka: Any, kafka_producer: Any, case: str
) -> None:
    owner = random_id()
    batch = await db.register(owner, count=2)
    requester = random_id() if case == "foreign" else owner
    batch_id = random_id() if case == "missing" else batch.batch_id
    expected_code = "PIPELINE_NOT_READY" if case == "not_ready" else "BATCH_NOT_FOUND"
    before = await db.batch_row(batch.batch_id)

    request = request_event(batch_id, requester)
    await publish(kafka_producer, request, batch_id)

    [denied] = await kafka.events_for(batch_id, "BatchPipelineDeniedV1", expected=1)
    assert denied.data.reason_code == expected_code
    assert denied.data.user_id == requester
    assert denied.data.client_request_id == request.data.client_request_id
    notifications = await kafka.events_for(batch_id, "TeacherNotificationRequestedV1", expected=1)
    [notification] = [n for n in notifications if n.data.notification_type == "pipeline_denied"]
    assert notification.data.user_id == requester
    assert notification.data.payload["reason_code"] == expected_code
    assert await db.batch_row(batch.batch_id) == before
    assert await kafka.events_for(batch_id, "BatchSpellcheckInitiateCommandV1", expected=0) == []


async def test_events_for_unknown_batches_are_skipped_not_dead_lettered(
    worker: Any, db: Any, kafka: Any, kafka_producer: Any
) -> None:
    stranger = random_id()
    phantom_id = random_id()
    ready = wrap(
        BatchEssaysReadyV1(
            batch_id=phantom_id,
            user_id=stranger,
            course_code=CourseCode.ENG5,
            ready_essays=[EssayRef(essay_id=random_id(), text_storage_id="t")],
        )
    )
    outcome = wrap(
        ELSBatchPhaseOutcomeV1(
            batch_id=phantom_id, phase=SPELL, phase_status=PhaseStatus.COMPLETED, essay_outcomes=[]
        )
    )
    await publish(kafka_producer, ready, phantom_id)
    await publish(kafka_producer, outcome, phantom_id)

    await wait_until(lambda: db.processed(ready.event_id), what="ready event claimed")
    await wait_until(lambda: db.processed(outcome.event_id), what="outcome event claimed")
    assert await db.scalar("SELECT count(*) FROM batches") == 0
    assert await db.outbox() == []

    ids = {str(ready.event_id), str(outcome.event_id)}
    dead = await kafka.read_new(
        lambda r: (
            r.topic
            in {
                dlq_topic(topic_for(BatchEssaysReadyV1)),
                dlq_topic(topic_for(ELSBatchPhaseOutcomeV1)),
            }
            and decode_headers(r.headers).get("event_id") in ids
        ),
        expected=1,
        timeout_seconds=2.0,
    )
    assert dead == []
