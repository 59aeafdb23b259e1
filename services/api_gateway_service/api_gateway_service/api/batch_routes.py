"""Batches: register one, list the teacher's own, read one batch, one essay and its text."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api_gateway_service.adapters.errors import validated
from api_gateway_service.api.deps import Bos, CurrentCaller, Files, Results
from api_gateway_service.api.docs import error_responses
from api_gateway_service.api.file_names import with_file_names
from api_gateway_service.api.models import BatchCreatedResponse, CreateBatchRequest
from api_gateway_service.api.params import MAX_OFFSET, BatchId, EssayId
from api_gateway_service.api.routing import RouteTable
from api_gateway_service.rate_limit import RouteLimits
from common_core.enums import BatchStatus
from common_core.result_api import BatchListV1, BatchResultV1, EssayResultV1, EssayTextV1

__all__ = ["batch_router", "validated"]

# With a class_id, BOS checks the class with Class Management first; nothing is stored on these.
_REGISTER_NOTES = {
    404: "CLASS_NOT_FOUND: the class_id is unknown, or another teacher's (both answer the same).",
    422: "VALIDATION_ERROR: the body is invalid. MIXED_COURSES: the class is for another course "
    "than the batch (details: class_course, batch_course).",
    503: "SERVICE_UNAVAILABLE (Retry-After): a downstream service or Kafka is unavailable, or "
    "the class service is, so the class_id cannot be checked (details.dependency).",
}
_TEXT_NOTES = {
    404: "BATCH_NOT_FOUND (unknown, or another teacher's), ESSAY_NOT_FOUND, or "
    "CONTENT_NOT_FOUND: no file is assigned to the essay yet, or its text is no longer stored.",
    503: "SERVICE_UNAVAILABLE (Retry-After): the text cannot be fetched right now.",
}


routes = RouteTable("/v1/batches", ["batches"])


@routes.post(
    "",
    limit="write",
    status_code=201,
    response_model=BatchCreatedResponse,
    responses=error_responses(400, 401, 404, 422, notes=_REGISTER_NOTES),
    summary="Register a batch",
)
async def create_batch(
    request: Request, body: CreateBatchRequest, caller: CurrentCaller, bos: Bos
) -> BatchCreatedResponse:
    """Register a batch with one essay slot per expected essay (and its class, if given)."""
    data = await bos.register_batch(caller, body.model_dump())
    return validated(BatchCreatedResponse, data, bos.http.name)


@routes.get(
    "",
    limit="read",
    response_model=BatchListV1,
    responses=error_responses(401, 422),
    summary="List my batches",
)
async def list_batches(
    request: Request,
    caller: CurrentCaller,
    results: Results,
    status: Annotated[BatchStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> BatchListV1:
    """The caller's batches, newest first."""
    params = {"limit": str(limit), "offset": str(offset)}
    if status is not None:
        params["status"] = status.value
    data = await results.list_batches(caller, params)
    return validated(BatchListV1, data, results.http.name)


@routes.get(
    "/{batch_id}",
    limit="read",
    response_model=BatchResultV1,
    responses=error_responses(401, 404, 422),
    summary="Read a batch",
)
async def get_batch(
    request: Request, batch_id: BatchId, caller: CurrentCaller, results: Results, files: Files
) -> BatchResultV1:
    """One of the caller's batches with its essays and phases."""
    data = await results.batch(caller, batch_id)
    data = await with_file_names(files, caller, batch_id, data)
    return validated(BatchResultV1, data, results.http.name)


@routes.get(
    "/{batch_id}/essays/{essay_id}",
    limit="read",
    response_model=EssayResultV1,
    responses=error_responses(401, 404, 422),
    summary="Read an essay's results",
)
async def get_essay(
    request: Request,
    batch_id: BatchId,
    essay_id: EssayId,
    caller: CurrentCaller,
    results: Results,
    files: Files,
    include_text: Annotated[bool, Query()] = False,
) -> EssayResultV1:
    """One essay's results; include_text adds the corrected text."""
    data = await results.essay(caller, batch_id, essay_id, include_text=include_text)
    data = await with_file_names(files, caller, batch_id, data)
    return validated(EssayResultV1, data, results.http.name)


@routes.get(
    "/{batch_id}/essays/{essay_id}/text",
    limit="read",
    response_model=EssayTextV1,
    responses=error_responses(401, notes=_TEXT_NOTES),
    summary="Read an essay's original text",
)
async def get_essay_text(
    request: Request,
    batch_id: BatchId,
    essay_id: EssayId,
    caller: CurrentCaller,
    results: Results,
    files: Files,
) -> EssayTextV1:
    """The text extracted from the essay's file: misspelling offsets index it (code points)."""
    data = await results.essay_text(caller, batch_id, essay_id)
    data = await with_file_names(files, caller, batch_id, data)
    return validated(EssayTextV1, data, results.http.name)


def batch_router(limits: RouteLimits) -> APIRouter:
    """Routes under /v1/batches served by the Batch Orchestrator and the Result Aggregator."""
    return routes.router(limits)
