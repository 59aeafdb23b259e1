"""Bodies of the File Service's internal API, which the gateway serves to teachers.

One definition for both sides: the File Service builds its answers from these and the gateway
uses them as its public response schemas (OpenAPI), so the two cannot drift apart. The names
carry no version suffix: they are the gateway's published schema names.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _FileModel(BaseModel):
    # Tolerant reader: a newer File Service may add fields an older gateway ignores.
    model_config = ConfigDict(extra="ignore")


class FileRecord(_FileModel):
    """One stored file of a batch."""

    file_upload_id: str
    filename: str
    file_type: str | None = None
    file_size_bytes: int | None = None
    content_sha256: str | None = None
    raw_storage_id: str | None = None
    text_storage_id: str | None = None
    char_count: int | None = None
    word_count: int | None = None


class FileUploadResult(FileRecord):
    """One uploaded file: accepted (with its record) or rejected (with a code and message)."""

    status: Literal["accepted", "rejected"]
    error_code: str | None = None
    message: str | None = None
    details: dict[str, Any] | None = Field(
        default=None,
        description="More about a rejection; for DUPLICATE_FILE: duplicate_of "
        "{file_upload_id, filename, in_this_upload} and match (identical_bytes or same_text).",
    )


class FileUploadResponse(_FileModel):
    """POST /v1/batches/{batch_id}/files: at least one file was accepted."""

    batch_id: str
    accepted_count: int
    rejected_count: int
    files: list[FileUploadResult]


class FileListResponse(_FileModel):
    """The batch's current files."""

    batch_id: str
    files: list[FileRecord]


class FileRemovedResponse(_FileModel):
    """The file that was removed."""

    batch_id: str
    removed: FileRecord
