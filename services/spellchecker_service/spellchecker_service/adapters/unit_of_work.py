"""SQLAlchemy unit of work: inbox claim, result row and outbox event in one transaction."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from common_core.envelope import EventEnvelope
from huleedu_service_libs.inbox import claim_event
from huleedu_service_libs.outbox import OutboxWriter
from spellchecker_service.adapters.tables import spellcheck_results
from spellchecker_service.domain.ports import ResultRepository, SpellcheckResultRecord


class PostgresResultRepository:
    """ResultRepository bound to one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, record: SpellcheckResultRecord) -> None:
        """Insert one result row."""
        values = asdict(record)
        values["outcome"] = record.outcome.value
        await self._session.execute(insert(spellcheck_results).values(**values))


class SqlAlchemyUnitOfWork:
    """Opens a session and transaction on enter; rolls back unless commit() was called."""

    results: ResultRepository

    def __init__(self, sessions: async_sessionmaker[AsyncSession], consumer: str) -> None:
        self._sessions = sessions
        self._consumer = consumer
        self._outbox = OutboxWriter()
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> SqlAlchemyUnitOfWork:
        self._session = self._sessions()
        await self._session.begin()
        self.results = PostgresResultRepository(self._session)
        return self

    async def __aexit__(self, *exc: object) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.rollback()  # a no-op after commit()
            await session.close()

    async def claim_event(self, event_id: UUID, event_type: str) -> bool:
        """The shared inbox: False when this consumer already handled the event."""
        return await claim_event(
            self._require(), consumer=self._consumer, event_id=event_id, event_type=event_type
        )

    async def add_event(self, envelope: EventEnvelope[Any], key: str) -> None:
        """Write one event to the outbox in this transaction."""
        await self._outbox.add(self._require(), envelope, key=key)

    async def commit(self) -> None:
        """Commit inbox, result and outbox rows together."""
        await self._require().commit()

    def _require(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside 'async with'")
        return self._session
