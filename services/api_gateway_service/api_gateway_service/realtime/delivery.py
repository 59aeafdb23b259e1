"""Per-socket delivery bookkeeping: each notification once, across live frames and log replays.

Plain logic, no I/O. A socket has a cursor in its user's log (every entry up to it has been
delivered or predates the socket) and remembers the event ids it was given. While its replay is
read from the log, live frames wait in a buffer; the replay goes out first, then the buffer,
each frame only if its event id is new to the socket. That is "subscribe first, then read the
log, then de-duplicate": a frame can arrive both ways, never zero ways.
"""

from __future__ import annotations

import json
from collections import OrderedDict, deque
from dataclasses import dataclass
from enum import Enum

from huleedu_service_libs.realtime import LogRead, stream_position


@dataclass(frozen=True, slots=True)
class Frame:
    """One text frame for sockets, with the ids the hub routes and de-duplicates by."""

    text: str
    kind: str
    event_id: str | None = None
    stream_id: str | None = None
    correlation_id: str | None = None

    @classmethod
    def parse(cls, text: str) -> Frame | None:
        """The frame of a JSON object message; None for anything else."""
        try:
            message = json.loads(text)
        except ValueError:
            return None
        if not isinstance(message, dict):
            return None
        event_id, stream_id = message.get("event_id"), message.get("stream_id")
        correlation_id = message.get("correlation_id")
        return cls(
            text=text,
            kind=str(message.get("type", "unknown")),
            event_id=event_id if isinstance(event_id, str) else None,
            stream_id=stream_id if isinstance(stream_id, str) and _valid(stream_id) else None,
            correlation_id=correlation_id if isinstance(correlation_id, str) else None,
        )


class LiveOutcome(Enum):
    """What to do with a live frame for one socket."""

    DELIVER = "deliver"
    DUPLICATE = "duplicate"
    BUFFERED = "buffered"
    OVERFLOW = "overflow"  # the buffer is full: the socket cannot keep up


class DeliveryState:
    """One socket's cursor, recent event ids and replay buffer."""

    def __init__(self, *, remember: int, buffer_limit: int) -> None:
        self.cursor: str | None = None
        self.syncing = False
        self._remember = remember
        self._buffer_limit = buffer_limit
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._buffer: deque[Frame] = deque()

    def live(self, frame: Frame) -> LiveOutcome:
        """A frame from the channel: deliver now, drop as a repeat, or hold during a replay."""
        if self.syncing:
            if len(self._buffer) >= self._buffer_limit:
                return LiveOutcome.OVERFLOW
            self._buffer.append(frame)
            return LiveOutcome.BUFFERED
        return LiveOutcome.DELIVER if self.admit(frame) else LiveOutcome.DUPLICATE

    def admit(self, frame: Frame) -> bool:
        """True when the socket has not had this event yet (and now counts it as had)."""
        if frame.stream_id is not None:
            self._advance(frame.stream_id)
        if frame.event_id is None:
            return True
        if frame.event_id in self._seen:
            return False
        self._seen[frame.event_id] = None
        if len(self._seen) > self._remember:
            self._seen.popitem(last=False)
        return True

    def begin_sync(self) -> None:
        """From now on live frames wait until the replay has been delivered."""
        self.syncing = True

    def replay(self, read: LogRead) -> list[Frame]:
        """The log entries this socket still needs, in log order; the cursor moves to the tail."""
        fresh: list[Frame] = []
        for entry in read.entries:
            frame = Frame(entry.frame, "notification", entry.event_id, entry.stream_id)
            if self.admit(frame):
                fresh.append(frame)
        self._advance(read.tail)
        return fresh

    def next_buffered(self) -> Frame | None:
        """The next held live frame the socket still needs, or None when the buffer is empty."""
        while self._buffer:
            frame = self._buffer.popleft()
            if self.admit(frame):
                return frame
        return None

    def end_sync(self) -> None:
        """The replay and the buffer are delivered: live frames go straight out again."""
        self.syncing = False

    def _advance(self, stream_id: str) -> None:
        if self.cursor is None or stream_position(stream_id) > stream_position(self.cursor):
            self.cursor = stream_id


def _valid(stream_id: str) -> bool:
    try:
        stream_position(stream_id)
    except ValueError:
        return False
    return True
