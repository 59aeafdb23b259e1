"""The erasure's view of file rows, on the erasure's session (inbox and changes commit together)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from file_service.adapters.tables import file_uploads
from file_service.domain.erasure import StoredFile


class PostgresErasureFiles:
    """ErasureFiles over `file_uploads`."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self, user_id: str, file_upload_ids: Sequence[str]) -> list[StoredFile]:
        """The teacher's files with these ids (removed ones too), locked, by batch then id."""
        f = file_uploads.c
        rows = await self._session.execute(
            select(
                f.file_upload_id,
                f.batch_id,
                f.original_file_name,
                f.raw_storage_id,
                f.text_storage_id,
            )
            .where(f.file_upload_id.in_(list(file_upload_ids)), f.user_id == user_id)
            .order_by(f.batch_id, f.file_upload_id)
            .with_for_update()
        )
        return [StoredFile(**r._mapping) for r in rows]

    async def delete(self, file_upload_ids: Sequence[str]) -> None:
        """Delete the rows."""
        if file_upload_ids:
            await self._session.execute(
                delete(file_uploads).where(file_uploads.c.file_upload_id.in_(list(file_upload_ids)))
            )

    async def rename(self, names: dict[str, str]) -> None:
        """Replace the files' names in one executemany."""
        if names:
            await self._session.execute(
                update(file_uploads)
                .where(file_uploads.c.file_upload_id == bindparam("upload"))
                .values(original_file_name=bindparam("name")),
                [{"upload": upload, "name": name} for upload, name in names.items()],
            )
