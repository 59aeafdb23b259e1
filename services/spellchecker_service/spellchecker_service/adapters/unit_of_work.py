"""SQLAlchemy unit of work: inbox claim, result row and outbox event in one transaction."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from huleedu_service_libs.db import SqlAlchemyUnitOfWork as BaseUnitOfWork
from spellchecker_service.adapters.erasure_repository import PostgresErasedResults
from spellchecker_service.adapters.tables import spellcheck_results
from spellchecker_service.domain.erasure import ErasedResults
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
    """Inbox claim, result rows (recorded or erased) and outbox events in one transaction."""

    results: ResultRepository
    erasure: ErasedResults

    def _bind_repositories(self, session: AsyncSession) -> None:
        self.results = PostgresResultRepository(session)
        self.erasure = PostgresErasedResults(session)
