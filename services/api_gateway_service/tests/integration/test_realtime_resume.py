"""Resuming a teacher's socket from its last event id: Kafka -> log -> replay on real sockets."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from aiokafka.admin import AIOKafkaAdminClient
from websockets.exceptions import InvalidStatus

from common_core.enums import NotificationCategory
from common_core.envelope import EventEnvelope
from common_core.events.notification import TeacherNotificationRequestedV1
from huleedu_service_libs.config import InfraSettings
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_testing.gateway.realtime_fixtures import (
    ServedGateway,
    connect_ready,
    frames_until_ready,
    frames_within,
    notification_topic,
    open_ticketed,
    open_ws,
    receive_json,
    serve_gateway,
)
from huleedu_testing.kafka_helpers import wait_until
from huleedu_testing.random_refs import random_id

QUIET_HEARTBEAT = {"ws_heartbeat_interval_seconds": 300.0}
SETTLE_SECONDS = 1.0


@pytest.fixture(scope="module")
async def gateway(kafka_admin: AIOKafkaAdminClient) -> AsyncIterator[ServedGateway]:
    """One served gateway (and notification topic) for the module."""
    client = aioredis.Redis.from_url(InfraSettings().redis_url)
    async with (
        notification_topic(kafka_admin) as topic,
        serve_gateway(client, topic, **QUIET_HEARTBEAT) as served,
    ):
        yield served
    await client.aclose()


def notification(user_id: str, text: str) -> EventEnvelope[TeacherNotificationRequestedV1]:
    return EventEnvelope.wrap(
        TeacherNotificationRequestedV1(
            user_id=user_id,
            notification_type="essay_results_available",
            category=NotificationCategory.BATCH_PROGRESS,
            batch_id=random_id(),
            message=text,
        ),
        source_service="test",
        correlation_id=random_id(),
    )


async def logged(gateway: ServedGateway, user_id: str, count: int) -> None:
    """Wait until the bridge has put `count` notifications into the user's log."""

    async def arrived() -> bool:
        read = await gateway.realtime.log.read_after(user_id, "0-0")
        return len(read.entries) >= count

    await wait_until(arrived, timeout_seconds=20, what=f"{count} logged notifications")


class TestResume:
    async def test_a_reconnect_with_the_last_event_id_gets_only_what_was_missed(
        self, gateway: ServedGateway, kafka_producer: KafkaEventProducer
    ) -> None:
        teacher = random_id()
        first = await connect_ready(gateway, teacher)
        seen, missed = (
            notification(teacher, "1/3"),
            [notification(teacher, f"{n}/3") for n in (2, 3)],
        )
        await kafka_producer.publish(seen, key=teacher, topic=gateway.topic)
        assert (await receive_json(first))["event_id"] == str(seen.event_id)
        await first.close()

        for envelope in missed:
            await kafka_producer.publish(envelope, key=teacher, topic=gateway.topic)
        await logged(gateway, teacher, 3)
        second = await open_ticketed(gateway, teacher, last_event_id=str(seen.event_id))

        frames = await frames_until_ready(second)
        assert [f.get("event_id") for f in frames] == [str(e.event_id) for e in missed] + [None]
        assert [f["message"] for f in frames[:2]] == ["2/3", "3/3"]
        assert frames[-1] == {"type": "ready", "user_id": teacher}
        assert await frames_within(second, SETTLE_SECONDS) == []
        await second.close()

    async def test_an_id_the_log_does_not_hold_is_a_gap_then_the_log(
        self, gateway: ServedGateway
    ) -> None:
        teacher = random_id()
        for n in range(2):
            message = {"type": "notification", "event_id": f"e{n}", "message": f"m{n}"}
            await gateway.realtime.log.append_and_publish(teacher, f"e{n}", message)

        ws = await open_ticketed(gateway, teacher, last_event_id=str(uuid.uuid4()))

        frames = await frames_until_ready(ws)
        assert frames[0] == {"type": "gap", "reason": "unknown_position"}
        assert [f.get("event_id") for f in frames[1:]] == ["e0", "e1", None]
        await ws.close()

    async def test_resume_in_the_auth_message_and_as_a_later_message(
        self, gateway: ServedGateway
    ) -> None:
        teacher = random_id()
        for n in range(3):
            message = {"type": "notification", "event_id": f"e{n}", "message": f"m{n}"}
            await gateway.realtime.log.append_and_publish(teacher, f"e{n}", message)
        ws = await open_ws(gateway.ws_url)

        auth = {"type": "auth", "token": gateway.token(teacher), "last_event_id": "e1"}
        await ws.send(json.dumps(auth))
        frames = await frames_until_ready(ws)
        await ws.send(json.dumps({"type": "resume", "last_event_id": "e0"}))
        again = await receive_json(ws)

        assert [f.get("event_id") for f in frames] == ["e2", None]
        assert again["event_id"] == "e1"  # e2 is not sent twice on the same socket
        assert await frames_within(ws, SETTLE_SECONDS) == []
        await ws.close()

    async def test_a_last_event_id_longer_than_any_id_is_refused(
        self, gateway: ServedGateway
    ) -> None:
        with pytest.raises(InvalidStatus) as refused:
            await open_ticketed(gateway, random_id(), last_event_id="x" * 65)

        assert refused.value.response.status_code == 403  # refused at the handshake
