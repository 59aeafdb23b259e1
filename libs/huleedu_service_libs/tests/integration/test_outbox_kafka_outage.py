"""Kafka stopped while rows are written, then started: all published, none twice, none lost."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

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
from huleedu_testing.private_kafka import PrivateKafka

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def private_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateKafka]:
    broker = PrivateKafka(tmp_path_factory.mktemp("private-kafka"))
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


async def test_rows_written_during_an_outage_are_published_once(
    pg_engine: AsyncEngine, private_kafka: PrivateKafka
) -> None:
    async with pg_engine.begin() as conn:
        await create_shared_tables(conn)
    topic = f"huleedu.test.outage-{random_id()[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=private_kafka.bootstrap_servers)
    await admin.start()
    await admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
    await admin.close()

    user = random_id()
    before = [notification(user, n) for n in range(20)]
    during = [notification(user, n) for n in range(20, 220)]
    producer = KafkaEventProducer(
        private_kafka.bootstrap_servers, client_id="outage-relay", request_timeout_ms=3000
    )
    relay = OutboxRelay(
        pg_engine,
        producer,
        service_name="outage-test",
        config=RelayConfig(batch_size=100, poll_interval_seconds=0.2),
    )
    try:
        async with running_relay(relay, stop_timeout_seconds=60):
            await write_events(pg_engine, topic, before)
            await wait_until(lambda: backlog_is_empty(pg_engine), what="rows before the outage")

            await asyncio.to_thread(private_kafka.stop)
            for start in range(0, len(during), 50):  # several commits while the broker is down
                await write_events(pg_engine, topic, during[start : start + 50])
            await asyncio.sleep(4)  # the relay tries, times out and waits; rows must stay pending
            assert (await read_outbox_stats(pg_engine)).pending == len(during)
            async with pg_engine.connect() as conn:
                charged = await conn.scalar(select(func.max(event_outbox.c.attempts)))
            assert charged == 0, "a broker outage must not use up rows' attempts"

            await asyncio.to_thread(private_kafka.start)
            await wait_until(
                lambda: backlog_is_empty(pg_engine),
                timeout_seconds=90,
                what="backlog after restart",
            )
    finally:
        await producer.stop()

    everything = before + during
    records = await read_topic(private_kafka.bootstrap_servers, topic, expected=len(everything))
    counts = Counter(decode_headers(r.headers)["event_id"] for r in records)
    assert set(counts) == {str(env.event_id) for env in everything}, "an event was lost"
    assert max(counts.values()) == 1, "an event was published twice"
    async with pg_engine.connect() as conn:
        left = await conn.scalar(select(func.count()).select_from(event_outbox))
    assert left == 0, "published rows are deleted and nothing was parked"
