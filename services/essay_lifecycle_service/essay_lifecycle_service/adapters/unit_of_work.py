"""SQLAlchemy unit of work: inbox row, lifecycle rows and outbox events in one transaction."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from common_core.envelope import EventEnvelope
from essay_lifecycle_service.adapters.batch_repository import (
    PostgresBatchRepository,
    PostgresPhaseRepository,
)
from essay_lifecycle_service.adapters.essay_repository import PostgresEssayRepository
from essay_lifecycle_service.domain.ports import BatchRepository, EssayRepository, PhaseRepository
from huleedu_service_libs.inbox import claim_event
from huleedu_service_libs.outbox import OutboxWriter


class SqlAlchemyUnitOfWork:
    """Opens a session and transaction on enter; rolls back unless commit() was called."""

    batches: BatchRepository
    essays: EssayRepository
    phases: PhaseRepository

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._outbox = OutboxWriter()
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> SqlAlchemyUnitOfWork:
        self._session = self._sessions()
        await self._session.begin()
        self.batches = PostgresBatchRepository(self._session)
        self.essays = PostgresEssayRepository(self._session)
        self.phases = PostgresPhaseRepository(self._session)
        return self

    async def __aexit__(self, *exc: object) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.rollback()  # a no-op after commit()
            await session.close()

    async def claim_event(self, consumer: str, event_id: UUID, event_type: str) -> bool:
        """The inbox row, first in the transaction."""
        return await claim_event(
            self._require(), consumer=consumer, event_id=event_id, event_type=event_type
        )

    async def add_events(self, events: list[tuple[EventEnvelope[Any], str]]) -> None:
        """Write (envelope, key) pairs to the outbox in this transaction."""
        await self._outbox.add_many(self._require(), [(env, key, None) for env, key in events])

    async def commit(self) -> None:
        """Commit rows, inbox and outbox together."""
        await self._require().commit()

    def _require(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside 'async with'")
        return self._session
