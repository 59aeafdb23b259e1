"""Bodies of internal HTTP APIs that more than one service speaks."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from common_core.enums import BatchStatus, CourseCode, PhaseName, PhaseStatus


class PipelinePhaseState(BaseModel):
    """Where one phase of a batch's pipeline stands."""

    phase: PhaseName
    status: PhaseStatus
    essay_count: int = 0
    failed_essay_count: int = 0


class BatchPipelineStateV1(BaseModel):
    """`GET /internal/v1/batches/{batch_id}/pipeline-state` on the Batch Orchestrator."""

    model_config = ConfigDict(extra="ignore")

    batch_id: str
    user_id: str
    status: BatchStatus
    accepts_files: bool
    course_code: CourseCode
    class_id: str | None = None
    expected_essay_count: int = Field(ge=1)
    requested_pipeline: PhaseName | None = None
    current_phase: PhaseName | None = None
    phases: list[PipelinePhaseState] = Field(default_factory=list)
