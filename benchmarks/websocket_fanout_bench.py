"""WebSocket fan-out: commit-to-socket latency and notifications/s with 200 connected teachers.

Notifications take the real path: committed to an outbox (a throwaway schema), published by
an OutboxRelay to `huleedu.notification.teacher.requested.v1`, bridged by the running
gateway into Redis `ws:{user_id}`, and forwarded to each teacher's socket. Latency is from
the commit returning to the socket receiving (same host clock). Prints numbers only.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine

from bench_support import scratch_schema
from common_core.events import TeacherNotificationRequestedV1
from common_core.topics import topic_for
from huleedu_service_libs.config import InfraSettings
from huleedu_service_libs.db.migration_helpers import create_shared_tables
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_service_libs.outbox import OutboxRelay, RelayConfig
from huleedu_testing.gateway_client import GatewayClient, Notifications
from huleedu_testing.outbox_helpers import (
    NotificationEnvelope,
    notification,
    write_events,
)
from huleedu_testing.stats import percentile

TOPIC = topic_for(TeacherNotificationRequestedV1)


async def connect_teachers(
    http: aiohttp.ClientSession, count: int
) -> list[tuple[str, Notifications]]:
    """`count` teachers, each with one open, subscribed socket."""
    limit = asyncio.Semaphore(20)

    async def one() -> tuple[str, Notifications]:
        async with limit:
            teacher = GatewayClient(http)
            await teacher.login()
            return teacher.user_id, await teacher.open_socket()

    return list(await asyncio.gather(*(one() for _ in range(count))))


async def wait_delivered(
    sockets: dict[str, Notifications], sent: list[NotificationEnvelope]
) -> None:
    """Until every sent notification reached its teacher's socket (or 60 s pass)."""
    async with asyncio.timeout(60):
        pending = list(sent)
        while pending:
            # Polling: arrivals are spread over 200 sockets' readers, none of which can signal.
            pending = [
                e for e in pending if str(e.event_id) not in sockets[e.data.user_id].arrived_at
            ]
            await asyncio.sleep(0.01)


async def latency_round(
    engine: AsyncEngine, sockets: dict[str, Notifications], samples: int
) -> list[float]:
    """One notification per commit, spread over the teachers: ms from commit to socket."""
    users = list(sockets)
    committed: dict[str, float] = {}
    sent: list[NotificationEnvelope] = []
    for n in range(samples):
        envelope = notification(users[n % len(users)], n, "Uppsats klar")
        await write_events(engine, TOPIC, [envelope])
        committed[str(envelope.event_id)] = time.time()
        sent.append(envelope)
        await asyncio.sleep(0.01)
    await wait_delivered(sockets, sent)
    return [
        (sockets[e.data.user_id].arrived_at[str(e.event_id)] - committed[str(e.event_id)]) * 1000
        for e in sent
    ]


async def throughput_round(
    engine: AsyncEngine, sockets: dict[str, Notifications], per_teacher: int
) -> tuple[int, float]:
    """Every teacher gets `per_teacher` notifications, committed 200 per transaction."""
    users = list(sockets)
    sent = [notification(u, n) for n in range(per_teacher) for u in users]
    start = time.time()
    for first in range(0, len(sent), 200):
        await write_events(engine, TOPIC, sent[first : first + 200])
    await wait_delivered(sockets, sent)
    last = max(sockets[e.data.user_id].arrived_at[str(e.event_id)] for e in sent)
    return len(sent), len(sent) / (last - start)


async def main(teachers: int, samples: int, per_teacher: int) -> None:
    """The measurements on an outbox in a throwaway schema of the library test database."""
    infra = InfraSettings()
    async with scratch_schema(infra, "bench_ws") as scratch:
        await measure(infra, scratch.engine, teachers, samples, per_teacher)


async def measure(
    infra: InfraSettings, engine: AsyncEngine, teachers: int, samples: int, per_teacher: int
) -> None:
    """Connect the teachers, run the relay, measure latency then throughput, print them."""
    producer = KafkaEventProducer(infra.kafka_bootstrap_servers, client_id="bench-ws")
    relay = OutboxRelay(engine, producer, service_name="bench", config=RelayConfig())
    # Each open socket holds a connection: no pool limit (aiohttp's default is 100).
    http = aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=60), connector=aiohttp.TCPConnector(limit=0)
    )
    relay_task: asyncio.Task[None] | None = None
    connected: list[tuple[str, Notifications]] = []
    try:
        async with engine.begin() as conn:
            await create_shared_tables(conn)
        connected = await connect_teachers(http, teachers)
        sockets = dict(connected)
        relay_task = asyncio.create_task(relay.run())
        await latency_round(engine, sockets, 20)  # warm-up: consumer assignment, JIT caches
        latencies = await latency_round(engine, sockets, samples)
        count, rate = await throughput_round(engine, sockets, per_teacher)
        duplicates = sum(len(s.received) - len(s.arrived_at) for s in sockets.values())
    finally:
        relay.request_stop()
        if relay_task is not None:
            await relay_task
        await producer.stop()
        for _, socket in connected:
            await socket.close()
        await http.close()
    print(f"websocket fan-out: {teachers} connected teachers, one socket each")
    print(
        f"  commit -> socket latency ({samples} notifications, ~100/s): "
        f"p50 {statistics.median(latencies):.1f} ms, p95 {percentile(latencies, 95):.1f} ms, "
        f"p99 {percentile(latencies, 99):.1f} ms   (target p95 < 100 ms)"
    )
    print(f"  throughput: {count} notifications delivered at {rate:,.0f}/s (commit -> last socket)")
    print(f"  duplicates delivered: {duplicates}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ws-teachers", type=int, default=200)
    parser.add_argument("--ws-samples", type=int, default=300)
    parser.add_argument("--ws-per-teacher", type=int, default=10)
    args, _ = parser.parse_known_args()
    asyncio.run(main(args.ws_teachers, args.ws_samples, args.ws_per_teacher))
