"""A class batch's view through the real worker on the registry topics: ready awaits the
students, the confirmation (its topic consumed) makes it ready, and never regresses it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.enums import AssociationMethod
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchEssaysReadyV1,
    BatchEssaysRegisteredV1,
    BatchSpellcheckInitiateCommandV1,
    ConfirmedAssociation,
    EssayRef,
    StudentAssociationsConfirmedV1,
)
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_service_libs.worker import WorkerRuntime
from huleedu_testing import random_id, sample_event
from huleedu_testing.kafka_helpers import wait_until

from .conftest import wrap

pytestmark = pytest.mark.integration


async def deliver(
    producer: KafkaEventProducer, engine: AsyncEngine, *envelopes: EventEnvelope[Any]
) -> None:
    """Publish in order and wait until the worker has handled every one."""
    for envelope in envelopes:
        await producer.publish(envelope, key=envelope.data.batch_id)
    ids = [e.event_id for e in envelopes]

    async def handled() -> bool:
        async with engine.connect() as conn:
            count = await conn.scalar(
                text("SELECT count(*) FROM processed_events WHERE event_id = ANY(:ids)"),
                {"ids": ids},
            )
        return bool(count == len(ids))

    await wait_until(handled, what="events handled")


async def status_of(engine: AsyncEngine, batch_id: str) -> str:
    async with engine.connect() as conn:
        found = await conn.scalar(
            text("SELECT status FROM result_batches WHERE batch_id = :id"), {"id": batch_id}
        )
    return str(found)


async def test_class_batch_view_awaits_students_then_is_ready_and_never_regresses(
    worker: WorkerRuntime,
    ras_engine: AsyncEngine,
    kafka_producer: KafkaEventProducer,
) -> None:
    registered = sample_event(BatchEssaysRegisteredV1)
    assert registered.class_id is not None
    batch_id, user_id, class_id = registered.batch_id, registered.user_id, registered.class_id
    refs = [
        EssayRef(essay_id=essay_id, text_storage_id=f"text-{n}", file_upload_id=f"file-{n}")
        for n, essay_id in enumerate(registered.essay_ids)
    ]
    ready = sample_event(BatchEssaysReadyV1).model_copy(
        update={"batch_id": batch_id, "user_id": user_id, "ready_essays": refs}
    )
    confirmation = StudentAssociationsConfirmedV1(
        batch_id=batch_id,
        class_id=class_id,
        user_id=user_id,
        associations=[
            ConfirmedAssociation(
                essay_id=r.essay_id, student_id=random_id(), method=AssociationMethod.TEACHER
            )
            for r in refs
        ],
    )

    await deliver(kafka_producer, ras_engine, wrap(registered), wrap(ready))
    assert await status_of(ras_engine, batch_id) == "awaiting_student_validation"

    confirmed = wrap(confirmation)
    await deliver(kafka_producer, ras_engine, confirmed)
    assert await status_of(ras_engine, batch_id) == "ready_for_pipeline"

    initiate = sample_event(BatchSpellcheckInitiateCommandV1).model_copy(
        update={"batch_id": batch_id, "course_code": registered.course_code, "essays": refs}
    )
    await deliver(kafka_producer, ras_engine, wrap(initiate))
    # A late copy of the confirmation (another event id) does not move processing back.
    await deliver(kafka_producer, ras_engine, wrap(confirmation))
    assert await status_of(ras_engine, batch_id) == "processing"
