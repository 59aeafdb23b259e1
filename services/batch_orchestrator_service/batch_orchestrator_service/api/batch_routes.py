"""Batches: register, read (teacher's own), pipeline state (internal callers), retry a phase."""

from __future__ import annotations

from typing import Any

from dishka import FromDishka
from pydantic import BaseModel, ConfigDict, Field
from quart import Blueprint, request

from batch_orchestrator_service.api.errors import domain_errors
from batch_orchestrator_service.domain.batch import Batch
from batch_orchestrator_service.domain.batches import (
    GetBatch,
    GetPipelineState,
    RegisterBatch,
    RegisterBatchCommand,
    RetryPhase,
)
from common_core.enums import PhaseName
from common_core.errors import ErrorCode
from common_core.limits import MAX_ESSAYS_PER_BATCH
from huleedu_service_libs.correlation import USER_ID_HEADER, get_correlation_id, new_correlation_id
from huleedu_service_libs.errors import HuleEduError, unauthorized

batches_bp = Blueprint("batches", __name__, url_prefix="/internal/v1/batches")

# The ids the platform issues (uuid4 strings); the gateway checks path ids the same way.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
# The column's width (the gateway allows the same).
MAX_IDEMPOTENCY_KEY_LENGTH = 255


class RegisterBatchRequest(BaseModel):
    """Body of POST /internal/v1/batches."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    course_code: str = Field(min_length=1, max_length=16)
    essay_instructions: str = Field(min_length=1, max_length=5000)
    expected_essay_count: int = Field(ge=1, le=MAX_ESSAYS_PER_BATCH)
    # Sent to CMS as a path segment: a NUL would be a CMS 500, charged to the CMS breaker, so
    # any teacher could open it for everyone (and a gateway 503 charged to BOS's breaker).
    class_id: str | None = Field(default=None, min_length=1, max_length=64, pattern=ID_PATTERN)


def _user_id() -> str:
    user_id = request.headers.get(USER_ID_HEADER, "").strip()
    if not user_id:
        raise unauthorized("X-User-ID is required: requests come through the gateway.")
    return user_id


def _correlation_id() -> str:
    return get_correlation_id() or new_correlation_id()


def _batch_json(batch: Batch) -> dict[str, Any]:
    return {
        "batch_id": batch.batch_id,
        "status": batch.status.value,
        "essay_ids": list(batch.essay_ids),
        "course_code": batch.course_code.value,
        "expected_essay_count": batch.expected_essay_count,
        "class_id": batch.class_id,
    }


@batches_bp.post("")
@domain_errors
async def register_batch(use_case: FromDishka[RegisterBatch]) -> tuple[dict[str, Any], int]:
    """Register a batch: one essay slot per expected essay; announced in the same commit.

    With a class_id, the class must be the teacher's and for the batch's course (checked with
    the Class Management Service before anything is stored).
    """
    user_id = _user_id()
    body = RegisterBatchRequest.model_validate(await request.get_json(silent=True))
    command = RegisterBatchCommand(user_id=user_id, **body.model_dump())
    batch = await use_case.execute(command, _correlation_id())
    return _batch_json(batch), 201


@batches_bp.get("/<batch_id>/pipeline-state")
@domain_errors
async def pipeline_state(batch_id: str, use_case: FromDishka[GetPipelineState]) -> dict[str, Any]:
    """BatchPipelineStateV1 for internal callers (they compare user_id themselves).

    `?idempotency_key=` (with X-User-ID: keys are per user) adds `pipeline_request`: what became
    of that user's request under the key for this batch, once handled.
    """
    key = request.args.get("idempotency_key")
    user_id = None
    if key is not None:
        user_id = _user_id()
        if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH:
            raise HuleEduError(
                ErrorCode.VALIDATION_ERROR,
                f"idempotency_key must be 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} characters.",
                details={"field": "idempotency_key"},
            )
    state = await use_case.execute(batch_id, user_id=user_id, idempotency_key=key)
    # Callers that ask about no key (File Service, RAS) get the body they always got.
    return state.model_dump(mode="json", exclude={"pipeline_request"} if key is None else None)


@batches_bp.get("/<batch_id>")
@domain_errors
async def get_batch(batch_id: str, use_case: FromDishka[GetBatch]) -> dict[str, Any]:
    """The teacher's batch with its pipeline state; another teacher's batch is a 404."""
    batch = await use_case.execute(batch_id, _user_id())
    return {
        **_batch_json(batch),
        "user_id": batch.user_id,
        "essay_instructions": batch.essay_instructions,
        "ready_essays": [e.model_dump(mode="json") for e in batch.ready_essays],
        "missing_essay_count": batch.missing_essay_count,
        "validation_failure_count": batch.validation_failure_count,
        "pipeline_state": batch.pipeline_state().model_dump(mode="json"),
        "students_confirmed_at": batch.students_confirmed_at.isoformat()
        if batch.students_confirmed_at
        else None,
    }


@batches_bp.post("/<batch_id>/phases/<phase>/retry")
@domain_errors
async def retry_phase(
    batch_id: str, phase: str, use_case: FromDishka[RetryPhase]
) -> tuple[dict[str, Any], int]:
    """Re-run a failed (or partly failed) phase for its failed essays only."""
    user_id = _user_id()
    try:
        phase_name = PhaseName(phase)
    except ValueError:
        raise HuleEduError(
            ErrorCode.VALIDATION_ERROR,
            f"Unknown phase {phase!r}.",
            details={"phase": phase, "known": [p.value for p in PhaseName]},
        ) from None
    batch = await use_case.execute(batch_id, user_id, phase_name, _correlation_id())
    return batch.pipeline_state().model_dump(mode="json"), 202
