"""Pipeline requests under an idempotency key on the real worker, PostgreSQL and Kafka."""

from __future__ import annotations

from typing import Any

import pytest

from common_core.enums import CourseCode, PhaseName
from common_core.envelope import EventEnvelope
from common_core.events import BatchEssaysReadyV1, ClientBatchPipelineRequestV1, EssayRef
from huleedu_testing import random_id
from huleedu_testing.kafka_helpers import wait_until

pytestmark = pytest.mark.integration


def keyed_request(batch_id: str, user_id: str, key: str) -> EventEnvelope[Any]:
    """A gateway command: a fresh event id, the key and the request id derived from it."""
    command = ClientBatchPipelineRequestV1(
        batch_id=batch_id,
        user_id=user_id,
        requested_pipeline=PhaseName.SPELLCHECK,
        client_request_id=f"request-for-{key}",
        idempotency_key=key,
    )
    return EventEnvelope.wrap(command, source_service="bos-it", correlation_id=random_id())


async def ready(db: Any, kafka_producer: Any, batch: Any, user_id: str) -> None:
    event = BatchEssaysReadyV1(
        batch_id=batch.batch_id,
        user_id=user_id,
        course_code=CourseCode.SV2,
        ready_essays=[
            EssayRef(essay_id=essay_id, text_storage_id=f"text-{n}")
            for n, essay_id in enumerate(batch.essay_ids)
        ],
    )
    envelope = EventEnvelope.wrap(event, source_service="bos-it", correlation_id=random_id())
    await kafka_producer.publish(envelope, key=batch.batch_id)

    async def is_ready() -> bool:
        return bool(await db.status(batch.batch_id) == "ready_for_pipeline")

    await wait_until(is_ready, what="batch ready")


async def test_copies_under_one_key_run_the_pipeline_once_and_deny_nothing(
    worker: Any, client: Any, db: Any, kafka: Any, kafka_producer: Any
) -> None:
    teacher = random_id()
    batch = await db.register(teacher, count=2)
    await ready(db, kafka_producer, batch, teacher)
    key = random_id()
    copies = [keyed_request(batch.batch_id, teacher, key) for _ in range(3)]

    for copy in copies:
        await kafka_producer.publish(copy, key=batch.batch_id)

    async def all_claimed() -> bool:
        return all([await db.processed(copy.event_id) for copy in copies])

    await wait_until(all_claimed, what="every copy claimed")

    commands = await kafka.events_for(
        batch.batch_id, "BatchSpellcheckInitiateCommandV1", expected=1, settle_seconds=2.0
    )
    assert len(commands) == 1
    denials = await kafka.events_for(
        batch.batch_id, "BatchPipelineDeniedV1", expected=0, settle_seconds=1.0
    )
    assert denials == []
    rows = await db.scalar(
        "SELECT count(*) FROM pipeline_requests WHERE batch_id = :id", id=batch.batch_id
    )
    assert rows == 1
    assert (
        await db.scalar("SELECT attempts FROM batch_phases WHERE batch_id = :id", id=batch.batch_id)
        == 1
    )

    path = f"/internal/v1/batches/{batch.batch_id}/pipeline-state"
    mine = await client.call("GET", path, user_id=teacher, params={"idempotency_key": key})
    assert mine.status == 200, mine.body
    assert mine.body["status"] == "processing"
    handled = mine.body["pipeline_request"]
    assert handled["outcome"] == "accepted"
    assert handled["request_id"] == f"request-for-{key}"
    assert handled["correlation_id"] == copies[0].correlation_id
    other = await client.call("GET", path, user_id=random_id(), params={"idempotency_key": key})
    assert other.body["pipeline_request"] is None


async def test_a_key_without_a_user_is_refused(client: Any, db: Any) -> None:
    batch = await db.register(random_id(), count=1)
    path = f"/internal/v1/batches/{batch.batch_id}/pipeline-state"

    anonymous = await client.call("GET", path, params={"idempotency_key": "k"})
    too_long = await client.call("GET", path, user_id="u", params={"idempotency_key": "k" * 256})

    assert (anonymous.status, anonymous.code) == (401, "UNAUTHORIZED")
    assert (too_long.status, too_long.code) == (422, "VALIDATION_ERROR")
