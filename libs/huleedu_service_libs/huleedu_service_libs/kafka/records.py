"""What the consumer runner hands its handlers: records, one at a time or in runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Protocol

__all__ = ["Record", "RecordHandler", "RunHandling", "group_runs"]


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
    """Handles records of one kind and key together (`EventDispatcher` implements it)."""

    def run_key(self, record: Record) -> Hashable | None:
        """Records with the same run key in one partition's poll may be handled together."""
        ...

    async def handle_run(self, records: Sequence[Record]) -> None:
        """Handle the run in one go (all or nothing)."""
        ...


def group_runs(
    records: Sequence[Record], run_key: Callable[[Record], Hashable | None]
) -> list[list[Record]]:
    """One partition's records as runs to handle in order (by each run's first record).

    A record joins the open run of its run key unless another record with the same Kafka key
    came in between (one aggregate's events keep their order); records of other keys may sit
    between a run's members, since Kafka promises no order across keys. A record without a
    run key is a run of its own; one without a Kafka key closes every open run.
    """
    runs: list[list[Record]] = []
    open_runs: dict[Hashable, list[Record]] = {}
    latest: dict[bytes, list[Record]] = {}  # each Kafka key's latest run
    for record in records:
        key = run_key(record)
        run = open_runs.get(key) if key is not None else None
        if run is None or record.key is None or latest.get(record.key) is not run:
            run = []
            runs.append(run)
            if key is not None:
                open_runs[key] = run
        run.append(record)
        if record.key is None:
            open_runs.clear()
        else:
            latest[record.key] = run
    return runs
