"""Redis pub/sub for real-time fan-out: one `ws:{user_id}` channel per user."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

Payload = Mapping[str, Any] | str | bytes

# How long entering a subscription waits for Redis to confirm it.
SUBSCRIBE_TIMEOUT_SECONDS = 5.0


def user_channel(user_id: str) -> str:
    """The channel carrying one user's real-time notifications."""
    return f"ws:{user_id}"


@dataclass(frozen=True, slots=True)
class PubSubMessage:
    """One message received on a subscribed channel, decoded as UTF-8."""

    channel: str
    data: str

    def json(self) -> Any:
        """The data parsed as JSON."""
        return json.loads(self.data)


Subscription = AbstractAsyncContextManager[AsyncIterator[PubSubMessage]]


def _encode(payload: Payload) -> bytes | str:
    """JSON-encode mappings (keeping non-ASCII text readable); pass str and bytes through."""
    if isinstance(payload, str | bytes):
        return payload
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _text(value: bytes | str) -> str:
    # A non-UTF-8 message must not end a user's stream; it arrives with replacement characters.
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value


class RedisPubSub:
    """Publishes to and subscribes on Redis channels; each subscription holds one connection."""

    def __init__(self, client: aioredis.Redis) -> None:
        self._client = client

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        socket_connect_timeout: float | None = None,
        socket_timeout: float | None = None,
        health_check_interval: float | None = None,
    ) -> RedisPubSub:
        """A wrapper over a new client for `url` (connects lazily, on first use).

        Without timeouts a half-open connection hangs commands forever; socket_timeout does
        not cut blocking pub/sub reads (`listen()`, `get_message(timeout=None)`), and
        health_check_interval makes pub/sub reads PING a connection that has been quiet.
        """
        options: dict[str, Any] = {}
        if socket_connect_timeout is not None:
            options["socket_connect_timeout"] = socket_connect_timeout
        if socket_timeout is not None:
            options["socket_timeout"] = socket_timeout
        if health_check_interval is not None:
            options["health_check_interval"] = health_check_interval
        return cls(aioredis.Redis.from_url(url, **options))

    @property
    def client(self) -> aioredis.Redis:
        """The underlying client, for other Redis work in the same process."""
        return self._client

    async def ping(self) -> bool:
        """True when Redis answers; raises the client's error when it does not."""
        return bool(await self._client.ping())

    async def close(self) -> None:
        """Close the client and its connection pool."""
        await self._client.aclose()

    async def publish(self, channel: str, message: Payload) -> int:
        """Publish `message` on `channel`; return how many subscribers received it."""
        return int(await self._client.publish(channel, _encode(message)))

    async def publish_to_user(self, user_id: str, payload: Payload) -> int:
        """Publish `payload` on the user's `ws:{user_id}` channel."""
        return await self.publish(user_channel(user_id), payload)

    def subscribe_user(self, user_id: str) -> Subscription:
        """Subscribe to the user's `ws:{user_id}` channel (see `subscribe`)."""
        return self.subscribe(user_channel(user_id))

    @asynccontextmanager
    async def subscribe(self, *channels: str) -> AsyncIterator[AsyncIterator[PubSubMessage]]:
        """Subscribe to `channels`; yields an async iterator of their messages.

        Redis has confirmed the subscription when the block starts, so anything published
        after that is received. Leaving the block unsubscribes and closes the connection.
        """
        if not channels:
            raise ValueError("subscribe needs at least one channel")
        pubsub = self._client.pubsub()
        messages: AsyncGenerator[PubSubMessage, None] | None = None
        try:
            await pubsub.subscribe(*channels)
            await _await_confirmations(pubsub, set(channels))
            messages = _messages(pubsub)
            yield messages
        finally:
            if messages is not None:
                await messages.aclose()
            # The connection may already be broken; closing it must still happen.
            with suppress(RedisError, OSError):
                await pubsub.unsubscribe()
            await pubsub.aclose()  # type: ignore[no-untyped-call]  # untyped in redis-py


async def _await_confirmations(pubsub: PubSub, pending: set[str]) -> None:
    async with asyncio.timeout(SUBSCRIBE_TIMEOUT_SECONDS):
        while pending:
            message = await pubsub.get_message(timeout=None)
            if message is not None and message["type"] == "subscribe":
                pending.discard(_text(message["channel"]))


async def _messages(pubsub: PubSub) -> AsyncGenerator[PubSubMessage, None]:
    async for message in pubsub.listen():
        # Subscribe and unsubscribe confirmations share the stream; only messages matter.
        if message["type"] == "message":
            yield PubSubMessage(channel=_text(message["channel"]), data=_text(message["data"]))
