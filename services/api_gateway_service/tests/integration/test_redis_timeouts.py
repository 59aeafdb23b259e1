"""The gateway's Redis settings against the real Redis: timeouts do not break pub/sub reads."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from api_gateway_service.realtime.subscriber import RedisChannelSubscriber
from huleedu_service_libs.config import InfraSettings
from huleedu_service_libs.realtime import RedisPubSub, user_channel
from huleedu_testing import random_id


class _Listener:
    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.subscribed = asyncio.Event()
        self.messages: list[str] = []
        self.received = asyncio.Event()
        self.disconnects = 0

    def on_subscribed(self, channel: str) -> None:
        self.subscribed.set()

    def on_message(self, channel: str, data: str) -> None:
        self.messages.append(data)
        self.received.set()

    def on_disconnected(self) -> None:
        self.disconnects += 1

    def wanted_channels(self) -> list[str]:
        return [self.channel]


@pytest.fixture
async def pubsub() -> AsyncIterator[RedisPubSub]:
    # Socket timeout far below the reader's 1 s poll, health checks every 0.3 s.
    wrapper = RedisPubSub.from_url(
        InfraSettings().redis_url,
        socket_connect_timeout=2.0,
        socket_timeout=0.2,
        health_check_interval=0.3,
    )
    yield wrapper
    await wrapper.close()


async def test_quiet_subscription_survives_socket_timeout_and_still_delivers(
    pubsub: RedisPubSub,
) -> None:
    teacher = random_id()
    listener = _Listener(user_channel(teacher))
    subscriber = RedisChannelSubscriber(
        pubsub.client, ping_interval_seconds=0.3, stale_after_seconds=0.3 + 0.2 + 1.0
    )
    await subscriber.start(listener)
    try:
        async with asyncio.timeout(10):
            await listener.subscribed.wait()
        # Quiet for many socket timeouts and health-check intervals.
        await asyncio.sleep(3)
        await subscriber.check()
        assert await pubsub.publish_to_user(teacher, {"type": "x"}) == 1
        async with asyncio.timeout(10):
            await listener.received.wait()
    finally:
        await subscriber.stop()

    assert listener.messages == ['{"type":"x"}']
    assert listener.disconnects == 0


async def test_commands_work_with_the_timeouts(pubsub: RedisPubSub) -> None:
    key = f"gw-timeouts:{random_id()}"
    await pubsub.client.set(key, "v", ex=10)

    assert await pubsub.client.getdel(key) == b"v"
    assert await pubsub.ping()
