"""NotificationHub: fan-out per user, de-duplication, limits and ref-counted subscriptions."""

from __future__ import annotations

import json

import pytest

from api_gateway_service.realtime.hub import NotificationHub, TooManyConnectionsError
from huleedu_service_libs.realtime import user_channel
from huleedu_testing.gateway.realtime_fakes import FakeLog, FakeSink, FakeSubscriber


def notification(event_id: str) -> dict[str, object]:
    return {"type": "notification", "event_id": event_id, "message": "hi"}


class Redis(FakeSubscriber):
    """The fake subscriber, publishing JSON and confirming with the hub's syncs finished."""

    def __init__(self) -> None:
        super().__init__()
        self.hub: NotificationHub | None = None

    async def confirmed(self, channel: str) -> None:
        self.confirm(channel)
        assert self.hub is not None
        await self.hub.wait_synced()

    def publish(self, channel: str, message: dict[str, object]) -> None:
        self.deliver(channel, json.dumps(message))


@pytest.fixture
async def hub_and_redis() -> tuple[NotificationHub, Redis]:
    redis = Redis()
    hub = NotificationHub(redis, FakeLog(), max_connections_per_user=3)
    redis.hub = hub
    await hub.start()
    return hub, redis


class TestFanOut:
    async def test_both_sockets_of_a_user_get_each_message_once_and_others_none(
        self, hub_and_redis: tuple[NotificationHub, Redis]
    ) -> None:
        hub, redis = hub_and_redis
        a1, a2, b = FakeSink("alice"), FakeSink("alice"), FakeSink("bob")
        for sink in (a1, a2, b):
            await hub.attach(sink)
        await redis.confirmed(user_channel("alice"))
        await redis.confirmed(user_channel("bob"))

        redis.publish(user_channel("alice"), notification("e1"))
        redis.publish(user_channel("alice"), notification("e2"))

        for sink in (a1, a2):
            assert [f["event_id"] for f in sink.of_type("notification")] == ["e1", "e2"]
        assert b.of_type("notification") == []

    async def test_duplicate_event_id_is_delivered_once(
        self, hub_and_redis: tuple[NotificationHub, Redis]
    ) -> None:
        hub, redis = hub_and_redis
        sink = FakeSink("alice")
        await hub.attach(sink)
        await redis.confirmed(user_channel("alice"))

        for event_id in ("e1", "e1", "e2", "e1"):
            redis.publish(user_channel("alice"), notification(event_id))

        assert [f["event_id"] for f in sink.of_type("notification")] == ["e1", "e2"]

    async def test_ready_follows_confirmation_and_comes_at_once_when_already_confirmed(
        self, hub_and_redis: tuple[NotificationHub, Redis]
    ) -> None:
        hub, redis = hub_and_redis
        first, second = FakeSink("alice"), FakeSink("alice")
        await hub.attach(first)
        assert not first.ready
        assert first.frames == []

        await redis.confirmed(user_channel("alice"))
        await hub.attach(second)
        await hub.wait_synced()

        assert first.ready
        assert second.ready
        assert second.frames == [{"type": "ready", "user_id": "alice"}]

    async def test_a_full_socket_is_closed_and_the_other_still_receives(
        self, hub_and_redis: tuple[NotificationHub, Redis]
    ) -> None:
        hub, redis = hub_and_redis
        slow, fast = FakeSink("alice", capacity=2), FakeSink("alice")
        await hub.attach(slow)
        await hub.attach(fast)
        await redis.confirmed(user_channel("alice"))  # one frame each (ready)

        for n in range(5):
            redis.publish(user_channel("alice"), notification(f"e{n}"))

        assert slow.closed_slow
        assert len(fast.of_type("notification")) == 5

    async def test_messages_after_a_reconnect_resend_ready(
        self, hub_and_redis: tuple[NotificationHub, Redis]
    ) -> None:
        hub, redis = hub_and_redis
        sink = FakeSink("alice")
        await hub.attach(sink)
        await redis.confirmed(user_channel("alice"))

        hub.on_disconnected()
        late = FakeSink("alice")
        await hub.attach(late)
        assert not late.ready  # not confirmed on the new connection yet
        await redis.confirmed(user_channel("alice"))

        assert len(sink.of_type("ready")) == 2
        assert late.ready

    async def test_non_json_messages_are_dropped(
        self, hub_and_redis: tuple[NotificationHub, Redis]
    ) -> None:
        hub, redis = hub_and_redis
        sink = FakeSink("alice")
        await hub.attach(sink)
        await redis.confirmed(user_channel("alice"))

        hub.on_message(user_channel("alice"), "not json")
        hub.on_message(user_channel("alice"), "[1, 2]")

        assert sink.of_type("notification") == []
        assert len(sink.frames) == 1  # only the ready frame


