"""A student's erasure in the Essay Lifecycle Service.

Class Management names the student's essays (essay id, and the upload they came from). With
`delete` every row about them goes: the slot's essay row, its timeline, its phase rows, and
any validation failure or parked content of the upload. With `keep` the essays stay; rows
written before file names were replaced by labels on the bus may still hold the student's
file name, so those names become the label too. Ids are not personal data and stay.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import structlog

from common_core.enums import EssayErasureMode
from common_core.events import StudentErasureRequestedV1
from huleedu_service_libs.consumer import Outgoing, StepContext
from huleedu_service_libs.consumer import UnitOfWork as ConsumerUnitOfWork

logger = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ErasedUpload:
    """One essay of the erased student: its batch, upload and (once assigned) essay id."""

    batch_id: str
    file_upload_id: str
    essay_id: str | None


class ErasureStore(Protocol):
    """Lifecycle rows inside the erasure's transaction."""

    async def delete(self, user_id: str, uploads: Sequence[ErasedUpload]) -> int:
        """Delete every row about these essays in the teacher's batches; essays deleted."""
        ...

    async def relabel(self, user_id: str, uploads: Sequence[ErasedUpload]) -> int:
        """Replace the file names of these essays' rows by their labels; rows changed."""
        ...


class ErasureUnitOfWork(ConsumerUnitOfWork, Protocol):
    """The erasure's transaction: the inbox claim and the lifecycle rows commit together."""

    erasure: ErasureStore


async def erase_essays(
    uow: ErasureUnitOfWork, event: StudentErasureRequestedV1, _ctx: StepContext[Any]
) -> list[Outgoing]:
    """The erasure step: apply the teacher's choice to the student's essays; announces nothing."""
    uploads = [ErasedUpload(e.batch_id, e.file_upload_id, e.essay_id) for e in event.essays]
    if not uploads:
        return []
    if event.essay_mode is EssayErasureMode.DELETE:
        changed = await uow.erasure.delete(event.user_id, uploads)
    else:
        changed = await uow.erasure.relabel(event.user_id, uploads)
    logger.info(
        "els.student_erased", erasure_id=event.erasure_id, mode=event.essay_mode.value, rows=changed
    )
    return []
