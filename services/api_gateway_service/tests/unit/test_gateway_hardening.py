"""Review fixes: slow uploaders, contract breaks, Redis timeouts and half-open pub/sub."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp
import pytest

from api_gateway_service.adapters.errors import DownstreamAnswer
from api_gateway_service.adapters.services import BatchOrchestratorClient
from api_gateway_service.adapters.upload_body import ClientTooSlow, LimitedBody
from api_gateway_service.config import GatewaySettings
from api_gateway_service.domain.pipeline_requests import UnknownBatch
from api_gateway_service.realtime.bridge import NotificationBridge
from api_gateway_service.realtime.subscriber import RedisChannelSubscriber
from common_core.enums import NotificationCategory
from common_core.envelope import EventEnvelope
from common_core.errors import ErrorCode
from common_core.events.notification import TeacherNotificationRequestedV1
from huleedu_service_libs.errors import HuleEduError
from huleedu_service_libs.kafka import TransientError
from huleedu_service_libs.realtime import Appended, RedisPubSub

from .test_gateway_downstream import CALLER, FakeSession, _chunks, _client, _json


def _upload(client: Any, *, complete: bool) -> Any:
    return client.stream(
        "POST",
        "/x",
        CALLER,
        body=_chunks(b"x"),
        headers={},
        timeout_seconds=3,
        body_timeout_seconds=60,
        body_failure=lambda: None,
        body_complete=lambda: complete,
    )


async def test_timeout_while_the_client_still_sends_spares_the_breaker() -> None:
    client = _client(FakeSession(TimeoutError()), fail_max=1)

    with pytest.raises(ClientTooSlow):
        await _upload(client, complete=False)

    assert client.breaker.state == "closed"


async def test_timeout_after_the_body_was_sent_counts_against_the_breaker() -> None:
    client = _client(FakeSession(TimeoutError()), fail_max=1)

    with pytest.raises(HuleEduError) as caught:
        await _upload(client, complete=True)

    assert caught.value.status_code == 503
    assert client.breaker.state == "open"


async def test_upload_timeout_bounds_the_answer_not_the_body_transfer() -> None:
    session = FakeSession(_json(201, {}))

    await _upload(_client(session), complete=True)

    timeout: aiohttp.ClientTimeout = session.calls[0]["timeout"]
    assert timeout.sock_read == 3
    assert timeout.sock_connect == 5.0
    assert timeout.total == 63


async def test_limited_body_gives_the_client_its_own_budget() -> None:
    async def trickle() -> AsyncIterator[bytes]:
        yield b"a"
        await asyncio.sleep(30)
        yield b"b"

    body = LimitedBody(trickle(), limit=100, timeout_seconds=0.05)

    with pytest.raises(ClientTooSlow):
        _ = [chunk async for chunk in body]
    assert isinstance(body.failed(), ClientTooSlow)
    assert body.complete is False


async def test_limited_body_marks_a_fully_read_body_complete() -> None:
    body = LimitedBody(_chunks(b"a", b"b"), limit=100, timeout_seconds=5)

    assert [chunk async for chunk in body] == [b"a", b"b"]
    assert body.complete is True


async def test_pipeline_state_breaking_the_contract_is_a_502() -> None:
    bos = BatchOrchestratorClient(_client(FakeSession(_json(200, {"status": 42}))))

    with pytest.raises(HuleEduError) as caught:
        await bos.pipeline_state(CALLER, "b-1")

    assert caught.value.code is ErrorCode.EXTERNAL_SERVICE_ERROR
    assert caught.value.status_code == 502


async def test_pipeline_state_of_an_unknown_batch_is_the_domains_unknown_batch() -> None:
    bos = BatchOrchestratorClient(_client(FakeSession(_json(404, {}))))

    with pytest.raises(UnknownBatch) as caught:
        await bos.pipeline_state(CALLER, "b-404")

    assert caught.value.batch_id == "b-404"


async def test_pipeline_state_keeps_other_refusals_as_the_downstreams_answer() -> None:
    bos = BatchOrchestratorClient(_client(FakeSession(_json(400, {}))))

    with pytest.raises(DownstreamAnswer) as caught:
        await bos.pipeline_state(CALLER, "b-1")

    assert caught.value.status == 400


def test_redis_client_gets_the_timeouts() -> None:
    pubsub = RedisPubSub.from_url(
        "redis://127.0.0.1:1/0",
        socket_connect_timeout=2.0,
        socket_timeout=5.0,
        health_check_interval=15.0,
    )

    kwargs = pubsub.client.connection_pool.connection_kwargs
    assert kwargs["socket_connect_timeout"] == 2.0
    assert kwargs["socket_timeout"] == 5.0
    assert kwargs["health_check_interval"] == 15.0


class _HangingLog:
    async def append_and_publish(
        self, user_id: str, event_id: str, message: Mapping[str, Any]
    ) -> Appended:
        await asyncio.sleep(60)
        return Appended("0-1", 0, False)


async def test_bridge_publish_that_hangs_is_transient() -> None:
    settings = GatewaySettings(redis_socket_timeout_seconds=0.05)
    bridge = NotificationBridge(settings, _HangingLog(), topic="unused")
    envelope = EventEnvelope.wrap(
        TeacherNotificationRequestedV1(
            user_id="teacher-1",
            notification_type="batch_processing_started",
            category=NotificationCategory.BATCH_PROGRESS,
        ),
        source_service="test",
        correlation_id="c-1",
    )

    with pytest.raises(TransientError):
        await bridge.handle(envelope)


class _SilentPubSub:
    """A half-open connection: commands succeed, nothing ever arrives."""

    def __init__(self) -> None:
        self.pings = 0

    async def connect(self) -> None:
        return None

    async def subscribe(self, *channels: str) -> None:
        return None

    async def get_message(self, timeout: float) -> None:  # noqa: ASYNC109 - redis-py's API
        await asyncio.sleep(timeout)

    async def ping(self, message: str) -> None:
        self.pings += 1

    async def aclose(self) -> None:
        return None


class _Client:
    def __init__(self) -> None:
        self.connections: list[_SilentPubSub] = []
        self.reconnected = asyncio.Event()

    def pubsub(self) -> _SilentPubSub:
        self.connections.append(_SilentPubSub())
        if len(self.connections) > 1:
            self.reconnected.set()
        return self.connections[-1]


class _Listener:
    def __init__(self) -> None:
        self.disconnects = 0

    def on_subscribed(self, channel: str) -> None:
        return None

    def on_message(self, channel: str, data: str) -> None:
        return None

    def on_disconnected(self) -> None:
        self.disconnects += 1

    def wanted_channels(self) -> list[str]:
        return ["ws:teacher-1"]


async def test_silent_pubsub_connection_is_rebuilt() -> None:
    client = _Client()
    listener = _Listener()
    subscriber = RedisChannelSubscriber(
        client,  # type: ignore[arg-type]
        read_timeout_seconds=0.01,
        reconnect_initial_seconds=0.01,
        ping_interval_seconds=0.02,
        stale_after_seconds=0.1,
    )
    await subscriber.start(listener)
    try:
        async with asyncio.timeout(5):
            await client.reconnected.wait()
    finally:
        await subscriber.stop()

    assert listener.disconnects >= 1
    assert client.connections[0].pings >= 1
