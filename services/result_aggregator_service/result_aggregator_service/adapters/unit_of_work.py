"""SQLAlchemy unit of work: inbox row, view rows and outbox events in one transaction."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from huleedu_service_libs.db import SqlAlchemyUnitOfWork as BaseUnitOfWork
from result_aggregator_service.adapters.repositories import (
    PostgresBatchViews,
    PostgresEssayViews,
)
from result_aggregator_service.domain.ports import BatchViews, EssayViews


class SqlAlchemyUnitOfWork(BaseUnitOfWork):
    """View rows, the inbox row and outbox events in one transaction."""

    batches: BatchViews
    essays: EssayViews

    def _bind_repositories(self, session: AsyncSession) -> None:
        self.batches = PostgresBatchViews(session)
        self.essays = PostgresEssayViews(session)

    async def claim_event(self, consumer: str, event_id: UUID, event_type: str) -> bool:
        """The inbox row, first in the transaction."""
        return await self.claim(consumer=consumer, event_id=event_id, event_type=event_type)
