"""Files of a batch: upload (add), list and remove. The gateway forwards the teacher's id."""

from __future__ import annotations

from typing import Any

from dishka import FromDishka
from pydantic import BaseModel
from quart import Blueprint, current_app, request

from common_core import file_api
from common_core.errors import ErrorCode
from file_service.api.errors import domain_errors
from file_service.api.upload_body import multipart_boundary, read_essay_files
from file_service.domain.batch_files import ListFiles, RemoveFile
from file_service.domain.ports import FileRecord
from file_service.domain.upload_results import FileResult, IncomingFile
from file_service.domain.uploads import UploadFiles
from huleedu_service_libs.correlation import USER_ID_HEADER, get_correlation_id, new_correlation_id
from huleedu_service_libs.errors import HuleEduError, unauthorized

files_bp = Blueprint("files", __name__, url_prefix="/internal/v1/batches/<batch_id>/files")


def _user_id() -> str:
    user_id = request.headers.get(USER_ID_HEADER, "").strip()
    if not user_id:
        raise unauthorized("X-User-ID is required: requests come through the gateway.")
    return user_id


def _correlation_id() -> str:
    return get_correlation_id() or new_correlation_id()


def _record_body(record: FileRecord) -> file_api.FileRecord:
    return file_api.FileRecord(
        file_upload_id=record.file_upload_id,
        filename=record.original_file_name,
        file_type=record.file_type,
        file_size_bytes=record.file_size_bytes,
        content_sha256=record.content_sha256,
        raw_storage_id=record.raw_storage_id,
        text_storage_id=record.text_storage_id,
        char_count=record.char_count,
        word_count=record.word_count,
    )


def _result_body(result: FileResult) -> file_api.FileUploadResult:
    if result.record is not None:
        return file_api.FileUploadResult(
            status="accepted", **_record_body(result.record).model_dump()
        )
    return file_api.FileUploadResult(
        status="rejected",
        file_upload_id=result.file_upload_id,
        filename=result.filename,
        error_code=str(result.error_code),
        message=result.message,
        details=(result.rejection.details or None) if result.rejection is not None else None,
    )


def _json(body: BaseModel) -> dict[str, Any]:
    # Absent, not null: a rejection carries no record fields, an acceptance no error fields.
    return body.model_dump(mode="json", exclude_none=True)


@files_bp.post("")
@domain_errors
async def upload_files(
    batch_id: str, use_case: FromDishka[UploadFiles]
) -> tuple[dict[str, Any], int]:
    """Upload files (multipart field `files`); each comes back accepted or rejected with a code."""
    user_id = _user_id()
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and request.content_length and request.content_length > limit:
        # Known from the headers: refuse before asking anyone or reading a byte.
        raise HuleEduError(
            ErrorCode.PAYLOAD_TOO_LARGE,
            f"The upload is larger than {limit // (1024 * 1024)} MB.",
            details={"limit_bytes": limit},
        )

    boundary = multipart_boundary()

    async def read_files() -> list[IncomingFile]:
        return await read_essay_files(boundary)

    results = await use_case.execute(batch_id, user_id, read_files, _correlation_id())
    files = [_result_body(r) for r in results]
    accepted = sum(1 for r in results if r.accepted)
    if accepted == 0:
        code = (
            results[0].error_code
            if len(results) == 1 and results[0].error_code
            else ErrorCode.VALIDATION_ERROR
        )
        # Always 422: the upload was processed and each file's failure event is committed,
        # unlike a request-level 409/413/415 that leaves nothing behind.
        raise HuleEduError(
            code,
            "No file was accepted."
            if len(results) > 1
            else (results[0].message or "File rejected."),
            details={"batch_id": batch_id, "files": [_json(f) for f in files]},
            status=422,
        )
    body = file_api.FileUploadResponse(
        batch_id=batch_id,
        accepted_count=accepted,
        rejected_count=len(results) - accepted,
        files=files,
    )
    return _json(body), 201


@files_bp.get("")
@domain_errors
async def list_files(batch_id: str, use_case: FromDishka[ListFiles]) -> dict[str, Any]:
    """The batch's current files."""
    records = await use_case.execute(batch_id, _user_id())
    return _json(
        file_api.FileListResponse(batch_id=batch_id, files=[_record_body(r) for r in records])
    )


@files_bp.delete("/<file_upload_id>")
@domain_errors
async def remove_file(
    batch_id: str, file_upload_id: str, use_case: FromDishka[RemoveFile]
) -> dict[str, Any]:
    """Remove a file while the batch has not started processing."""
    record = await use_case.execute(batch_id, _user_id(), file_upload_id, _correlation_id())
    return _json(file_api.FileRemovedResponse(batch_id=batch_id, removed=_record_body(record)))
