"""The real worker on the registry topics: a poison record among a batch's provisioned events."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka import ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient

from common_core.events import BatchEssaysReadyV1, EssayContentProvisionedV1
from common_core.topics import dlq_topic, topic_for
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_service_libs.kafka import headers as h
from huleedu_service_libs.worker import WorkerRuntime
from huleedu_testing import random_id
from huleedu_testing.kafka_helpers import end_offsets

from .conftest import KafkaProbe
from .test_slots_on_postgres import provisioned, registered
from .test_worker_flow import worker

pytestmark = pytest.mark.integration

__all__ = ["worker"]  # the fixture, shared with test_worker_flow


async def test_a_poison_record_among_a_batchs_events_ends_in_the_dlq_and_the_rest_are_placed(
    worker: WorkerRuntime,
    kafka: KafkaProbe,
    kafka_producer: KafkaEventProducer,
    kafka_admin: AIOKafkaAdminClient,
    kafka_bootstrap: str,
) -> None:
    topic = topic_for(EssayContentProvisionedV1)
    dead = KafkaProbe(kafka_bootstrap, await end_offsets(kafka_bootstrap, [dlq_topic(topic)]))
    batch_id = random_id()
    registration = registered(batch_id, 5)
    contents = [provisioned(batch_id, n) for n in range(5)]
    await kafka_producer.publish(registration, key=batch_id)
    # Same key and event type as its neighbours, so it travels in their run: undecodable.
    poison = (b"{not json", {h.EVENT_TYPE: "EssayContentProvisionedV1", h.EVENT_ID: random_id()})
    records = [(_value(e), h.envelope_headers(e)) for e in contents]
    records.insert(2, poison)
    # Enqueued back to back, acks awaited after: the consumer tends to get them in one poll.
    acks = [
        await kafka_producer.enqueue(topic, value=value, key=batch_id, headers=headers)
        for value, headers in records
    ]
    await asyncio.gather(*acks)

    [ready] = await kafka.events_of(BatchEssaysReadyV1, {batch_id}, expected=1)
    assert not ready.data.is_partial
    assert len(ready.data.ready_essays) == 5

    def ours(record: ConsumerRecord[Any, Any]) -> bool:
        return record.key == batch_id.encode()

    [dead_letter] = await dead.read_new(ours, expected=1)
    assert dead_letter.value == b"{not json"
    assert h.decode_headers(dead_letter.headers)[h.DLQ_ERROR_TYPE] == "PoisonMessageError"


def _value(envelope: Any) -> bytes:
    return bytes(envelope.model_dump_json().encode())
