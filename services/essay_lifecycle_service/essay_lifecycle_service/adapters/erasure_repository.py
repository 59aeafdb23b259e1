"""ErasureStore on the erasure's session: statements over the lifecycle tables by id."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, delete, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from common_core.file_labels import file_label
from essay_lifecycle_service.adapters.tables import (
    batches,
    essay_state_history,
    essays,
    pending_content,
    phase_essays,
    validation_failures,
)
from essay_lifecycle_service.domain.erasure import ErasedUpload

# Rows naming an upload by (batch_id, file_upload_id) that carry its file name.
_BY_UPLOAD: tuple[Table, ...] = (essays, validation_failures, pending_content)


def _pairs(uploads: Sequence[ErasedUpload]) -> list[tuple[str, str]]:
    return [(u.batch_id, u.file_upload_id) for u in uploads]


class PostgresErasureStore:
    """Deletes or relabels the erased student's rows."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _owned(self, user_id: str, uploads: Sequence[ErasedUpload]) -> list[ErasedUpload]:
        wanted = {u.batch_id for u in uploads}
        found = await self._session.execute(
            select(batches.c.batch_id).where(
                batches.c.batch_id.in_(wanted), batches.c.user_id == user_id
            )
        )
        owned = {r.batch_id for r in found}
        return [u for u in uploads if u.batch_id in owned]

    async def _essay_ids(self, uploads: Sequence[ErasedUpload]) -> list[str]:
        by_id = [u.essay_id for u in uploads if u.essay_id]
        rows = await self._session.execute(
            select(essays.c.essay_id)
            .where(
                or_(
                    essays.c.essay_id.in_(by_id),
                    tuple_(essays.c.batch_id, essays.c.file_upload_id).in_(_pairs(uploads)),
                ),
                essays.c.batch_id.in_({u.batch_id for u in uploads}),
            )
            .with_for_update()
        )
        return [r.essay_id for r in rows]

    async def delete(self, user_id: str, uploads: Sequence[ErasedUpload]) -> int:
        """Every row about the essays; content parked for a batch not yet registered too."""
        owned = await self._owned(user_id, uploads)
        # Parked content belongs to a batch whose registration (and owner) is still unknown.
        parked = tuple_(pending_content.c.batch_id, pending_content.c.file_upload_id)
        await self._session.execute(delete(pending_content).where(parked.in_(_pairs(uploads))))
        if not owned:
            return 0
        essay_ids = await self._essay_ids(owned)
        for table in (phase_essays, essay_state_history):
            await self._session.execute(delete(table).where(table.c.essay_id.in_(essay_ids)))
        await self._session.execute(delete(essays).where(essays.c.essay_id.in_(essay_ids)))
        failed = tuple_(validation_failures.c.batch_id, validation_failures.c.file_upload_id)
        await self._session.execute(delete(validation_failures).where(failed.in_(_pairs(owned))))
        return len(essay_ids)

    async def relabel(self, user_id: str, uploads: Sequence[ErasedUpload]) -> int:
        """Each row's file name replaced by the upload's label (rows already labelled too)."""
        owned = await self._owned(user_id, uploads)
        changed = 0
        for table in _BY_UPLOAD:
            key = tuple_(table.c.batch_id, table.c.file_upload_id)
            source = owned if table is not pending_content else uploads
            if not source:
                continue
            rows = await self._session.execute(
                select(table.c.batch_id, table.c.file_upload_id, table.c.original_file_name)
                .where(key.in_(_pairs(source)))
                .with_for_update()
            )
            labels: list[dict[str, Any]] = [
                {"b": r.batch_id, "u": r.file_upload_id, "name": label}
                for r in rows
                if (label := file_label(r.file_upload_id, r.original_file_name or ""))
                != r.original_file_name
            ]
            if labels:
                await self._session.execute(
                    update(table)
                    .where(
                        table.c.batch_id == bindparam("b"), table.c.file_upload_id == bindparam("u")
                    )
                    .values(original_file_name=bindparam("name")),
                    labels,
                )
                changed += len(labels)
        return changed
