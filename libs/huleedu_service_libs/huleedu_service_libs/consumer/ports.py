"""The unit of work a consumer step runs in: one transaction holding inbox, effects and outbox."""

from __future__ import annotations

from typing import Protocol, Self, runtime_checkable
from uuid import UUID

from huleedu_service_libs.consumer.events import Outgoing

__all__ = ["ClaimsMany", "UnitOfWork"]


class UnitOfWork(Protocol):
    """One transaction; rolled back on exit unless commit() ran.

    A service's own unit of work extends this protocol with its repositories;
    `huleedu_service_libs.db.SqlAlchemyUnitOfWork` implements it on PostgreSQL.
    """

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def claim(self, *, consumer: str, event_id: UUID, event_type: str) -> bool:
        """Record the event in the inbox for `consumer`; False if it was handled before."""
        ...

    async def add_events(self, events: list[Outgoing]) -> None:
        """Write (envelope, key) pairs to the outbox of this transaction."""
        ...

    async def commit(self) -> None:
        """Commit inbox row, effects and outbox rows together."""
        ...


@runtime_checkable
class ClaimsMany(Protocol):
    """A unit of work that claims a run of events in one statement (an optional speed-up)."""

    async def claim_many(self, *, consumer: str, events: list[tuple[UUID, str]]) -> set[UUID]:
        """Record (event id, event type) pairs for `consumer`; the ids not handled before."""
        ...
