"""Hand-written fakes of the realtime hub's ports, for unit tests (no Redis, no sockets)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from api_gateway_service.realtime.ports import ChannelListener
from huleedu_service_libs.realtime import LOG_START, LogEntry, LogRead, with_stream_id


class FakeSubscriber:
    """Records SUBSCRIBE/UNSUBSCRIBE; the test plays Redis by calling the listener."""

    def __init__(self) -> None:
        self.commands: list[tuple[str, str]] = []
        self.listener: ChannelListener | None = None

    async def start(self, listener: ChannelListener) -> None:
        """Remember the listener."""
        self.listener = listener

    async def stop(self) -> None:
        """Forget the listener."""
        self.listener = None

    async def subscribe(self, channel: str) -> None:
        """Record the command."""
        self.commands.append(("subscribe", channel))

    async def unsubscribe(self, channel: str) -> None:
        """Record the command."""
        self.commands.append(("unsubscribe", channel))

    def confirm(self, channel: str) -> None:
        """Redis confirms a subscription."""
        self._require().on_subscribed(channel)

    def disconnect(self) -> None:
        """The pub/sub connection breaks."""
        self._require().on_disconnected()

    def deliver(self, channel: str, text: str) -> None:
        """A message arrives on a channel."""
        self._require().on_message(channel, text)

    def _require(self) -> ChannelListener:
        assert self.listener is not None, "hub not started"
        return self.listener


class FakeLog:
    """An in-memory notification log with NotificationLog's positions and gap rules."""

    def __init__(self) -> None:
        self.entries: dict[str, list[LogEntry]] = {}
        self.trimmed: set[str] = set()  # users whose log lost its oldest entries
        self.reads: list[tuple[str, str, str]] = []  # (user, mode, position)
        self.failures = 0  # the next reads that raise ConnectionError
        self.gate: asyncio.Event | None = None  # when set, reads wait for it
        self._seq = 0

    def append(self, user_id: str, event_id: str, **fields: Any) -> str:
        """Log a notification (as the bridge would); the frame subscribers receive."""
        self._seq += 1
        stream_id = f"{self._seq}-0"
        message = json.dumps({"type": "notification", "event_id": event_id, **fields})
        frame = with_stream_id(message, stream_id)
        self.entries.setdefault(user_id, []).append(LogEntry(stream_id, event_id, frame))
        return frame

    def trim(self, user_id: str, keep: int) -> None:
        """Drop all but the newest `keep` entries of a user's log."""
        self.entries[user_id] = self.entries.get(user_id, [])[-keep:]
        self.trimmed.add(user_id)

    async def tail(self, user_id: str) -> str:
        """The newest stream id (LOG_START when empty)."""
        await self._enter(user_id, "tail", "")
        return self._tail(user_id)

    async def read_after(self, user_id: str, stream_id: str) -> LogRead:
        """Entries after a stream id; incomplete when it is no longer logged."""
        await self._enter(user_id, "stream", stream_id)
        entries = self.entries.get(user_id, [])
        if stream_id == LOG_START:
            return self._read(user_id, entries, user_id not in self.trimmed)
        ids = [entry.stream_id for entry in entries]
        after = entries[ids.index(stream_id) + 1 :] if stream_id in ids else entries
        return self._read(user_id, after, stream_id in ids)

    async def read_after_event(self, user_id: str, event_id: str) -> LogRead:
        """Entries after an event id; the whole log, incomplete, when it is unknown."""
        await self._enter(user_id, "event", event_id)
        entries = self.entries.get(user_id, [])
        ids = [entry.event_id for entry in entries]
        if event_id not in ids:
            return self._read(user_id, entries, False)
        return self._read(user_id, entries[ids.index(event_id) + 1 :], True)

    async def _enter(self, user_id: str, mode: str, position: str) -> None:
        self.reads.append((user_id, mode, position))
        if self.gate is not None:
            await self.gate.wait()
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("fake log unavailable")

    def _read(self, user_id: str, entries: list[LogEntry], complete: bool) -> LogRead:
        return LogRead(tuple(entries), complete, self._tail(user_id))

    def _tail(self, user_id: str) -> str:
        entries = self.entries.get(user_id)
        return entries[-1].stream_id if entries else LOG_START


class FakeSink:
    """A socket whose queue holds `capacity` frames and is never drained."""

    def __init__(self, user_id: str, capacity: int = 100) -> None:
        self._user_id = user_id
        self.capacity = capacity
        self.frames: list[dict[str, Any]] = []
        self.ready = False
        self.closed_slow = False

    @property
    def user_id(self) -> str:
        """The owner."""
        return self._user_id

    def offer(self, text: str) -> bool:
        """Keep the frame unless full."""
        if len(self.frames) >= self.capacity:
            return False
        self.frames.append(json.loads(text))
        return True

    async def put(self, text: str) -> bool:
        """Like offer: this fake never drains, so waiting for room would wait forever."""
        if self.closed_slow:
            return False
        if not self.offer(text):
            self.close_slow()
            return False
        return True

    def on_ready(self) -> None:
        """Remember that ready was queued."""
        self.ready = True

    def close_slow(self) -> None:
        """Remember the close."""
        self.closed_slow = True

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        """The frames of one type."""
        return [frame for frame in self.frames if frame["type"] == kind]

    def event_ids(self) -> list[str]:
        """The event ids of the notification frames, in arrival order."""
        return [str(frame["event_id"]) for frame in self.frames if "event_id" in frame]

    def kinds(self) -> list[str]:
        """Each frame's type, in arrival order."""
        return [str(frame["type"]) for frame in self.frames]