class TestSubscriptions:
    async def test_subscribes_on_first_socket_and_unsubscribes_after_last(
        self, hub_and_redis: tuple[NotificationHub, Redis]
    ) -> None:
        hub, redis = hub_and_redis
        sockets = [FakeSink("alice") for _ in range(3)]
        for sink in sockets:
            await hub.attach(sink)
        assert redis.commands == [("subscribe", "ws:alice")]

        for sink in sockets[:2]:
            await hub.detach(sink)
        assert redis.commands == [("subscribe", "ws:alice")]

        await hub.detach(sockets[2])
        assert redis.commands == [("subscribe", "ws:alice"), ("unsubscribe", "ws:alice")]
        assert hub.wanted_channels() == []
        assert hub.socket_count("alice") == 0

    async def test_detaching_twice_changes_nothing(
        self, hub_and_redis: tuple[NotificationHub, Redis]
    ) -> None:
        hub, redis = hub_and_redis
        keep, leave = FakeSink("alice"), FakeSink("alice")
        await hub.attach(keep)
        await hub.attach(leave)

        await hub.detach(leave)
        await hub.detach(leave)

        assert hub.socket_count("alice") == 1
        assert ("unsubscribe", "ws:alice") not in redis.commands

    async def test_wanted_channels_lists_every_connected_user(
        self, hub_and_redis: tuple[NotificationHub, Redis]
    ) -> None:
        hub, _ = hub_and_redis
        await hub.attach(FakeSink("alice"))
        await hub.attach(FakeSink("bob"))

        assert sorted(hub.wanted_channels()) == ["ws:alice", "ws:bob"]

    async def test_a_confirmation_for_a_user_who_left_is_ignored(
        self, hub_and_redis: tuple[NotificationHub, Redis]
    ) -> None:
        hub, redis = hub_and_redis
        sink = FakeSink("alice")
        await hub.attach(sink)
        await hub.detach(sink)

        await redis.confirmed(user_channel("alice"))
        redis.publish(user_channel("alice"), notification("e1"))

        assert sink.frames == []


class TestConnectionLimit:
    async def test_the_socket_beyond_the_limit_is_refused(
        self, hub_and_redis: tuple[NotificationHub, Redis]
    ) -> None:
        hub, _ = hub_and_redis
        for _ in range(3):
            await hub.attach(FakeSink("alice"))

        with pytest.raises(TooManyConnectionsError):
            await hub.attach(FakeSink("alice"))
        await hub.attach(FakeSink("bob"))  # the limit is per user

        assert hub.socket_count("alice") == 3

    async def test_a_freed_slot_can_be_used_again(
        self, hub_and_redis: tuple[NotificationHub, Redis]
    ) -> None:
        hub, _ = hub_and_redis
        sockets = [FakeSink("alice") for _ in range(3)]
        for sink in sockets:
            await hub.attach(sink)

        await hub.detach(sockets[0])
        await hub.attach(FakeSink("alice"))

        assert hub.socket_count("alice") == 3
