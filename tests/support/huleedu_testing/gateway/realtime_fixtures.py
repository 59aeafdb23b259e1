"""Shared helpers for the realtime integration tests: a served gateway app and a WS client."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import redis.asyncio as aioredis
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from api_gateway_service.auth import TokenIssuer, TokenVerifier
from api_gateway_service.config import GatewaySettings
from api_gateway_service.realtime import Realtime
from huleedu_service_libs.http import install_fastapi_support, serve_asgi
from huleedu_testing.random_refs import random_name
from huleedu_testing.servers import LOOPBACK, free_port, wait_until_answering

RECEIVE_TIMEOUT = 15.0


@dataclass
class ServedGateway:
    """A gateway app with the realtime router, served by uvicorn on a loopback port."""

    base_url: str
    ws_url: str
    topic: str
    realtime: Realtime
    issuer: TokenIssuer

    def token(self, user_id: str) -> str:
        """A valid bearer JWT for user_id."""
        return self.issuer.issue(user_id)[0]

    async def ticket(self, user_id: str) -> dict[str, Any]:
        """POST /v1/ws-tickets as user_id; the JSON body."""
        headers = {"Authorization": f"Bearer {self.token(user_id)}"}
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"{self.base_url}/v1/ws-tickets", headers=headers) as response,
        ):
            assert response.status == 201, await response.text()
            body: dict[str, Any] = await response.json()
            return body


@asynccontextmanager
async def notification_topic(admin: AIOKafkaAdminClient) -> AsyncIterator[str]:
    """A fresh notification topic (and its .dlq), deleted afterwards."""
    topic = random_name("huleedu.test.notification")
    names = [topic, f"{topic}.dlq"]
    await admin.create_topics([NewTopic(n, num_partitions=1, replication_factor=1) for n in names])
    try:
        yield topic
    finally:
        await admin.delete_topics(names)


@asynccontextmanager
async def serve_gateway(
    redis_client: aioredis.Redis, topic: str, **overrides: Any
) -> AsyncIterator[ServedGateway]:
    """Build a minimal FastAPI app around Realtime and serve it until the block ends."""
    port = free_port()
    settings = GatewaySettings(
        http_host=LOOPBACK,
        http_port=port,
        http_server="uvicorn",
        notification_consumer_group=random_name("huleedu.test.gateway-notifications"),
        **overrides,
    )
    verifier = TokenVerifier(settings)
    realtime = Realtime(settings, verifier, redis_client, notification_topic=topic)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await realtime.start()
        yield
        await realtime.stop()

    app = FastAPI(lifespan=lifespan)
    app.state.verifier = verifier
    install_fastapi_support(
        app, settings, realtime.health_checks(), liveness_checks=realtime.liveness_checks()
    )
    app.include_router(realtime.router)
    stop = asyncio.Event()
    serving = asyncio.create_task(serve_asgi(app, settings, shutdown_event=stop))
    base_url = f"http://{LOOPBACK}:{port}"
    try:
        await wait_until_answering(f"{base_url}/healthz", serving=serving)
        yield ServedGateway(
            base_url, f"ws://{LOOPBACK}:{port}/ws", topic, realtime, TokenIssuer(settings)
        )
    finally:
        stop.set()
        await asyncio.wait_for(serving, timeout=30)


async def open_ws(url: str) -> ClientConnection:
    """A raw client connection (no proxy, no protocol-level keepalive of its own)."""
    return await connect(url, proxy=None, ping_interval=None)


async def receive_json(ws: ClientConnection) -> dict[str, Any]:
    """The next frame as JSON."""
    frame = await asyncio.wait_for(ws.recv(), RECEIVE_TIMEOUT)
    value: dict[str, Any] = json.loads(frame)
    return value


async def connect_ready(gateway: ServedGateway, user_id: str) -> ClientConnection:
    """A socket for user_id opened with a ticket, after its ready frame."""
    ws = await open_ticketed(gateway, user_id)
    assert await receive_json(ws) == {"type": "ready", "user_id": user_id}
    return ws


async def open_ticketed(
    gateway: ServedGateway, user_id: str, last_event_id: str | None = None
) -> ClientConnection:
    """A socket for user_id opened with a ticket (and a resume position), before any frame."""
    ticket = (await gateway.ticket(user_id))["ticket"]
    resume = f"&last_event_id={last_event_id}" if last_event_id else ""
    return await open_ws(f"{gateway.ws_url}?ticket={ticket}{resume}")


async def frames_until_ready(ws: ClientConnection) -> list[dict[str, Any]]:
    """Every frame up to and including the next ready."""
    frames = [await receive_json(ws)]
    while frames[-1]["type"] != "ready":
        frames.append(await receive_json(ws))
    return frames


@dataclass
class Recorder:
    """Reads one socket in the background and keeps every frame it receives."""

    ws: ClientConnection
    frames: list[dict[str, Any]] = field(default_factory=list)
    task: asyncio.Task[None] | None = None
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def start(self) -> Recorder:
        """Begin reading."""
        self.task = asyncio.create_task(self._read())
        return self

    def event_ids(self) -> list[str]:
        """The event ids of the notifications received, in arrival order."""
        return [f["event_id"] for f in self.frames if f["type"] == "notification"]

    def kinds(self) -> list[str]:
        """Each frame's type, in arrival order."""
        return [str(f["type"]) for f in self.frames]

    async def wait_for_events(self, expected: set[str], seconds: float = 30.0) -> None:
        """Until every event id in `expected` has arrived (fails after `seconds`)."""
        async with asyncio.timeout(seconds):
            while not expected <= set(self.event_ids()):
                self._arrived.clear()
                await self._arrived.wait()

    async def close(self) -> None:
        """Close the socket and stop reading."""
        await self.ws.close()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    async def _read(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for frame in self.ws:
                self.frames.append(json.loads(frame))
                self._arrived.set()


async def close_code(ws: ClientConnection) -> int | None:
    """Read until the server closes; its close code."""
    try:
        async with asyncio.timeout(RECEIVE_TIMEOUT):
            while True:
                await ws.recv()
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


async def frames_within(ws: ClientConnection, seconds: float) -> list[dict[str, Any]]:
    """Every frame arriving within `seconds` (to prove nothing more arrives)."""
    frames: list[dict[str, Any]] = []
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            while True:
                frames.append(json.loads(await ws.recv()))
    return frames
