"""The ports of the realtime hub: sockets, the pub/sub subscriber and the notification log."""

from __future__ import annotations

from typing import Protocol

from huleedu_service_libs.realtime import LogRead


class SocketSink(Protocol):
    """What the hub needs of one client socket."""

    @property
    def user_id(self) -> str:
        """The authenticated owner of the socket."""
        ...

    def offer(self, text: str) -> bool:
        """Queue a text frame without waiting; False when the socket's send queue is full."""
        ...

    async def put(self, text: str) -> bool:
        """Queue a text frame, waiting for room (replays); False once the socket is closing."""
        ...

    def on_ready(self) -> None:
        """The user's subscription is confirmed (the ready frame has been queued)."""
        ...

    def close_slow(self) -> None:
        """Close the socket because it cannot keep up (its queue overflowed)."""
        ...


class LogReader(Protocol):
    """Reads a user's notification log (huleedu_service_libs.realtime.NotificationLog)."""

    async def tail(self, user_id: str) -> str:
        """The newest stream id of the user's log: where a new socket starts."""
        ...

    async def read_after(self, user_id: str, stream_id: str) -> LogRead:
        """Entries after a stream id; incomplete when some may have been lost."""
        ...

    async def read_after_event(self, user_id: str, event_id: str) -> LogRead:
        """Entries after the one with `event_id`; incomplete when that id is not logged."""
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
