"""Hand-written fakes of the kernel's ports: a store with PostgreSQL's inbox semantics."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Self
from uuid import UUID

from pydantic import BaseModel

from common_core.envelope import EventEnvelope
from huleedu_service_libs.consumer import EventFactory, Outgoing, StepContext


@dataclass
class FakeStore:
    """What a database would hold after commits: inbox keys, outbox rows, effect rows."""

    inbox: set[tuple[str, UUID]] = field(default_factory=set)
    outbox: list[Outgoing] = field(default_factory=list)
    rows: list[str] = field(default_factory=list)
    # One lock per inbox key, held until the claiming transaction ends: a concurrent claim of
    # the same key waits, then sees the committed row (what ON CONFLICT DO NOTHING does).
    locks: defaultdict[tuple[str, UUID], asyncio.Lock] = field(
        default_factory=lambda: defaultdict(asyncio.Lock)
    )


class FakeUnitOfWork:
    """Stages claims, rows and outbox events; only commit() makes them visible."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self._claims: list[tuple[str, UUID]] = []
        self._held: list[asyncio.Lock] = []
        self._outbox: list[Outgoing] = []
        self.rows: list[str] = []
        self.fail_commit: Exception | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._claims, self._outbox, self.rows = [], [], []
        for lock in self._held:
            lock.release()
        self._held = []

    async def claim(self, *, consumer: str, event_id: UUID, event_type: str) -> bool:
        key = (consumer, event_id)
        lock = self._store.locks[key]
        await lock.acquire()
        if key in self._store.inbox:
            lock.release()
            return False
        self._held.append(lock)
        self._claims.append(key)
        return True

    async def add_events(self, events: list[Outgoing]) -> None:
        self._outbox.extend(events)

    async def commit(self) -> None:
        if self.fail_commit is not None:
            raise self.fail_commit
        self._store.inbox.update(self._claims)
        self._store.outbox.extend(self._outbox)
        self._store.rows.extend(self.rows)
        self._claims, self._outbox, self.rows = [], [], []


class Happened(BaseModel):
    """A payload for the fakes' events."""

    batch_id: str


class SampleEvents(EventFactory):
    """A service's event factory, as the services subclass it."""

    def happened(self, batch_id: str) -> Outgoing:
        return self.wrap(Happened(batch_id=batch_id), batch_id)


def envelope(batch_id: str = "b1") -> EventEnvelope[Happened]:
    return EventEnvelope.wrap(
        Happened(batch_id=batch_id), source_service="upstream", correlation_id="corr-1"
    )


Context = StepContext[SampleEvents]
