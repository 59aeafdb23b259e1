"""Outbox relay throughput next to a raw aiokafka producer, and commit-to-consumer latency.

Run with `make bench` (infrastructure must be up; the script creates its own topics and a
throwaway schema). Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from sqlalchemy.ext.asyncio import AsyncEngine

from bench_support import scratch_schema
from huleedu_service_libs.config import InfraSettings
from huleedu_service_libs.db.migration_helpers import create_shared_tables
from huleedu_service_libs.kafka.headers import encode_headers, envelope_headers
from huleedu_service_libs.kafka.producer import KafkaEventProducer
from huleedu_service_libs.outbox import OutboxRelay, RelayConfig, read_outbox_stats
from huleedu_testing import random_id, random_suffix
from huleedu_testing.outbox_helpers import notification, write_events
from huleedu_testing.stats import percentile


async def create_topics(bootstrap: str, *names: str) -> None:
    """Three-partition topics, like the platform's own."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(n, num_partitions=3, replication_factor=1) for n in names])
    await admin.close()


async def raw_producer_rate(bootstrap: str, topic: str, count: int) -> float:
    """Messages/s of a bare idempotent acks=all producer sending the same envelopes."""
    envelopes = [notification(random_id(), n) for n in range(count)]
    payloads = [
        (e.model_dump_json().encode(), e.data.user_id.encode(), encode_headers(envelope_headers(e)))
        for e in envelopes
    ]
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5
    )
    await producer.start()
    start = time.perf_counter()
    futures = [await producer.send(topic, value=v, key=k, headers=h) for v, k, h in payloads]
    await asyncio.gather(*futures)
    elapsed = time.perf_counter() - start
    await producer.stop()
    return count / elapsed


async def relay_rate(engine: AsyncEngine, bootstrap: str, topic: str, count: int) -> float:
    """Rows/s from committed outbox rows to broker acks, with one relay."""
    user = random_id()
    envelopes = [notification(user, n) for n in range(count)]
    for first in range(0, count, 1000):
        await write_events(engine, topic, envelopes[first : first + 1000])
    producer = KafkaEventProducer(bootstrap, client_id="bench-relay")
    await producer.start()
    relay = OutboxRelay(engine, producer, service_name="bench", config=RelayConfig())
    start = time.perf_counter()
    published = 0
    while published < count:
        published += await relay.drain()
    elapsed = time.perf_counter() - start
    await producer.stop()
    assert (await read_outbox_stats(engine)).pending == 0
    return count / elapsed


async def commit_to_consumer_latency(
    engine: AsyncEngine, bootstrap: str, topic: str, samples: int
) -> list[float]:
    """Milliseconds from an outbox commit to a consumer receiving it, relay woken by NOTIFY."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="latest")
    await consumer.start()
    await consumer.seek_to_end()
    producer = KafkaEventProducer(bootstrap, client_id="bench-latency")
    relay = OutboxRelay(
        engine, producer, service_name="bench", config=RelayConfig(poll_interval_seconds=5)
    )
    relay_task = asyncio.create_task(relay.run())
    await asyncio.sleep(1.0)
    latencies: list[float] = []
    try:
        for n in range(samples):
            envelope = notification(random_id(), n)
            await write_events(engine, topic, [envelope])
            committed = time.perf_counter()
            wanted = str(envelope.event_id).encode()
            while True:
                record = await consumer.getone()
                if dict(record.headers).get("event_id") == wanted:
                    break
            latencies.append((time.perf_counter() - committed) * 1000)
            await asyncio.sleep(0.02)
    finally:
        relay.request_stop()
        await relay_task
        await producer.stop()
        await consumer.stop()
    return latencies


async def main(count: int, samples: int, rounds: int) -> None:
    """Run the three measurements in one process and print them with the ratio."""
    infra = InfraSettings()
    bootstrap = infra.kafka_bootstrap_servers
    suffix = random_suffix()
    raw_topic, relay_topic, lat_topic = (
        f"huleedu.bench.{name}-{suffix}" for name in ("raw", "relay", "lat")
    )
    await create_topics(bootstrap, raw_topic, relay_topic, lat_topic)
    async with scratch_schema(infra, "bench") as scratch:
        engine = scratch.engine
        async with engine.begin() as conn:
            await create_shared_tables(conn)
        # Warm the broker's JVM first, then interleave rounds so neither side gets the warm slot.
        await raw_producer_rate(bootstrap, raw_topic, count // 4)
        raws: list[float] = []
        relays: list[float] = []
        for _ in range(rounds):
            raws.append(await raw_producer_rate(bootstrap, raw_topic, count))
            relays.append(await relay_rate(engine, bootstrap, relay_topic, count))
        raw, relay = statistics.median(raws), statistics.median(relays)
        latencies = await commit_to_consumer_latency(engine, bootstrap, lat_topic, samples)
    size = len(notification("u", 1).model_dump_json())
    print(f"outbox relay benchmark ({count} events of ~{size} B, median of {rounds} rounds)")
    print(f"  raw aiokafka producer : {raw:10.0f} msg/s")
    print(f"  outbox relay          : {relay:10.0f} rows/s (committed row -> broker ack)")
    print(f"  ratio relay/raw       : {relay / raw:10.2f}   (target >= 0.50)")
    print(
        f"  commit->consumer      : p50 {statistics.median(latencies):.1f} ms, "
        f"p95 {percentile(latencies, 95):.1f} ms over {samples} events   (target p95 < 50 ms)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--latency-samples", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.events, args.latency_samples, args.rounds))
