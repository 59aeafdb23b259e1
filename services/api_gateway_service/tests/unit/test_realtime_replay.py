"""Replays through the hub: Redis reconnects, client resumes, races with live frames, gaps."""

from __future__ import annotations

import asyncio

import pytest

from api_gateway_service.realtime.feed import READ_ATTEMPTS
from api_gateway_service.realtime.hub import NotificationHub
from huleedu_service_libs.realtime import user_channel
from huleedu_testing.gateway.realtime_fakes import FakeLog, FakeSink, FakeSubscriber

ALICE = user_channel("alice")
READY = {"type": "ready", "user_id": "alice"}


class World:
    """A hub over a fake subscriber (playing Redis pub/sub) and a fake log."""

    def __init__(self, *, buffer_limit: int = 256) -> None:
        self.redis = FakeSubscriber()
        self.log = FakeLog()
        self.hub = NotificationHub(
            self.redis, self.log, max_connections_per_user=5, replay_buffer_limit=buffer_limit
        )

    async def connect(self, *, resume_from: str | None = None, capacity: int = 100) -> FakeSink:
        sink = FakeSink("alice", capacity)
        await self.hub.attach(sink, resume_from=resume_from)
        await self.hub.wait_synced()
        return sink

    async def confirm(self) -> None:
        self.redis.confirm(ALICE)
        await self.hub.wait_synced()

    def publish(self, event_id: str, *, subscribed: bool = True) -> None:
        """The bridge: log, then publish (reaching the hub only while it is subscribed)."""
        frame = self.log.append("alice", event_id)
        if subscribed:
            self.redis.deliver(ALICE, frame)

    def seed(self, *event_ids: str) -> None:
        for event_id in event_ids:
            self.publish(event_id, subscribed=False)


@pytest.fixture
async def world() -> World:
    built = World()
    await built.hub.start()
    return built


class TestRedisReconnect:
    async def test_what_was_published_during_the_disconnect_is_replayed_before_ready(
        self, world: World
    ) -> None:
        sink = await world.connect()
        await world.confirm()
        world.publish("e1")

        world.redis.disconnect()
        world.publish("e2", subscribed=False)  # the bridge's publish reached no one
        world.publish("e3", subscribed=False)
        await world.confirm()

        assert sink.kinds() == ["ready", "notification", "notification", "notification", "ready"]
        assert sink.event_ids() == ["e1", "e2", "e3"]
        assert world.log.reads[-1] == ("alice", "stream", "1-0")  # after the last one it had

    async def test_live_frames_racing_the_replay_arrive_once_and_in_order(
        self, world: World
    ) -> None:
        sink = await world.connect()
        await world.confirm()
        world.publish("e1")
        world.redis.disconnect()
        world.seed("e2", "e3")

        world.log.gate = asyncio.Event()
        world.redis.confirm(ALICE)  # the replay read is now waiting at the gate
        await asyncio.sleep(0)
        world.redis.deliver(ALICE, world.log.entries["alice"][-1].frame)  # e3 again, live
        world.publish("e4")  # logged after the read started, arrives live
        world.log.gate.set()
        await world.hub.wait_synced()
        world.publish("e5")

        assert sink.event_ids() == ["e1", "e2", "e3", "e4", "e5"]
        assert sink.kinds()[-2:] == ["ready", "notification"]  # e4 came before ready

    async def test_each_socket_replays_from_its_own_position(self, world: World) -> None:
        world.seed("e0")
        early = await world.connect()
        await world.confirm()
        world.publish("e1")
        late = await world.connect(resume_from="e0")

        world.redis.disconnect()
        world.seed("e2")
        await world.confirm()

        assert early.event_ids() == ["e1", "e2"]
        assert late.event_ids() == ["e1", "e2"]

    async def test_entries_trimmed_during_the_disconnect_are_reported_as_a_gap(
        self, world: World
    ) -> None:
        sink = await world.connect()
        await world.confirm()
        world.publish("e1")
        world.redis.disconnect()
        world.seed("e2", "e3", "e4", "e5")
        world.log.trim("alice", keep=2)

        await world.confirm()

        assert sink.frames[2] == {"type": "gap", "reason": "unknown_position"}
        assert sink.event_ids() == ["e1", "e4", "e5"]
        assert sink.kinds()[-1] == "ready"


