"""Lag and DLQ depth read from the real broker's offsets, on test topics of their own."""

from __future__ import annotations

import time
from typing import Any

import pytest
from aiokafka import TopicPartition
from prometheus_client import REGISTRY

from common_core.envelope import EventEnvelope
from common_core.events import EssaySpellcheckRequestedV1
from huleedu_service_libs.kafka import EventDispatcher, KafkaConsumerRunner, KafkaEventProducer
from huleedu_service_libs.observability.kafka_offsets import ConsumerLagExporter, DlqDepthExporter
from huleedu_testing.fixtures import TopicFactory
from huleedu_testing.kafka_helpers import running_consumer, wait_until
from huleedu_testing.random_refs import random_name
from huleedu_testing.sample_events import sample_event

pytestmark = pytest.mark.integration

SERVICE = "lag_exporter_test"


def lag_sample(group: str, tp: TopicPartition) -> float | None:
    labels = {"service": SERVICE, "group": group, "topic": tp.topic, "partition": str(tp.partition)}
    return REGISTRY.get_sample_value("huleedu_kafka_consumer_lag", labels)


async def produce(producer: KafkaEventProducer, topic: str, count: int) -> None:
    for n in range(count):
        envelope = EventEnvelope.wrap(
            sample_event(EssaySpellcheckRequestedV1), source_service=SERVICE, correlation_id="c"
        )
        # Different keys: the records spread over the topic's partitions.
        await producer.publish(envelope, key=f"batch-{n}", topic=topic)


async def test_a_stopped_group_lags_by_what_was_produced_and_catches_up_to_zero(
    kafka_bootstrap: str, kafka_producer: KafkaEventProducer, make_topic: TopicFactory
) -> None:
    topic = await make_topic("lag", partitions=3)
    group = random_name("huleedu.test.lag")
    handled: list[Any] = []

    async def handle(envelope: EventEnvelope[Any]) -> None:
        handled.append(envelope.event_id)

    dispatcher = EventDispatcher()
    dispatcher.register(EssaySpellcheckRequestedV1, handle)

    def runner() -> KafkaConsumerRunner:
        return KafkaConsumerRunner(
            bootstrap_servers=kafka_bootstrap,
            group_id=group,
            topics=[topic],
            handler=dispatcher.handle,
            dlq_producer=kafka_producer,
            service=SERVICE,
        )

    exporter = ConsumerLagExporter(kafka_bootstrap, service=SERVICE, groups={group: [topic]})

    async def total_lag() -> int:
        return sum((await exporter.refresh()).values())

    async def caught_up() -> bool:
        return await total_lag() == 0

    try:
        # Never committed yet: everything the topic holds is lag.
        await produce(kafka_producer, topic, 2)
        assert await total_lag() == 2
        polled_before = time.time()
        async with running_consumer(runner()) as task:
            await wait_until(lambda: len(handled) == 2, what="the first two handled", task=task)
            await wait_until(caught_up, what="lag 0 after commits", task=task)
        last_poll = REGISTRY.get_sample_value(
            "huleedu_kafka_consumer_last_poll_timestamp_seconds",
            {"service": SERVICE, "group": group},
        )
        assert last_poll is not None
        assert last_poll >= polled_before

        produced = 7  # while the group is stopped
        await produce(kafka_producer, topic, produced)
        lags = await exporter.refresh()
        assert sum(lags.values()) == produced
        for (lag_group, tp), lag in lags.items():
            assert lag_group == group
            assert lag_sample(group, tp) == lag  # what Prometheus scrapes

        async with running_consumer(runner()) as task:
            await wait_until(lambda: len(handled) == 2 + produced, what="catch-up", task=task)
            await wait_until(caught_up, what="lag back to 0", task=task)
        assert all(lag_sample(group, TopicPartition(topic, p)) == 0 for p in range(3))
    finally:
        await exporter.close()


async def test_dlq_depth_counts_what_is_not_replayed(
    kafka_bootstrap: str, kafka_producer: KafkaEventProducer, make_topic: TopicFactory
) -> None:
    topic = await make_topic("dlqdepth")
    dlq = f"{topic}.dlq"
    for n in range(3):
        await kafka_producer.send(dlq, value=b"{}", key=f"k{n}", headers={"event_type": "X"})
    exporter = DlqDepthExporter(kafka_bootstrap, service=SERVICE)
    try:
        depths = await exporter.refresh()
    finally:
        await exporter.close()
    assert depths[dlq] == 3
    assert REGISTRY.get_sample_value("huleedu_kafka_dlq_depth", {"topic": dlq}) == 3
    assert topic not in depths  # only dead-letter topics
