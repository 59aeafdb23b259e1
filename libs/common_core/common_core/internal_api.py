"""Bodies of internal HTTP APIs that more than one service speaks."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from common_core.enums import (
    BatchStatus,
    CourseCode,
    PhaseName,
    PhaseStatus,
    PipelineName,
    PipelineRequestOutcome,
)


class PipelinePhaseState(BaseModel):
    """Where one phase of a batch's pipeline stands."""

    phase: PhaseName
    status: PhaseStatus
    essay_count: int = 0
    failed_essay_count: int = 0


class PipelineRequestRecordV1(BaseModel):
    """The first pipeline request the Batch Orchestrator handled under one idempotency key."""

    model_config = ConfigDict(extra="ignore")

    idempotency_key: str
    request_id: str | None = None
    pipeline: PipelineName
    outcome: PipelineRequestOutcome
    reason_code: str | None = None  # a denial's ErrorCode name
    reason: str | None = None
    correlation_id: str | None = None
    handled_at: datetime


class BatchPipelineStateV1(BaseModel):
    """`GET /internal/v1/batches/{batch_id}/pipeline-state` on the Batch Orchestrator.

    With `?idempotency_key=` and `X-User-ID`, `pipeline_request` is that user's request under
    the key for this batch, once the orchestrator has handled it (None before, or without).
    """

    model_config = ConfigDict(extra="ignore")

    batch_id: str
    user_id: str
    status: BatchStatus
    accepts_files: bool
    course_code: CourseCode
    class_id: str | None = None
    expected_essay_count: int = Field(ge=1)
    requested_pipeline: PipelineName | None = None
    # The grammar categories the accepted request switched off (empty: every category runs).
    disabled_grammar_categories: list[str] = Field(default_factory=list)
    current_phase: PhaseName | None = None
    phases: list[PipelinePhaseState] = Field(default_factory=list)
    pipeline_request: PipelineRequestRecordV1 | None = None


class ContentErasureV1(BaseModel):
    """`POST /internal/v1/content/erasures` on the Content Service: one batch's part of an erasure.

    `delete`: the holder (a batch id) lets go of these blobs and of every blob derived from
    them (corrected texts); a blob no other holder keeps is deleted. `redact`: these text blobs
    and their derived blobs get every whole-word, case-insensitive occurrence of a `terms`
    string masked in place (same length, so offsets into them stay valid; ids unchanged).
    """

    model_config = ConfigDict(extra="forbid")

    holder: str = Field(min_length=1, max_length=64)
    delete: list[str] = Field(default_factory=list, max_length=1000)
    redact: list[str] = Field(default_factory=list, max_length=1000)
    terms: list[str] = Field(default_factory=list, max_length=200)


class ContentErasureResultV1(BaseModel):
    """What a content erasure did."""

    model_config = ConfigDict(extra="ignore")

    deleted: int = Field(ge=0)
    kept_for_other_holders: int = Field(ge=0)
    redacted: int = Field(ge=0)
