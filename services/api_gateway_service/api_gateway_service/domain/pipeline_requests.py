"""A teacher's pipeline request: checked at the Batch Orchestrator, then sent as a command.

Every request travels under an idempotency key (the client's `Idempotency-Key`, or one the
gateway issues) and a request id derived from (user, batch, key), so every retry under the key
carries the same id. The orchestrator applies the first command per (user, batch, key) and
ignores later copies; its pipeline state tells a retry what became of the first one, which the
gateway then answers again instead of a 409 for a pipeline the teacher's own request started.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from api_gateway_service.domain.caller import Caller
from common_core.enums import BatchStatus, GrammarCategory, PipelineName, PipelineRequestOutcome
from common_core.errors import ErrorCode
from common_core.events.batch import ClientBatchPipelineRequestV1
from common_core.internal_api import BatchPipelineStateV1, PipelineRequestRecordV1
from huleedu_service_libs.errors import HuleEduError, conflict

__all__ = [
    "IDEMPOTENCY_KEY_HEADER",
    "IDEMPOTENCY_KEY_PATTERN",
    "PipelineAcceptance",
    "PipelinePublisher",
    "PipelineStates",
    "RequestPipeline",
    "UnknownBatch",
    "batch_not_found",
    "request_id_for",
]

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
# Visible ASCII, as the IETF Idempotency-Key draft's examples; a UUID is the usual choice.
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]{1,255}$"
_REQUEST_IDS = uuid.uuid5(uuid.NAMESPACE_URL, "https://huleedu.se/ns/pipeline-requests")

# Why a batch cannot start a pipeline yet, and what the teacher can do about it.
_NOT_READY = {
    BatchStatus.AWAITING_CONTENT: "The batch is not ready: its essays have not all arrived.",
    BatchStatus.AWAITING_STUDENT_VALIDATION: (
        "The batch is not ready: its essays' authors must be confirmed first "
        "(GET /v1/batches/{batch_id}/associations, then "
        "POST /v1/batches/{batch_id}/associations/confirm)."
    ),
}


class UnknownBatch(Exception):
    """The Batch Orchestrator knows no batch by this id."""

    def __init__(self, batch_id: str) -> None:
        super().__init__(f"unknown batch {batch_id}")
        self.batch_id = batch_id


class PipelineStates(Protocol):
    """The Batch Orchestrator's pipeline state, with the caller's request under a key."""

    async def pipeline_state(
        self, caller: Caller, batch_id: str, *, idempotency_key: str | None = None
    ) -> BatchPipelineStateV1:
        """The state; raises UnknownBatch for an unknown batch."""
        ...


class PipelinePublisher(Protocol):
    """Sends ClientBatchPipelineRequestV1 commands."""

    async def publish(self, request: ClientBatchPipelineRequestV1, correlation_id: str) -> None:
        """Return once the broker has the command; raise HuleEduError 503 otherwise.

        After a 503 the command may still reach the broker later (outcome unknown).
        """
        ...


@dataclass(frozen=True)
class PipelineAcceptance:
    """A queued pipeline request (or the earlier acceptance of the same key, replayed)."""

    batch_id: str
    pipeline: PipelineName
    request_id: str
    idempotency_key: str
    correlation_id: str
    replayed: bool
    disabled_grammar_categories: tuple[GrammarCategory, ...] = ()


def request_id_for(user_id: str, batch_id: str, idempotency_key: str) -> str:
    """The request id of every attempt under the key: a uuid5 of (user, batch, key)."""
    return str(uuid.uuid5(_REQUEST_IDS, "\x1f".join((user_id, batch_id, idempotency_key))))


def batch_not_found(batch_id: str) -> HuleEduError:
    """The one answer for an unknown batch and for someone else's batch."""
    return HuleEduError(
        ErrorCode.BATCH_NOT_FOUND, "Batch not found.", details={"batch_id": batch_id}
    )


