"""Inbox: a redelivered event changes nothing, through the real consumer runner and Kafka."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import Column, Integer, MetaData, String, Table, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.envelope import EventEnvelope
from common_core.events import EssayContentProvisionedV1
from huleedu_service_libs.db.engine import make_session_factory
from huleedu_service_libs.db.migration_helpers import create_shared_tables
from huleedu_service_libs.inbox import InboxReader, claim_event
from huleedu_service_libs.kafka import EventDispatcher, KafkaConsumerRunner, KafkaEventProducer
from huleedu_testing import random_id, random_name
from huleedu_testing.kafka_helpers import running_consumer, wait_until

pytestmark = pytest.mark.integration

metadata = MetaData()
batch_counts = Table(
    "batch_file_counts",
    metadata,
    Column("batch_id", String, primary_key=True),
    Column("files", Integer, nullable=False),
)


def provisioned(batch_id: str) -> EventEnvelope[EssayContentProvisionedV1]:
    data = EssayContentProvisionedV1(
        batch_id=batch_id,
        file_upload_id=random_id(),
        original_file_name="uppsats_åsa.docx",
        raw_storage_id=random_id(),
        text_storage_id=random_id(),
        content_sha256="ab" * 32,
        file_size_bytes=2048,
        char_count=1800,
        word_count=320,
    )
    return EventEnvelope.wrap(data, source_service="file_service", correlation_id=random_id())


@pytest.fixture
async def engine(pg_engine: AsyncEngine) -> AsyncEngine:
    async with pg_engine.begin() as conn:
        await create_shared_tables(conn)
        await conn.run_sync(metadata.create_all)
    return pg_engine


def counting_handler(engine: AsyncEngine, consumer: str):  # type: ignore[no-untyped-def]
    """A handler whose effect (a counter) commits with the inbox row."""
    sessions = make_session_factory(engine)

    async def handle(envelope: EventEnvelope[EssayContentProvisionedV1]) -> None:
        async with sessions() as session, session.begin():
            if not await claim_event(
                session,
                consumer=consumer,
                event_id=envelope.event_id,
                event_type=envelope.event_type,
            ):
                return
            await session.execute(
                update(batch_counts)
                .where(batch_counts.c.batch_id == envelope.data.batch_id)
                .values(files=batch_counts.c.files + 1)
            )

    return handle


async def files_for(engine: AsyncEngine, batch_id: str) -> int:
    async with engine.connect() as conn:
        return int(
            await conn.scalar(
                select(batch_counts.c.files).where(batch_counts.c.batch_id == batch_id)
            )
        )


async def _seed(engine: AsyncEngine, batch_id: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(batch_counts.insert().values(batch_id=batch_id, files=0))


async def test_concurrent_redeliveries_apply_once(engine: AsyncEngine) -> None:
    batch_id = random_id()
    await _seed(engine, batch_id)
    envelope = provisioned(batch_id)
    handle = counting_handler(engine, "els")
    await asyncio.gather(*(handle(envelope) for _ in range(5)))
    assert await files_for(engine, batch_id) == 1


async def test_same_event_for_another_consumer_is_not_a_duplicate(engine: AsyncEngine) -> None:
    batch_id = random_id()
    await _seed(engine, batch_id)
    envelope = provisioned(batch_id)
    await counting_handler(engine, "els")(envelope)
    await counting_handler(engine, "ras")(envelope)
    assert await files_for(engine, batch_id) == 2


async def test_inbox_reader_sees_a_claim_once_it_committed(engine: AsyncEngine) -> None:
    envelope = provisioned(random_id())
    reader = InboxReader(engine)
    sessions = make_session_factory(engine)

    async def handled(consumer: str = "els") -> bool:
        return await reader.handled(consumer=consumer, event_id=envelope.event_id)

    assert not await handled()
    async with sessions() as session, session.begin():
        assert await claim_event(session, consumer="els", event_id=envelope.event_id)
        assert not await handled()  # not committed yet: the claim still decides
    assert await handled()
    assert not await handled("ras")  # another consumer's inbox


async def test_redelivered_kafka_message_is_a_noop(
    engine: AsyncEngine, make_topic, kafka_bootstrap: str, kafka_producer: KafkaEventProducer
) -> None:
    topic = await make_topic("inbox")
    batch_id = random_id()
    await _seed(engine, batch_id)
    first, second = provisioned(batch_id), provisioned(batch_id)
    dispatcher = EventDispatcher()
    dispatcher.register(EssayContentProvisionedV1, counting_handler(engine, "els"))
    group = random_name("inbox-group")
    runner = KafkaConsumerRunner(
        bootstrap_servers=kafka_bootstrap,
        group_id=group,
        topics=[topic],
        handler=dispatcher.handle,
        dlq_producer=kafka_producer,
        service="inbox_test",
    )
    async with running_consumer(runner):
        # The same envelope three times (a producer retry, a relay re-publish, a DLQ replay).
        for envelope in (first, first, second, first):
            await kafka_producer.publish(envelope, key=batch_id, topic=topic)

        async def both_counted() -> bool:
            return await files_for(engine, batch_id) >= 2

        await wait_until(both_counted, what="both distinct events to be applied")
        await asyncio.sleep(1.0)  # give any duplicate the chance to (wrongly) apply
    assert await files_for(engine, batch_id) == 2

    def outcome(name: str) -> float | None:
        labels = {"service": "inbox_test", "group": group, "topic": topic, "outcome": name}
        return REGISTRY.get_sample_value("huleedu_kafka_messages_total", labels)

    # The inbox told the runner which deliveries were redeliveries.
    assert (outcome("handled"), outcome("duplicate")) == (2, 2)
