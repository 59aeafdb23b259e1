"""One Redis pub/sub connection per process: dynamic SUBSCRIBE/UNSUBSCRIBE, one reader task.

redis-py's asyncio PubSub lets one task send SUBSCRIBE/UNSUBSCRIBE while another reads the
same connection (the commands only write; replies arrive in the read stream), so hundreds of
users share one connection. When the connection breaks, the reader rebuilds it with backoff
and resubscribes every channel the listener still wants.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import redis.asyncio as aioredis
import structlog
from redis.asyncio.client import PubSub
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from api_gateway_service.realtime import metrics
from api_gateway_service.realtime.ports import ChannelListener

logger = structlog.get_logger(__name__)

_CONNECTION_ERRORS = (RedisError, OSError)
# Distinct from redis-py's own health-check message, whose PONG it drops before we see it.
_PING_MESSAGE = "gateway-liveness"


def _text(value: Any) -> str:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)


class RedisChannelSubscriber:
    """Implements ChannelSubscriber over a single redis-py PubSub connection."""

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        read_timeout_seconds: float = 1.0,
        reconnect_initial_seconds: float = 0.2,
        # One connection attempt per gateway process every 2 s at most: cheap for Redis, and
        # teachers' sockets are live again within 2 s of Redis' return (was up to 10 s).
        reconnect_max_seconds: float = 2.0,
        ping_interval_seconds: float | None = None,
        stale_after_seconds: float | None = None,
    ) -> None:
        self._client = client
        # redis-py swallows the PONGs of its own health checks, so liveness is checked here:
        # PING a quiet connection every ping interval; nothing heard for stale_after means the
        # connection is half-open (it delivers nothing and raises nothing): rebuild it.
        self._ping_interval = ping_interval_seconds
        self._stale_after = stale_after_seconds
        self._read_timeout = read_timeout_seconds
        self._backoff_initial = reconnect_initial_seconds
        self._backoff_max = reconnect_max_seconds
        self._listener: ChannelListener | None = None
        self._pubsub: PubSub | None = None
        # Serialises commands so SUBSCRIBE/UNSUBSCRIBE reach Redis in the order they were asked.
        self._lock = asyncio.Lock()
        self._broken = asyncio.Event()
        self._connected = asyncio.Event()
        # SUBSCRIBEs sent for a channel whose confirmation has not arrived yet: only the last
        # confirmation means "subscribed now" (an earlier one may precede an UNSUBSCRIBE).
        self._outstanding: dict[str, int] = {}
        self._task: asyncio.Task[None] | None = None

    @property
    def connected(self) -> bool:
        """True while the pub/sub connection is up."""
        return self._connected.is_set()

    async def start(self, listener: ChannelListener) -> None:
        """Start the reader; it connects (and keeps reconnecting) in the background."""
        self._listener = listener
        self._task = asyncio.create_task(self._run(), name="realtime-redis-subscriber")

    async def stop(self) -> None:
        """Stop the reader and close the connection."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._teardown()

    async def check(self) -> None:
        """Health: raise unless the reader runs and its connection is up."""
        if self._task is None or self._task.done():
            raise RuntimeError("realtime subscriber is not running")
        if not self._connected.is_set():
            raise RuntimeError("realtime pub/sub connection is down (reconnecting)")

    async def check_alive(self) -> None:
        """Liveness: raise if the reader task ended (while it runs it reconnects by itself)."""
        if self._task is None or self._task.done():
            raise RuntimeError("realtime subscriber is not running")

    async def subscribe(self, channel: str) -> None:
        """Send SUBSCRIBE; while disconnected, the reconnect resubscribes it instead."""
        async with self._lock:
            pubsub = self._pubsub
            if pubsub is None or not self._connected.is_set():
                return
            self._outstanding[channel] = self._outstanding.get(channel, 0) + 1
            try:
                await pubsub.subscribe(channel)
            except _CONNECTION_ERRORS as exc:
                self._mark_broken(exc)

    async def unsubscribe(self, channel: str) -> None:
        """Send UNSUBSCRIBE; while disconnected there is nothing to drop."""
        async with self._lock:
            pubsub = self._pubsub
            if pubsub is None or not self._connected.is_set():
                return
            try:
                await pubsub.unsubscribe(channel)
            except _CONNECTION_ERRORS as exc:
                self._mark_broken(exc)

    async def _run(self) -> None:
        delay = self._backoff_initial
        while True:
            try:
                await self._connect()
                delay = self._backoff_initial
                await self._read_until_broken()
            except _CONNECTION_ERRORS as exc:
                logger.warning("realtime pub/sub connection lost", error=repr(exc))
            await self._teardown()
            self._require_listener().on_disconnected()
            metrics.REDIS_RESUBSCRIBES.inc()
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._backoff_max)

    async def _connect(self) -> None:
        async with self._lock:
            self._broken.clear()
            self._outstanding.clear()
            pubsub = self._client.pubsub()
            self._pubsub = pubsub
            await pubsub.connect()  # type: ignore[no-untyped-call]  # untyped in redis-py
            channels = self._require_listener().wanted_channels()
            if channels:
                for channel in channels:
                    self._outstanding[channel] = 1
                await pubsub.subscribe(*channels)
            self._connected.set()
        logger.info("realtime pub/sub connected", resubscribed=len(channels))

    async def _read_until_broken(self) -> None:
        pubsub = self._pubsub
        if pubsub is None:
            # _connect sets it under the lock before the reader starts; reaching here is a bug.
            raise RuntimeError("pub/sub read before it was connected")
        listener = self._require_listener()
        loop = asyncio.get_running_loop()
        last_heard = last_ping = loop.time()
        while not self._broken.is_set():
            message = await pubsub.get_message(timeout=self._read_timeout)
            now = loop.time()
            if message is None:
                if self._stale_after is not None and now - last_heard > self._stale_after:
                    raise RedisConnectionError("pub/sub connection silent: no answer to PING")
                quiet_since = max(last_heard, last_ping)
                if self._ping_interval is not None and now - quiet_since >= self._ping_interval:
                    await self._ping(pubsub)
                    last_ping = now
                continue
            # Any frame, our PONGs included, proves the connection still delivers.
            last_heard = now
            kind = message["type"]
            channel = _text(message["channel"])
            if kind == "message":
                listener.on_message(channel, _text(message["data"]))
            elif kind == "subscribe" and self._confirmation_is_current(channel):
                listener.on_subscribed(channel)

    async def _ping(self, pubsub: PubSub) -> None:
        async with self._lock:
            # The PONG arrives in the read stream as a message of type "pong".
            await pubsub.ping(_PING_MESSAGE)

    def _confirmation_is_current(self, channel: str) -> bool:
        pending = self._outstanding.get(channel, 0)
        if pending > 1:
            self._outstanding[channel] = pending - 1
            return False
        self._outstanding.pop(channel, None)
        return True

    def _mark_broken(self, exc: BaseException) -> None:
        logger.warning("realtime pub/sub command failed; reconnecting", error=repr(exc))
        self._connected.clear()
        self._broken.set()

    async def _teardown(self) -> None:
        self._connected.clear()
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            # The connection may already be broken; closing it must still happen.
            with contextlib.suppress(*_CONNECTION_ERRORS):
                await pubsub.aclose()  # type: ignore[no-untyped-call]  # untyped in redis-py

    def _require_listener(self) -> ChannelListener:
        if self._listener is None:
            raise RuntimeError("RedisChannelSubscriber.start() has not been called")
        return self._listener
