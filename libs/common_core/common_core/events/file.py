"""Events owned by the File Service."""

from __future__ import annotations

from pydantic import Field

from common_core.errors import ErrorCode
from common_core.events.base import EventModel


class EssayContentProvisionedV1(EventModel):
    """A file was accepted: its raw bytes and extracted text are stored."""

    batch_id: str
    file_upload_id: str
    original_file_name: str
    raw_storage_id: str
    text_storage_id: str
    content_sha256: str
    file_size_bytes: int = Field(ge=0)
    char_count: int = Field(ge=0)
    word_count: int = Field(ge=0)


class EssayValidationFailedV1(EventModel):
    """A file was rejected; the batch should stop waiting for it."""

    batch_id: str
    file_upload_id: str
    original_file_name: str
    error_code: ErrorCode
    message: str
    file_size_bytes: int = Field(default=0, ge=0)


class BatchFileAddedV1(EventModel):
    """A file joined a batch that already exists."""

    batch_id: str
    user_id: str
    file_upload_id: str
    original_file_name: str


class BatchFileRemovedV1(EventModel):
    """A teacher removed a file from a batch before processing started."""

    batch_id: str
    user_id: str
    file_upload_id: str
    original_file_name: str


class ParsedStudentHeader(EventModel):
    """Who an essay's first lines say wrote it."""

    file_upload_id: str
    text_storage_id: str
    student_name: str | None = None
    student_email: str | None = None
    extraction_confidence: float = Field(default=0.0, ge=0.0, le=1.0)


class StudentParsingCompletedV1(EventModel):
    """Student names and emails found in the headers of a batch's essays."""

    batch_id: str
    user_id: str
    class_id: str | None = None
    parsed_headers: list[ParsedStudentHeader]
