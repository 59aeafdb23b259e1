"""SQLAlchemy unit of work: file rows and outbox events in one transaction."""

from __future__ import annotations

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from file_service.adapters.erasure_files import PostgresErasureFiles
from file_service.adapters.tables import file_uploads
from file_service.domain.erasure import ErasureFiles
from file_service.domain.ports import FileRecord, FileRepository
from huleedu_service_libs.db import SqlAlchemyUnitOfWork as BaseUnitOfWork

_COLUMNS = [c.name for c in file_uploads.columns if c.name != "removed_at"]


class PostgresFileRepository:
    """FileRepository bound to one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock_batch(self, batch_id: str) -> None:
        """Transaction-scoped advisory lock keyed by the batch id."""
        await self._session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:batch_id, 0))"),
            {"batch_id": batch_id},
        )

    async def add(self, records: list[FileRecord]) -> None:
        """One multi-row insert for the upload."""
        if records:
            await self._session.execute(
                insert(file_uploads),
                [{c: getattr(r, c) for c in _COLUMNS if c != "created_at"} for r in records],
            )

    async def get_active(self, batch_id: str, file_upload_id: str) -> FileRecord | None:
        """One file of the batch that has not been removed."""
        row = (
            await self._session.execute(
                select(*[file_uploads.c[c] for c in _COLUMNS]).where(
                    file_uploads.c.batch_id == batch_id,
                    file_uploads.c.file_upload_id == file_upload_id,
                    file_uploads.c.removed_at.is_(None),
                )
            )
        ).first()
        return FileRecord(**row._mapping) if row else None

    async def list_active(self, batch_id: str) -> list[FileRecord]:
        """The batch's files, oldest first."""
        rows = await self._session.execute(
            select(*[file_uploads.c[c] for c in _COLUMNS])
            .where(file_uploads.c.batch_id == batch_id, file_uploads.c.removed_at.is_(None))
            .order_by(file_uploads.c.created_at, file_uploads.c.file_upload_id)
        )
        return [FileRecord(**row._mapping) for row in rows]

    async def mark_removed(self, file_upload_id: str) -> None:
        """Soft delete."""
        await self._session.execute(
            update(file_uploads)
            .where(file_uploads.c.file_upload_id == file_upload_id)
            .values(removed_at=func.now())
        )


class SqlAlchemyUnitOfWork(BaseUnitOfWork):
    """File rows, the inbox claim and outbox events in one transaction."""

    files: FileRepository
    erasure: ErasureFiles

    def _bind_repositories(self, session: AsyncSession) -> None:
        self.files = PostgresFileRepository(session)
        self.erasure = PostgresErasureFiles(session)
