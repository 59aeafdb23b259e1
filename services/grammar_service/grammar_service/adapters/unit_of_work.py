"""SQLAlchemy unit of work: inbox claim, result row (or erased rows) and outbox in one commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy import delete, insert, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from grammar_service.adapters.tables import grammar_results
from grammar_service.domain.erasure import ErasedResults
from grammar_service.domain.ports import GrammarResultRecord, ResultRepository
from huleedu_service_libs.db import SqlAlchemyUnitOfWork as BaseUnitOfWork


class PostgresResultRepository:
    """ResultRepository bound to one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, record: GrammarResultRecord) -> None:
        """Insert one result row."""
        values = asdict(record)
        values["outcome"] = record.outcome.value
        await self._session.execute(insert(grammar_results).values(**values))


class PostgresErasedResults:
    """Deletes grammar_results rows by (batch_id, essay_id)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def delete(self, essays: Sequence[tuple[str, str]]) -> int:
        """Every result (all requests) of these essays."""
        key = tuple_(grammar_results.c.batch_id, grammar_results.c.essay_id)
        done = await self._session.execute(delete(grammar_results).where(key.in_(list(essays))))
        return int(getattr(done, "rowcount", 0) or 0)


class SqlAlchemyUnitOfWork(BaseUnitOfWork):
    """Inbox claim, result rows (recorded or erased) and outbox events in one transaction."""

    results: ResultRepository
    erasure: ErasedResults

    def _bind_repositories(self, session: AsyncSession) -> None:
        self.results = PostgresResultRepository(session)
        self.erasure = PostgresErasedResults(session)
