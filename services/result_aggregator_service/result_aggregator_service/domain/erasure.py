"""A student's erasure in the Result Aggregator's views.

Class Management names the student's essays. With `delete` their result rows go, and so does
any refused upload of theirs in the batch's list of rejected files. With `keep` the results
stay; names written before file names were replaced by labels on the bus are relabelled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import structlog

from common_core.enums import EssayErasureMode
from common_core.events import StudentErasureRequestedV1
from common_core.file_labels import file_label
from huleedu_service_libs.consumer import Outgoing, StepContext
from huleedu_service_libs.consumer import UnitOfWork as ConsumerUnitOfWork

# A batch's rejected-file entries -> the entries to keep.
RejectedRewrite = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]

logger = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ErasedUpload:
    """One essay of the erased student: its batch, upload and (once assigned) essay id."""

    batch_id: str
    file_upload_id: str
    essay_id: str | None


class ErasureViews(Protocol):
    """The views' rows inside the erasure's transaction."""

    async def delete_essays(self, user_id: str, uploads: Sequence[ErasedUpload]) -> int:
        """Delete the essays' result rows in the teacher's batches; rows deleted."""
        ...

    async def relabel_essays(self, user_id: str, uploads: Sequence[ErasedUpload]) -> int:
        """Replace the essays' file names by their labels; rows changed."""
        ...

    async def rewrite_rejected(
        self, user_id: str, batch_ids: Sequence[str], rewrite: RejectedRewrite
    ) -> None:
        """Apply `rewrite` to the rejected-file lists of the teacher's batches."""
        ...


class ErasureUnitOfWork(ConsumerUnitOfWork, Protocol):
    """The erasure's transaction: the inbox claim and the view rows commit together."""

    erasure: ErasureViews


def _rewrite(uploads: set[str], keep: bool) -> RejectedRewrite:
    def rewrite(rejected: list[dict[str, Any]]) -> list[dict[str, Any]]:
        result = []
        for entry in rejected:
            upload = str(entry.get("file_upload_id", ""))
            if upload not in uploads:
                result.append(entry)
            elif keep:
                name = str(entry.get("filename") or "")
                label = file_label(upload, name)
                message = str(entry.get("message") or "")
                result.append(
                    {
                        **entry,
                        "filename": label,
                        "message": message.replace(name, label) if name else message,
                    }
                )
        return result

    return rewrite


async def erase_results(
    uow: ErasureUnitOfWork, event: StudentErasureRequestedV1, _ctx: StepContext[Any]
) -> list[Outgoing]:
    """The erasure step: apply the teacher's choice to the student's results; announces nothing."""
    uploads = [ErasedUpload(e.batch_id, e.file_upload_id, e.essay_id) for e in event.essays]
    if not uploads:
        return []
    views = uow.erasure
    keep = event.essay_mode is EssayErasureMode.KEEP
    batch_ids = sorted({u.batch_id for u in uploads})
    await views.rewrite_rejected(
        event.user_id, batch_ids, _rewrite({u.file_upload_id for u in uploads}, keep)
    )
    if keep:
        changed = await views.relabel_essays(event.user_id, uploads)
    else:
        changed = await views.delete_essays(event.user_id, uploads)
    logger.info(
        "ras.student_erased", erasure_id=event.erasure_id, mode=event.essay_mode.value, rows=changed
    )
    return []
