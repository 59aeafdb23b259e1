"""Public request and response bodies of the gateway (results reuse common_core.result_api)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api_gateway_service.api.params import ID_PATTERN
from common_core.enums import BatchStatus, CourseCode, PhaseName


class _Tolerant(BaseModel):
    # Downstream answers may grow fields; the gateway shows the documented ones.
    model_config = ConfigDict(extra="ignore")


class DevTokenRequest(BaseModel):
    """Body of POST /v1/dev/tokens."""

    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(min_length=1, max_length=128, description="Becomes the token's sub.")


class DevTokenResponse(BaseModel):
    """A development access token."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the scheme name
    expires_in: int = Field(description="Lifetime in seconds.")


class CreateBatchRequest(BaseModel):
    """Body of POST /v1/batches."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    course_code: str = Field(
        min_length=1,
        max_length=16,
        description="One of: " + ", ".join(c.value for c in CourseCode),
        examples=["SV1"],
    )
    essay_instructions: str = Field(min_length=1, max_length=5000)
    expected_essay_count: int = Field(ge=1, le=500)
    # The same check as path ids: the class id ends up in BOS's call to Class Management.
    class_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        pattern=ID_PATTERN,
        description="A class of yours for the same course (its essays' authors get confirmed).",
    )


class BatchCreatedResponse(_Tolerant):
    """A registered batch: one essay slot per expected essay."""

    batch_id: str
    status: BatchStatus
    essay_ids: list[str]
    course_code: CourseCode
    expected_essay_count: int
    class_id: str | None = None


class FileRecord(_Tolerant):
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
    file_upload_id: str
    filename: str
    error_code: str | None = None
    message: str | None = None
    details: dict[str, Any] | None = Field(
        default=None,
        description="More about a rejection; for DUPLICATE_FILE: duplicate_of "
        "{file_upload_id, filename, in_this_upload} and match (identical_bytes or same_text).",
    )


class FileUploadResponse(_Tolerant):
    """POST /v1/batches/{batch_id}/files: at least one file was accepted."""

    batch_id: str
    accepted_count: int
    rejected_count: int
    files: list[FileUploadResult]


class FileListResponse(_Tolerant):
    """The batch's current files."""

    batch_id: str
    files: list[FileRecord]


class FileRemovedResponse(_Tolerant):
    """The file that was removed."""

    batch_id: str
    removed: FileRecord


class PipelineRequest(BaseModel):
    """Body of POST /v1/batches/{batch_id}/pipelines."""

    model_config = ConfigDict(extra="forbid")

    pipeline: PhaseName = Field(examples=["spellcheck"])


class PipelineAccepted(BaseModel):
    """The pipeline request was queued; progress arrives over the WebSocket and results API."""

    batch_id: str
    pipeline: PhaseName
    request_id: str = Field(
        description="The request's id: the same for every retry under its Idempotency-Key."
    )
    idempotency_key: str = Field(
        description="The Idempotency-Key sent, or the one the gateway issued when none was; "
        "retry with it (also in the Idempotency-Key response header)."
    )
    replayed: bool = Field(
        default=False,
        description="True when an earlier request under this key was already accepted: "
        "this answer repeats it and nothing new was queued.",
    )
    correlation_id: str = Field(description="Correlation id of the accepted command.")
