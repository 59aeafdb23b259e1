"""Per-process fan-out: one Redis subscription per connected user, shared by their sockets."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

import structlog

from api_gateway_service.realtime import metrics
from api_gateway_service.realtime.protocol import ready_message
from huleedu_service_libs.realtime import user_channel

logger = structlog.get_logger(__name__)

# Kafka delivers into the bridge at least once; a redelivery normally follows within seconds,
# so remembering the last few hundred event ids per user is plenty.
RECENT_EVENT_IDS_PER_USER = 512


class SocketSink(Protocol):
    """What the hub needs of one client socket; offering never waits."""

    @property
    def user_id(self) -> str:
        """The authenticated owner of the socket."""
        ...

    def offer(self, text: str) -> bool:
        """Queue a text frame; False when the socket's send queue is full."""
        ...

    def on_ready(self) -> None:
        """The user's subscription is confirmed (the ready frame has been queued)."""
        ...

    def close_slow(self) -> None:
        """Close the socket because it cannot keep up (its queue overflowed)."""
        ...


class ChannelListener(Protocol):
    """Callbacks of a ChannelSubscriber; implemented by the hub."""

    def on_subscribed(self, channel: str) -> None:
        """Redis confirmed the subscription to `channel` (first time or after a reconnect)."""
        ...

    def on_message(self, channel: str, data: str) -> None:
        """A message arrived on `channel`."""
        ...

    def on_disconnected(self) -> None:
        """The pub/sub connection was lost; subscriptions are pending until resubscribed."""
        ...

    def wanted_channels(self) -> list[str]:
        """Every channel that should be subscribed right now (for resubscribing)."""
        ...


class ChannelSubscriber(Protocol):
    """One pub/sub connection with dynamic subscriptions; confirmations go to the listener."""

    async def start(self, listener: ChannelListener) -> None:
        """Begin reading and delivering to `listener`."""
        ...

    async def stop(self) -> None:
        """Stop reading and close the connection."""
        ...

    async def subscribe(self, channel: str) -> None:
        """Ask for `channel`; never raises for connection trouble (a reconnect retries it)."""
        ...

    async def unsubscribe(self, channel: str) -> None:
        """Drop `channel`; never raises for connection trouble."""
        ...


class TooManyConnectionsError(Exception):
    """The user already has the maximum number of sockets on this process."""


@dataclass
class _UserEntry:
    user_id: str
    sockets: dict[SocketSink, None] = field(default_factory=dict)  # ordered set
    confirmed: bool = False
    recent: OrderedDict[str, None] = field(default_factory=OrderedDict)

    def seen_before(self, event_id: str) -> bool:
        if event_id in self.recent:
            return True
        self.recent[event_id] = None
        if len(self.recent) > RECENT_EVENT_IDS_PER_USER:
            self.recent.popitem(last=False)
        return False


class NotificationHub:
    """Routes each channel message to every socket of its user, once per event id."""

    def __init__(self, subscriber: ChannelSubscriber, *, max_connections_per_user: int) -> None:
        self._subscriber = subscriber
        self._max_per_user = max_connections_per_user
        self._users: dict[str, _UserEntry] = {}
        self._by_channel: dict[str, _UserEntry] = {}

    async def start(self) -> None:
        """Start the subscriber's reader."""
        await self._subscriber.start(self)

    async def stop(self) -> None:
        """Stop the subscriber; sockets are closed by their own sessions."""
        await self._subscriber.stop()

    def socket_count(self, user_id: str) -> int:
        """How many sockets of `user_id` this process holds."""
        entry = self._users.get(user_id)
        return len(entry.sockets) if entry else 0

    @property
    def user_ids(self) -> Iterable[str]:
        """Users with at least one socket here."""
        return list(self._users)

    async def attach(self, sink: SocketSink) -> None:
        """Register a socket; subscribes its user's channel on the user's first socket."""
        user_id = sink.user_id
        entry = self._users.get(user_id)
        if entry is not None and len(entry.sockets) >= self._max_per_user:
            raise TooManyConnectionsError(user_id)
        first = entry is None
        if entry is None:
            entry = _UserEntry(user_id)
            self._users[user_id] = entry
            self._by_channel[user_channel(user_id)] = entry
        entry.sockets[sink] = None
        metrics.CONNECTED_SOCKETS.inc()
        if entry.confirmed:
            self._send_ready(entry, sink)
        if first:
            # Registered before the await: a confirmation may arrive while it is pending.
            await self._subscriber.subscribe(user_channel(user_id))

    async def detach(self, sink: SocketSink) -> None:
        """Forget a socket; unsubscribes its user's channel when it was the last one."""
        entry = self._users.get(sink.user_id)
        if entry is None or sink not in entry.sockets:
            return
        del entry.sockets[sink]
        metrics.CONNECTED_SOCKETS.dec()
        if entry.sockets:
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
        """Send ready to the user's sockets (again after a reconnect: they may refresh)."""
        entry = self._by_channel.get(channel)
        if entry is None:
            return  # a late confirmation for a user who already left
        entry.confirmed = True
        for sink in list(entry.sockets):
            self._send_ready(entry, sink)
        logger.debug("subscription confirmed", user_id=entry.user_id, sockets=len(entry.sockets))

    def on_disconnected(self) -> None:
        """Until resubscribed, new sockets must not be told they are ready."""
        for entry in self._users.values():
            entry.confirmed = False

    def on_message(self, channel: str, data: str) -> None:
        """Fan one message out to the user's sockets, dropping repeats of an event id."""
        entry = self._by_channel.get(channel)
        if entry is None:
            return
        try:
            message = json.loads(data)
        except ValueError:
            logger.warning("non-JSON message on user channel dropped", user_id=entry.user_id)
            return
        if not isinstance(message, dict):
            logger.warning("non-object message on user channel dropped", user_id=entry.user_id)
            return
        event_id = message.get("event_id")
        if isinstance(event_id, str) and entry.seen_before(event_id):
            metrics.DUPLICATES_DROPPED.inc()
            logger.info("duplicate notification dropped", user_id=entry.user_id, event_id=event_id)
            return
        message_type = str(message.get("type", "unknown"))
        for sink in list(entry.sockets):
            if sink.offer(data):
                metrics.MESSAGES_DELIVERED.labels(message_type).inc()
            else:
                # Never drop silently: a socket that cannot keep up is closed instead.
                logger.warning(
                    "socket send queue full; closing",
                    user_id=entry.user_id,
                    correlation_id=message.get("correlation_id"),
                )
                sink.close_slow()
        logger.debug(
            "message fanned out",
            user_id=entry.user_id,
            event_id=event_id,
            correlation_id=message.get("correlation_id"),
            sockets=len(entry.sockets),
        )

    def _send_ready(self, entry: _UserEntry, sink: SocketSink) -> None:
        if sink.offer(ready_message(entry.user_id)):
            sink.on_ready()
        else:
            sink.close_slow()
