"""RedisPubSub against the real local Redis: per-user channels, isolation, encoding."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from huleedu_service_libs.config import InfraSettings
from huleedu_service_libs.realtime import PubSubMessage, RedisPubSub, user_channel
from huleedu_testing import random_id, random_name

pytestmark = pytest.mark.integration

WAIT = 5.0


@pytest.fixture
def pubsub(redis_client: aioredis.Redis) -> RedisPubSub:
    return RedisPubSub(redis_client)


async def next_message(messages: AsyncIterator[PubSubMessage]) -> PubSubMessage:
    async with asyncio.timeout(WAIT):
        return await anext(messages)


async def subscriber_count(client: aioredis.Redis, channel: str) -> int:
    counts = dict(await client.pubsub_numsub(channel))
    return int(counts[channel.encode()])


def test_user_channel_name() -> None:
    assert user_channel("u-1") == "ws:u-1"


async def test_user_round_trip(pubsub: RedisPubSub) -> None:
    user_id = random_id()
    payload = {"event": "batch_ready", "batch_id": random_id(), "essays": 3}
    async with pubsub.subscribe_user(user_id) as messages:
        assert await pubsub.publish_to_user(user_id, payload) == 1
        message = await next_message(messages)
    assert message.channel == f"ws:{user_id}"
    assert message.json() == payload


async def test_users_do_not_see_each_others_messages(pubsub: RedisPubSub) -> None:
    alice, bob = random_id(), random_id()
    async with pubsub.subscribe_user(alice) as alice_inbox, pubsub.subscribe_user(bob) as bob_inbox:
        # Bob's message is published first, so Alice would receive it first if it leaked.
        assert await pubsub.publish_to_user(bob, {"for": "bob"}) == 1
        assert await pubsub.publish_to_user(alice, {"for": "alice"}) == 1
        alice_first = await next_message(alice_inbox)
        bob_first = await next_message(bob_inbox)
    assert alice_first.json() == {"for": "alice"}
    assert bob_first.json() == {"for": "bob"}


async def test_swedish_text_arrives_intact(pubsub: RedisPubSub) -> None:
    user_id = random_id()
    payload = {"title": "Uppsats om älgar på Öland", "teacher": "Åsa Öberg", "note": "ÅÄÖ åäö"}
    async with pubsub.subscribe_user(user_id) as messages:
        await pubsub.publish_to_user(user_id, payload)
        message = await next_message(messages)
    assert message.json() == payload
    # Encoded without \u escapes, so logs and redis-cli show the text as written.
    assert "älgar på Öland" in message.data


async def test_str_and_bytes_pass_through_unchanged(pubsub: RedisPubSub) -> None:
    channel = random_name("test.realtime")
    async with pubsub.subscribe(channel) as messages:
        await pubsub.publish(channel, "plain text")
        await pubsub.publish(channel, "räksmörgås".encode())
        first = await next_message(messages)
        second = await next_message(messages)
    assert (first.data, second.data) == ("plain text", "räksmörgås")


async def test_one_subscription_over_several_channels(pubsub: RedisPubSub) -> None:
    one, two = random_name("test.realtime"), random_name("test.realtime")
    async with pubsub.subscribe(one, two) as messages:
        await pubsub.publish(two, "second")
        await pubsub.publish(one, "first")
        received = [await next_message(messages), await next_message(messages)]
    assert [(m.channel, m.data) for m in received] == [(two, "second"), (one, "first")]


async def test_leaving_the_block_unsubscribes(
    pubsub: RedisPubSub, redis_client: aioredis.Redis
) -> None:
    channel = user_channel(random_id())
    async with pubsub.subscribe(channel):
        assert await subscriber_count(redis_client, channel) == 1
    assert await subscriber_count(redis_client, channel) == 0
    assert await pubsub.publish(channel, "nobody listens") == 0


async def test_subscribe_needs_a_channel(pubsub: RedisPubSub) -> None:
    with pytest.raises(ValueError, match="at least one channel"):
        async with pubsub.subscribe():
            pass


async def test_from_url_ping_and_close(infra: InfraSettings) -> None:
    pubsub = RedisPubSub.from_url(infra.redis_url)
    try:
        assert await pubsub.ping() is True
    finally:
        await pubsub.close()
