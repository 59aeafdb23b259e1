"""Realtime end to end in one process: Kafka -> bridge -> Redis -> hub -> real WebSockets."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
import redis.asyncio as aioredis
from aiokafka.admin import AIOKafkaAdminClient

from api_gateway_service.realtime.tickets import ticket_key
from common_core.enums import NotificationCategory
from common_core.envelope import EventEnvelope
from common_core.events.notification import TeacherNotificationRequestedV1
from huleedu_service_libs.config import InfraSettings
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_service_libs.realtime import LOG_START
from huleedu_testing.gateway.realtime_fixtures import (
    ServedGateway,
    close_code,
    connect_ready,
    frames_within,
    notification_topic,
    open_ws,
    receive_json,
    serve_gateway,
)
from huleedu_testing.kafka_helpers import wait_until
from huleedu_testing.random_refs import random_id, random_name

# Long enough that no server ping interferes with the exactly-once checks below.
QUIET_HEARTBEAT = {"ws_heartbeat_interval_seconds": 300.0, "ws_auth_timeout_seconds": 1.0}
SETTLE_SECONDS = 1.5


@pytest.fixture(scope="module")
async def gateway_redis() -> AsyncIterator[aioredis.Redis]:
    """A client named per module, so a test can find (and kill) the hub's connection."""
    client = aioredis.Redis.from_url(
        InfraSettings().redis_url, client_name=random_name("gw-realtime-test")
    )
    yield client
    await client.aclose()


@pytest.fixture(scope="module")
async def gateway(
    kafka_admin: AIOKafkaAdminClient, gateway_redis: aioredis.Redis
) -> AsyncIterator[ServedGateway]:
    """One served gateway (and notification topic) for the module."""
    async with (
        notification_topic(kafka_admin) as topic,
        serve_gateway(gateway_redis, topic, **QUIET_HEARTBEAT) as served,
    ):
        yield served


def notification(user_id: str) -> EventEnvelope[TeacherNotificationRequestedV1]:
    return EventEnvelope.wrap(
        TeacherNotificationRequestedV1(
            user_id=user_id,
            notification_type="batch_processing_started",
            category=NotificationCategory.BATCH_PROGRESS,
            batch_id=random_id(),
            message="Spellcheck started för 3 uppsatser",
            payload={"essays": 3},
        ),
        source_service="test",
        correlation_id=random_id(),
    )


class TestNotificationDelivery:
    async def test_both_sockets_of_a_teacher_get_it_once_and_another_teacher_nothing(
        self, gateway: ServedGateway, kafka_producer: KafkaEventProducer
    ) -> None:
        teacher, other = random_id(), random_id()
        first, second = await connect_ready(gateway, teacher), await connect_ready(gateway, teacher)
        bystander = await connect_ready(gateway, other)
        envelope = notification(teacher)

        await kafka_producer.publish(envelope, key=teacher, topic=gateway.topic)

        for ws in (first, second):
            message = await receive_json(ws)
            logged = await gateway.realtime.log.read_after(teacher, LOG_START)
            assert message.pop("stream_id") == logged.tail  # its position in the teacher's log
            assert message == {
                "type": "notification",
                "event_id": str(envelope.event_id),
                "notification_type": "batch_processing_started",
                "category": "batch_progress",
                "priority": "standard",
                "batch_id": envelope.data.batch_id,
                "class_id": None,
                "message": "Spellcheck started för 3 uppsatser",
                "payload": {"essays": 3},
                # No params: the catalogue cannot render it, so the producer's text stands.
                "params": {},
                "action_required": False,
                "timestamp": envelope.event_timestamp.isoformat(),
                "correlation_id": envelope.correlation_id,
            }
            assert await frames_within(ws, SETTLE_SECONDS) == []
        assert await frames_within(bystander, 0.2) == []
        for ws in (first, second, bystander):
            await ws.close()

    async def test_a_redelivered_event_id_is_not_delivered_twice(
        self, gateway: ServedGateway, kafka_producer: KafkaEventProducer
    ) -> None:
        teacher = random_id()
        ws = await connect_ready(gateway, teacher)
        repeated, fresh = notification(teacher), notification(teacher)

        for envelope in (repeated, repeated, fresh):
            await kafka_producer.publish(envelope, key=teacher, topic=gateway.topic)

        received = [(await receive_json(ws))["event_id"] for _ in range(2)]
        received += [f["event_id"] for f in await frames_within(ws, SETTLE_SECONDS)]
        assert received == [str(repeated.event_id), str(fresh.event_id)]
        await ws.close()

    async def test_three_sockets_share_one_redis_subscription(
        self, gateway: ServedGateway, redis_client: aioredis.Redis
    ) -> None:
        teacher = random_id()
        channel = f"ws:{teacher}"
        sockets = [await connect_ready(gateway, teacher) for _ in range(3)]

        assert dict(await redis_client.pubsub_numsub(channel)) == {channel.encode(): 1}

        for ws in sockets:
            await ws.close()

        async def unsubscribed() -> bool:
            return dict(await redis_client.pubsub_numsub(channel)) == {channel.encode(): 0}

        await wait_until(unsubscribed, timeout_seconds=10, what="the last socket to unsubscribe")

    async def test_after_the_pubsub_connection_is_killed_sockets_get_ready_and_messages_again(
        self, gateway: ServedGateway, gateway_redis: aioredis.Redis, redis_client: aioredis.Redis
    ) -> None:
        teacher = random_id()
        ws = await connect_ready(gateway, teacher)
        name = (await gateway_redis.client_getname()) or ""
        subscribers = [
            c for c in await redis_client.client_list() if c["name"] == name and "P" in c["flags"]
        ]
        assert len(subscribers) == 1  # one pub/sub connection for the whole process

        await redis_client.client_kill_filter(_id=subscribers[0]["id"])

        assert await receive_json(ws) == {"type": "ready", "user_id": teacher}
        await redis_client.publish(f"ws:{teacher}", json.dumps({"type": "x", "event_id": "e"}))
        assert (await receive_json(ws))["event_id"] == "e"
        await ws.close()


