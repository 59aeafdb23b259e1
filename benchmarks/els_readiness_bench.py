"""ELS's slots consumer over real Kafka: upload end to batch ready, with and without runs.

Creates a private topic (`--partitions`, 3), registers `--batches` (100) batches of
`--essays` (25) slots through it, then publishes every batch's provisioned events at once (as
100 teachers uploading together) and measures, per batch, the time from its last publish ack
to `ready_at`: one event per transaction, then a batch's events as runs (`run_many`). The
same consumer kernel, dispatcher and steps as the worker, on a throwaway schema; no other
service involved. Run with `make bench` (infrastructure must be up). Prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from datetime import timedelta
from pathlib import Path

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from els_bench_events import registration, upload_events
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench_support import scratch_schema
from common_core.events import BatchEssaysRegisteredV1, EssayContentProvisionedV1
from essay_lifecycle_service.di import make_uow_factory
from essay_lifecycle_service.domain.events import EventFactory
from essay_lifecycle_service.domain.ports import UnitOfWork
from essay_lifecycle_service.domain.slots import SlotAssignment
from huleedu_service_libs.config import InfraSettings
from huleedu_service_libs.consumer import StepRunner
from huleedu_service_libs.db import make_session_factory
from huleedu_service_libs.kafka import EventDispatcher, KafkaConsumerRunner, KafkaEventProducer
from huleedu_service_libs.kafka.headers import envelope_headers
from huleedu_testing import random_id
from huleedu_testing.stats import percentile

SERVICE_DIR = Path(__file__).resolve().parents[1] / "services" / "essay_lifecycle_service"


def slots_consumer(
    engine: AsyncEngine, producer: KafkaEventProducer, topic: str, runs: bool
) -> KafkaConsumerRunner:
    """The worker's slots consumer on `topic` (runs of provisioned events, or not)."""
    handling: StepRunner[UnitOfWork, EventFactory] = StepRunner(
        make_uow_factory(make_session_factory(engine)),
        consumer="essay_lifecycle_service",
        source_service="essay_lifecycle_service",
        events=EventFactory,
    )
    slots = SlotAssignment(timedelta(minutes=15))
    dispatcher = EventDispatcher()
    dispatcher.register(BatchEssaysRegisteredV1, handling.handler(slots.register))
    many = handling.many_handler(slots.provision_many) if runs else None
    dispatcher.register(EssayContentProvisionedV1, handling.handler(slots.provision), many=many)
    return KafkaConsumerRunner(
        bootstrap_servers=InfraSettings().kafka_bootstrap_servers,
        group_id=random_id(),
        topics=[topic],
        handler=dispatcher.handle,
        dlq_producer=producer,
        max_poll_records=500,
        service="els_readiness_bench",
        runs=dispatcher if runs else None,
    )


async def upload(producer: KafkaEventProducer, topic: str, batch_id: str, essays: int) -> float:
    """Publish one upload's provisioned events; the time its last ack came back."""
    acks = []
    for envelope in upload_events(batch_id, essays):
        value = envelope.model_dump_json().encode()
        headers = envelope_headers(envelope)
        acks.append(await producer.enqueue(topic, value=value, key=batch_id, headers=headers))
    await asyncio.gather(*acks)
    return time.time()


async def register(
    producer: KafkaEventProducer, topic: str, batches: int, essays: int
) -> list[str]:
    """Publish the registrations (same key, so before their batch's content)."""
    ids = []
    for _ in range(batches):
        batch_id = random_id()
        await producer.publish(registration(batch_id, essays), key=batch_id, topic=topic)
        ids.append(batch_id)
    return ids


async def ready_times(engine: AsyncEngine, expected: int, give_up_after: float) -> dict[str, float]:
    """Each batch's ready_at (epoch seconds), once all are ready or the timeout passes."""
    deadline = time.monotonic() + give_up_after
    query = text("SELECT batch_id, extract(epoch FROM ready_at) AS at FROM batches")
    while True:
        async with engine.connect() as conn:
            found = {r.batch_id: float(r.at) for r in await conn.execute(query) if r.at}
        if len(found) >= expected or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.2)


async def measure(args: argparse.Namespace, producer: KafkaEventProducer, runs: bool) -> None:
    """One mode: a fresh topic, schema and consumer group."""
    topic = f"bench.els.readiness.{random_id()[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=InfraSettings().kafka_bootstrap_servers)
    await admin.start()
    await admin.create_topics([NewTopic(topic, args.partitions, 1)])
    try:
        async with scratch_schema(InfraSettings(), "els_ready_bench", SERVICE_DIR) as schema:
            consumer = slots_consumer(schema.engine, producer, topic, runs)
            await consumer.start()
            task = asyncio.create_task(consumer.run())
            batch_ids = await register(producer, topic, args.batches, args.essays)
            await asyncio.sleep(3)  # registrations first, as in the flow
            started = time.time()
            ends = await asyncio.gather(
                *(upload(producer, topic, b, args.essays) for b in batch_ids)
            )
            ready = await ready_times(schema.engine, args.batches, give_up_after=300)
            consumer.request_stop()
            await task
            await consumer.stop()
    finally:
        await admin.delete_topics([topic])
        await admin.close()
    waits = sorted(ready[b] - end for b, end in zip(batch_ids, ends, strict=True) if b in ready)
    print(
        f"{'runs' if runs else 'one-by-one':>10} partitions={args.partitions} "
        f"ready {len(ready)}/{args.batches}, all after {max(ready.values()) - started:5.1f} s; "
        f"upload end -> ready p50 {percentile(waits, 50):5.2f} s "
        f"p95 {percentile(waits, 95):5.2f} s"
    )


async def main() -> None:
    """One by one, then runs."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=100)
    parser.add_argument("--essays", type=int, default=25)
    parser.add_argument("--partitions", type=int, default=3)
    args, _ = parser.parse_known_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    producer = KafkaEventProducer(
        InfraSettings().kafka_bootstrap_servers, client_id="els-readiness-bench"
    )
    await producer.start()
    try:
        for runs in (False, True):
            await measure(args, producer, runs)
    finally:
        await producer.stop()


if __name__ == "__main__":
    asyncio.run(main())
