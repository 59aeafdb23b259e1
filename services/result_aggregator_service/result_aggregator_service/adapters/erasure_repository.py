"""ErasureViews on the erasure's session: result rows by id, rejected-file lists by batch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, bindparam, delete, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from common_core.file_labels import file_label
from result_aggregator_service.adapters.tables import result_batches, result_essays
from result_aggregator_service.domain.erasure import ErasedUpload, RejectedRewrite


class PostgresErasureViews:
    """Deletes or relabels the erased student's rows in the views."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _owned(self, user_id: str, uploads: Sequence[ErasedUpload]) -> list[ErasedUpload]:
        found = await self._session.execute(
            select(result_batches.c.batch_id).where(
                result_batches.c.batch_id.in_({u.batch_id for u in uploads}),
                result_batches.c.user_id == user_id,
            )
        )
        owned = {r.batch_id for r in found}
        return [u for u in uploads if u.batch_id in owned]

    @staticmethod
    def _matching(uploads: Sequence[ErasedUpload]) -> Any:
        e = result_essays.c
        return and_(
            e.batch_id.in_({u.batch_id for u in uploads}),
            or_(
                tuple_(e.batch_id, e.essay_id).in_(
                    [(u.batch_id, u.essay_id) for u in uploads if u.essay_id]
                ),
                tuple_(e.batch_id, e.file_upload_id).in_(
                    [(u.batch_id, u.file_upload_id) for u in uploads]
                ),
            ),
        )

    async def delete_essays(self, user_id: str, uploads: Sequence[ErasedUpload]) -> int:
        """Delete the essays' result rows in the teacher's batches."""
        owned = await self._owned(user_id, uploads)
        if not owned:
            return 0
        done = await self._session.execute(delete(result_essays).where(self._matching(owned)))
        return int(getattr(done, "rowcount", 0) or 0)

    async def relabel_essays(self, user_id: str, uploads: Sequence[ErasedUpload]) -> int:
        """Replace the essays' file names by their labels."""
        owned = await self._owned(user_id, uploads)
        if not owned:
            return 0
        e = result_essays.c
        rows = await self._session.execute(
            select(e.batch_id, e.essay_id, e.file_upload_id, e.filename)
            .where(self._matching(owned), e.filename.is_not(None))
            .with_for_update()
        )
        labels = [
            {"b": r.batch_id, "e": r.essay_id, "name": label}
            for r in rows
            if (label := file_label(r.file_upload_id or r.essay_id, r.filename)) != r.filename
        ]
        if labels:
            await self._session.execute(
                update(result_essays)
                .where(e.batch_id == bindparam("b"), e.essay_id == bindparam("e"))
                .values(filename=bindparam("name")),
                labels,
            )
        return len(labels)

    async def rewrite_rejected(
        self, user_id: str, batch_ids: Sequence[str], rewrite: RejectedRewrite
    ) -> None:
        """Rewrite each of the teacher's batches' rejected-file list (row locked)."""
        b = result_batches.c
        rows = await self._session.execute(
            select(b.batch_id, b.rejected_files)
            .where(b.batch_id.in_(list(batch_ids)), b.user_id == user_id)
            .with_for_update()
        )
        for row in rows.all():
            current = list(row.rejected_files or [])
            rewritten = rewrite(current)
            if rewritten != current:
                await self._session.execute(
                    update(result_batches)
                    .where(b.batch_id == row.batch_id)
                    .values(rejected_files=rewritten)
                )
