"""Per-process fan-out: one Redis subscription per connected user, shared by their sockets.

Each socket has a SocketFeed. Whenever a user's subscription is confirmed (first socket, or
again after a Redis reconnect) every socket of the user syncs: it gets from the user's log what
it missed, then `ready`. So a notification published while this process was away from Redis
still reaches each socket, once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field

import structlog

from api_gateway_service.realtime import metrics
from api_gateway_service.realtime.delivery import Frame
from api_gateway_service.realtime.feed import SocketFeed
from api_gateway_service.realtime.ports import ChannelSubscriber, LogReader, SocketSink
from huleedu_service_libs.realtime import user_channel

logger = structlog.get_logger(__name__)

# Kafka redelivers into the bridge at least once, normally within seconds, and a replay covers
# at most the user's log: remembering this many recent event ids per socket (or the log's
# size, if larger) is plenty.
RECENT_EVENT_IDS_PER_SOCKET = 512
# After a Redis reconnect every socket of the process replays at once; without a bound each
# read would take its own pooled connection.
CONCURRENT_LOG_READS = 32


class TooManyConnectionsError(Exception):
    """The user already has the maximum number of sockets on this process."""


@dataclass
class _UserEntry:
    user_id: str
    feeds: dict[SocketSink, SocketFeed] = field(default_factory=dict)
    confirmed: bool = False


class NotificationHub:
    """Routes each channel message to every socket of its user, once per event id per socket."""

    def __init__(
        self,
        subscriber: ChannelSubscriber,
        log: LogReader,
        *,
        max_connections_per_user: int,
        log_max_entries: int = 0,
        replay_buffer_limit: int = 256,
        log_read_timeout_seconds: float = 5.0,
    ) -> None:
        self._subscriber = subscriber
        self._log = log
        self._max_per_user = max_connections_per_user
        self._remember = max(RECENT_EVENT_IDS_PER_SOCKET, log_max_entries)
        self._buffer_limit = replay_buffer_limit
        self._read_timeout = log_read_timeout_seconds
        self._read_slots = asyncio.Semaphore(CONCURRENT_LOG_READS)
        self._users: dict[str, _UserEntry] = {}
        self._by_channel: dict[str, _UserEntry] = {}

    async def start(self) -> None:
        """Start the subscriber's reader."""
        await self._subscriber.start(self)

    async def stop(self) -> None:
        """Stop the subscriber and every running replay; sockets close in their sessions."""
        await self._subscriber.stop()
        for entry in list(self._users.values()):
            for feed in list(entry.feeds.values()):
                await feed.close()

    async def wait_synced(self) -> None:
        """Return once every socket's replay has been handed to its queue."""
        for entry in list(self._users.values()):
            for feed in list(entry.feeds.values()):
                await feed.wait_idle()

    def socket_count(self, user_id: str) -> int:
        """How many sockets of `user_id` this process holds."""
        entry = self._users.get(user_id)
        return len(entry.feeds) if entry else 0

    @property
    def user_ids(self) -> Iterable[str]:
        """Users with at least one socket here."""
        return list(self._users)

    async def attach(self, sink: SocketSink, *, resume_from: str | None = None) -> None:
        """Register a socket (replaying after event id `resume_from`, if given)."""
        user_id = sink.user_id
        entry = self._users.get(user_id)
        if entry is not None and len(entry.feeds) >= self._max_per_user:
            raise TooManyConnectionsError(user_id)
        first = entry is None
        if entry is None:
            entry = _UserEntry(user_id)
            self._users[user_id] = entry
            self._by_channel[user_channel(user_id)] = entry
        feed = SocketFeed(
            sink,
            self._log,
            resume_from=resume_from,
            remember=self._remember,
            buffer_limit=self._buffer_limit,
            read_timeout_seconds=self._read_timeout,
            read_slots=self._read_slots,
        )
        entry.feeds[sink] = feed
        metrics.CONNECTED_SOCKETS.inc()
        if entry.confirmed:
            feed.request_sync(announce_ready=True)
        if first:
            # Registered before the await: a confirmation may arrive while it is pending.
            await self._subscriber.subscribe(user_channel(user_id))

    def resume(self, sink: SocketSink, event_id: str) -> None:
        """The client's last seen event id: replay what followed it (now, or once subscribed)."""
        entry = self._users.get(sink.user_id)
        feed = entry.feeds.get(sink) if entry else None
        if entry is not None and feed is not None:
            feed.request_resume(event_id, now=entry.confirmed)

    async def detach(self, sink: SocketSink) -> None:
        """Forget a socket; unsubscribes its user's channel when it was the last one."""
        entry = self._users.get(sink.user_id)
        if entry is None or sink not in entry.feeds:
            return
        feed = entry.feeds.pop(sink)
        metrics.CONNECTED_SOCKETS.dec()
        await feed.close()
        if entry.feeds or self._users.get(entry.user_id) is not entry:
            return
        channel = user_channel(entry.user_id)
        del self._users[entry.user_id]
        del self._by_channel[channel]
        await self._subscriber.unsubscribe(channel)

    # ChannelListener

    def wanted_channels(self) -> list[str]:
        """Channels of every user with a socket here."""
        return list(self._by_channel)

    def on_subscribed(self, channel: str) -> None:
        """Sync every socket of the user: replay what it missed, then send ready."""
        entry = self._by_channel.get(channel)
        if entry is None:
            return  # a late confirmation for a user who already left
        entry.confirmed = True
        for feed in list(entry.feeds.values()):
            feed.request_sync(announce_ready=True)
        logger.debug("subscription confirmed", user_id=entry.user_id, sockets=len(entry.feeds))

    def on_disconnected(self) -> None:
        """Until resubscribed, sockets must not be synced or told they are ready."""
        for entry in self._users.values():
            entry.confirmed = False

    def on_message(self, channel: str, data: str) -> None:
        """Hand one message to each of the user's sockets (each drops its own repeats)."""
        entry = self._by_channel.get(channel)
        if entry is None:
            return
        frame = Frame.parse(data)
        if frame is None:
            logger.warning("non-object message on user channel dropped", user_id=entry.user_id)
            return
        for feed in list(entry.feeds.values()):
            feed.on_live(frame)
        logger.debug(
            "message fanned out",
            user_id=entry.user_id,
            event_id=frame.event_id,
            stream_id=frame.stream_id,
            correlation_id=frame.correlation_id,
            sockets=len(entry.feeds),
        )
