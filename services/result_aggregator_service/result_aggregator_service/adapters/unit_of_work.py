"""SQLAlchemy unit of work: inbox row, view rows and outbox events in one transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from huleedu_service_libs.db import SqlAlchemyUnitOfWork as BaseUnitOfWork
from result_aggregator_service.adapters.erasure_repository import PostgresErasureViews
from result_aggregator_service.adapters.repositories import (
    PostgresBatchViews,
    PostgresEssayViews,
)
from result_aggregator_service.domain.erasure import ErasureViews
from result_aggregator_service.domain.ports import BatchViews, EssayViews


class SqlAlchemyUnitOfWork(BaseUnitOfWork):
    """View rows, the inbox row and outbox events in one transaction."""

    batches: BatchViews
    essays: EssayViews
    erasure: ErasureViews

    def _bind_repositories(self, session: AsyncSession) -> None:
        self.batches = PostgresBatchViews(session)
        self.essays = PostgresEssayViews(session)
        self.erasure = PostgresErasureViews(session)
