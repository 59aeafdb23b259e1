"""Events owned by the File Service."""

from __future__ import annotations

from pydantic import Field

from common_core.errors import ErrorCode
from common_core.events.base import EventModel


class UploadSummary(EventModel):
    """One upload request as a whole, repeated in each of its files' events.

    Whichever of an upload's events a consumer sees first tells it how many accepted essays
    are still on their way, so it never decides about a batch with part of an upload missing
    (the accepted and rejected events travel on different topics, in no order).
    """

    upload_id: str
    accepted_count: int = Field(ge=0)
    rejected_count: int = Field(ge=0)


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
    # None only in events written before uploads were summarised.
    upload: UploadSummary | None = None


class EssayValidationFailedV1(EventModel):
    """A file was rejected; the batch should stop waiting for it."""

    batch_id: str
    file_upload_id: str
    original_file_name: str
    error_code: ErrorCode
    message: str
    file_size_bytes: int = Field(default=0, ge=0)
    upload: UploadSummary | None = None


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
    """Who an essay's first lines say wrote it, and the name of the file it came in.

    On the bus the name, the email and the file name travel only as Fernet tokens under the
    event PII key (`*_ciphertext`), which the File Service and Class Management alone hold.
    The plaintext fields are what Class Management works with once it has decrypted them; the
    File Service never fills them (events written before encryption did, and still decode).
    """

    file_upload_id: str
    text_storage_id: str
    student_name_ciphertext: str | None = None
    student_email_ciphertext: str | None = None
    original_file_name_ciphertext: str | None = None
    extraction_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    student_name: str | None = None
    student_email: str | None = None
    original_file_name: str | None = None


class StudentParsingCompletedV1(EventModel):
    """Student names and emails found in the headers of a batch's essays."""

    batch_id: str
    user_id: str
    class_id: str | None = None
    parsed_headers: list[ParsedStudentHeader]
