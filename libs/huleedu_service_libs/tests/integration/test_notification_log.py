"""NotificationLog on the real local Redis: append-and-publish, de-duplication, replay, gaps."""

from __future__ import annotations

import asyncio
import json

import pytest
import redis.asyncio as aioredis

from huleedu_service_libs.realtime import (
    LOG_START,
    NotificationLog,
    RedisPubSub,
    stream_position,
)
from huleedu_service_libs.realtime.notification_log import ids_key, log_key
from huleedu_testing import random_id

pytestmark = pytest.mark.integration

WAIT = 5.0


def note(event_id: str, text: str = "Rättning klar") -> dict[str, object]:
    return {"type": "notification", "event_id": event_id, "message": text, "payload": {}}


@pytest.fixture
def log(redis_client: aioredis.Redis) -> NotificationLog:
    return NotificationLog(redis_client, max_entries=3, ttl_seconds=600)


async def test_the_published_frame_is_the_logged_one_with_its_stream_id(
    log: NotificationLog, redis_client: aioredis.Redis
) -> None:
    user = random_id()
    async with RedisPubSub(redis_client).subscribe_user(user) as messages:
        appended = await log.append_and_publish(user, "e-1", note("e-1"))
        async with asyncio.timeout(WAIT):
            live = await anext(messages)

    assert appended.receivers == 1
    assert not appended.duplicate
    assert json.loads(live.data) == {**note("e-1"), "stream_id": appended.stream_id}
    replay = await log.read_after(user, LOG_START)
    assert [entry.frame for entry in replay.entries] == [live.data]
    assert replay.entries[0].event_id == "e-1"
    assert replay.complete
    assert replay.tail == appended.stream_id


async def test_an_event_id_already_logged_is_neither_appended_nor_published(
    log: NotificationLog, redis_client: aioredis.Redis
) -> None:
    user = random_id()
    first = await log.append_and_publish(user, "e-1", note("e-1"))
    async with RedisPubSub(redis_client).subscribe_user(user) as messages:
        again = await log.append_and_publish(user, "e-1", note("e-1", "changed"))
        marker = await log.append_and_publish(user, "e-2", note("e-2"))
        async with asyncio.timeout(WAIT):
            received = await anext(messages)

    assert again.duplicate
    assert again.stream_id == first.stream_id
    assert again.receivers == 0
    assert json.loads(received.data)["event_id"] == "e-2"  # the repeat was not published
    assert received.data.endswith(f'"stream_id":"{marker.stream_id}"}}')
    assert await redis_client.xlen(log_key(user)) == 2


async def test_the_log_keeps_the_newest_entries_and_forgets_their_ids_together(
    log: NotificationLog, redis_client: aioredis.Redis
) -> None:
    user = random_id()
    ids = [
        (await log.append_and_publish(user, f"e-{n}", note(f"e-{n}"))).stream_id for n in range(5)
    ]

    kept = await log.read_after(user, ids[2])
    assert kept.complete
    assert [entry.event_id for entry in kept.entries] == ["e-3", "e-4"]
    assert await redis_client.xlen(log_key(user)) == 3
    assert sorted(await redis_client.hkeys(ids_key(user))) == [b"e-2", b"e-3", b"e-4"]
    # A trimmed event may be logged again: the de-duplication window is the log.
    assert not (await log.append_and_publish(user, "e-0", note("e-0"))).duplicate


async def test_a_position_that_was_trimmed_away_is_a_gap_with_what_is_left(
    log: NotificationLog,
) -> None:
    user = random_id()
    ids = [
        (await log.append_and_publish(user, f"e-{n}", note(f"e-{n}"))).stream_id for n in range(5)
    ]

    by_stream = await log.read_after(user, ids[0])
    by_event = await log.read_after_event(user, "e-0")
    from_start = await log.read_after(user, LOG_START)

    for read in (by_stream, by_event, from_start):
        assert not read.complete
        assert [entry.event_id for entry in read.entries] == ["e-2", "e-3", "e-4"]
        assert read.tail == ids[4]


async def test_resuming_after_a_known_event_id_returns_only_what_followed(
    log: NotificationLog,
) -> None:
    user = random_id()
    for n in range(3):
        await log.append_and_publish(user, f"e-{n}", note(f"e-{n}"))

    read = await log.read_after_event(user, "e-0")
    latest = await log.read_after_event(user, "e-2")

    assert read.complete
    assert [entry.event_id for entry in read.entries] == ["e-1", "e-2"]
    assert latest.complete
    assert latest.entries == ()


async def test_an_empty_log_and_an_unknown_event_id(log: NotificationLog) -> None:
    user = random_id()

    assert await log.tail(user) == LOG_START
    empty = await log.read_after(user, LOG_START)
    unknown = await log.read_after_event(user, "never-sent")

    assert empty.complete
    assert empty.entries == ()
    assert not unknown.complete  # the client cannot be told it missed nothing
    assert unknown.entries == ()


async def test_both_keys_expire_after_the_ttl_and_each_append_renews_it(
    redis_client: aioredis.Redis,
) -> None:
    log = NotificationLog(redis_client, max_entries=10, ttl_seconds=120)
    user = random_id()
    await log.append_and_publish(user, "e-1", note("e-1"))
    await redis_client.expire(log_key(user), 5)

    await log.append_and_publish(user, "e-2", note("e-2"))

    for key in (log_key(user), ids_key(user)):
        assert 100 < await redis_client.ttl(key) <= 120


async def test_stream_ids_order_numerically_and_malformed_ones_are_refused(
    log: NotificationLog,
) -> None:
    assert stream_position("999-12") < stream_position("1000-0") < stream_position("1000-2")
    with pytest.raises(ValueError, match="not a stream id"):
        stream_position("1000-0 +")
    with pytest.raises(ValueError, match="not a stream id"):
        await log.read_after(random_id(), "(1-0")
