"""Start a pipeline on a batch: ownership and readiness checked, then a Kafka command."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response

from api_gateway_service.api.deps import CurrentCaller, PipelineRequests
from api_gateway_service.api.docs import error_responses
from api_gateway_service.api.models import PipelineAccepted, PipelineRequest
from api_gateway_service.api.params import BatchId
from api_gateway_service.api.routing import RouteTable
from api_gateway_service.domain.pipeline_requests import (
    IDEMPOTENCY_KEY_HEADER,
    IDEMPOTENCY_KEY_PATTERN,
)
from api_gateway_service.rate_limit import RouteLimits
from huleedu_service_libs.errors import HuleEduError

__all__ = ["pipeline_router"]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=IDEMPOTENCY_KEY_HEADER,
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description="Your key for this request (1-255 visible ASCII characters; a UUID is "
        "best). Every request under the same key for a batch runs the pipeline at most once "
        "and answers with the first one's outcome. Without one, the gateway issues a key and "
        "returns it.",
    ),
]

_NOTES = {
    404: "BATCH_NOT_FOUND: unknown, or not yours.",
    409: "PIPELINE_NOT_READY or PIPELINE_ALREADY_RUNNING (also the replayed refusal of an "
    "earlier request under the same key).",
    422: "Invalid body or Idempotency-Key header (VALIDATION_ERROR); an unknown pipeline or "
    "grammar category is listed in details.errors with the values allowed.",
    503: "Outcome unknown: the request could not be confirmed. Retry with the same "
    "Idempotency-Key (details.idempotency_key) after Retry-After: it runs at most once.",
}


routes = RouteTable("/v1/batches", ["pipelines"])


@routes.post(
    "/{batch_id}/pipelines",
    limit="write",
    status_code=202,
    response_model=PipelineAccepted,
    responses=error_responses(400, 401, 404, 409, 422, notes=_NOTES),
    summary="Start a pipeline",
)
async def request_pipeline(
    request: Request,
    response: Response,
    batch_id: BatchId,
    body: PipelineRequest,
    caller: CurrentCaller,
    use_case: PipelineRequests,
    idempotency_key: IdempotencyKey = None,
) -> PipelineAccepted:
    """Queue the pipeline once the batch has all its content and none is running."""
    key = idempotency_key or str(uuid.uuid4())
    try:
        accepted = await use_case.execute(
            caller, batch_id, body.pipeline, key, body.disabled_grammar_categories
        )
    except HuleEduError as exc:
        # Every answer names the key, so a client that sent none can still retry with it.
        exc.headers.setdefault(IDEMPOTENCY_KEY_HEADER, key)
        raise
    response.headers[IDEMPOTENCY_KEY_HEADER] = accepted.idempotency_key
    return PipelineAccepted(
        batch_id=accepted.batch_id,
        pipeline=accepted.pipeline,
        disabled_grammar_categories=list(accepted.disabled_grammar_categories),
        request_id=accepted.request_id,
        idempotency_key=accepted.idempotency_key,
        replayed=accepted.replayed,
        correlation_id=accepted.correlation_id,
    )


def pipeline_router(limits: RouteLimits) -> APIRouter:
    """POST /v1/batches/{batch_id}/pipelines."""
    return routes.router(limits)
