"""Unit of work base: one session and transaction, the inbox claim and the outbox together."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Self
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from common_core.envelope import EventEnvelope

# The module, not its function: inbox imports db.tables, so `import huleedu_service_libs.inbox`
# first runs db/__init__, which imports this module while inbox is still half-initialised.
from huleedu_service_libs import inbox
from huleedu_service_libs.outbox.writer import OutboxWriter


class SqlAlchemyUnitOfWork(ABC):
    """Opens a session and transaction on enter; rolls back unless commit() was called.

    Subclasses create their repositories on the session in `_bind_repositories`.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._outbox = OutboxWriter()
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        """The open session; an error outside `async with`."""
        if self._session is None:
            raise RuntimeError("unit of work used outside 'async with'")
        return self._session

    @abstractmethod
    def _bind_repositories(self, session: AsyncSession) -> None:
        """Create this unit of work's repositories on the new session."""

    async def __aenter__(self) -> Self:
        self._session = self._sessions()
        await self._session.begin()
        self._bind_repositories(self._session)
        return self

    async def __aexit__(self, *exc: object) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.rollback()  # a no-op after commit()
            await session.close()

    async def claim(self, *, consumer: str, event_id: UUID, event_type: str) -> bool:
        """The inbox claim for `consumer`, first in the transaction; False if already handled."""
        return await inbox.claim_event(
            self.session, consumer=consumer, event_id=event_id, event_type=event_type
        )

    async def claim_many(self, *, consumer: str, events: list[tuple[UUID, str]]) -> set[UUID]:
        """The inbox claim of several (event id, event type) pairs in one statement."""
        return await inbox.claim_events(self.session, consumer=consumer, events=events)

    async def add_events(self, events: list[tuple[EventEnvelope[Any], str]]) -> None:
        """Write (envelope, key) pairs to the outbox in this transaction, in one statement."""
        await self._outbox.add_many(self.session, [(env, key, None) for env, key in events])

    async def add_event(self, envelope: EventEnvelope[Any], key: str) -> None:
        """Write one event to the outbox in this transaction."""
        await self.add_events([(envelope, key)])

    async def commit(self) -> None:
        """Commit the rows, inbox and outbox written in this unit of work together."""
        await self.session.commit()
