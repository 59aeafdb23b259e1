"""ClientConnection: bounded queue, own sender task, slow clients closed with 1013."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

from api_gateway_service.realtime.connection import ClientConnection
from api_gateway_service.realtime.hub import NotificationHub
from huleedu_service_libs.realtime import user_channel
from huleedu_testing.gateway.realtime_fakes import FakeLog, FakeSubscriber


class FakeSocket:
    """Records frames; a stuck socket blocks every send until released, like a full TCP buffer."""

    def __init__(self, *, stuck: bool = False) -> None:
        self.sent: list[str] = []
        self.closed_with: tuple[int, str | None] | None = None
        self._flowing = asyncio.Event()
        if not stuck:
            self._flowing.set()

    async def send_text(self, data: str) -> None:
        await self._flowing.wait()
        self.sent.append(data)

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        self.closed_with = (code, reason)

    def release(self) -> None:
        self._flowing.set()


async def _put_all(connection: ClientConnection, frames: list[str]) -> bool:
    results = [await connection.put(frame) for frame in frames]
    return all(results)


async def wait_for(condition: Callable[[], bool], what: str) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


class TestClientConnection:
    async def test_frames_are_sent_in_order_by_the_sender_task(self) -> None:
        socket = FakeSocket()
        connection = ClientConnection(socket, "alice", queue_size=10)
        connection.start()

        assert all(connection.offer(f"m{n}") for n in range(5))
        await wait_for(lambda: len(socket.sent) == 5, "five frames")
        await connection.shutdown()

        assert socket.sent == [f"m{n}" for n in range(5)]
        assert socket.closed_with is None

    async def test_offer_fails_when_the_queue_is_full(self) -> None:
        connection = ClientConnection(FakeSocket(stuck=True), "alice", queue_size=2)
        connection.start()
        await asyncio.sleep(0)

        # Offers never yield, so the sender cannot take a frame in between: two fit.
        results = [connection.offer(f"m{n}") for n in range(4)]

        assert results == [True, True, False, False]
        await connection.shutdown()

    async def test_a_stuck_socket_is_closed_too_slow_and_the_other_gets_everything(self) -> None:
        hub = NotificationHub(FakeSubscriber(), FakeLog(), max_connections_per_user=5)
        await hub.start()
        stuck_socket, healthy_socket = FakeSocket(stuck=True), FakeSocket()
        stuck = ClientConnection(stuck_socket, "alice", queue_size=3)
        healthy = ClientConnection(healthy_socket, "alice", queue_size=3)
        for connection in (stuck, healthy):
            connection.start()
            await hub.attach(connection)
        hub.on_subscribed(user_channel("alice"))
        await hub.wait_synced()  # both sockets are caught up and live

        for n in range(20):
            hub.on_message(user_channel("alice"), json.dumps({"type": "n", "event_id": str(n)}))
            await asyncio.sleep(0)  # let the healthy sender drain, as the event loop would

        assert stuck.closed.is_set()
        assert stuck.close_code == 1013
        await stuck.shutdown()  # cancels the send that would never finish
        assert stuck_socket.closed_with == (1013, "too slow")
        await wait_for(lambda: len(healthy_socket.sent) == 21, "ready plus twenty frames")
        assert not healthy.closed.is_set()
        await healthy.shutdown()

    async def test_put_waits_for_room_and_keeps_the_order(self) -> None:
        socket = FakeSocket(stuck=True)
        connection = ClientConnection(socket, "alice", queue_size=2)
        connection.start()
        frames = [f"m{n}" for n in range(6)]

        putting = asyncio.create_task(_put_all(connection, frames))
        for _ in range(10):
            await asyncio.sleep(0)
        assert not putting.done()  # one frame in the stuck send, two queued, the rest waiting
        socket.release()

        assert await putting
        await wait_for(lambda: len(socket.sent) == 6, "six frames")
        assert socket.sent == frames
        await connection.shutdown()

    async def test_put_gives_up_when_the_socket_closes_while_waiting(self) -> None:
        connection = ClientConnection(FakeSocket(stuck=True), "alice", queue_size=1)
        connection.start()
        await asyncio.sleep(0)
        assert await connection.put("taken by the stuck sender")
        assert await connection.put("fills the queue")

        waiting = asyncio.create_task(connection.put("no room"))
        await asyncio.sleep(0)
        connection.close_slow()

        assert await waiting is False
        assert await connection.put("after the close") is False
        await connection.shutdown()

    async def test_the_first_close_request_wins(self) -> None:
        socket = FakeSocket()
        connection = ClientConnection(socket, "alice", queue_size=2)
        connection.start()

        assert connection.request_close(1011, "heartbeat timeout")
        assert not connection.request_close(1013, "too slow")
        await connection.shutdown()

        assert socket.closed_with == (1011, "heartbeat timeout")
