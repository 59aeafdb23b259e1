"""Stores each accepted file's raw bytes and extracted text in the Content Service, before
its row is recorded."""

from __future__ import annotations

import asyncio

from file_service.domain.ports import ContentStore, FileRecord
from file_service.domain.validation import AcceptedFile, RejectedFile

TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"
RAW_CONTENT_TYPES = {
    "txt": "text/plain",
    "md": "text/markdown",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "pdf": "application/pdf",
    "rtf": "application/rtf",
}


async def store_accepted(
    content: ContentStore,
    batch_id: str,
    user_id: str,
    outcomes: list[AcceptedFile | RejectedFile],
    ids: list[str],
) -> list[FileRecord | None]:
    """Each outcome's record to be (None for a rejected file), its blobs held by the batch."""
    return list(
        await asyncio.gather(
            *(
                _store(content, batch_id, user_id, outcome, file_upload_id)
                for outcome, file_upload_id in zip(outcomes, ids, strict=True)
            )
        )
    )


async def _store(
    content: ContentStore,
    batch_id: str,
    user_id: str,
    outcome: AcceptedFile | RejectedFile,
    file_upload_id: str,
) -> FileRecord | None:
    if not isinstance(outcome, AcceptedFile):
        return None
    raw_id, text_id = await asyncio.gather(
        content.store(
            outcome.data,
            RAW_CONTENT_TYPES.get(outcome.file_type, "application/octet-stream"),
            holder=batch_id,
        ),
        content.store(outcome.text.encode("utf-8"), TEXT_CONTENT_TYPE, holder=batch_id),
    )
    return FileRecord(
        file_upload_id=file_upload_id,
        batch_id=batch_id,
        user_id=user_id,
        original_file_name=outcome.filename,
        file_type=str(outcome.file_type),
        content_sha256=outcome.content_sha256,
        file_size_bytes=outcome.file_size_bytes,
        raw_storage_id=raw_id,
        text_storage_id=text_id,
        char_count=outcome.char_count,
        word_count=outcome.word_count,
        text_sha256=outcome.text_sha256,
    )
