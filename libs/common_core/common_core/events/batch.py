"""Events owned by the Batch Orchestrator Service."""

from __future__ import annotations

from pydantic import Field, model_validator

from common_core.enums import (
    BatchStatus,
    CourseCode,
    GrammarCategory,
    PhaseName,
    PhaseStatus,
    PipelineName,
)
from common_core.events.base import EventModel
from common_core.limits import MAX_ESSAYS_PER_BATCH


class BatchEssaysRegisteredV1(EventModel):
    """A teacher registered a batch; one slot id per expected essay."""

    batch_id: str
    user_id: str
    course_code: CourseCode
    essay_instructions: str
    expected_essay_count: int = Field(ge=1, le=MAX_ESSAYS_PER_BATCH)
    essay_ids: list[str]
    class_id: str | None = None

    @model_validator(mode="after")
    def _one_slot_per_expected_essay(self) -> BatchEssaysRegisteredV1:
        if len(self.essay_ids) != self.expected_essay_count or len(set(self.essay_ids)) != len(
            self.essay_ids
        ):
            raise ValueError("essay_ids must hold one distinct slot id per expected essay")
        return self


class ClientBatchPipelineRequestV1(EventModel):
    """A teacher asked for a pipeline to run on a batch (published by the gateway)."""

    batch_id: str
    user_id: str
    requested_pipeline: PipelineName
    # Platform-issued id of the request; the same for every retry under one idempotency key.
    client_request_id: str | None = None
    # The teacher's Idempotency-Key (or one the gateway issued): the orchestrator applies the
    # first command with a key for (user, batch) and ignores later ones. Absent in commands
    # published before keys existed; those are applied once per event_id only.
    idempotency_key: str | None = None
    # LanguageTool categories the teacher switched off for the grammar phase (ignored by a
    # pipeline without one). Absent in requests published before the grammar phase existed.
    disabled_grammar_categories: list[GrammarCategory] = Field(default_factory=list)


class BatchPipelineCompletedV1(EventModel):
    """Every phase of a batch's pipeline has finished."""

    batch_id: str
    user_id: str
    final_status: BatchStatus
    completed_phases: list[PhaseName]
    phase_statuses: dict[PhaseName, PhaseStatus] = Field(default_factory=dict)
    successful_essay_count: int = 0
    failed_essay_count: int = 0


class BatchPipelineDeniedV1(EventModel):
    """A pipeline request was refused (not the requester's batch, not ready, already running)."""

    batch_id: str
    user_id: str
    requested_pipeline: PipelineName
    reason_code: str
    reason: str
    client_request_id: str | None = None