class TestAuthentication:
    async def test_a_ticket_is_single_use(self, gateway: ServedGateway) -> None:
        teacher = random_id()
        body = await gateway.ticket(teacher)
        assert body["expires_in"] == 30

        ws = await open_ws(f"{gateway.ws_url}?ticket={body['ticket']}")
        assert await receive_json(ws) == {"type": "ready", "user_id": teacher}
        reused = await open_ws(f"{gateway.ws_url}?ticket={body['ticket']}")

        assert await close_code(reused) == 1008
        await ws.close()

    async def test_an_expired_or_unknown_ticket_is_refused(
        self, gateway: ServedGateway, redis_client: aioredis.Redis
    ) -> None:
        ticket = (await gateway.ticket(random_id()))["ticket"]
        assert 0 < await redis_client.ttl(ticket_key(ticket)) <= 30
        await redis_client.pexpire(ticket_key(ticket), 20)

        async def expired() -> bool:
            return not await redis_client.exists(ticket_key(ticket))

        await wait_until(expired, timeout_seconds=5, what="the ticket to expire")

        assert await close_code(await open_ws(f"{gateway.ws_url}?ticket={ticket}")) == 1008
        assert await close_code(await open_ws(f"{gateway.ws_url}?ticket=made-up")) == 1008

    async def test_tickets_need_a_bearer_token(self, gateway: ServedGateway) -> None:
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"{gateway.base_url}/v1/ws-tickets") as response,
        ):
            assert response.status == 401
            assert (await response.json())["error"]["code"] == "UNAUTHORIZED"

    async def test_first_message_token_auth(self, gateway: ServedGateway) -> None:
        teacher = random_id()
        ws = await open_ws(gateway.ws_url)

        await ws.send(json.dumps({"type": "auth", "token": gateway.token(teacher)}))

        assert await receive_json(ws) == {"type": "ready", "user_id": teacher}
        await ws.close()

    @pytest.mark.parametrize(
        "first_message",
        [json.dumps({"type": "auth", "token": "not-a-jwt"}), json.dumps({"type": "ping"})],
    )
    async def test_a_bad_token_or_other_first_message_is_refused(
        self, gateway: ServedGateway, first_message: str
    ) -> None:
        ws = await open_ws(gateway.ws_url)
        await ws.send(first_message)

        assert await close_code(ws) == 1008

    async def test_no_auth_message_in_time_is_refused(self, gateway: ServedGateway) -> None:
        assert await close_code(await open_ws(gateway.ws_url)) == 1008

    async def test_the_sixth_socket_of_a_teacher_is_refused(self, gateway: ServedGateway) -> None:
        teacher = random_id()
        sockets = [await connect_ready(gateway, teacher) for _ in range(5)]

        ticket = (await gateway.ticket(teacher))["ticket"]
        assert await close_code(await open_ws(f"{gateway.ws_url}?ticket={ticket}")) == 4000

        for ws in sockets:
            await ws.close()


class TestHeartbeat:
    async def test_a_client_ping_is_answered(self, gateway: ServedGateway) -> None:
        ws = await connect_ready(gateway, random_id())

        await ws.send(json.dumps({"type": "ping"}))
        await ws.send("something the server does not know")

        assert await receive_json(ws) == {"type": "pong"}
        await ws.close()

    async def test_answered_pings_keep_the_socket_and_a_silent_client_is_closed(
        self, kafka_admin: AIOKafkaAdminClient, gateway_redis: aioredis.Redis
    ) -> None:
        fast = {"ws_heartbeat_interval_seconds": 0.3, "ws_heartbeat_timeout_seconds": 0.6}
        async with (
            notification_topic(kafka_admin) as topic,
            serve_gateway(gateway_redis, topic, **fast) as gw,
        ):
            answering = await connect_ready(gw, random_id())
            silent = await connect_ready(gw, random_id())
            for _ in range(3):
                ping = await receive_json(answering)
                assert ping["type"] == "ping"
                assert isinstance(ping["ts"], float)
                await answering.send(json.dumps({"type": "pong"}))

            assert await close_code(silent) == 1011
            assert (await receive_json(answering))["type"] == "ping"
            await answering.close()
