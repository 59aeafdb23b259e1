"""A student's erasure in the File Service: their files here, their blobs in the Content Service.

Class Management names the student's essays by upload id. With `delete` their rows go and each
batch lets go of the raw file and text (the Content Service deletes a blob no other batch
holds, and the corrected texts made from it). With `keep` the rows stay under the label the
bus already used instead of the file name, the raw file is let go (a .docx or .pdf cannot be
redacted) and the text and its corrected versions are redacted in place with the terms Class
Management sealed into the event. Content calls come first and are idempotent: if one fails,
nothing here is committed and the redelivered event does it all again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any, Protocol

import structlog

from common_core.enums import EssayErasureMode
from common_core.events import StudentErasureRequestedV1
from file_service.domain.bus_names import Opener, file_label
from huleedu_service_libs.consumer import Outgoing, StepContext
from huleedu_service_libs.consumer import UnitOfWork as ConsumerUnitOfWork

logger = structlog.get_logger(__name__)


@dataclass(frozen=True)
class StoredFile:
    """What an erasure needs of one file row."""

    file_upload_id: str
    batch_id: str
    original_file_name: str
    raw_storage_id: str
    text_storage_id: str


class ErasureFiles(Protocol):
    """File rows inside the erasure's transaction."""

    async def lock(self, user_id: str, file_upload_ids: Sequence[str]) -> list[StoredFile]:
        """The teacher's files with these ids (removed ones too), locked, by batch then id."""
        ...

    async def delete(self, file_upload_ids: Sequence[str]) -> None:
        """Delete the rows."""
        ...

    async def rename(self, names: dict[str, str]) -> None:
        """Replace the files' names (file_upload_id -> new name)."""
        ...


class ContentEraser(Protocol):
    """The Content Service's erasure endpoint (idempotent)."""

    async def erase(
        self, holder: str, delete: Sequence[str], redact: Sequence[str], terms: Sequence[str]
    ) -> None:
        """Release or redact one batch's blobs; raises DependencyUnavailable."""
        ...


class ErasureUnitOfWork(ConsumerUnitOfWork, Protocol):
    """The erasure's transaction: the inbox claim and the file rows commit together."""

    erasure: ErasureFiles


class UnreadableTerms(Exception):
    """The sealed redaction terms cannot be opened with the configured event PII keys."""


@dataclass(frozen=True)
class ErasureOutcome:
    """What one erasure did here."""

    files: int
    batches: int


def _terms(event: StudentErasureRequestedV1, opener: Opener) -> list[str]:
    if event.redaction_terms_ciphertext is None:
        return []
    try:
        terms = json.loads(opener.decrypt_text(event.redaction_terms_ciphertext))
    except ValueError as exc:  # UndecryptableError and bad JSON are both ValueErrors
        raise UnreadableTerms("redaction terms cannot be opened") from exc
    return [str(t) for t in terms if str(t).strip()]


async def erase_student_files(
    event: StudentErasureRequestedV1,
    files: ErasureFiles,
    content: ContentEraser,
    opener: Opener,
) -> ErasureOutcome:
    """Apply the erasure to the student's files and, per batch, to their blobs."""
    keep = event.essay_mode is EssayErasureMode.KEEP
    terms = _terms(event, opener) if keep else []
    wanted = list(dict.fromkeys(e.file_upload_id for e in event.essays))
    found = await files.lock(event.user_id, wanted) if wanted else []
    batches = 0
    for batch_id, group in groupby(found, key=lambda f: f.batch_id):
        of_batch = list(group)
        raws = [f.raw_storage_id for f in of_batch]
        texts = [f.text_storage_id for f in of_batch]
        if not keep:
            await content.erase(batch_id, [*raws, *texts], [], [])
        elif terms:
            await content.erase(batch_id, raws, texts, terms)
        else:
            # Nothing names the student to redact with: still let go of the raw files.
            logger.warning("file.erasure_without_terms", batch_id=batch_id, files=len(of_batch))
            await content.erase(batch_id, raws, [], [])
        batches += 1
    if keep:
        await files.rename(
            {f.file_upload_id: file_label(f.file_upload_id, f.original_file_name) for f in found}
        )
    else:
        await files.delete([f.file_upload_id for f in found])
    return ErasureOutcome(files=len(found), batches=batches)


class EraseStudentFiles:
    """The erasure step: the student's files and their blobs (erase_student_files); no events.

    The Content Service is called inside the transaction because the blobs to release are read
    from the locked rows; its calls are idempotent, so a rollback and redelivery is safe.
    """

    def __init__(self, content: Callable[[], ContentEraser], opener: Opener) -> None:
        self._content = content
        self._opener = opener

    async def __call__(
        self, uow: ErasureUnitOfWork, event: StudentErasureRequestedV1, _ctx: StepContext[Any]
    ) -> list[Outgoing]:
        """Apply the erasure in the unit of work's transaction; announces nothing."""
        done = await erase_student_files(event, uow.erasure, self._content(), self._opener)
        logger.info(
            "file.student_erased",
            erasure_id=event.erasure_id,
            essay_mode=event.essay_mode.value,
            files=done.files,
            batches=done.batches,
        )
        return []
