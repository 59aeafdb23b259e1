"""SQLAlchemy unit of work: inbox row, lifecycle rows and outbox events in one transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from essay_lifecycle_service.adapters.batch_repository import PostgresBatchRepository
from essay_lifecycle_service.adapters.erasure_repository import PostgresErasureStore
from essay_lifecycle_service.adapters.essay_repository import PostgresEssayRepository
from essay_lifecycle_service.adapters.phase_repository import PostgresPhaseRepository
from essay_lifecycle_service.adapters.upload_repository import PostgresUploadRepository
from essay_lifecycle_service.domain.erasure import ErasureStore
from essay_lifecycle_service.domain.ports import (
    BatchRepository,
    EssayRepository,
    PhaseRepository,
    UploadRepository,
)
from huleedu_service_libs.db import SqlAlchemyUnitOfWork as BaseUnitOfWork


class SqlAlchemyUnitOfWork(BaseUnitOfWork):
    """Lifecycle rows, the inbox row and outbox events in one transaction."""

    batches: BatchRepository
    essays: EssayRepository
    phases: PhaseRepository
    uploads: UploadRepository
    erasure: ErasureStore

    def _bind_repositories(self, session: AsyncSession) -> None:
        self.batches = PostgresBatchRepository(session)
        self.essays = PostgresEssayRepository(session)
        self.phases = PostgresPhaseRepository(session)
        self.uploads = PostgresUploadRepository(session)
        self.erasure = PostgresErasureStore(session)
