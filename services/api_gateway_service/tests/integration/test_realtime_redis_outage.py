"""Redis outages under a stream of notifications: every socket ends with every one, once.

Both tests run on a private redis-server (the `private_redis` fixture), never the shared one.
"""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from aiokafka.admin import AIOKafkaAdminClient

from common_core.enums import NotificationCategory
from common_core.envelope import EventEnvelope
from common_core.events.notification import TeacherNotificationRequestedV1
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_service_libs.realtime import NotificationLog
from huleedu_testing.gateway.realtime_fixtures import (
    Recorder,
    ServedGateway,
    connect_ready,
    notification_topic,
    serve_gateway,
)
from huleedu_testing.kafka_helpers import wait_until
from huleedu_testing.private_redis import PrivateRedis
from huleedu_testing.random_refs import random_id, random_name

QUIET_HEARTBEAT = {"ws_heartbeat_interval_seconds": 300.0}
SETTLE_SECONDS = 1.5
REDIS_TIMEOUTS = {"socket_connect_timeout": 2.0, "socket_timeout": 5.0}


@pytest.fixture
async def admin(private_redis: PrivateRedis) -> AsyncIterator[aioredis.Redis]:
    """A client of the private Redis that the gateway under test does not share."""
    client = aioredis.Redis.from_url(private_redis.url, **REDIS_TIMEOUTS)
    yield client
    await client.aclose()


async def open_sockets(
    gateway: ServedGateway, teachers: dict[str, int]
) -> dict[str, list[Recorder]]:
    """`count` ready sockets per teacher, each recorded in the background."""
    return {
        teacher: [Recorder(await connect_ready(gateway, teacher)).start() for _ in range(count)]
        for teacher, count in teachers.items()
    }


async def assert_each_socket_got_each_once(
    sockets: dict[str, list[Recorder]], sent: dict[str, list[str]]
) -> None:
    for teacher, recorders in sockets.items():
        for recorder in recorders:
            await recorder.wait_for_events(set(sent[teacher]))
    await asyncio.sleep(SETTLE_SECONDS)  # anything sent twice would arrive by now
    for teacher, recorders in sockets.items():
        for recorder in recorders:
            assert recorder.event_ids() == sent[teacher]


def envelope(user_id: str, n: int) -> EventEnvelope[TeacherNotificationRequestedV1]:
    return EventEnvelope.wrap(
        TeacherNotificationRequestedV1(
            user_id=user_id,
            notification_type="essay_results_available",
            category=NotificationCategory.BATCH_PROGRESS,
            message=f"essay {n}",
            payload={"processed_count": n},
        ),
        source_service="test",
        correlation_id=random_id(),
    )


async def test_what_another_gateway_bridged_while_this_one_was_away_is_replayed(
    kafka_admin: AIOKafkaAdminClient, private_redis: PrivateRedis, admin: aioredis.Redis
) -> None:
    # The gateway under test connects as its own Redis user, so the test can shut it out of
    # Redis while the bridge (another gateway's, here the log itself) keeps publishing.
    user, password = random_name("gateway"), secrets.token_hex(16)
    await admin.acl_setuser(
        user,
        enabled=True,
        passwords=[f"+{password}"],
        keys=["*"],
        channels=["*"],
        commands=["+@all"],
    )
    url = f"redis://{user}:{password}@127.0.0.1:{private_redis.port}/0"
    gateway_redis = aioredis.Redis.from_url(url, **REDIS_TIMEOUTS)
    bridge = NotificationLog(admin, max_entries=500, ttl_seconds=600)
    alice, bob = random_id(), random_id()
    sent: dict[str, list[str]] = {alice: [], bob: []}

    async def publish(rounds: int) -> list[int]:
        receivers = []
        for n in range(rounds):
            teacher = (alice, bob)[n % 2]
            event_id = str(uuid.uuid4())
            message = {"type": "notification", "event_id": event_id, "message": f"m{n}"}
            receivers.append(
                (await bridge.append_and_publish(teacher, event_id, message)).receivers
            )
            sent[teacher].append(event_id)
        return receivers

    try:
        async with (
            notification_topic(kafka_admin) as topic,
            serve_gateway(gateway_redis, topic, **QUIET_HEARTBEAT) as gateway,
        ):
            sockets = await open_sockets(gateway, {alice: 2, bob: 1})
            assert await publish(4) == [1, 1, 1, 1]

            await admin.acl_setuser(user, enabled=False)
            await admin.client_kill_filter(user=user)

            async def away() -> bool:
                return not gateway.realtime.subscriber.connected

            await wait_until(away, timeout_seconds=10, what="the gateway to lose Redis")
            assert await publish(11) == [0] * 11  # published to no one: the defect's setting
            await admin.acl_setuser(user, enabled=True)
            await publish(4)

            await assert_each_socket_got_each_once(sockets, sent)
            for recorder in [r for rs in sockets.values() for r in rs]:
                assert "gap" not in recorder.kinds()  # Redis kept the log: nothing was lost
                assert recorder.kinds().count("ready") == 1  # once more, after the reconnect
                await recorder.close()
    finally:
        await gateway_redis.aclose()
        await admin.acl_deluser(user)


async def test_a_redis_restart_during_a_stream_loses_nothing_for_any_socket(
    kafka_admin: AIOKafkaAdminClient,
    kafka_producer: KafkaEventProducer,
    private_redis: PrivateRedis,
) -> None:
    gateway_redis = aioredis.Redis.from_url(private_redis.url, **REDIS_TIMEOUTS)
    alice, bob = random_id(), random_id()
    sent: dict[str, list[str]] = {alice: [], bob: []}

    async def stream(first: int, count: int, topic: str) -> None:
        for n in range(first, first + count):
            teacher = (alice, bob)[n % 2]
            note = envelope(teacher, n)
            await kafka_producer.publish(note, key=teacher, topic=topic)
            sent[teacher].append(str(note.event_id))
            await asyncio.sleep(0.02)

    try:
        async with (
            notification_topic(kafka_admin) as topic,
            serve_gateway(gateway_redis, topic, **QUIET_HEARTBEAT) as gateway,
        ):
            sockets = await open_sockets(gateway, {alice: 2, bob: 1})
            await stream(0, 6, topic)
            for teacher, recorders in sockets.items():
                for recorder in recorders:
                    await recorder.wait_for_events(set(sent[teacher]))

            await asyncio.to_thread(private_redis.stop)
            await stream(6, 10, topic)  # the bridge retries these until Redis is back
            await asyncio.sleep(1.0)  # a real outage, long enough for reconnects to back off
            await asyncio.to_thread(private_redis.start)
            await stream(16, 6, topic)

            await assert_each_socket_got_each_once(sockets, sent)
            for recorder in [r for rs in sockets.values() for r in rs]:
                # The restarted Redis has an empty log: the gateway cannot prove that nothing
                # older was lost, so each socket is told to refresh, and gets the rest anyway.
                assert "gap" in recorder.kinds()
                await recorder.close()
    finally:
        await gateway_redis.aclose()