class RequestPipeline:
    """Check ownership, the key's history and readiness; then publish the command."""

    def __init__(self, states: PipelineStates, publisher: PipelinePublisher) -> None:
        self._states = states
        self._publisher = publisher

    async def execute(
        self,
        caller: Caller,
        batch_id: str,
        pipeline: PipelineName,
        idempotency_key: str,
        disabled_grammar_categories: Sequence[GrammarCategory] = (),
    ) -> PipelineAcceptance:
        """The acceptance; raises HuleEduError 404, 409 or 503 (outcome unknown).

        `disabled_grammar_categories` (duplicates dropped) go with the command; a pipeline
        without the grammar phase ignores them.
        """
        try:
            state = await self._states.pipeline_state(
                caller, batch_id, idempotency_key=idempotency_key
            )
        except UnknownBatch:
            raise batch_not_found(batch_id) from None
        # BOS answers for any batch: the owner check is the gateway's.
        if state.user_id != caller.user_id:
            raise batch_not_found(batch_id)
        if state.pipeline_request is not None:
            return self._replay(caller, state, state.pipeline_request, batch_id)
        _check_startable(state, batch_id, pipeline)
        categories = tuple(dict.fromkeys(disabled_grammar_categories))
        command = ClientBatchPipelineRequestV1(
            batch_id=batch_id,
            user_id=caller.user_id,
            requested_pipeline=pipeline,
            client_request_id=request_id_for(caller.user_id, batch_id, idempotency_key),
            idempotency_key=idempotency_key,
            disabled_grammar_categories=list(categories),
        )
        await self._publisher.publish(command, caller.correlation_id)
        return PipelineAcceptance(
            batch_id=batch_id,
            pipeline=pipeline,
            request_id=command.client_request_id or "",
            idempotency_key=idempotency_key,
            correlation_id=caller.correlation_id,
            replayed=False,
            disabled_grammar_categories=categories,
        )

    @staticmethod
    def _replay(
        caller: Caller,
        state: BatchPipelineStateV1,
        earlier: PipelineRequestRecordV1,
        batch_id: str,
    ) -> PipelineAcceptance:
        """The first request's outcome under this key, answered again (with its categories)."""
        key = earlier.idempotency_key
        request_id = earlier.request_id or request_id_for(caller.user_id, batch_id, key)
        if earlier.outcome is PipelineRequestOutcome.DENIED:
            try:
                code = ErrorCode(earlier.reason_code or "")
            except ValueError:
                code = ErrorCode.CONFLICT
            raise HuleEduError(
                code,
                earlier.reason or "The pipeline request was refused.",
                details={
                    "batch_id": batch_id,
                    "idempotency_key": key,
                    "request_id": request_id,
                    "replayed": True,
                },
            )
        return PipelineAcceptance(
            batch_id=batch_id,
            pipeline=earlier.pipeline,
            request_id=request_id,
            idempotency_key=key,
            correlation_id=earlier.correlation_id or caller.correlation_id,
            replayed=True,
            disabled_grammar_categories=_known_categories(state.disabled_grammar_categories),
        )


def _known_categories(values: Sequence[str]) -> tuple[GrammarCategory, ...]:
    """The stored category ids this gateway knows (a newer orchestrator may know more)."""
    known = {c.value for c in GrammarCategory}
    return tuple(GrammarCategory(v) for v in values if v in known)


def _check_startable(state: BatchPipelineStateV1, batch_id: str, pipeline: PipelineName) -> None:
    """409 unless the batch can start `pipeline` now (BOS would deny it, later)."""
    details = {"batch_id": batch_id, "status": state.status.value}
    if state.status in _NOT_READY:
        raise conflict(
            _NOT_READY[state.status].format(batch_id=batch_id),
            code=ErrorCode.PIPELINE_NOT_READY,
            details=details,
        )
    if state.status is BatchStatus.PROCESSING:
        raise conflict(
            "A pipeline is already running on this batch.",
            code=ErrorCode.PIPELINE_ALREADY_RUNNING,
            details=details,
        )
    if state.requested_pipeline == pipeline:
        # BOS would deny it too, but only asynchronously; the teacher learns it now.
        raise conflict(
            f"The {pipeline.value} pipeline has already run on this batch.",
            code=ErrorCode.PIPELINE_ALREADY_RUNNING,
            details=details,
        )
