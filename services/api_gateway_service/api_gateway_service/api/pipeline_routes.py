"""Start a pipeline on a batch: ownership and readiness checked, then a Kafka command."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from api_gateway_service.adapters.errors import DownstreamAnswer
from api_gateway_service.api.deps import CurrentCaller, Services
from api_gateway_service.api.docs import error_responses
from api_gateway_service.api.models import PipelineAccepted, PipelineRequest
from api_gateway_service.api.params import BatchId
from api_gateway_service.rate_limit import RouteLimits
from common_core.enums import BatchStatus
from common_core.errors import ErrorCode
from common_core.events.batch import ClientBatchPipelineRequestV1
from huleedu_service_libs.errors import HuleEduError, conflict

__all__ = ["pipeline_router"]

# Why a batch cannot start a pipeline yet, and what the teacher can do about it.
_NOT_READY = {
    BatchStatus.AWAITING_CONTENT: "The batch is not ready: its essays have not all arrived.",
    BatchStatus.AWAITING_STUDENT_VALIDATION: (
        "The batch is not ready: its essays' authors must be confirmed first "
        "(GET /v1/batches/{batch_id}/associations, then "
        "POST /v1/batches/{batch_id}/associations/confirm)."
    ),
}


def batch_not_found(batch_id: str) -> HuleEduError:
    """The one answer for an unknown batch and for someone else's batch."""
    return HuleEduError(
        ErrorCode.BATCH_NOT_FOUND, "Batch not found.", details={"batch_id": batch_id}
    )


def pipeline_router(limits: RouteLimits) -> APIRouter:
    """POST /v1/batches/{batch_id}/pipelines."""
    router = APIRouter(prefix="/v1/batches", tags=["pipelines"])

    @router.post(
        "/{batch_id}/pipelines",
        status_code=202,
        response_model=PipelineAccepted,
        responses=error_responses(400, 401, 404, 409, 422),
        summary="Start a pipeline",
    )
    @limits.write
    async def request_pipeline(
        request: Request,
        batch_id: BatchId,
        body: PipelineRequest,
        caller: CurrentCaller,
        services: Services,
    ) -> PipelineAccepted:
        """Queue the pipeline once the batch has all its content and none is running."""
        try:
            state = await services.bos.pipeline_state(caller, batch_id)
        except DownstreamAnswer as answer:
            if answer.status == 404:
                raise batch_not_found(batch_id) from None
            raise
        # BOS answers for any batch: the owner check is the gateway's.
        if state.user_id != caller.user_id:
            raise batch_not_found(batch_id)
        if state.status in _NOT_READY:
            raise conflict(
                _NOT_READY[state.status].format(batch_id=batch_id),
                code=ErrorCode.PIPELINE_NOT_READY,
                details={"batch_id": batch_id, "status": state.status.value},
            )
        if state.status is BatchStatus.PROCESSING:
            raise conflict(
                "A pipeline is already running on this batch.",
                code=ErrorCode.PIPELINE_ALREADY_RUNNING,
                details={"batch_id": batch_id, "status": state.status.value},
            )
        if state.requested_pipeline == body.pipeline:
            # BOS would deny it too, but only asynchronously; the teacher learns it now.
            raise conflict(
                f"The {body.pipeline.value} pipeline has already run on this batch.",
                code=ErrorCode.PIPELINE_ALREADY_RUNNING,
                details={"batch_id": batch_id, "status": state.status.value},
            )
        command = ClientBatchPipelineRequestV1(
            batch_id=batch_id,
            user_id=caller.user_id,
            requested_pipeline=body.pipeline,
            client_request_id=str(uuid.uuid4()),
        )
        await services.publisher.publish(command, caller.correlation_id)
        return PipelineAccepted(
            batch_id=batch_id,
            pipeline=body.pipeline,
            request_id=command.client_request_id or "",
            correlation_id=caller.correlation_id,
        )

    return router
