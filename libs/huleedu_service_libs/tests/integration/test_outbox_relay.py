"""Outbox relay against real PostgreSQL and Kafka: exactly-once claims, parking, NOTIFY."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.envelope import EventEnvelope
from common_core.events import TeacherNotificationRequestedV1
from huleedu_service_libs.db.migration_helpers import create_shared_tables
from huleedu_service_libs.db.tables import event_outbox
from huleedu_service_libs.kafka.headers import decode_headers
from huleedu_service_libs.kafka.producer import KafkaEventProducer
from huleedu_service_libs.outbox import OutboxRelay, RelayConfig, read_outbox_stats
from huleedu_testing import random_id
from huleedu_testing.kafka_helpers import read_topic, wait_until
from huleedu_testing.outbox_helpers import (
    backlog_is_empty,
    notification,
    running_relay,
    write_events,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def outbox_engine(pg_engine: AsyncEngine) -> AsyncEngine:
    async with pg_engine.begin() as conn:
        await create_shared_tables(conn)
    return pg_engine


async def test_relay_publishes_with_stored_id_key_and_headers(
    outbox_engine: AsyncEngine, kafka_producer: KafkaEventProducer, make_topic, kafka_bootstrap: str
) -> None:
    topic = await make_topic("outbox")
    user = random_id()
    envelopes = [notification(user, n) for n in range(5)]
    await write_events(outbox_engine, topic, envelopes)

    relay = OutboxRelay(outbox_engine, kafka_producer, service_name="test")
    assert await relay.publish_batch() == 5

    records = await read_topic(kafka_bootstrap, topic, expected=5)
    assert [r.key.decode() for r in records] == [user] * 5
    by_id = {str(env.event_id): env for env in envelopes}
    for record in records:
        headers = decode_headers(record.headers)
        sent = by_id[headers["event_id"]]
        assert headers["event_type"] == "TeacherNotificationRequestedV1"
        assert headers["correlation_id"] == sent.correlation_id
        decoded = EventEnvelope[TeacherNotificationRequestedV1].model_validate_json(record.value)
        assert decoded == sent
    assert await backlog_is_empty(outbox_engine)


async def test_two_relays_publish_each_row_exactly_once(
    outbox_engine: AsyncEngine, kafka_bootstrap: str, make_topic
) -> None:
    topic = await make_topic("outbox-two", partitions=3)
    total = 1200
    users = [random_id() for _ in range(12)]
    envelopes = [notification(users[n % 12], n) for n in range(total)]
    producers = [KafkaEventProducer(kafka_bootstrap, client_id=f"relay-{i}") for i in range(2)]
    config = RelayConfig(batch_size=50, poll_interval_seconds=0.05)
    relays = [OutboxRelay(outbox_engine, p, service_name="test", config=config) for p in producers]
    try:
        async with running_relay(relays[0]), running_relay(relays[1]):
            # Written in slices while both relays compete for the rows.
            for start in range(0, total, 100):
                await write_events(outbox_engine, topic, envelopes[start : start + 100])
            await wait_until(lambda: backlog_is_empty(outbox_engine), what="empty backlog")
    finally:
        for p in producers:
            await p.stop()

    records = await read_topic(kafka_bootstrap, topic, expected=total)
    counts = Counter(decode_headers(r.headers)["event_id"] for r in records)
    assert len(records) == total
    assert set(counts) == {str(env.event_id) for env in envelopes}
    assert max(counts.values()) == 1


async def test_notify_wakes_the_relay_before_its_poll_interval(
    outbox_engine: AsyncEngine, kafka_producer: KafkaEventProducer, make_topic, kafka_bootstrap: str
) -> None:
    topic = await make_topic("outbox-notify")
    # With a one-hour poll interval only LISTEN/NOTIFY can explain a prompt publish.
    relay = OutboxRelay(
        outbox_engine,
        kafka_producer,
        service_name="test",
        config=RelayConfig(poll_interval_seconds=3600),
    )
    async with running_relay(relay):
        await asyncio.sleep(0.5)  # let the relay finish its first (empty) pass and listen
        await write_events(outbox_engine, topic, [notification(random_id(), 1)])
        records = await read_topic(kafka_bootstrap, topic, expected=1, timeout_seconds=20)
    assert len(records) == 1


async def test_unpublishable_row_is_parked_and_does_not_block_the_rest(
    outbox_engine: AsyncEngine, kafka_bootstrap: str, make_topic
) -> None:
    topic = await make_topic("outbox-park")
    user = random_id()
    huge = notification(user, 0, message="x" * 20_000)  # larger than this producer allows
    normal = [notification(user, n) for n in range(1, 6)]
    await write_events(outbox_engine, topic, [huge, *normal])

    producer = KafkaEventProducer(kafka_bootstrap, client_id="relay-park", max_request_size=10_000)
    config = RelayConfig(max_attempts=3, backoff_initial_seconds=0.01, poll_interval_seconds=0.05)
    relay = OutboxRelay(outbox_engine, producer, service_name="test", config=config)
    try:
        async with running_relay(relay):
            records = await read_topic(kafka_bootstrap, topic, expected=5)

            async def huge_is_parked() -> bool:
                return (await read_outbox_stats(outbox_engine)).parked == 1

            await wait_until(huge_is_parked, what="the oversized row to be parked")
    finally:
        await producer.stop()

    assert sorted(decode_headers(r.headers)["event_id"] for r in records) == sorted(
        str(env.event_id) for env in normal
    )
    async with outbox_engine.connect() as conn:
        row = (
            await conn.execute(
                select(
                    event_outbox.c.attempts, event_outbox.c.last_error, event_outbox.c.parked_at
                ).where(event_outbox.c.event_id == huge.event_id)
            )
        ).one()
        pending = await conn.scalar(select(func.count()).select_from(event_outbox))
    assert row.attempts == 3
    assert "MessageSizeTooLarge" in row.last_error
    assert row.parked_at is not None
    assert pending == 1  # published rows are deleted; only the parked row is left
