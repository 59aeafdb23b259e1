"""In-memory fake of the ErasureViews port over the fakes' batch and essay rows."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Protocol

from common_core.file_labels import file_label
from result_aggregator_service.domain.erasure import ErasedUpload, RejectedRewrite
from result_aggregator_service.domain.models import BatchView, EssayView


class ViewRows(Protocol):
    """The part of FakeState the erasure touches."""

    batches: dict[str, BatchView]
    essays: dict[tuple[str, str], EssayView]


class FakeErasureViews:
    """What PostgresErasureViews does, on dicts: only the teacher's batches are touched."""

    def __init__(self, rows: ViewRows) -> None:
        self.rows = rows

    def _matching(self, user_id: str, uploads: Sequence[ErasedUpload]) -> list[EssayView]:
        owned = {b.batch_id for b in self.rows.batches.values() if b.user_id == user_id}
        by_id = {(u.batch_id, u.essay_id) for u in uploads if u.essay_id}
        by_upload = {(u.batch_id, u.file_upload_id) for u in uploads}
        return [
            e
            for e in self.rows.essays.values()
            if e.batch_id in owned
            and ((e.batch_id, e.essay_id) in by_id or (e.batch_id, e.file_upload_id) in by_upload)
        ]

    async def delete_essays(self, user_id: str, uploads: Sequence[ErasedUpload]) -> int:
        found = self._matching(user_id, uploads)
        for essay in found:
            del self.rows.essays[(essay.batch_id, essay.essay_id)]
        return len(found)

    async def relabel_essays(self, user_id: str, uploads: Sequence[ErasedUpload]) -> int:
        changed = 0
        for essay in self._matching(user_id, uploads):
            if essay.filename is None:
                continue
            label = file_label(essay.file_upload_id or essay.essay_id, essay.filename)
            if label != essay.filename:
                key = (essay.batch_id, essay.essay_id)
                self.rows.essays[key] = dataclasses.replace(essay, filename=label)
                changed += 1
        return changed

    async def rewrite_rejected(
        self, user_id: str, batch_ids: Sequence[str], rewrite: RejectedRewrite
    ) -> None:
        for batch_id in batch_ids:
            batch = self.rows.batches.get(batch_id)
            if batch is not None and batch.user_id == user_id:
                rewritten = rewrite(list(batch.rejected_files))
                self.rows.batches[batch_id] = dataclasses.replace(batch, rejected_files=rewritten)
