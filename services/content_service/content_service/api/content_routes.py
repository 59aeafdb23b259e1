"""Internal content API: store bytes, fetch them, erase a batch's. Every route needs the key."""

from __future__ import annotations

from dishka import FromDishka
from quart import Blueprint, Response, request

from common_core.errors import ErrorCode
from common_core.internal_api import ContentErasureResultV1, ContentErasureV1
from content_service.domain import (
    ContentNotFound,
    ContentTooLarge,
    EmptyContent,
    EraseContent,
    FetchContent,
    InvalidReference,
    Provenance,
    SourceNotFound,
    StoreContent,
)
from huleedu_service_libs.errors import HuleEduError

content_bp = Blueprint("content", __name__, url_prefix="/internal/v1/content")


def _invalid(field: str) -> HuleEduError:
    return HuleEduError(ErrorCode.VALIDATION_ERROR, f"Invalid {field}.", details={"field": field})


@content_bp.post("")
async def store_content(use_case: FromDishka[StoreContent]) -> tuple[dict[str, object], int]:
    """Store the request body (201 new, 200 stored before); `?holder=<batch id>` records who
    keeps it, `?derived_from=<content id>` what it was made from (404 if that is gone)."""
    provenance = Provenance(
        holder=request.args.get("holder"), derived_from=request.args.get("derived_from")
    )
    data = await request.get_data(cache=False, as_text=False, parse_form_data=False)
    try:
        result = await use_case.execute(data, request.headers.get("Content-Type"), provenance)
    except InvalidReference as exc:
        raise _invalid(str(exc)) from None
    except EmptyContent:
        raise HuleEduError(ErrorCode.VALIDATION_ERROR, "Content must not be empty.") from None
    except ContentTooLarge:
        raise HuleEduError(ErrorCode.PAYLOAD_TOO_LARGE, "Content exceeds the size limit.") from None
    except SourceNotFound:
        raise HuleEduError(
            ErrorCode.CONTENT_NOT_FOUND,
            "The content this was derived from does not exist.",
            details={"derived_from": provenance.derived_from},
        ) from None
    body: dict[str, object] = {
        "content_id": result.content_id,
        "content_type": result.content_type,
        "size_bytes": result.size_bytes,
    }
    return body, 201 if result.created else 200


@content_bp.get("/<content_id>")
async def fetch_content(content_id: str, use_case: FromDishka[FetchContent]) -> Response:
    """The stored bytes with their content type (never cached: erasure may change them)."""
    try:
        content = await use_case.execute(content_id)
    except ContentNotFound:
        raise HuleEduError(
            ErrorCode.CONTENT_NOT_FOUND,
            "No content with this id.",
            details={"content_id": content_id},
        ) from None
    response = Response(content.data, status=200, content_type=content.content_type)
    response.headers["ETag"] = f'"{content.content_id}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@content_bp.post("/erasures")
async def erase_content(use_case: FromDishka[EraseContent]) -> dict[str, object]:
    """One batch's part of a student erasure (ContentErasureV1 -> ContentErasureResultV1)."""
    body = ContentErasureV1.model_validate(await request.get_json(silent=True))
    try:
        result = await use_case.execute(body.holder, body.delete, body.redact, body.terms)
    except InvalidReference as exc:
        raise _invalid(str(exc)) from None
    answer = ContentErasureResultV1(
        deleted=result.deleted,
        kept_for_other_holders=result.kept_for_other_holders,
        redacted=result.redacted,
    )
    return answer.model_dump(mode="json")
