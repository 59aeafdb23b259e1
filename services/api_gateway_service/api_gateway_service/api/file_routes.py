"""A batch's files: streamed upload, list and remove (all answered by the File Service)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api_gateway_service.adapters.downstream import DownstreamResponse
from api_gateway_service.adapters.errors import validated
from api_gateway_service.adapters.services import FileServiceClient
from api_gateway_service.adapters.upload_body import (
    ClientGone,
    ClientTooSlow,
    LimitedBody,
    UploadTooLarge,
)
from api_gateway_service.api.deps import CurrentCaller, Files, Settings
from api_gateway_service.api.docs import error_responses
from api_gateway_service.api.params import BatchId, FileUploadId
from api_gateway_service.api.routing import RouteTable
from api_gateway_service.config import GatewaySettings
from api_gateway_service.domain.caller import Caller
from api_gateway_service.rate_limit import RouteLimits
from common_core.errors import ErrorCode
from common_core.file_api import FileListResponse, FileRemovedResponse, FileUploadResponse
from huleedu_service_libs.errors import HuleEduError, invalid_request

__all__ = ["file_router", "too_large", "too_slow", "upload_headers"]

routes = RouteTable("/v1/batches/{batch_id}/files", ["files"])

_MULTIPART_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "One or more essay files (.txt, .docx, .pdf).",
                        }
                    },
                }
            }
        },
    }
}


def too_large(limit: int) -> HuleEduError:
    """413 PAYLOAD_TOO_LARGE naming the limit."""
    return HuleEduError(
        ErrorCode.PAYLOAD_TOO_LARGE,
        f"The upload is larger than {limit} bytes.",
        details={"limit_bytes": limit},
    )


def too_slow() -> HuleEduError:
    """408 TIMEOUT: the client did not send its upload body in time (no File Service fault)."""
    return HuleEduError(
        ErrorCode.TIMEOUT,
        "The upload body did not arrive in time; try again on a faster connection.",
        status=408,
        headers={"Connection": "close"},
    )


def upload_headers(content_type: str, content_length: str | None, limit: int) -> dict[str, str]:
    """Headers to forward, after refusing what can be refused from the headers alone."""
    media_type, _, params = content_type.partition(";")
    if media_type.strip().lower() != "multipart/form-data" or "boundary=" not in params.lower():
        raise HuleEduError(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            "Upload files as multipart/form-data in the field 'files'.",
            details={"content_type": media_type.strip()},
        )
    # The boundary must reach the File Service byte for byte, so the header goes as it came.
    headers = {"Content-Type": content_type}
    if content_length is not None:
        if not content_length.strip().isdigit():
            raise invalid_request("Content-Length is not a number.")
        if int(content_length) > limit:
            raise too_large(limit)
        headers["Content-Length"] = content_length.strip()
    return headers


async def _forward_upload(
    files: FileServiceClient,
    caller: Caller,
    batch_id: str,
    request: Request,
    settings: GatewaySettings,
) -> DownstreamResponse:
    """Stream the client's body to the File Service; body faults become the client's 4xx."""
    max_bytes = settings.max_upload_bytes
    headers = upload_headers(
        request.headers.get("content-type", ""), request.headers.get("content-length"), max_bytes
    )
    body = LimitedBody(
        request.stream(), max_bytes, timeout_seconds=settings.upload_body_timeout_seconds
    )
    try:
        return await files.upload(
            caller,
            batch_id,
            body,
            headers,
            body_failure=body.failed,
            body_complete=lambda: body.complete,
        )
    except UploadTooLarge:
        raise too_large(max_bytes) from None
    except ClientGone:
        raise invalid_request("The upload ended before its body was complete.") from None
    except ClientTooSlow:
        raise too_slow() from None


@routes.post(
    "",
    limit="upload",
    own_body=True,
    status_code=201,
    response_model=FileUploadResponse,
    responses=error_responses(400, 401, 404, 408, 409, 413, 415, 422),
    openapi_extra=_MULTIPART_BODY,
    summary="Upload essay files",
)
async def upload_files(
    request: Request, batch_id: BatchId, caller: CurrentCaller, files: Files, settings: Settings
) -> Response:
    """Stream the multipart body to the File Service; 201 if at least one file was accepted."""
    answer = await _forward_upload(files, caller, batch_id, request, settings)
    # Passed through unparsed: the File Service's per-file results are the answer.
    return Response(
        content=answer.body,
        status_code=answer.status,
        media_type=answer.headers.get("Content-Type", "application/json"),
    )


@routes.get(
    "",
    limit="read",
    response_model=FileListResponse,
    responses=error_responses(401, 404, 422),
    summary="List a batch's files",
)
async def list_files(
    request: Request, batch_id: BatchId, caller: CurrentCaller, files: Files
) -> FileListResponse:
    """The batch's current files."""
    data = await files.list_files(caller, batch_id)
    return validated(FileListResponse, data, files.http.name)


@routes.delete(
    "/{file_upload_id}",
    limit="write",
    response_model=FileRemovedResponse,
    responses=error_responses(401, 404, 409, 422),
    summary="Remove a file",
)
async def remove_file(
    request: Request,
    batch_id: BatchId,
    file_upload_id: FileUploadId,
    caller: CurrentCaller,
    files: Files,
) -> FileRemovedResponse:
    """Remove a file while the batch has not started processing."""
    data = await files.remove_file(caller, batch_id, file_upload_id)
    return validated(FileRemovedResponse, data, files.http.name)


def file_router(limits: RouteLimits) -> APIRouter:
    """Routes under /v1/batches/{batch_id}/files."""
    return routes.router(limits)