class TestClientResume:
    async def test_a_new_socket_gets_what_followed_its_last_event_id_then_ready(
        self, world: World
    ) -> None:
        world.seed("e1", "e2", "e3")

        sink = await world.connect(resume_from="e1")
        await world.confirm()

        assert sink.event_ids() == ["e2", "e3"]
        assert sink.frames[-1] == READY
        assert world.log.reads == [("alice", "event", "e1")]

    async def test_an_unknown_last_event_id_gets_a_gap_then_the_whole_log(
        self, world: World
    ) -> None:
        world.seed("e1", "e2")

        sink = await world.connect(resume_from="not-in-the-log")
        await world.confirm()

        assert sink.frames[0] == {"type": "gap", "reason": "unknown_position"}
        assert sink.event_ids() == ["e1", "e2"]
        assert sink.frames[-1] == READY

    async def test_a_resume_message_replays_only_what_the_socket_lacks(self, world: World) -> None:
        world.seed("e1", "e2")
        sink = await world.connect()
        await world.confirm()
        world.publish("e3")

        world.hub.resume(sink, "e1")
        await world.hub.wait_synced()
        world.hub.resume(sink, "e1")
        await world.hub.wait_synced()

        assert sink.event_ids() == ["e3", "e2"]
        assert sink.kinds().count("ready") == 1  # a resume is not a new subscription

    async def test_a_resume_while_disconnected_waits_for_the_subscription(
        self, world: World
    ) -> None:
        world.seed("e1")
        sink = await world.connect()
        await world.confirm()
        world.redis.disconnect()
        world.seed("e2")
        reads = len(world.log.reads)

        world.hub.resume(sink, "e1")
        await world.hub.wait_synced()
        assert len(world.log.reads) == reads
        await world.confirm()

        assert world.log.reads[-1] == ("alice", "event", "e1")
        assert sink.event_ids() == ["e2"]


class TestFailures:
    async def test_a_read_that_fails_briefly_is_retried(self, world: World) -> None:
        world.seed("e1", "e2")
        world.log.failures = READ_ATTEMPTS - 1

        sink = await world.connect(resume_from="e1")
        await world.confirm()

        assert sink.kinds() == ["notification", "ready"]
        assert len(world.log.reads) == READ_ATTEMPTS

    async def test_a_log_that_stays_unavailable_is_a_gap_and_live_frames_still_flow(
        self, world: World
    ) -> None:
        sink = await world.connect()
        world.log.failures = READ_ATTEMPTS
        await world.confirm()
        world.publish("e1")

        assert sink.frames[0] == {"type": "gap", "reason": "log_unavailable"}
        assert sink.kinds()[1:] == ["ready", "notification"]

    async def test_a_socket_never_positioned_reports_a_gap_at_the_next_reconnect(
        self, world: World
    ) -> None:
        sink = await world.connect()
        world.log.failures = READ_ATTEMPTS
        await world.confirm()
        world.redis.disconnect()
        world.seed("e1")

        await world.confirm()

        assert sink.kinds() == ["gap", "ready", "gap", "ready"]
        assert sink.frames[2] == {"type": "gap", "reason": "unknown_position"}

    async def test_a_socket_that_cannot_take_its_replay_is_closed(self, world: World) -> None:
        world.seed("e1", "e2", "e3", "e4")

        sink = await world.connect(resume_from="e1", capacity=2)
        await world.confirm()

        assert sink.closed_slow
        assert not sink.ready

    async def test_too_many_live_frames_during_a_replay_close_the_socket(self) -> None:
        world = World(buffer_limit=2)
        await world.hub.start()
        sink = await world.connect()
        world.log.gate = asyncio.Event()
        world.redis.confirm(ALICE)

        for n in range(3):
            world.publish(f"e{n}")

        assert sink.closed_slow
        world.log.gate.set()
        await world.hub.wait_synced()
