"""SQLAlchemy unit of work: inbox claim, result row and outbox event in one transaction."""

from __future__ import annotations

from dataclasses import asdict
from uuid import UUID

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from huleedu_service_libs.db import SqlAlchemyUnitOfWork as BaseUnitOfWork
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


class SqlAlchemyUnitOfWork(BaseUnitOfWork):
    """Inbox claim, result row and outbox event in one transaction, for one consumer."""

    results: ResultRepository

    def __init__(self, sessions: async_sessionmaker[AsyncSession], consumer: str) -> None:
        super().__init__(sessions)
        self._consumer = consumer

    def _bind_repositories(self, session: AsyncSession) -> None:
        self.results = PostgresResultRepository(session)

    async def claim_event(self, event_id: UUID, event_type: str) -> bool:
        """The shared inbox: False when this consumer already handled the event."""
        return await self.claim(consumer=self._consumer, event_id=event_id, event_type=event_type)
