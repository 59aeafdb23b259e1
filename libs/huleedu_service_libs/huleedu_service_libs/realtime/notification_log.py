"""A capped, resumable log of each user's notifications beside the `ws:{user_id}` fan-out.

Per user, a stream `ws:{user_id}:log` keeps the newest entries (fields `event_id`, `message`)
and a hash `ws:{user_id}:ids` maps each logged event id to its stream id. One Lua script
appends and publishes, so an entry is in the log whenever a subscriber could have seen it, and
an event id already in the log is neither appended nor published again. Frames carry the
entry's `stream_id`; the log stores the message without it and adds it on the way out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

from huleedu_service_libs.realtime.redis_pubsub import user_channel

# Before any entry: a socket that started on an empty log resumes from here.
LOG_START = "0-0"

_APPEND = """
local known = redis.call('HGET', KEYS[2], ARGV[1])
if known then
  return {known, -1}
end
local id = redis.call('XADD', KEYS[1], '*', 'event_id', ARGV[1], 'message', ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], id)
local excess = redis.call('XLEN', KEYS[1]) - tonumber(ARGV[3])
if excess > 0 then
  for _, entry in ipairs(redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', excess)) do
    redis.call('HDEL', KEYS[2], entry[2][2])
  end
  redis.call('XTRIM', KEYS[1], 'MAXLEN', ARGV[3])
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
local frame = string.sub(ARGV[2], 1, -2) .. ',"stream_id":"' .. id .. '"}'
return {id, redis.call('PUBLISH', ARGV[5], frame)}
"""

# Returns {complete, tail, entries}. complete = 0 when entries after the position may be
# gone: the position was trimmed away or expired, or the event id is not (any more) logged.
_READ = """
local function tail()
  local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
  if #last == 0 then return '0-0' end
  return last[1][1]
end
local function nothing_trimmed()
  if redis.call('EXISTS', KEYS[1]) == 0 then return true end
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  local fields = {}
  for i = 1, #info, 2 do fields[info[i]] = info[i + 1] end
  return fields['entries-added'] == fields['length']
end
if ARGV[1] == 'tail' then
  return {1, tail(), {}}
end
local position = ARGV[2]
if ARGV[1] == 'event' then
  position = redis.call('HGET', KEYS[2], ARGV[2])
  if not position then
    return {0, tail(), redis.call('XRANGE', KEYS[1], '-', '+')}
  end
end
local complete
if position == '0-0' then
  complete = nothing_trimmed()
else
  complete = #redis.call('XRANGE', KEYS[1], position, position) == 1
end
return {complete and 1 or 0, tail(), redis.call('XRANGE', KEYS[1], '(' .. position, '+')}
"""


def log_key(user_id: str) -> str:
    """The stream holding one user's recent notifications."""
    return f"{user_channel(user_id)}:log"


def ids_key(user_id: str) -> str:
    """The hash mapping each logged event id of a user to its stream id."""
    return f"{user_channel(user_id)}:ids"


def with_stream_id(message: str, stream_id: str) -> str:
    """The frame sockets receive: the message's JSON object with `stream_id` added last."""
    return f'{message[:-1]},"stream_id":"{stream_id}"}}'


def stream_position(stream_id: str) -> tuple[int, int]:
    """A stream id as a sortable (milliseconds, sequence) pair; ValueError if malformed."""
    millis, _, sequence = stream_id.partition("-")
    if not millis.isdigit() or not sequence.isdigit():
        raise ValueError(f"not a stream id: {stream_id!r}")
    return int(millis), int(sequence)


@dataclass(frozen=True, slots=True)
class Appended:
    """The outcome of one append: its stream id and how many subscribers got the frame."""

    stream_id: str
    receivers: int
    duplicate: bool  # the event id was already logged: nothing appended or published


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One logged notification, as the frame a socket receives."""

    stream_id: str
    event_id: str
    frame: str


@dataclass(frozen=True, slots=True)
class LogRead:
    """What the log holds after a position, and whether anything after it was lost."""

    entries: tuple[LogEntry, ...]
    complete: bool
    tail: str  # the newest stream id at read time (LOG_START when the log is empty)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value


def _entry(raw: Sequence[Any]) -> LogEntry:
    stream_id = _text(raw[0])
    pairs = raw[1]
    fields = {_text(pairs[i]): _text(pairs[i + 1]) for i in range(0, len(pairs), 2)}
    frame = with_stream_id(fields["message"], stream_id)
    return LogEntry(stream_id=stream_id, event_id=fields["event_id"], frame=frame)


def _read(raw: Sequence[Any]) -> LogRead:
    return LogRead(
        entries=tuple(_entry(item) for item in raw[2]),
        complete=bool(int(raw[0])),
        tail=_text(raw[1]),
    )


class NotificationLog:
    """Appends-and-publishes notifications and reads them back after a position."""

    def __init__(self, client: aioredis.Redis, *, max_entries: int, ttl_seconds: int) -> None:
        if max_entries < 1 or ttl_seconds < 1:
            raise ValueError("max_entries and ttl_seconds must be positive")
        self._client = client
        self._max_entries = max_entries
        self._ttl = ttl_seconds
        self._append = client.register_script(_APPEND)
        self._read_script = client.register_script(_READ)

    @property
    def max_entries(self) -> int:
        """How many entries each user's log keeps."""
        return self._max_entries

    async def append_and_publish(
        self, user_id: str, event_id: str, message: Mapping[str, Any]
    ) -> Appended:
        """Log the message and publish it (with its stream_id) on `ws:{user_id}`, atomically."""
        if "stream_id" in message:
            raise ValueError("the log assigns stream_id itself")
        text = json.dumps(dict(message), ensure_ascii=False, separators=(",", ":"))
        keys = [log_key(user_id), ids_key(user_id)]
        args: list[str | int] = [
            event_id,
            text,
            self._max_entries,
            self._ttl,
            user_channel(user_id),
        ]
        stream_id, receivers = await self._append(keys=keys, args=args)
        return Appended(_text(stream_id), max(int(receivers), 0), int(receivers) < 0)

    async def tail(self, user_id: str) -> str:
        """The newest stream id of the user's log (LOG_START when empty): a fresh position."""
        return (await self._run(user_id, "tail", "")).tail

    async def read_after(self, user_id: str, stream_id: str) -> LogRead:
        """Entries after `stream_id` (LOG_START: all); incomplete if some may be lost."""
        stream_position(stream_id)  # a malformed id must not reach XRANGE
        return await self._run(user_id, "stream", stream_id)

    async def read_after_event(self, user_id: str, event_id: str) -> LogRead:
        """Entries after the one with `event_id`; the whole log, incomplete, if it is unknown."""
        return await self._run(user_id, "event", event_id)

    async def _run(self, user_id: str, mode: str, position: str) -> LogRead:
        keys = [log_key(user_id), ids_key(user_id)]
        raw = await self._read_script(keys=keys, args=[mode, position])
        return _read(raw)
