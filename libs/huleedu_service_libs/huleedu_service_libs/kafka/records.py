"""What the consumer runner hands its handlers: records, one at a time or in runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Protocol

__all__ = ["Record", "RecordHandler", "RunHandling"]


class Record(Protocol):
    """What a handler reads of a consumed message (aiokafka's ConsumerRecord has these)."""

    topic: str
    partition: int
    offset: int
    timestamp: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]]


RecordHandler = Callable[[Record], Awaitable[None]]


class RunHandling(Protocol):
    """Handles consecutive records of one kind together (`EventDispatcher` implements it)."""

    def run_key(self, record: Record) -> Hashable | None:
        """Records with the same key, consecutive in a partition, may be handled together."""
        ...

    async def handle_run(self, records: Sequence[Record]) -> None:
        """Handle the run in one go (all or nothing)."""
        ...
